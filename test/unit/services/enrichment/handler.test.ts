import '../support/test-env';
import { BatchGetItemCommand, DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { randomUUID } from 'node:crypto';
import { validateEnrichedAppointment, type Appointment } from '../../../../contracts';
import { handler } from '../../../../services/enrichment/handler';
import { InvalidStreamRecordError } from '../../../../services/enrichment/domain/parse-stream-records';
import { loadFixture } from '../../../fixtures/load-fixture';
import { streamRecord } from '../../../fixtures/stream-records';
import { lambdaContext } from '../support/lambda';
import { captureStdout } from '../support/stdout';

const dynamodb = mockClient(DynamoDBClient);
const TABLE = 'test-contacts';

const appointment = (overrides: Partial<Appointment> = {}): Appointment => ({
  ...loadFixture<Appointment>('appointment', 'lifecycle-booked'),
  id: randomUUID(),
  ...overrides,
});
const contactItem = (id: string, preferredMethod: string, phoneNumber?: string) =>
  marshall({ id, preferredMethod, ...(phoneNumber ? { phoneNumber } : {}), updatedAt: '2030-01-01T00:00:00.000Z' });

beforeEach(() => {
  dynamodb.reset();
});

describe('enrichment handler', () => {
  it('returns [] for an empty batch without reading contacts', async () => {
    expect(await handler([], lambdaContext())).toEqual([]);
    expect(dynamodb).not.toHaveReceivedCommand(BatchGetItemCommand);
  });

  it('enriches each record in input order with one BatchGetItem of the distinct lower-cased e-mails', async () => {
    const jane1 = appointment({ email: 'Jane@Example.com' });
    const ravi = appointment({ email: 'ravi@example.net', phoneNumber: '+447700900999' });
    const jane2 = appointment({ email: 'jane@example.com' });
    const unknown = appointment({ email: 'stranger@example.org' });
    dynamodb.on(BatchGetItemCommand).resolves({
      Responses: { [TABLE]: [contactItem('ravi@example.net', 'sms', '+15555550123'), contactItem('jane@example.com', 'email')] },
    });

    const result = await handler([jane1, ravi, jane2, unknown].map((a) => streamRecord(a)), lambdaContext());

    expect(result.map((r) => [r.id, r.preferredMethod, r.contactPhoneNumber])).toEqual([
      [jane1.id, 'email', undefined],
      [ravi.id, 'sms', '+15555550123'],
      [jane2.id, 'email', undefined],
      // A new patient (no contact yet) is e-mailed: the confirmation carries the manage link.
      [unknown.id, 'email', undefined],
    ]);
    expect(result[0]).toEqual({ ...jane1, preferredMethod: 'email' });
    for (const enriched of result) expect(validateEnrichedAppointment(enriched)).toEqual([]);
    expect(dynamodb).toHaveReceivedCommandTimes(BatchGetItemCommand, 1);
    expect(dynamodb.commandCalls(BatchGetItemCommand)[0]!.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual([
      { id: { S: 'jane@example.com' } },
      { id: { S: 'ravi@example.net' } },
      { id: { S: 'stranger@example.org' } },
    ]);
  });

  it('uses the contact number, not the appointment number, for sms', async () => {
    const booked = appointment({ email: 'ravi@example.net', phoneNumber: '+447700900999' });
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [contactItem('ravi@example.net', 'sms', '+15555550123')] } });

    const [enriched] = await handler([streamRecord(booked)], lambdaContext());

    expect(enriched).toMatchObject({ preferredMethod: 'sms', contactPhoneNumber: '+15555550123', phoneNumber: '+447700900999' });
  });

  it('keeps a corrupt contact usable: sms without a number stays sms (the notifier falls back), an unknown method becomes email', async () => {
    const a = appointment({ email: 'a@example.com' });
    const b = appointment({ email: 'b@example.com' });
    dynamodb.on(BatchGetItemCommand).resolves({
      Responses: { [TABLE]: [marshall({ id: 'a@example.com', preferredMethod: 'sms' }), marshall({ id: 'b@example.com', preferredMethod: 'fax' })] },
    });

    const result = await handler([streamRecord(a), streamRecord(b)], lambdaContext());

    expect(result.map((r) => [r.preferredMethod, r.contactPhoneNumber])).toEqual([
      ['sms', undefined],
      ['email', undefined],
    ]);
  });

  it('retries UnprocessedKeys until every contact is read', async () => {
    const a = appointment({ email: 'a@example.com' });
    const b = appointment({ email: 'b@example.com' });
    dynamodb
      .on(BatchGetItemCommand)
      .resolvesOnce({ Responses: { [TABLE]: [contactItem('a@example.com', 'email')] }, UnprocessedKeys: { [TABLE]: { Keys: [{ id: { S: 'b@example.com' } }] } } })
      .resolvesOnce({ Responses: { [TABLE]: [contactItem('b@example.com', 'none')] } });

    const result = await handler([streamRecord(a), streamRecord(b)], lambdaContext());

    expect(result.map((r) => r.preferredMethod)).toEqual(['email', 'none']);
    expect(dynamodb).toHaveReceivedCommandTimes(BatchGetItemCommand, 2);
    expect(dynamodb.commandCalls(BatchGetItemCommand)[1]!.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual([{ id: { S: 'b@example.com' } }]);
  });

  it('lets a throttled BatchGetItem fail the batch so the pipe retries it', async () => {
    dynamodb.on(BatchGetItemCommand).rejects(new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} }));

    await expect(handler([streamRecord(appointment())], lambdaContext())).rejects.toThrow('throttled');
  });

  it('fails the batch naming the eventID, sequence number and every problem of an invalid record', async () => {
    const good = streamRecord(appointment());
    const { email: _email, ...withoutEmail } = appointment();
    const bad = streamRecord({ ...withoutEmail, status: 'unknown' });
    const badSequence = (bad.dynamodb as { SequenceNumber: string }).SequenceNumber;

    const failure = handler([good, bad], lambdaContext());

    await expect(failure).rejects.toBeInstanceOf(InvalidStreamRecordError);
    await expect(failure).rejects.toThrow(
      `1 invalid stream record(s): record ${String(bad.eventID)} (SequenceNumber ${badSequence}): NewImage/email is required; NewImage/status must be one of "booked", "cancelled"`,
    );
    expect(dynamodb).not.toHaveReceivedCommand(BatchGetItemCommand);
  });

  it.each([
    ['a REMOVE record', () => streamRecord(appointment(), 'REMOVE'), 'eventName is "REMOVE": only INSERT or MODIFY records carry an appointment to notify'],
    ['a record without NewImage', () => ({ ...streamRecord(appointment()), dynamodb: { SequenceNumber: '42' } }), 'dynamodb.NewImage is missing'],
    ['a NewImage that is not typed attributes', () => ({ ...streamRecord(appointment()), dynamodb: { SequenceNumber: '42', NewImage: { id: { Q: 1 } } } }), 'NewImage'],
    ['a string instead of a record', () => 'INSERT', 'record #0 (SequenceNumber unknown): is not a stream record object'],
  ])('rejects %s', async (_case, makeRecord, message) => {
    await expect(handler([makeRecord()], lambdaContext())).rejects.toThrow(message);
  });

  it('passes every field of the new image through, for a booking INSERT and the MODIFY of a reschedule or cancellation', async () => {
    const rescheduled = { ...loadFixture<Appointment>('appointment', 'lifecycle-rescheduled'), id: randomUUID(), email: 'a@example.com' };
    const cancelled = { ...loadFixture<Appointment>('appointment', 'lifecycle-cancelled'), id: randomUUID(), email: 'a@example.com' };
    const booked = appointment({ email: 'a@example.com' });
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [contactItem('a@example.com', 'sms', '+447700900111')] } });

    const enriched = await handler([streamRecord(booked), streamRecord(rescheduled, 'MODIFY'), streamRecord(cancelled, 'MODIFY')], lambdaContext());

    expect(enriched).toEqual([
      { ...booked, preferredMethod: 'sms', contactPhoneNumber: '+447700900111' },
      { ...rescheduled, preferredMethod: 'sms', contactPhoneNumber: '+447700900111' },
      { ...cancelled, preferredMethod: 'sms', contactPhoneNumber: '+447700900111' },
    ]);
    expect(enriched.map((message) => [message.lastChange.kind, message.version, message.status])).toEqual([
      ['booked', 1, 'booked'],
      ['rescheduled', 2, 'booked'],
      ['cancelled', 3, 'cancelled'],
    ]);
    expect(enriched[1]!.lastChange).toEqual(rescheduled.lastChange);
    for (const message of enriched) expect(validateEnrichedAppointment(message)).toEqual([]);
  });

  it('fails a MODIFY whose new image lacks the lifecycle fields (version, lastChange): the contract names them', async () => {
    const { version: _v, lastChange: _l, ...old } = appointment();

    await expect(handler([streamRecord(old, 'MODIFY')], lambdaContext())).rejects.toThrow('NewImage/version is required; NewImage/lastChange is required');
  });

  it('rejects an input that is not an array', async () => {
    await expect(handler({ Records: [] }, lambdaContext())).rejects.toThrow('the enrichment input must be a JSON array of stream records');
  });
});

