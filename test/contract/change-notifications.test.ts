/**
 * Producer -> consumer for each change of an appointment: the stream record DynamoDB emits for the
 * booking's INSERT, the reschedule's MODIFY and the cancellation's MODIFY (images valid against the
 * `appointment` contract) passes the synthesized pipe filter's rule, goes through the real
 * enrichment, whose output must validate against `enriched-appointment` (the notifier's input
 * schema), and the real notifier, whose outcomes (`notification-result`), rows (`notification`) and
 * reminder schedule input (`reminder-request`, which comes back to the notifier) must validate
 * against theirs. Only AWS is mocked.
 */
import '../unit/services/support/test-env';
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  NOTIFICATION_OUTCOME_LOG_MESSAGE,
  validateAppointment,
  validateEnrichedAppointment,
  validateNotification,
  validateNotificationResult,
  validateReminderRequest,
  type Appointment,
  type EnrichedAppointment,
  type NotificationResult,
} from '../../contracts';
import { PATIENT_VISIBLE_CHANGE_FILTER_PATTERNS } from '../../cdk/constructs/appointment-pipe';
import { matchesEventPattern } from '../../local/pipes/event-pattern';
import { logger } from '../../services/common/logger';
import { handler as enrichment } from '../../services/enrichment/handler';
import { handler as notifier } from '../../services/notifier/handler';
import { loadFixture } from '../fixtures/load-fixture';
import { streamRecord } from '../fixtures/stream-records';
import { mockManageTokenSecret } from '../unit/services/support/credentials';
import { IdempotencyTableFake } from '../unit/services/support/idempotency-table-fake';
import { lambdaContext } from '../unit/services/support/lambda';
import { NotificationsTableFake } from '../unit/services/support/notifications-table-fake';
import { RecipientQuotaTableFake } from '../unit/services/support/recipient-quota-fake';
import { sqsEvent, sqsRecord } from '../unit/services/support/sqs';
import { TEST_ENV } from '../unit/services/support/test-env';

const dynamodb = mockClient(DynamoDBClient);
const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const scheduler = mockClient(SchedulerClient);
const secretsManager = mockManageTokenSecret();
let rows: NotificationsTableFake;
let current: Appointment | undefined;
let contact: Record<string, unknown> | undefined;
let infoLog: jest.SpyInstance;

const booked = loadFixture<Appointment>('appointment', 'lifecycle-booked');
const rescheduled = loadFixture<Appointment>('appointment', 'lifecycle-rescheduled');
const cancelled = loadFixture<Appointment>('appointment', 'lifecycle-cancelled');
const CHANGES = [
  ['booking', booked, 'INSERT'],
  ['reschedule', rescheduled, 'MODIFY'],
  ['cancellation', cancelled, 'MODIFY'],
] as const;

