import '../services/support/test-env';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand, TooManyRequestsException, SendingPausedException } from '@aws-sdk/client-sesv2';
import { InternalErrorException, PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import type { EnrichedAppointment } from '../../../contracts';
import { handler } from '../../../services/notifier/handler';
import { logger } from '../../../services/common/logger';
import { junkJson } from '../../fuzz/booking-arbitraries';
import { FuzzTally } from '../../fuzz/fuzz-settings';
import { enrichedAppointment, storedAppointment } from '../../fuzz/pipeline-arbitraries';
import { recipientKey } from '../../../services/notifier/adapters/recipient-quota';
import { mockManageTokenSecret } from '../services/support/credentials';
import { IdempotencyTableFake } from '../services/support/idempotency-table-fake';
import { RecipientQuotaTableFake } from '../services/support/recipient-quota-fake';
import { TEST_ENV } from '../services/support/test-env';
import { lambdaContext } from '../services/support/lambda';
import { sqsEvent, sqsRecord } from '../services/support/sqs';

/**
 * Property tests of the notifier over generated SQS batches of valid and invalid enriched
 * appointments, with SES/SNS failing transiently on chosen sends: the partial batch response names
 * exactly the invalid and failed records, and redelivering the batch sends each notification once.
 */

const tally = new FuzzTally('notifier (in process)');
const dynamodb = mockClient(DynamoDBClient);
const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
mockManageTokenSecret();

type Entry = { kind: 'valid'; appointment: EnrichedAppointment; failFirstSend: boolean; fault: number } | { kind: 'invalid'; body: string };

const transientFaults = [
  () => new TooManyRequestsException({ message: 'throttled', $metadata: { httpStatusCode: 429 } }),
  () => new SendingPausedException({ message: 'sending paused', $metadata: { httpStatusCode: 500 } }),
  () => new ThrottledException({ message: 'throttled', $metadata: { httpStatusCode: 429 } }),
  () => new InternalErrorException({ message: 'internal', $metadata: { httpStatusCode: 500 } }),
];

/** Bodies the notifier must refuse: not JSON, JSON of another shape, or an appointment with one field broken. */
const invalidBody = (now: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('', 'not json', '{"id":', '[]', 'null', '{}'),
    junkJson.map((value) => JSON.stringify(value) ?? 'null'),
    storedAppointment(now).map((appointment) => JSON.stringify(appointment)),
    junkJson.map((value) => JSON.stringify({ reminder: value })),
    enrichedAppointment(now).map((appointment) => JSON.stringify({ reminder: { appointmentId: appointment.id, version: appointment.version, dueAt: appointment.createdAt }, ...appointment })),
    fc.tuple(enrichedAppointment(now), fc.constantFrom('preferredMethod', 'email', 'id', 'contactPhoneNumber', 'extra'), junkJson).map(([appointment, field, value]) =>
      JSON.stringify({ ...appointment, [field]: field === 'contactPhoneNumber' ? '0777' : field === 'preferredMethod' ? 'pigeon' : typeof value === 'string' && field !== 'extra' ? 42 : value }),
    ),
  );

/** Valid entries get recipients unique to the batch, so each send can be traced to its record. */
const batch = (now: number): fc.Arbitrary<Entry[]> =>
  fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.record({ kind: fc.constant('valid' as const), appointment: enrichedAppointment(now), failFirstSend: fc.boolean(), fault: fc.nat(transientFaults.length - 1) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('invalid' as const), body: invalidBody(now) }) },
      ),
      { minLength: 1, maxLength: 10 },
    )
    .map((entries) =>
      entries.map((entry, index): Entry => {
        if (entry.kind === 'invalid') return entry;
        const appointment: EnrichedAppointment = { ...entry.appointment, email: `patient-${index}.${entry.appointment.id.slice(0, 8)}@example.com` };
        delete appointment.phoneNumber;
        if (appointment.contactPhoneNumber) appointment.contactPhoneNumber = `+4477009001${String(index).padStart(2, '0')}`;
        return { ...entry, appointment };
      }),
    );

