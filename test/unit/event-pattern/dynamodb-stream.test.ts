import { compileEventPattern, matchesEventPattern } from '../../../local/pipes/event-pattern';
import { streamRecord } from '../../fixtures/stream-records';

/**
 * A pipe's filter is matched against the raw DynamoDB stream record (eventName, dynamodb.NewImage
 * with typed attribute values), not against the unmarshalled item.
 */
const appointment = {
  id: '5b0c1f8e-8f4e-4d7a-9a39-2f6f0c1d2e3a',
  patientName: 'Ada Lovelace',
  email: 'ada@example.com',
  phoneNumber: '+447700900123',
  dentist: 'Dr Jones',
  clinic: 'Leeds',
  appointmentDateTime: '2030-05-01T09:30:00+01:00',
  notificationStatus: 'pending',
  createdAt: '2030-04-01T08:00:00.000Z',
  price: 12,
  status: 'booked',
};

const insert = streamRecord(appointment, 'INSERT');
const modify = streamRecord({ ...appointment, notificationStatus: 'sent' }, 'MODIFY');
const remove = streamRecord(appointment, 'REMOVE');

interface StreamCase {
  readonly name: string;
  readonly pattern: unknown;
  readonly record: unknown;
  readonly matches: boolean;
}

const streamCases: readonly StreamCase[] = [
  { name: 'the pipe INSERT filter passes an INSERT', pattern: { eventName: ['INSERT'] }, record: insert, matches: true },
  { name: 'the pipe INSERT filter drops a MODIFY (status update cannot re-notify)', pattern: { eventName: ['INSERT'] }, record: modify, matches: false },
  { name: 'the pipe INSERT filter drops a REMOVE', pattern: { eventName: ['INSERT'] }, record: remove, matches: false },
  { name: 'the INSERT filter as the JSON text CloudFormation carries', pattern: '{"eventName":["INSERT"]}', record: insert, matches: true },
  { name: 'the INSERT filter against the record as JSON text', pattern: '{"eventName":["INSERT"]}', record: JSON.stringify(modify), matches: false },
  { name: 'a typed string attribute in NewImage', pattern: { dynamodb: { NewImage: { status: { S: ['booked'] } } } }, record: insert, matches: true },
  { name: 'a typed string attribute with another value', pattern: { dynamodb: { NewImage: { status: { S: ['cancelled'] } } } }, record: insert, matches: false },
  { name: 'the untyped attribute path does not exist in a stream record', pattern: { dynamodb: { NewImage: { status: ['booked'] } } }, record: insert, matches: false },
  { name: 'eventName and a NewImage attribute together', pattern: { eventName: ['INSERT'], dynamodb: { NewImage: { clinic: { S: [{ prefix: 'Lee' }] } } } }, record: insert, matches: true },
  { name: 'REMOVE records have no NewImage', pattern: { dynamodb: { NewImage: { status: { S: [{ exists: true }] } } } }, record: remove, matches: false },
  { name: 'numeric does not match a DynamoDB number: {"N": "12"} holds a string', pattern: { dynamodb: { NewImage: { price: { N: [{ numeric: ['>', 10] }] } } } }, record: insert, matches: false },
  { name: 'a DynamoDB number matches as its string', pattern: { dynamodb: { NewImage: { price: { N: ['12'] } } } }, record: insert, matches: true },
  { name: 'the number 12 does not match the DynamoDB string "12"', pattern: { dynamodb: { NewImage: { price: { N: [12] } } } }, record: insert, matches: false },
  { name: 'a key attribute under dynamodb.Keys', pattern: { dynamodb: { Keys: { id: { S: [appointment.id] } } } }, record: insert, matches: true },
  { name: 'anything-but on eventName passes MODIFY', pattern: { eventName: [{ 'anything-but': ['INSERT', 'REMOVE'] }] }, record: modify, matches: true },
  { name: 'a record without phoneNumber: exists false on NewImage attribute', pattern: { dynamodb: { NewImage: { phoneNumber: [{ exists: false }] } } }, record: streamRecord({ id: 'x', email: 'a@b.c' }), matches: true },
];

describe('EventBridge Pipes filter on DynamoDB stream records', () => {
  it.each(streamCases)('$name', ({ pattern, record, matches }) => {
    // Arrange
    const compiled = compileEventPattern(pattern);

    // Act
    const result = compiled.matches(record);

    // Assert
    expect(result).toBe(matches);
  });

  it('filters a mixed batch down to its INSERT records, in order', () => {
    // Arrange
    const batch = [insert, modify, streamRecord(appointment, 'INSERT'), remove];
    const filter = compileEventPattern('{"eventName":["INSERT"]}', { dialect: 'pipes' });

    // Act
    const passed = batch.filter((record) => filter.matches(record));

    // Assert
    expect(passed.map((record) => record.eventName)).toEqual(['INSERT', 'INSERT']);
    expect(passed[0]).toBe(batch[0]);
  });

  it('matchesEventPattern gives the same answers as a compiled pattern', () => {
    // Arrange
    const pattern = { eventName: ['INSERT'] };

    // Act
    const answers = [insert, modify, remove].map((record) => matchesEventPattern(pattern, record));

    // Assert
    expect(answers).toEqual([true, false, false]);
  });
});
