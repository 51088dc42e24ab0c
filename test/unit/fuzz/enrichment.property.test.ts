import '../services/support/test-env';
import { BatchGetItemCommand, DynamoDBClient, type AttributeValue, type KeysAndAttributes } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { validateEnrichedAppointment, type Appointment } from '../../../contracts';
import { handler } from '../../../services/enrichment/handler';
import { InvalidStreamRecordError } from '../../../services/enrichment/domain/parse-stream-records';
import { logger } from '../../../services/common/logger';
import { streamRecord } from '../../fixtures/stream-records';
import { FuzzTally } from '../../fuzz/fuzz-settings';
import { contactDirectory, storedAppointment, type ContactItem } from '../../fuzz/pipeline-arbitraries';
import { TEST_ENV } from '../services/support/test-env';
import { lambdaContext } from '../services/support/lambda';

/**
 * Property tests of the pipe enrichment: generated batches of appointment INSERT records, contacts
 * behind a mocked BatchGetItem that leaves keys unprocessed on some calls, and batches salted with
 * invalid records.
 */

const tally = new FuzzTally('enrichment (in process)');
const dynamodb = mockClient(DynamoDBClient);
const TABLE = TEST_ENV.CONTACTS_TABLE_NAME;

/**
 * BatchGetItem over `directory`; call n leaves the keys `unprocessedPlan[n]` selects unprocessed
 * (true = hold back), as DynamoDB does when a partition is throttled.
 */
function installContacts(directory: ReadonlyMap<string, ContactItem>, unprocessedPlan: boolean[][]): { calls: number } {
  const state = { calls: 0 };
  dynamodb.reset();
  dynamodb.on(BatchGetItemCommand).callsFake((input: { RequestItems: Record<string, KeysAndAttributes> }) => {
    const keys = input.RequestItems[TABLE]?.Keys ?? [];
    const holdBack = unprocessedPlan[state.calls] ?? [];
    state.calls += 1;
    const processed: Record<string, AttributeValue>[] = [];
    const unprocessed: Record<string, AttributeValue>[] = [];
    keys.forEach((key, index) => (holdBack[index] ? unprocessed : processed).push(key));
    const items = processed.flatMap((key) => {
      const contact = directory.get(key.id?.S ?? '');
      return contact ? [marshall(contact, { removeUndefinedValues: true })] : [];
    });
    return { Responses: { [TABLE]: items }, UnprocessedKeys: unprocessed.length > 0 ? { [TABLE]: { Keys: unprocessed } } : {} };
  });
  return state;
}

/** Records the enrichment must refuse, each with the eventID its error must name (or its #index). */
const invalidRecord = (now: number): fc.Arbitrary<(index: number) => { record: unknown; name: string }> =>
  fc.oneof(
    storedAppointment(now).map((appointment) => () => named(streamRecord(appointment, 'REMOVE'))),
    storedAppointment(now).map((appointment) => () => {
      const record = streamRecord(appointment);
      delete (record.dynamodb as Record<string, unknown>).NewImage;
      return named(record);
    }),
    fc.tuple(storedAppointment(now), fc.constantFrom('email', 'id', 'appointmentDateTime', 'patientName', 'status', 'version')).map(([appointment, field]) => () => {
      const broken: Record<string, unknown> = { ...appointment };
      if (field === 'email' || field === 'patientName') delete broken[field];
      else broken[field] = field === 'status' ? 'lost' : field === 'version' ? 0 : 'not-valid';
      return named(streamRecord(broken));
    }),
    storedAppointment(now).map((appointment) => () => named(streamRecord({ ...appointment, surprise: 1 }))),
    fc.constantFrom<unknown>(null, 42, 'INSERT', []).map((value) => (index: number) => ({ record: value, name: `#${index}` })),
  );

const named = (record: Record<string, unknown>): { record: unknown; name: string } => ({ record, name: String(record.eventID) });

beforeAll(() => {
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});

afterAll(() => {
  jest.restoreAllMocks();
  process.stdout.write(`${tally.summary()}\n`);
});

describe('enrichment properties', () => {
  it('enriches every valid batch in order with each patient\'s preference, even when keys come back unprocessed', async () => {
    const property = 'valid batches with contacts and UnprocessedKeys';
    const now = Date.now();
    const plan = fc.array(fc.array(fc.boolean(), { maxLength: 6 }), { maxLength: 2 });
    await fc.assert(
      fc.asyncProperty(fc.array(storedAppointment(now), { maxLength: 12 }), contactDirectory, plan, async (appointments, directory, unprocessedPlan) => {
        tally.count(property);
        installContacts(directory, unprocessedPlan);

        const output = await handler(appointments.map((appointment) => streamRecord(appointment)), lambdaContext('enrichment'));

        expect(output).toHaveLength(appointments.length);
        output.forEach((enriched, index) => {
          const appointment: Appointment = appointments[index]!;
          expect(validateEnrichedAppointment(enriched)).toEqual([]);
          const contact = directory.get(appointment.email.toLowerCase());
          const { preferredMethod, contactPhoneNumber, ...rest } = enriched;
          expect(rest).toEqual(appointment);
          // A new patient (no contact yet) is e-mailed: the confirmation carries the manage link.
          expect(preferredMethod).toBe(contact?.preferredMethod ?? 'email');
          expect(contactPhoneNumber).toBe(contact?.preferredMethod === 'sms' ? contact.phoneNumber : undefined);
        });
      }),
      tally.parameters(property, 300),
    );
  }, 120_000);

  it('fails a batch holding any invalid record, naming every invalid record and no valid one', async () => {
    const property = 'batches with invalid records';
    const now = Date.now();
    await fc.assert(
      fc.asyncProperty(
        fc.array(storedAppointment(now), { maxLength: 8 }),
        fc.array(fc.tuple(invalidRecord(now), fc.nat()), { minLength: 1, maxLength: 3 }),
        contactDirectory,
        async (appointments, invalid, directory) => {
          tally.count(property);
          installContacts(directory, []);
          const batch: unknown[] = appointments.map((appointment) => streamRecord(appointment));
          for (const [, position] of invalid) batch.splice(position % (batch.length + 1), 0, undefined);
          const bad: string[] = [];
          let next = 0;
          batch.forEach((entry, index) => {
            if (entry !== undefined) return;
            const { record, name } = invalid[next++]![0](index);
            batch[index] = record;
            bad.push(name);
          });
          const good = batch.filter((entry): entry is Record<string, unknown> => !bad.includes(String((entry as { eventID?: unknown } | null)?.eventID)) && typeof entry === 'object' && entry !== null && !Array.isArray(entry));

          const error = await handler(batch, lambdaContext('enrichment')).then(
            () => undefined,
            (caught: unknown) => caught,
          );

          expect(error).toBeInstanceOf(InvalidStreamRecordError);
          const message = (error as InvalidStreamRecordError).message;
          for (const name of bad) expect(message).toContain(`record ${name} `);
          for (const record of good) expect(message).not.toContain(`record ${String(record.eventID)} `);
          expect((error as InvalidStreamRecordError).records).toHaveLength(bad.length);
          expect(dynamodb.commandCalls(BatchGetItemCommand)).toHaveLength(0);
        },
      ),
      tally.parameters(property, 400),
    );
  }, 120_000);
});