describe('enrichment metrics (EMF on stdout)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('counts the enriched appointments of a batch by preferred method, in one document per method', async () => {
    dynamodb.on(BatchGetItemCommand).resolves({
      Responses: { [TABLE]: [contactItem('ravi@example.net', 'sms', '+15555550123'), contactItem('noor@example.com', 'none')] },
    });
    const stdout = captureStdout();
    const batch = [appointment({ email: 'ravi@example.net' }), appointment({ email: 'noor@example.com' }), appointment({ email: 'new@example.org' }), appointment({ email: 'other@example.org' })];

    await handler(batch.map((a) => streamRecord(a)), lambdaContext());

    expect(stdout.metrics()).toEqual(
      expect.arrayContaining([
        { namespace: 'UnitTest', name: 'AppointmentsEnriched', unit: 'Count', value: 2, dimensions: { service: 'unit-test', preferredMethod: 'email' } },
        { namespace: 'UnitTest', name: 'AppointmentsEnriched', unit: 'Count', value: 1, dimensions: { service: 'unit-test', preferredMethod: 'sms' } },
        { namespace: 'UnitTest', name: 'AppointmentsEnriched', unit: 'Count', value: 1, dimensions: { service: 'unit-test', preferredMethod: 'none' } },
      ]),
    );
    expect(stdout.metrics()).toHaveLength(3);
  });

  it('counts nothing when the batch fails', async () => {
    dynamodb.on(BatchGetItemCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const stdout = captureStdout();

    await expect(handler([streamRecord(appointment())], lambdaContext())).rejects.toThrow();

    expect(stdout.metrics()).toEqual([]);
  });
});