const recipientOf = (appointment: EnrichedAppointment): string | undefined =>
  appointment.preferredMethod === 'none' ? undefined : appointment.preferredMethod === 'sms' && appointment.contactPhoneNumber ? appointment.contactPhoneNumber : appointment.email;

async function deliver(records: SQSRecord[]): Promise<Set<string>> {
  const response: SQSBatchResponse | FullBatchFailureError = await handler(sqsEvent(...records), lambdaContext('notifier')).catch((error: unknown) => {
    if (error instanceof FullBatchFailureError) return error;
    throw error;
  });
  // Every record failed: Powertools throws so the whole batch is retried.
  if (response instanceof FullBatchFailureError) return new Set(records.map((record) => record.messageId));
  return new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
}

beforeAll(() => {
  for (const level of ['info', 'warn', 'error', 'debug'] as const) jest.spyOn(logger, level).mockImplementation(() => undefined);
});

afterAll(() => {
  jest.restoreAllMocks();
  process.stdout.write(`${tally.summary()}\n`);
});

describe('notifier properties', () => {
  it('reports exactly the invalid and failed records, and a redelivered batch sends every notification once', async () => {
    const property = 'batches with invalid records and transient SES/SNS failures, redelivered';
    const now = Date.now();
    await fc.assert(
      fc.asyncProperty(batch(now), async (entries) => {
        tally.count(property);
        dynamodb.reset();
        ses.reset();
        sns.reset();
        new IdempotencyTableFake(TEST_ENV.IDEMPOTENCY_TABLE_NAME).install(dynamodb, { update: () => ({}) });
        // No stored appointment: the reminder is not reconciled (the lifecycle tests cover it); sends are what is checked here.
        dynamodb.on(GetItemCommand, { TableName: TEST_ENV.APPOINTMENTS_TABLE_NAME }).resolves({});
        new RecipientQuotaTableFake(TEST_ENV.RECIPIENT_QUOTA_TABLE_NAME).install(dynamodb);
        const byRecipient = new Map<string, Extract<Entry, { kind: 'valid' }>>();
        for (const entry of entries) if (entry.kind === 'valid') byRecipient.set(recipientOf(entry.appointment) ?? '', entry);
        const attempts = new Map<string, number>();
        const sent = new Map<string, number>();
        const send = (recipient: string, prefix: string) => {
          const attempt = (attempts.get(recipient) ?? 0) + 1;
          attempts.set(recipient, attempt);
          const entry = byRecipient.get(recipient);
          if (!entry) throw new Error(`send to ${recipient}, which no record of the batch names`);
          if (entry.failFirstSend && attempt === 1) throw transientFaults[entry.fault]!();
          sent.set(recipient, (sent.get(recipient) ?? 0) + 1);
          return { MessageId: `${prefix}-${recipient}-${attempt}` };
        };
        ses.on(SendEmailCommand).callsFake((input: { Destination: { ToAddresses: string[] } }) => send(input.Destination.ToAddresses[0]!, 'ses'));
        sns.on(PublishCommand).callsFake((input: { PhoneNumber: string }) => send(input.PhoneNumber, 'sns'));
        const records = entries.map((entry) => sqsRecord(entry.kind === 'valid' ? entry.appointment : entry.body));
        const invalid = new Set(records.filter((_, index) => entries[index]!.kind === 'invalid').map((record) => record.messageId));
        const failing = new Set(
          records.filter((_, index) => {
            const entry = entries[index]!;
            return entry.kind === 'valid' && entry.failFirstSend && recipientOf(entry.appointment) !== undefined;
          }).map((record) => record.messageId),
        );

        const first = await deliver(records);
        const second = await deliver(records.map((record) => ({ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } })));

        expect([...first].sort()).toEqual([...invalid, ...failing].sort());
        expect([...second].sort()).toEqual([...invalid].sort());
        for (const entry of entries) {
          if (entry.kind !== 'valid') continue;
          const recipient = recipientOf(entry.appointment);
          if (recipient === undefined) continue;
          expect([recipient, sent.get(recipient)]).toEqual([recipient, 1]);
        }
        expect([...sent.keys()].every((recipient) => byRecipient.has(recipient))).toBe(true);
      }),
      tally.parameters(property, 300),
    );
  }, 120_000);

  it('never sends more than the cap to one recipient in 24 hours, suppresses the rest, and redelivery changes nothing', async () => {
    const property = 'appointments to a few recipients, over the per-recipient cap, redelivered';
    const cap = Number(TEST_ENV.NOTIFICATIONS_PER_RECIPIENT_PER_DAY);
    const now = Date.now();
    // Few recipients, many appointments: some recipients go over the cap. SMS numbers stay in +44.
    const recipients = ['jane@example.com', 'JANE@example.com', 'ravi@example.net'];
    const appointments = fc.array(
      fc.tuple(enrichedAppointment(now), fc.constantFrom(...recipients), fc.constantFrom('email', 'sms') as fc.Arbitrary<'email' | 'sms'>, fc.constantFrom('+447700900001', '+447700900002')),
      { minLength: 1, maxLength: 3 * cap },
    );
    await fc.assert(
      fc.asyncProperty(appointments, fc.integer({ min: 1, max: 10 }), async (entries, batchSize) => {
        tally.count(property);
        dynamodb.reset();
        ses.reset();
        sns.reset();
        new IdempotencyTableFake(TEST_ENV.IDEMPOTENCY_TABLE_NAME).install(dynamodb, { update: () => ({}) });
        // No stored appointment: the reminder is not reconciled (the lifecycle tests cover it); sends are what is checked here.
        dynamodb.on(GetItemCommand, { TableName: TEST_ENV.APPOINTMENTS_TABLE_NAME }).resolves({});
        const quota = new RecipientQuotaTableFake(TEST_ENV.RECIPIENT_QUOTA_TABLE_NAME);
        quota.install(dynamodb);
        const sent = new Map<string, number>();
        const count = (key: string) => {
          sent.set(key, (sent.get(key) ?? 0) + 1);
          return { MessageId: `m-${sent.size}-${sent.get(key)}` };
        };
        ses.on(SendEmailCommand).callsFake((input: { Destination: { ToAddresses: string[] } }) => count(recipientKey('email', input.Destination.ToAddresses[0]!)));
        sns.on(PublishCommand).callsFake((input: { PhoneNumber: string }) => count(recipientKey('sms', input.PhoneNumber)));
        const records = entries.map(([appointment, email, method, phone]) => {
          const { phoneNumber: _phone, contactPhoneNumber: _contact, ...rest } = appointment;
          return sqsRecord({ ...rest, email, preferredMethod: method, ...(method === 'sms' ? { contactPhoneNumber: phone } : {}) });
        });
        // Delivered in batches in order, then all redelivered.
        for (let start = 0; start < records.length; start += batchSize) expect(await deliver(records.slice(start, start + batchSize))).toEqual(new Set());
        const afterFirst = new Map(sent);
        for (let start = 0; start < records.length; start += batchSize) expect(await deliver(records.slice(start, start + batchSize))).toEqual(new Set());

        expect(sent).toEqual(afterFirst);
        const wanted = new Map<string, number>();
        for (const [, email, method, phone] of entries) {
          const key = method === 'email' ? recipientKey('email', email) : recipientKey('sms', phone);
          wanted.set(key, (wanted.get(key) ?? 0) + 1);
        }
        for (const [key, total] of wanted) expect([key, sent.get(key) ?? 0]).toEqual([key, Math.min(total, cap)]);
        for (const key of wanted.keys()) expect(quota.sends(key).length).toBeLessThanOrEqual(cap);
      }),
      tally.parameters(property, 60),
    );
  }, 120_000);
});
