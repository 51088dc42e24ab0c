import '../support/test-env';
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { marshall } from '@aws-sdk/util-dynamodb';
import { MessageRejected, SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { InternalErrorException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { randomUUID } from 'node:crypto';
import { NOTIFICATION_OUTCOME_LOG_MESSAGE, validateNotification, validateNotificationResult, type EnrichedAppointment, type NotificationResult } from '../../../../contracts';
import { handler, processor } from '../../../../services/notifier/handler';
import { recipientKey } from '../../../../services/notifier/adapters/recipient-quota';
import { MAX_SMS_SEPTETS, gsmLength } from '../../../../services/notifier/domain/sms-template';
import { logger } from '../../../../services/common/logger';
import { checkManageToken, parseManageToken } from '../../../../services/common/security/manage-token';
import { loadFixture } from '../../../fixtures/load-fixture';
import { TEST_ENV } from '../support/test-env';
import { MANAGE_TOKEN_KEY, mockManageTokenSecret } from '../support/credentials';
import { IdempotencyTableFake } from '../support/idempotency-table-fake';
import { NotificationsTableFake } from '../support/notifications-table-fake';
import { lambdaContext } from '../support/lambda';
import { RecipientQuotaTableFake } from '../support/recipient-quota-fake';
import { sqsEvent, sqsRecord } from '../support/sqs';
import { captureStdout, type StdoutCapture } from '../support/stdout';

const dynamodb = mockClient(DynamoDBClient);
const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const scheduler = mockClient(SchedulerClient);
const secretsManager = mockManageTokenSecret();
let idempotency: IdempotencyTableFake;
let rows: NotificationsTableFake;
/** The appointments table as the notifier reads it (GetItem): what each change left. */
const stored = new Map<string, Record<string, unknown>>();
let quota: RecipientQuotaTableFake;
let appointmentUpdate: jest.Mock;

/**
 * The next write of a change's row (`change-<version>`) is throttled; other writes (the reminder
 * row, which the reconcile writes side by side with the outcome) go through.
 */
function failTheFirstChangeRowWrite(): void {
  let failed = false;
  appointmentUpdate.mockImplementation((input: { Key?: { notificationId?: { S?: string } } }) => {
    if (!failed && input.Key?.notificationId?.S?.startsWith('change-')) {
      failed = true;
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
    }
    return rows.update(input as never);
  });
}
let infoLog: jest.SpyInstance;
let warnLog: jest.SpyInstance;
let errorLog: jest.SpyInstance;
let stdout: StdoutCapture;

/** A change's message; the appointment it describes is also stored, as the booking function left it. */
const enriched = (variant: 'email' | 'sms' | 'none', overrides: Partial<EnrichedAppointment> = {}): EnrichedAppointment => {
  const message: EnrichedAppointment = { ...loadFixture<EnrichedAppointment>('enriched-appointment', variant), id: randomUUID(), ...overrides };
  const { preferredMethod: _p, contactPhoneNumber: _c, ...appointment } = message;
  stored.set(message.id, appointment);
  return message;
};
const outcomes = (): NotificationResult[] =>
  infoLog.mock.calls.filter(([message]) => message === NOTIFICATION_OUTCOME_LOG_MESSAGE).map(([, extra]) => (extra as { notificationResult: NotificationResult }).notificationResult);
const rowUpdates = () => dynamodb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input).filter((input) => input.TableName === TEST_ENV.NOTIFICATIONS_TABLE_NAME);
const changeRow = (appointmentId: string, version = 1) => rows.row(appointmentId, `change-${version}`);
const awsError = <T>(ErrorClass: new (options: { message: string; $metadata: object }) => T, status: number): T =>
  new ErrorClass({ message: `failure ${status}`, $metadata: { httpStatusCode: status } });

beforeEach(() => {
  dynamodb.reset();
  ses.reset();
  sns.reset();
  scheduler.reset();
  stored.clear();
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-2:123456789012:schedule/test-reminders/x' });
  scheduler.on(DeleteScheduleCommand).resolves({});
  idempotency = new IdempotencyTableFake(TEST_ENV.IDEMPOTENCY_TABLE_NAME);
  rows = new NotificationsTableFake(TEST_ENV.NOTIFICATIONS_TABLE_NAME);
  appointmentUpdate = jest.fn((input: Record<string, unknown>) => rows.update(input as never));
  dynamodb.on(GetItemCommand, { TableName: TEST_ENV.APPOINTMENTS_TABLE_NAME }).callsFake((input: { Key: { id: { S: string } } }) => {
    const item = stored.get(input.Key.id.S);
    return { Item: item ? marshall(item, { removeUndefinedValues: true }) : undefined };
  });
  dynamodb.on(GetItemCommand, { TableName: TEST_ENV.CONTACTS_TABLE_NAME }).resolves({});
  idempotency.install(dynamodb, { update: (input) => appointmentUpdate(input) as unknown });
  quota = new RecipientQuotaTableFake(TEST_ENV.RECIPIENT_QUOTA_TABLE_NAME);
  quota.install(dynamodb);
  secretsManager.arm();
  let sequence = 0;
  ses.on(SendEmailCommand).callsFake(() => ({ MessageId: `ses-${++sequence}` }));
  sns.on(PublishCommand).callsFake(() => ({ MessageId: `sns-${++sequence}` }));
  infoLog = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  warnLog = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  errorLog = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  stdout = captureStdout();
});

afterEach(() => jest.restoreAllMocks());

describe('notifier handler', () => {
  it('processes each batch with its exported module-scope SQS processor, which then holds that batch', async () => {
    const record = sqsRecord(enriched('email'));

    await handler(sqsEvent(record), lambdaContext());

    expect(processor.eventType).toBe('SQS');
    expect(processor.successMessages).toEqual([record]);
    expect(processor.failureMessages).toEqual([]);
  });

  it('answers an empty batch with no failures and no calls', async () => {
    expect(await handler(sqsEvent(), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('e-mails an email-preference appointment, logs a valid outcome and records it', async () => {
    const appointment = enriched('email');

    const response = await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const email = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(email.FromEmailAddress).toBe(TEST_ENV.SENDER_EMAIL);
    expect(email.Destination).toEqual({ ToAddresses: [appointment.email] });
    expect(email.Content?.Simple?.Subject?.Data).toBe('Your appointment with Dr Lopez & Partners on Thu 14 Mar 2030 at 09:30');
    expect(email.Content?.Simple?.Body?.Html?.Data).toContain('Jane O&#39;Neil &lt;script&gt;');
    expect(email.Content?.Simple?.Body?.Text?.Data).toContain('Thursday 14 March 2030 at 09:30 (UTC+01:00)');
    // The caller's free-text notes are never e-mailed in the practice's name.
    expect(JSON.stringify(email)).not.toContain(appointment.notes);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);

    const [result] = outcomes();
    expect(validateNotificationResult(result)).toEqual([]);
    expect(result).toMatchObject({ appointmentId: appointment.id, channel: 'email', outcome: 'sent', providerMessageId: 'ses-1', preferredMethod: 'email' });
    // The change's row in the notifications table, never the appointment item.
    expect(result).toMatchObject({ kind: 'booked', version: 1 });
    const row = changeRow(appointment.id);
    expect(row).toEqual({
      appointmentId: appointment.id,
      notificationId: 'change-1',
      kind: 'booked',
      version: 1,
      status: 'sent',
      channel: 'email',
      sentAt: result!.notifiedAt,
      updatedAt: result!.notifiedAt,
      providerMessageId: 'ses-1',
    });
    expect(validateNotification(row)).toEqual([]);
    expect(dynamodb.commandCalls(UpdateItemCommand).filter((call) => call.args[0].input.TableName === TEST_ENV.APPOINTMENTS_TABLE_NAME)).toEqual([]);
    expect(dynamodb.commandCalls(PutItemCommand).filter((call) => call.args[0].input.TableName === TEST_ENV.APPOINTMENTS_TABLE_NAME)).toEqual([]);
    // One slot of the recipient's 24-hour quota, keyed by a hash of the address.
    const key = recipientKey('email', appointment.email);
    expect(quota.sends(key)).toHaveLength(1);
    expect(JSON.stringify([...quota.items.entries()])).not.toMatch(/example\.com/i);
  });

  it('e-mails the manage link, with a token for this booking and address that expires after the appointment', async () => {
    const appointment = enriched('email');

    await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    const email = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    const text = email.Content!.Simple!.Body!.Text!.Data!;
    const link = new RegExp(`${TEST_ENV.SITE_URL.replace(/\./g, '\\.')}/manage\\?appointment=${appointment.id}#token=(\\S+)`).exec(text);
    expect(link).not.toBeNull();
    expect(email.Content!.Simple!.Body!.Html!.Data).toContain(`#token=${link![1]}`);
    const parsed = parseManageToken(link![1]!);
    expect(parsed).toMatchObject({ appointmentId: appointment.id });
    expect(checkManageToken(MANAGE_TOKEN_KEY, parsed!, appointment.email, new Date())).toBe('valid');
    expect(checkManageToken(MANAGE_TOKEN_KEY, parsed!, 'someone.else@example.com', new Date())).toBe('invalid');
    expect(parsed!.expiresAt).toBe(Date.parse(appointment.appointmentDateTime) / 1000 + Number(TEST_ENV.MANAGE_TOKEN_VALIDITY_SECONDS));
    // The token is the secret of the e-mail: it is never logged.
    const logged = JSON.stringify([infoLog.mock.calls, warnLog.mock.calls, errorLog.mock.calls]);
    expect(logged).not.toContain(link![1]);
  });

  it('never puts the manage link in an SMS (only the address is proved by the booking)', async () => {
    await handler(sqsEvent(sqsRecord(enriched('sms'))), lambdaContext());

    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message).not.toMatch(/manage|token|https?:/i);
  });

  it('texts an sms-preference appointment: transactional, to the contact number, one segment', async () => {
    const appointment = enriched('sms', { patientName: 'P'.repeat(100), dentist: 'D'.repeat(100), clinic: 'C'.repeat(100) });

    const response = await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    const publish = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(publish.PhoneNumber).toBe('+15555550123');
    expect(publish.MessageAttributes).toEqual({ 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } });
    expect(gsmLength(publish.Message!)).toBeLessThanOrEqual(MAX_SMS_SEPTETS);
    expect(outcomes()[0]).toMatchObject({ channel: 'sms', outcome: 'sent', providerMessageId: 'sns-1' });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('skips a none-preference appointment and records skipped', async () => {
    const appointment = enriched('none');

    const response = await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(outcomes()).toEqual([expect.objectContaining({ appointmentId: appointment.id, channel: 'none', outcome: 'skipped' })]);
    expect(changeRow(appointment.id)).toMatchObject({ status: 'skipped', channel: 'none', cause: 'the patient asked for no notifications' });
    expect(validateNotification(changeRow(appointment.id))).toEqual([]);
  });

  it('falls back to e-mail for sms without any phone number, and logs why (masked)', async () => {
    const { contactPhoneNumber: _dropped, ...sms } = enriched('sms');

    await handler(sqsEvent(sqsRecord(sms)), lambdaContext());

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(outcomes()[0]).toMatchObject({ preferredMethod: 'sms', channel: 'email', fallbackReason: 'sms preferred but no phone number is known; sent by e-mail' });
    expect(warnLog).toHaveBeenCalledWith('falling back to e-mail', expect.objectContaining({ appointmentId: sms.id, recipient: 'r***@e***.net' }));
    expect(changeRow(sms.id)).toMatchObject({ status: 'sent', channel: 'email', cause: 'sms preferred but no phone number is known; sent by e-mail' });
  });

  it.each(['+33612345678', '+8821234567890', '+2341234567890'])('e-mails instead of texting %s, outside the allowed country codes (44, 1)', async (phone) => {
    const appointment = enriched('sms', { contactPhoneNumber: phone });

    await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const [result] = outcomes();
    expect(validateNotificationResult(result)).toEqual([]);
    expect(result).toMatchObject({ preferredMethod: 'sms', channel: 'email', outcome: 'sent' });
    expect(result!.fallbackReason).toContain('outside the countries the practice texts (+44, +1)');
    expect(JSON.stringify([warnLog.mock.calls, result])).not.toContain(phone);
  });

  it('texts the booking phone number when the contact has none', async () => {
    const { contactPhoneNumber: _dropped, ...sms } = enriched('sms', { phoneNumber: '+447700900123' });

    await handler(sqsEvent(sqsRecord(sms)), lambdaContext());

    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.PhoneNumber).toBe('+447700900123');
  });

  it.each([
    ['not JSON', '{"id":'],
    ['a valid JSON non-appointment', JSON.stringify({ hello: 'world' })],
    ['an appointment without preferredMethod', JSON.stringify({ ...loadFixture<object>('appointment', 'lifecycle-booked') })],
    ['a reminder request with an appointment field', JSON.stringify({ reminder: { appointmentId: randomUUID(), version: 1, dueAt: '2030-03-13T08:30:00.000Z' }, email: 'x@example.com' })],
    ['an enriched appointment that also carries a reminder', JSON.stringify({ ...loadFixture<object>('enriched-appointment', 'email'), reminder: { appointmentId: randomUUID(), version: 1, dueAt: '2030-03-13T08:30:00.000Z' } })],
    ['a reminder request without its version', JSON.stringify({ reminder: { appointmentId: randomUUID(), dueAt: '2030-03-13T08:30:00.000Z' } })],
    ['a JSON array', JSON.stringify([loadFixture<object>('enriched-appointment', 'email')])],
  ])('fails only the record whose body is %s', async (_case, body) => {
    const good = sqsRecord(enriched('email'));
    const bad = sqsRecord(body);

    const response = await handler(sqsEvent(good, bad), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(errorLog).toHaveBeenCalledWith('invalid notification message', expect.objectContaining({ messageId: bad.messageId }));
  });

  it('does not quote a body that is not JSON (it holds personal data) in the log', async () => {
    const bad = sqsRecord('{"email":"secret.patient@example.com", "phoneNumber": +447700900123');

    await expect(handler(sqsEvent(bad), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);

    const logged = JSON.stringify(errorLog.mock.calls);
    expect(logged).toContain('body is not JSON');
    expect(logged).not.toContain('secret.patient');
    expect(logged).not.toContain('7700900123');
  });

  it.each([
    ['SES throttling', () => ses.on(SendEmailCommand).rejectsOnce(awsError(TooManyRequestsException, 429)).resolves({ MessageId: 'ses-retry' }), 'email' as const],
    ['an SNS 5xx', () => sns.on(PublishCommand).rejectsOnce(awsError(InternalErrorException, 500)).resolves({ MessageId: 'sns-retry' }), 'sms' as const],
  ])('fails only the record hit by %s, logs a warning, and leaves it sendable on retry', async (_case, arrange, variant) => {
    arrange();
    const failing = sqsRecord(enriched(variant));
    const other = sqsRecord(enriched('none'));

    const response = await handler(sqsEvent(failing, other), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failing.messageId }] });
    expect(warnLog).toHaveBeenCalledWith('notification failed transiently; the message will be retried', expect.anything());
    // The failed send left no idempotency record behind, so the redelivery sends.
    expect(idempotency.records()).toHaveLength(0);
    const retry = await handler(sqsEvent({ ...failing, messageId: randomUUID() }), lambdaContext());
    expect(retry.batchItemFailures).toEqual([]);
    // The failed attempt gave its quota slot back: one notification reached the patient, one slot is used.
    const keys = [...quota.items.keys()];
    expect(keys.map((key) => quota.sends(key).length)).toEqual([1]);
  });

  it('records pending with the cause and attempt before the last attempt, failed on the last (receive count >= MAX_RECEIVE_COUNT), without PII', async () => {
    ses.on(SendEmailCommand).rejects(awsError(MessageRejected, 400));
    const appointment = enriched('email');
    const attempt = (count: number) => ({ ...sqsRecord(appointment), attributes: { ...sqsRecord(appointment).attributes, ApproximateReceiveCount: String(count) } });

    await expect(handler(sqsEvent(attempt(2)), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
    expect(changeRow(appointment.id)).toMatchObject({ kind: 'booked', version: 1, status: 'pending', cause: 'MessageRejected: failure 400', attempts: 2 });
    expect(validateNotification(changeRow(appointment.id))).toEqual([]);

    await expect(handler(sqsEvent(attempt(Number(TEST_ENV.MAX_RECEIVE_COUNT))), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
    expect(changeRow(appointment.id)).toMatchObject({ status: 'failed', cause: 'MessageRejected: failure 400', attempts: 3 });
    expect(JSON.stringify(rows.rowsOf(appointment.id))).not.toContain(appointment.email);
  });

  it('completes a row after failed attempts: sent over pending or failed (a DLQ redrive), the cause removed', async () => {
    ses.on(SendEmailCommand).rejectsOnce(awsError(MessageRejected, 400)).resolves({ MessageId: 'ses-late' });
    const appointment = enriched('email');
    const record = { ...sqsRecord(appointment), attributes: { ...sqsRecord(appointment).attributes, ApproximateReceiveCount: '3' } };

    await expect(handler(sqsEvent(record), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
    expect(changeRow(appointment.id)).toMatchObject({ status: 'failed' });
    await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(changeRow(appointment.id)).toMatchObject({ status: 'sent', providerMessageId: 'ses-late' });
    expect(changeRow(appointment.id)).not.toHaveProperty('cause');
  });

  it('never overwrites a completed row with a later failure of the same change', async () => {
    const appointment = enriched('email');
    await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());
    // Another notifier's attempt at the same change fails afterwards (its send never happened).
    idempotency.items.clear();
    ses.on(SendEmailCommand).rejects(awsError(MessageRejected, 400));

    await expect(handler(sqsEvent(sqsRecord(appointment)), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);

    expect(changeRow(appointment.id)).toMatchObject({ status: 'sent', providerMessageId: 'ses-1' });
    expect(changeRow(appointment.id)).not.toHaveProperty('cause');
  });

  it('fails a permanently rejected e-mail with an error log naming the appointment and no clear PII', async () => {
    ses.on(SendEmailCommand).rejects(awsError(MessageRejected, 400));
    const appointment = enriched('email');
    const record = sqsRecord(appointment);

    await expect(handler(sqsEvent(record), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);

    const [message, extra] = errorLog.mock.calls.find(([m]) => m === 'notification failed')!;
    expect(message).toBe('notification failed');
    expect(extra).toMatchObject({ appointmentId: appointment.id, channel: 'email', recipient: 'J***@e***.com', errorName: 'MessageRejected' });
    expect(JSON.stringify(errorLog.mock.calls)).not.toContain(appointment.email);
  });

  it("masks the recipient quoted in a provider's error, in the log and in the recorded failure", async () => {
    sns.on(PublishCommand).rejects(
      Object.assign(new Error('Invalid parameter: PhoneNumber Reason: +15555550123 is not valid to publish to (ravi@example.net)'), { name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } }),
    );
    const appointment = enriched('sms');

    await expect(handler(sqsEvent(sqsRecord(appointment)), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);

    const [, extra] = errorLog.mock.calls.find(([m]) => m === 'notification failed')!;
    expect(extra).toMatchObject({ errorName: 'InvalidParameterException', errorMessage: expect.stringContaining('Invalid parameter: PhoneNumber') });
    const written = JSON.stringify([errorLog.mock.calls, changeRow(appointment.id)]);
    expect(changeRow(appointment.id)?.cause).toContain('InvalidParameterException: Invalid parameter: PhoneNumber');
    expect(written).not.toContain('+15555550123');
    expect(written).not.toContain('ravi@example.net');
    expect(written).toContain('+15*******23');
  });

  it('throws FullBatchFailureError when every record fails, so the whole batch is retried', async () => {
    await expect(handler(sqsEvent(sqsRecord('nope'), sqsRecord('{}')), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
  });
});

describe('notifier idempotency', () => {
  it('keys the record by the change (appointment id, kind, version) and channel, with the configured expiry, not by messageId', async () => {
    const appointment = enriched('email');
    const before = Math.floor(Date.now() / 1000);

    await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());
    await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    const puts = dynamodb.commandCalls(PutItemCommand).map((call) => call.args[0].input).filter((input) => input.TableName === TEST_ENV.IDEMPOTENCY_TABLE_NAME);
    expect(puts).toHaveLength(2);
    expect(puts[0]!.Item!.id).toEqual(puts[1]!.Item!.id);
    expect(puts[0]!.Item!.id!.S).toMatch(/^notifier\.delivery#[A-Za-z0-9+/]{22}==$/);
    const [record] = idempotency.records();
    expect(record).toMatchObject({ status: 'COMPLETED', data: { providerMessageId: 'ses-1' } });
    expect(Number(record!.expiration)).toBeGreaterThanOrEqual(before + Number(TEST_ENV.IDEMPOTENCY_EXPIRY_SECONDS));
  });

  it('never sends twice when the pipe resends the same appointment as a new message', async () => {
    const appointment = enriched('sms');

    await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());
    const second = await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(second.batchItemFailures).toEqual([]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    // The replay reports (and records) the first send's outcome.
    expect(outcomes().map((o) => o.providerMessageId)).toEqual(['sns-1', 'sns-1']);
    expect(changeRow(appointment.id)).toMatchObject({ status: 'sent', providerMessageId: 'sns-1' });
  });

  it('sends once when a duplicate arrives in the same batch; the duplicate fails as in progress and is retried', async () => {
    const appointment = enriched('email');
    const first = sqsRecord(appointment);
    const duplicate = sqsRecord(appointment);

    const response = await handler(sqsEvent(first, duplicate), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: duplicate.messageId }] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(infoLog).toHaveBeenCalledWith('notification already in progress elsewhere; the message will be retried', expect.objectContaining({ appointmentId: appointment.id }));

    const retry = await handler(sqsEvent(duplicate), lambdaContext());
    expect(retry.batchItemFailures).toEqual([]);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });

  it('does not send again on retry when recording the outcome failed after a successful send', async () => {
    const appointment = enriched('email');
    const record = sqsRecord(appointment);
    failTheFirstChangeRowWrite();

    await expect(handler(sqsEvent(record), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
    const retry = await handler(sqsEvent({ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } }), lambdaContext());

    expect(retry.batchItemFailures).toEqual([]);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(rowUpdates().filter((input) => input.Key?.notificationId?.S === 'change-1')).toHaveLength(2);
    expect(changeRow(appointment.id)).toMatchObject({ status: 'sent', providerMessageId: 'ses-1' });
  });

  it('treats e-mail and sms for the same appointment as different notifications', async () => {
    const id = randomUUID();

    await handler(sqsEvent(sqsRecord(enriched('email', { id }))), lambdaContext());
    await handler(sqsEvent(sqsRecord(enriched('sms', { id }))), lambdaContext());

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('does not fail the record when the appointment item no longer exists: the outcome row is written, no reminder', async () => {
    const appointment = enriched('email');
    stored.delete(appointment.id);

    const response = await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(changeRow(appointment.id)).toMatchObject({ status: 'sent' });
    expect(warnLog).toHaveBeenCalledWith('appointment no longer exists; reminder not reconciled', expect.anything());
    expect(scheduler.calls()).toHaveLength(0);
  });
});

describe('recipient quota (a rolling 24 hours per address or number)', () => {
  const CAP = Number(TEST_ENV.NOTIFICATIONS_PER_RECIPIENT_PER_DAY);

  it('suppresses a notification to a recipient at the cap: nothing sent, outcome and reason recorded', async () => {
    const appointment = enriched('email');
    quota.fill(recipientKey('email', appointment.email), CAP, Date.now() - 60_000);

    const response = await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    const [result] = outcomes();
    expect(validateNotificationResult(result)).toEqual([]);
    expect(result).toMatchObject({ appointmentId: appointment.id, channel: 'email', outcome: 'suppressed', suppressedReason: `the recipient already had ${CAP} notifications in 24 hours (cap ${CAP})` });
    expect(result).not.toHaveProperty('providerMessageId');
    expect(changeRow(appointment.id)).toMatchObject({ status: 'suppressed', channel: 'email', cause: result!.suppressedReason });
    expect(warnLog).toHaveBeenCalledWith('notification suppressed', expect.objectContaining({ appointmentId: appointment.id, reason: 'recipient-cap', recipient: 'J***@e***.com' }));
    expect(JSON.stringify(warnLog.mock.calls)).not.toContain(appointment.email);
    expect(quota.sends(recipientKey('email', appointment.email))).toHaveLength(CAP);
  });

  it('counts only the last 24 hours: sends older than the window free their slots', async () => {
    const appointment = enriched('email');
    const key = recipientKey('email', appointment.email);
    quota.fill(key, CAP, Date.now() - 24 * 60 * 60 * 1000 - 60_000);

    await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(quota.sends(key)).toHaveLength(1);
  });

  it('lets exactly CAP notifications through to one address, whatever the case of it, and suppresses the rest', async () => {
    const appointments = Array.from({ length: CAP + 2 }, (_, index) => enriched('email', { email: index % 2 === 0 ? 'Jane.ONeil@example.com' : 'jane.oneil@EXAMPLE.com' }));

    for (const appointment of appointments) await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, CAP);
    expect(outcomes().map((result) => result.outcome)).toEqual([...Array<string>(CAP).fill('sent'), 'suppressed', 'suppressed']);
  });

  it('keeps separate quotas for an address and a number', async () => {
    const sms = enriched('sms');
    quota.fill(recipientKey('email', sms.email), CAP, Date.now());

    await handler(sqsEvent(sqsRecord(sms)), lambdaContext());

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('a redelivered suppressed notification neither sends nor takes another slot', async () => {
    const appointment = enriched('email');
    const key = recipientKey('email', appointment.email);
    quota.fill(key, CAP - 1, Date.now());

    await handler(sqsEvent(sqsRecord(enriched('email', { email: appointment.email }))), lambdaContext());
    await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());
    await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(outcomes().map((result) => result.outcome)).toEqual(['sent', 'suppressed', 'suppressed']);
    expect(quota.sends(key)).toHaveLength(CAP);
  });

  it('never takes a slot another notifier took first: the last free slot goes to one of them, the other is suppressed', async () => {
    const appointment = enriched('email');
    const key = recipientKey('email', appointment.email);
    quota.fill(key, CAP - 1, Date.now());
    let raced = false;
    quota.beforePut = (raceKey) => {
      if (raced) return;
      raced = true;
      // Another notifier takes the last slot first.
      quota.fill(raceKey, CAP, Date.now());
      quota.items.get(raceKey)!.version = { N: '2' };
    };

    await handler(sqsEvent(sqsRecord(appointment)), lambdaContext());

    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(outcomes()[0]).toMatchObject({ outcome: 'suppressed' });
    expect(quota.sends(key)).toHaveLength(CAP);
  });
});

describe('notifier metrics (EMF on stdout, published once per invocation)', () => {
  const CAP = Number(TEST_ENV.NOTIFICATIONS_PER_RECIPIENT_PER_DAY);

  it('counts each outcome by channel and outcome, and a suppression also as NotificationsSuppressed', async () => {
    const suppressed = enriched('email', { email: 'capped.patient@example.com' });
    quota.fill(recipientKey('email', suppressed.email), CAP, Date.now() - 60_000);

    const response = await handler(sqsEvent(sqsRecord(enriched('email')), sqsRecord(enriched('sms')), sqsRecord(enriched('none')), sqsRecord(suppressed)), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(stdout.count('Notifications', { channel: 'email', outcome: 'sent' })).toBe(1);
    expect(stdout.count('Notifications', { channel: 'sms', outcome: 'sent' })).toBe(1);
    expect(stdout.count('Notifications', { channel: 'none', outcome: 'skipped' })).toBe(1);
    expect(stdout.count('Notifications', { channel: 'email', outcome: 'suppressed' })).toBe(1);
    expect(stdout.count('Notifications')).toBe(4);
    expect(stdout.count('NotificationsSuppressed')).toBe(1);
    expect(stdout.count('NotificationFailures')).toBe(0);
    // Namespace and service from the Powertools environment; only low-cardinality dimensions.
    for (const metric of stdout.metrics()) {
      expect(metric).toMatchObject({ namespace: TEST_ENV.POWERTOOLS_METRICS_NAMESPACE, unit: 'Count' });
      expect(metric.dimensions.service).toBe(TEST_ENV.POWERTOOLS_SERVICE_NAME);
      expect(Object.keys(metric.dimensions).sort()).toEqual(metric.name === 'Notifications' ? ['channel', 'outcome', 'service'] : ['service']);
    }
    expect(JSON.stringify(stdout.metrics())).not.toMatch(/@|[0-9a-f]{8}-[0-9a-f]{4}-/i);
  });

  it('counts a fallback to e-mail under the channel used', async () => {
    const { contactPhoneNumber: _dropped, ...sms } = enriched('sms');

    await handler(sqsEvent(sqsRecord(sms)), lambdaContext());

    expect(stdout.count('Notifications', { channel: 'email', outcome: 'sent' })).toBe(1);
    expect(stdout.count('Notifications', { channel: 'sms' })).toBe(0);
  });

  it('counts failed records by kind (transient, rejected, invalid message) even when the whole batch fails', async () => {
    sns.on(PublishCommand).rejects(awsError(InternalErrorException, 500));
    ses.on(SendEmailCommand).rejects(awsError(MessageRejected, 400));

    await expect(handler(sqsEvent(sqsRecord(enriched('sms')), sqsRecord(enriched('email')), sqsRecord('{"id":')), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);

    expect(stdout.count('NotificationFailures', { failure: 'transient' })).toBe(1);
    expect(stdout.count('NotificationFailures', { failure: 'rejected' })).toBe(1);
    expect(stdout.count('NotificationFailures', { failure: 'invalid-message' })).toBe(1);
    expect(stdout.count('Notifications')).toBe(0);
  });

  it('does not count a duplicate held by an attempt in progress as a failure; its redelivery, answered from the idempotency record, counts as an outcome', async () => {
    const appointment = enriched('email');
    const duplicate = sqsRecord(appointment);

    await handler(sqsEvent(sqsRecord(appointment), duplicate), lambdaContext());
    expect(stdout.count('NotificationFailures')).toBe(0);
    expect(stdout.count('Notifications', { channel: 'email', outcome: 'sent' })).toBe(1);

    // The redelivered duplicate is answered from the idempotency record: its outcome is recorded again.
    await handler(sqsEvent(duplicate), lambdaContext());
    expect(stdout.count('Notifications', { channel: 'email', outcome: 'sent' })).toBe(2);
  });

  it('does not count an outcome whose recording failed (the redelivery counts it)', async () => {
    failTheFirstChangeRowWrite();
    const record = sqsRecord(enriched('email'));

    await expect(handler(sqsEvent(record), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
    expect(stdout.count('Notifications')).toBe(0);
    expect(stdout.count('NotificationFailures', { failure: 'transient' })).toBe(1);

    await handler(sqsEvent(record), lambdaContext());
    expect(stdout.count('Notifications', { channel: 'email', outcome: 'sent' })).toBe(1);
  });

  it('writes no metrics for an empty batch', async () => {
    await handler(sqsEvent(), lambdaContext());

    expect(stdout.metrics()).toEqual([]);
  });
});

describe('notifier correlation ids (one record logger per record)', () => {
  it('puts the appointment id as correlation_id on every line about a record, with records of a batch running concurrently', async () => {
    for (const spy of [infoLog, warnLog, errorLog]) spy.mockRestore();
    const CAP = Number(TEST_ENV.NOTIFICATIONS_PER_RECIPIENT_PER_DAY);
    const sent = enriched('email');
    const { contactPhoneNumber: _dropped, ...fallback } = enriched('sms');
    const transient = enriched('sms', { contactPhoneNumber: '+447700900999' });
    const rejected = enriched('email', { email: 'rejected.patient@example.com' });
    const suppressed = enriched('email', { email: 'capped.patient@example.com' });
    quota.fill(recipientKey('email', suppressed.email), CAP, Date.now() - 60_000);
    sns.on(PublishCommand, { PhoneNumber: '+447700900999' }).rejects(awsError(InternalErrorException, 500));
    ses.on(SendEmailCommand, { Destination: { ToAddresses: [rejected.email] } }).rejects(awsError(MessageRejected, 400));
    const batch = [sent, fallback, transient, rejected, suppressed, enriched('none')];

    const response = await handler(sqsEvent(...batch.map((appointment) => sqsRecord(appointment))), lambdaContext());

    expect(response.batchItemFailures).toHaveLength(2);
    const logLines = stdout.lines().filter((line) => typeof line.level === 'string');
    for (const appointment of batch) {
      const about = logLines.filter((line) => JSON.stringify(line).includes(appointment.id));
      expect(about.length).toBeGreaterThan(0);
      for (const line of about) expect({ message: line.message, correlation_id: line.correlation_id }).toEqual({ message: line.message, correlation_id: appointment.id });
    }
    const messages = (id: string) => logLines.filter((line) => line.correlation_id === id).map((line) => line.message);
    expect(messages(fallback.id)).toEqual(expect.arrayContaining(['falling back to e-mail', 'notification outcome']));
    expect(messages(transient.id)).toContain('notification failed transiently; the message will be retried');
    expect(messages(rejected.id)).toContain('notification failed');
    expect(messages(suppressed.id)).toEqual(expect.arrayContaining(['notification suppressed', 'notification outcome']));
    // The parent logger is not touched: no correlation id leaks onto lines about no record.
    expect(logLines.filter((line) => !batch.some((appointment) => JSON.stringify(line).includes(appointment.id))).map((line) => line.correlation_id)).toEqual(
      expect.not.arrayContaining([expect.anything()]),
    );
  });
});