beforeEach(() => {
  dynamodb.reset();
  ses.reset();
  sns.reset();
  scheduler.reset();
  secretsManager.arm();
  current = undefined;
  contact = undefined;
  rows = new NotificationsTableFake(TEST_ENV.NOTIFICATIONS_TABLE_NAME);
  new IdempotencyTableFake(TEST_ENV.IDEMPOTENCY_TABLE_NAME).install(dynamodb, { update: (input) => rows.update(input as never) });
  new RecipientQuotaTableFake(TEST_ENV.RECIPIENT_QUOTA_TABLE_NAME).install(dynamodb);
  dynamodb.on(BatchGetItemCommand).callsFake(() => ({ Responses: { [TEST_ENV.CONTACTS_TABLE_NAME]: contact ? [marshall(contact)] : [] } }));
  dynamodb.on(GetItemCommand, { TableName: TEST_ENV.CONTACTS_TABLE_NAME }).callsFake(() => ({ Item: contact ? marshall(contact) : undefined }));
  dynamodb.on(GetItemCommand, { TableName: TEST_ENV.APPOINTMENTS_TABLE_NAME }).callsFake(() => ({ Item: current ? marshall(current, { removeUndefinedValues: true }) : undefined }));
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-message' });
  sns.on(PublishCommand).resolves({ MessageId: 'sns-message' });
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-2:123456789012:schedule/test-reminders/x' });
  scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-2:123456789012:schedule/test-reminders/x' });
  scheduler.on(DeleteScheduleCommand).resolves({});
  infoLog = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const outcomes = (): NotificationResult[] =>
  infoLog.mock.calls.filter(([text]) => text === NOTIFICATION_OUTCOME_LOG_MESSAGE).map(([, extra]) => (extra as { notificationResult: NotificationResult }).notificationResult);

/** The pipe: filter (the synthesized rule), enrichment, then one SQS message per enriched element. */
async function throughThePipe(image: Appointment, eventName: 'INSERT' | 'MODIFY'): Promise<EnrichedAppointment> {
  const record = streamRecord(image, eventName);
  expect(PATIENT_VISIBLE_CHANGE_FILTER_PATTERNS.some((pattern) => matchesEventPattern(JSON.stringify(pattern), record, { dialect: 'pipes' }))).toBe(true);
  const [message] = await enrichment([record], lambdaContext('enrichment'));
  return message!;
}

describe.each(CHANGES)("the %s's stream record -> enrichment -> notifier", (_change, image, eventName) => {
  it('starts from an image valid against the appointment contract', () => {
    expect(validateAppointment(image)).toEqual([]);
  });

  it.each([
    ['e-mail', undefined],
    ['sms', { id: booked.email.toLowerCase(), preferredMethod: 'sms', phoneNumber: '+447700900123', updatedAt: '2031-03-01T12:00:00.000Z' }],
    ['none', { id: booked.email.toLowerCase(), preferredMethod: 'none', updatedAt: '2031-03-01T12:00:00.000Z' }],
  ])('by %s: every message, outcome, row and schedule input validates against its consumer schema', async (_channel, contactItem) => {
    contact = contactItem;
    current = image;

    const message = await throughThePipe(image, eventName);
    expect(validateEnrichedAppointment(message)).toEqual([]);
    const response = await notifier(sqsEvent(sqsRecord(JSON.stringify(message))), lambdaContext('notifier'));

    expect(response).toEqual({ batchItemFailures: [] });
    const [result] = outcomes();
    expect(validateNotificationResult(result)).toEqual([]);
    expect(result).toMatchObject({ appointmentId: image.id, kind: image.lastChange.kind, version: image.version });
    for (const row of rows.rowsOf(image.id)) expect(validateNotification(row)).toEqual([]);
    expect(rows.row(image.id, `change-${image.version}`)).toMatchObject({ kind: image.lastChange.kind, status: result!.outcome });
    // Never the patient's free text in what is sent.
    const sent = JSON.stringify([ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input), sns.commandCalls(PublishCommand).map((call) => call.args[0].input)]);
    expect(sent).not.toContain(image.notes);
    if (image.cancellationReason) expect(sent).not.toContain(image.cancellationReason);
    // A booked appointment gets its reminder scheduled, a cancelled one has it deleted.
    if (image.status === 'cancelled') expect(scheduler).toHaveReceivedCommandTimes(DeleteScheduleCommand, 1);
    else expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
    for (const call of scheduler.commandCalls(CreateScheduleCommand)) expect(validateReminderRequest(JSON.parse(call.args[0].input.Target!.Input!))).toEqual([]);
  });
});

describe('the reminder round trip', () => {
  it("the schedule's input is a reminder request the notifier accepts and sends for the appointment now", async () => {
    current = rescheduled;
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    const message = await throughThePipe(rescheduled, 'MODIFY');
    await notifier(sqsEvent(sqsRecord(JSON.stringify(message))), lambdaContext('notifier'));
    const input = JSON.parse(scheduler.commandCalls(UpdateScheduleCommand)[0]!.args[0].input.Target!.Input!) as unknown;
    expect(validateReminderRequest(input)).toEqual([]);
    ses.resetHistory();

    const response = await notifier(sqsEvent(sqsRecord(JSON.stringify(input))), lambdaContext('notifier'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(outcomes().at(-1)).toMatchObject({ kind: 'reminder', version: rescheduled.version, outcome: 'sent' });
    expect(validateNotificationResult(outcomes().at(-1))).toEqual([]);
    expect(validateNotification(rows.row(rescheduled.id, 'reminder'))).toEqual([]);
  });
});
