/**
 * The notifier across an appointment's lifecycle: one notification per change keyed by the change,
 * the e-mail's calendar invite, the reminder reconciled after each change, and the reminder's own
 * message when its schedule fires. AWS is mocked; the notifications table is an in-memory table
 * that evaluates the notifier's conditions.
 */
import '../support/test-env';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { MessageRejected, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { randomUUID } from 'node:crypto';
import { NOTIFICATION_OUTCOME_LOG_MESSAGE, validateNotification, validateNotificationResult, type Appointment, type EnrichedAppointment, type NotificationResult, type ReminderRequest } from '../../../../contracts';
import { logger } from '../../../../services/common/logger';
import { handler } from '../../../../services/notifier/handler';
import { loadFixture } from '../../../fixtures/load-fixture';
import { mockManageTokenSecret } from '../support/credentials';
import { IdempotencyTableFake } from '../support/idempotency-table-fake';
import { lambdaContext } from '../support/lambda';
import { NotificationsTableFake } from '../support/notifications-table-fake';
import { RecipientQuotaTableFake } from '../support/recipient-quota-fake';
import { sqsEvent, sqsRecord } from '../support/sqs';
import { TEST_ENV } from '../support/test-env';

const dynamodb = mockClient(DynamoDBClient);
const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const scheduler = mockClient(SchedulerClient);
const secretsManager = mockManageTokenSecret();
const stored = new Map<string, Appointment>();
const contacts = new Map<string, Record<string, unknown>>();
let rows: NotificationsTableFake;
let idempotency: IdempotencyTableFake;
let infoLog: jest.SpyInstance;

const LEAD_MS = Number(TEST_ENV.REMINDER_LEAD_SECONDS) * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A whole-minute instant `ms` from now, written with an offset, as the booking stores it. */
const at = (ms: number, offset = '+01:00'): string => {
  const instant = new Date(Math.floor((Date.now() + ms) / 60_000) * 60_000);
  const sign = offset.startsWith('-') ? -1 : 1;
  const [hours, minutes] = offset.slice(1).split(':').map(Number) as [number, number];
  const local = new Date(instant.getTime() + sign * (hours * 60 + minutes) * 60_000);
  return `${local.toISOString().slice(0, 19)}${offset}`;
};

/** An appointment after `changes`, stored as the booking function would have left it. */
function appointment(overrides: Partial<Appointment> = {}): Appointment {
  const base = loadFixture<Appointment>('appointment', 'lifecycle-booked');
  const value: Appointment = { ...base, id: randomUUID(), appointmentDateTime: at(10 * DAY_MS), ...overrides };
  stored.set(value.id, value);
  return value;
}
const reschedule = (current: Appointment, appointmentDateTime: string, dentist = current.dentist): Appointment => {
  const next: Appointment = {
    ...current,
    appointmentDateTime,
    dentist,
    version: current.version + 1,
    updatedAt: new Date().toISOString(),
    lastChange: { kind: 'rescheduled', at: new Date().toISOString(), by: 'patient', previousAppointmentDateTime: current.appointmentDateTime, ...(dentist !== current.dentist ? { previousDentist: current.dentist } : {}) },
  };
  stored.set(next.id, next);
  return next;
};
const cancel = (current: Appointment): Appointment => {
  const next: Appointment = { ...current, status: 'cancelled', version: current.version + 1, cancellationReason: 'PRIVATE-REASON', lastChange: { kind: 'cancelled', at: new Date().toISOString(), by: 'staff' } };
  stored.set(next.id, next);
  return next;
};
const message = (value: Appointment, preference: Pick<EnrichedAppointment, 'preferredMethod' | 'contactPhoneNumber'> = { preferredMethod: 'email' }): EnrichedAppointment => ({ ...value, ...preference });
const reminderRequest = (value: Appointment, version = value.version): ReminderRequest => ({ reminder: { appointmentId: value.id, version, dueAt: new Date(Date.parse(value.appointmentDateTime) - LEAD_MS).toISOString() } });
const deliver = (...bodies: object[]) => handler(sqsEvent(...bodies.map((body) => sqsRecord(body))), lambdaContext());
const emails = () => ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input);
const outcomes = (): NotificationResult[] =>
  infoLog.mock.calls.filter(([text]) => text === NOTIFICATION_OUTCOME_LOG_MESSAGE).map(([, extra]) => (extra as { notificationResult: NotificationResult }).notificationResult);
const icsOf = (email: ReturnType<typeof emails>[number]): string => new TextDecoder().decode(email.Content!.Simple!.Attachments![0]!.RawContent!);

beforeEach(() => {
  dynamodb.reset();
  ses.reset();
  sns.reset();
  scheduler.reset();
  stored.clear();
  contacts.clear();
  secretsManager.arm();
  idempotency = new IdempotencyTableFake(TEST_ENV.IDEMPOTENCY_TABLE_NAME);
  rows = new NotificationsTableFake(TEST_ENV.NOTIFICATIONS_TABLE_NAME);
  idempotency.install(dynamodb, { update: (input) => rows.update(input as never) });
  new RecipientQuotaTableFake(TEST_ENV.RECIPIENT_QUOTA_TABLE_NAME).install(dynamodb);
  dynamodb.on(GetItemCommand, { TableName: TEST_ENV.APPOINTMENTS_TABLE_NAME }).callsFake((input: { Key: { id: { S: string } }; ConsistentRead?: boolean }) => {
    if (!input.ConsistentRead) throw new Error('the appointment must be read strongly consistent');
    const item = stored.get(input.Key.id.S);
    return { Item: item ? marshall(item, { removeUndefinedValues: true }) : undefined };
  });
  dynamodb.on(GetItemCommand, { TableName: TEST_ENV.CONTACTS_TABLE_NAME }).callsFake((input: { Key: { id: { S: string } } }) => {
    const item = contacts.get(input.Key.id.S);
    return { Item: item ? marshall(item) : undefined };
  });
  let sequence = 0;
  ses.on(SendEmailCommand).callsFake(() => ({ MessageId: `ses-${++sequence}` }));
  sns.on(PublishCommand).callsFake(() => ({ MessageId: `sns-${++sequence}` }));
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-2:123456789012:schedule/test-reminders/x' });
  scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-2:123456789012:schedule/test-reminders/x' });
  scheduler.on(DeleteScheduleCommand).resolves({});
  infoLog = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  jest.spyOn(logger, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('one notification per change', () => {
  it('names the kind from lastChange and sends each change once: two versions send twice, a redelivery once', async () => {
    const booked = appointment();
    await deliver(message(booked));
    const moved = reschedule(booked, at(12 * DAY_MS), 'Dr Jones');
    await deliver(message(moved));
    await deliver(message(moved)); // the pipe resends the reschedule

    expect(emails().map((email) => email.Content!.Simple!.Subject!.Data)).toEqual([
      expect.stringMatching(/^Your appointment with Dr Lopez on /),
      expect.stringMatching(/^Your appointment is changed: Dr Jones on /),
    ]);
    expect(outcomes().map((result) => [result.kind, result.version, result.outcome])).toEqual([
      ['booked', 1, 'sent'],
      ['rescheduled', 2, 'sent'],
      ['rescheduled', 2, 'sent'],
    ]);
    for (const result of outcomes()) expect(validateNotificationResult(result)).toEqual([]);
    expect(rows.row(booked.id, 'change-1')).toMatchObject({ kind: 'booked', version: 1, status: 'sent', providerMessageId: 'ses-1' });
    expect(rows.row(booked.id, 'change-2')).toMatchObject({ kind: 'rescheduled', version: 2, status: 'sent', providerMessageId: 'ses-2' });
    // The idempotency key is the change: one record per [appointmentId, kind, version, channel].
    expect(idempotency.records()).toHaveLength(2);
  });

  it('rescheduled: the e-mail says old -> new time and dentist, and its invite is a REQUEST with SEQUENCE 1 and the same UID', async () => {
    const booked = appointment();
    await deliver(message(booked));
    const moved = reschedule(booked, at(12 * DAY_MS, '-04:00'), 'Dr Jones');
    await deliver(message(moved));

    const [first, second] = emails();
    const text = second!.Content!.Simple!.Body!.Text!.Data!;
    expect(text).toContain('has moved from');
    expect(text).toContain('(UTC-04:00)');
    expect(text).toContain('It was with Dr Lopez; it is now with Dr Jones.');
    expect(text).toContain('/manage?appointment=');
    const [request1, request2] = [icsOf(first!), icsOf(second!)];
    expect(request1).toContain('METHOD:REQUEST');
    expect(request1).toContain('SEQUENCE:0');
    expect(request2).toContain('METHOD:REQUEST');
    expect(request2).toContain('SEQUENCE:1');
    const uid = (ics: string) => /UID:(.+)\r\n/.exec(ics)![1];
    expect(uid(request2)).toBe(uid(request1));
    expect(second!.Content!.Simple!.Attachments![0]).toMatchObject({ FileName: 'appointment.ics', ContentType: 'text/calendar; charset=UTF-8; method=REQUEST', ContentDisposition: 'ATTACHMENT' });
  });

  it('cancelled: a CANCEL invite with a higher SEQUENCE, the booking page instead of the manage link, never the reason', async () => {
    const booked = appointment();
    const cancelled = cancel(reschedule(booked, at(11 * DAY_MS)));
    await deliver(message(cancelled));

    const [email] = emails();
    const ics = icsOf(email!);
    expect(ics).toContain('METHOD:CANCEL');
    expect(ics).toContain('SEQUENCE:2');
    expect(ics).toContain('STATUS:CANCELLED');
    expect(email!.Content!.Simple!.Subject!.Data).toMatch(/^Cancelled: /);
    expect(email!.Content!.Simple!.Body!.Text!.Data).toContain(`To book another appointment:\n${TEST_ENV.SITE_URL}\n`);
    expect(JSON.stringify(email)).not.toContain('manage?');
    expect(JSON.stringify(email)).not.toContain('PRIVATE-REASON');
    expect(ics).not.toContain('PRIVATE-REASON');
  });

  it('an SMS per kind, with no invite or link', async () => {
    const booked = appointment();
    const cancelled = cancel(booked);
    await deliver(message(cancelled, { preferredMethod: 'sms', contactPhoneNumber: '+447700900123' }));

    const [publish] = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(publish!.Message).toMatch(/^LJ Dentists: Grace Hopper, your appointment with Dr Lopez at LJ Dentists Camden on .* is cancelled\.$/);
    expect(rows.row(booked.id, 'change-2')).toMatchObject({ kind: 'cancelled', status: 'sent', channel: 'sms' });
  });
});

describe('the reminder, reconciled after each change', () => {
  it('booking: a one-time schedule lead time before the start, and the reminder row pending with its due time', async () => {
    const booked = appointment();
    await deliver(message(booked));

    expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
    const create = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    const dueAt = new Date(Date.parse(booked.appointmentDateTime) - LEAD_MS).toISOString();
    expect(create).toMatchObject({
      Name: `reminder-${booked.id}`,
      GroupName: TEST_ENV.SCHEDULE_GROUP_NAME,
      ScheduleExpression: `at(${dueAt.slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: TEST_ENV.REMINDER_TARGET_ARN,
        RoleArn: TEST_ENV.SCHEDULER_ROLE_ARN,
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: TEST_ENV.REMINDER_DLQ_ARN },
      },
    });
    expect(JSON.parse(create.Target!.Input!)).toEqual({ reminder: { appointmentId: booked.id, version: 1, dueAt } });
    const row = rows.row(booked.id, 'reminder');
    expect(row).toMatchObject({ kind: 'reminder', version: 1, status: 'pending', dueAt });
    expect(validateNotification(row)).toEqual([]);
  });

  it('reschedule: the schedule is moved (Create conflicts, Update replaces it) and the row follows the new version', async () => {
    const booked = appointment();
    await deliver(message(booked));
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    const moved = reschedule(booked, at(20 * DAY_MS));
    await deliver(message(moved));

    expect(scheduler).toHaveReceivedCommandTimes(UpdateScheduleCommand, 1);
    const dueAt = new Date(Date.parse(moved.appointmentDateTime) - LEAD_MS).toISOString();
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]!.args[0].input).toMatchObject({ Name: `reminder-${booked.id}`, ScheduleExpression: `at(${dueAt.slice(0, 19)})` });
    expect(rows.row(booked.id, 'reminder')).toMatchObject({ version: 2, status: 'pending', dueAt });
  });

  it('reads the appointment as it is now: a late message of an older change does not move the reminder back', async () => {
    const booked = appointment();
    const moved = reschedule(booked, at(20 * DAY_MS));
    await deliver(message(moved));
    await deliver(message(booked)); // the booking's message arrives last

    const dueAt = new Date(Date.parse(moved.appointmentDateTime) - LEAD_MS).toISOString();
    expect(rows.row(booked.id, 'reminder')).toMatchObject({ version: 2, status: 'pending', dueAt });
    for (const call of scheduler.commandCalls(CreateScheduleCommand)) expect(call.args[0].input.ScheduleExpression).toBe(`at(${dueAt.slice(0, 19)})`);
  });

  it('cancel: the schedule is deleted and the row skipped, with the cause', async () => {
    const booked = appointment();
    await deliver(message(booked));
    const cancelled = cancel(booked);
    await deliver(message(cancelled));

    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]!.args[0].input).toEqual({ Name: `reminder-${booked.id}`, GroupName: TEST_ENV.SCHEDULE_GROUP_NAME });
    expect(rows.row(booked.id, 'reminder')).toMatchObject({ version: 2, status: 'skipped', cause: 'the appointment was cancelled' });
    expect(rows.row(booked.id, 'reminder')).not.toHaveProperty('dueAt');
  });

  it('a booking already inside the lead time gets no schedule and a skipped row saying why', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(new ResourceNotFoundException({ message: 'none', Message: 'none', $metadata: {} }));
    const soon = appointment({ appointmentDateTime: at(LEAD_MS / 2) });
    await deliver(message(soon));

    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
    expect(rows.row(soon.id, 'reminder')).toMatchObject({ status: 'skipped', cause: 'the appointment is less than 24 hours away' });
    expect(emails()).toHaveLength(1);
  });

  it('a cancellation of an appointment that never had a reminder row writes none', async () => {
    const cancelled = cancel(appointment());
    await deliver(message(cancelled));

    expect(rows.row(cancelled.id, 'reminder')).toBeUndefined();
  });

  it('a failing Scheduler fails the record (retried) after the notification was sent; the retry does not send again', async () => {
    scheduler.on(CreateScheduleCommand).rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const booked = appointment();
    const record = sqsRecord(message(booked));

    await expect(handler(sqsEvent(record), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
    expect(rows.row(booked.id, 'change-1')).toMatchObject({ status: 'sent' });
    await handler(sqsEvent(record), lambdaContext());

    expect(emails()).toHaveLength(1);
    expect(rows.row(booked.id, 'reminder')).toMatchObject({ status: 'pending' });
  });
});

describe('a reminder request (the schedule fired)', () => {
  async function bookedWithReminder(overrides: Partial<Appointment> = {}): Promise<Appointment> {
    const booked = appointment(overrides);
    await deliver(message(booked));
    ses.resetHistory();
    sns.resetHistory();
    scheduler.resetHistory();
    return booked;
  }

  it('sends kind reminder to the contact now (unknown contact: e-mail), with the manage link and no invite; the row becomes sent', async () => {
    const booked = await bookedWithReminder();

    await deliver(reminderRequest(booked));

    const [email] = emails();
    expect(email!.Content!.Simple!.Subject!.Data).toMatch(/^Reminder: your appointment with Dr Lopez on /);
    expect(email!.Content!.Simple!.Body!.Text!.Data).toContain('/manage?appointment=');
    expect(email!.Content!.Simple!.Attachments).toBeUndefined();
    expect(email!.Destination!.ToAddresses).toEqual([booked.email]);
    const result = outcomes().at(-1)!;
    expect(result).toMatchObject({ kind: 'reminder', version: 1, outcome: 'sent', channel: 'email' });
    expect(validateNotificationResult(result)).toEqual([]);
    expect(rows.row(booked.id, 'reminder')).toMatchObject({ kind: 'reminder', version: 1, status: 'sent', channel: 'email', providerMessageId: 'ses-2' });
    expect(validateNotification(rows.row(booked.id, 'reminder'))).toEqual([]);
    expect(scheduler.calls()).toHaveLength(0);
  });

  it('uses the contact preference read now (GetItem on contacts): sms to the contact number, none skipped', async () => {
    const texted = await bookedWithReminder();
    contacts.set(texted.email.toLowerCase(), { id: texted.email.toLowerCase(), preferredMethod: 'sms', phoneNumber: '+447700900999', updatedAt: '2031-03-01T12:00:00.000Z' });
    await deliver(reminderRequest(texted));
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toMatchObject({ PhoneNumber: '+447700900999', Message: expect.stringContaining('a reminder of your appointment') });

    const quiet = await bookedWithReminder({ email: 'quiet@example.org' });
    contacts.set('quiet@example.org', { id: 'quiet@example.org', preferredMethod: 'none', updatedAt: '2031-03-01T12:00:00.000Z' });
    await deliver(reminderRequest(quiet));
    expect(rows.row(quiet.id, 'reminder')).toMatchObject({ status: 'skipped', channel: 'none', cause: 'the patient asked for no notifications' });
  });

  it('a second firing of the same reminder sends nothing more', async () => {
    const booked = await bookedWithReminder();

    await deliver(reminderRequest(booked));
    await deliver(reminderRequest(booked));

    expect(emails()).toHaveLength(1);
  });

  it('a stale version is not sent, and the reminder is reconciled for the appointment now', async () => {
    const booked = await bookedWithReminder();
    const moved = reschedule(booked, at(15 * DAY_MS));

    await deliver(reminderRequest(booked, 1));

    expect(emails()).toHaveLength(0);
    const dueAt = new Date(Date.parse(moved.appointmentDateTime) - LEAD_MS).toISOString();
    expect(JSON.parse(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target!.Input!)).toEqual({ reminder: { appointmentId: booked.id, version: 2, dueAt } });
    expect(rows.row(booked.id, 'reminder')).toMatchObject({ version: 2, status: 'pending', dueAt });
  });

  it('a cancelled appointment is not reminded; its row says why', async () => {
    const booked = await bookedWithReminder();
    const cancelled = cancel(booked);

    await deliver(reminderRequest(cancelled));

    expect(emails()).toHaveLength(0);
    expect(rows.row(booked.id, 'reminder')).toMatchObject({ status: 'skipped', cause: 'the appointment was cancelled' });
  });

  it('a started appointment is not reminded', async () => {
    const started = appointment({ appointmentDateTime: at(-60_000) });
    rows.update({ TableName: TEST_ENV.NOTIFICATIONS_TABLE_NAME, Key: { appointmentId: { S: started.id }, notificationId: { S: 'reminder' } }, UpdateExpression: 'SET #s = :s, #v = :v', ExpressionAttributeNames: { '#s': 'status', '#v': 'version' }, ExpressionAttributeValues: { ':s': { S: 'pending' }, ':v': { N: '1' } } });

    await deliver(reminderRequest(started));

    expect(emails()).toHaveLength(0);
    expect(rows.row(started.id, 'reminder')).toMatchObject({ status: 'skipped', cause: 'the appointment has already started' });
  });

  it('an appointment that no longer exists is not reminded, and the record does not fail', async () => {
    const booked = await bookedWithReminder();
    stored.delete(booked.id);

    const response = await deliver(reminderRequest(booked));

    expect(response.batchItemFailures).toEqual([]);
    expect(emails()).toHaveLength(0);
  });

  it('a failed reminder send: pending with the cause, then failed on the last attempt', async () => {
    const booked = await bookedWithReminder();
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: 'rejected for Grace.Hopper@example.com', $metadata: { httpStatusCode: 400 } }));
    const attempt = (count: number) => ({ ...sqsRecord(reminderRequest(booked)), attributes: { ...sqsRecord({}).attributes, ApproximateReceiveCount: String(count) } });

    await expect(handler(sqsEvent(attempt(1)), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
    expect(rows.row(booked.id, 'reminder')).toMatchObject({ status: 'pending', attempts: 1, cause: 'MessageRejected: rejected for G***@e***.com' });
    await expect(handler(sqsEvent(attempt(3)), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
    expect(rows.row(booked.id, 'reminder')).toMatchObject({ status: 'failed', attempts: 3 });
    expect(validateNotification(rows.row(booked.id, 'reminder'))).toEqual([]);
  });

  it('a sent reminder keeps its outcome when the appointment is cancelled afterwards; a later reschedule makes the next one', async () => {
    const booked = await bookedWithReminder();
    await deliver(reminderRequest(booked));
    expect(rows.row(booked.id, 'reminder')).toMatchObject({ status: 'sent', version: 1 });

    const moved = reschedule(booked, at(30 * DAY_MS));
    await deliver(message(moved));
    expect(rows.row(booked.id, 'reminder')).toMatchObject({ status: 'pending', version: 2 });
    await deliver(reminderRequest(moved));
    await deliver(message(cancel(moved)));

    expect(rows.row(booked.id, 'reminder')).toMatchObject({ status: 'sent', version: 2 });
    expect(emails().filter((email) => email.Content!.Simple!.Subject!.Data!.startsWith('Reminder:'))).toHaveLength(2);
  });

  it('never writes the appointments table', async () => {
    const booked = await bookedWithReminder();
    await deliver(reminderRequest(booked));
    await deliver(message(cancel(booked)));

    const writes = dynamodb.calls().filter((call) => (call.args[0].input as { TableName?: string }).TableName === TEST_ENV.APPOINTMENTS_TABLE_NAME && !(call.args[0] instanceof GetItemCommand));
    expect(writes).toEqual([]);
    expect(dynamodb.commandCalls(UpdateItemCommand).every((call) => call.args[0].input.TableName !== TEST_ENV.APPOINTMENTS_TABLE_NAME)).toBe(true);
  });
});
