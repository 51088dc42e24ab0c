import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { parseAppointment, type Appointment } from '../../../contracts';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/emulators/dynamodb-local';
import { AppointmentIdCollisionError, VersionConflictError, appointmentsTable } from '../../../services/booking/adapters/appointments-table';
import { notificationsTable } from '../../../services/booking/adapters/notifications-table';
import { pendingChangeNotification } from '../../../services/booking/domain/create-appointment';
import { planCancellation, planReschedule } from '../../../services/booking/domain/change-appointment';
import { loadFixture } from '../../fixtures/load-fixture';

/** The booking function's writes on a real DynamoDB (Local): the transactions, their conditions, the race. */
describe('booking adapters on DynamoDB Local', () => {
  let dataDir: string;
  let dynamodbLocal: RunningDynamoDbLocal;
  let client: DynamoDBClient;
  const hours = { timeZone: 'Europe/London', weekly: { 1: { opens: '08:00', closes: '18:00' } } };
  const context = { now: new Date('2030-03-01T12:00:00Z'), by: 'staff' as const, dentistNames: ['Dr Lopez', 'Dr Jones'], openingHours: hours };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'booking-adapters-'));
    dynamodbLocal = await startDynamoDbLocal({ dataDir });
    client = new DynamoDBClient({ endpoint: dynamodbLocal.endpoint, region: 'eu-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await client.send(new CreateTableCommand({ TableName: 'appointments', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    await client.send(
      new CreateTableCommand({
        TableName: 'notifications',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'appointmentId', AttributeType: 'S' }, { AttributeName: 'notificationId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'appointmentId', KeyType: 'HASH' }, { AttributeName: 'notificationId', KeyType: 'RANGE' }],
      }),
    );
  }, 90_000);

  afterAll(async () => {
    client?.destroy();
    await dynamodbLocal?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('books, reschedules and cancels with one transaction each; the loser of a race and a second booking of an id are refused', async () => {
    const appointments = appointmentsTable(client, 'appointments', 'byAppointmentDate', 'notifications');
    const notifications = notificationsTable(client, 'notifications');
    const booked = loadFixture<Appointment>('appointment', 'stored');

    await appointments.create(booked, pendingChangeNotification(booked));
    await expect(appointments.create(booked, pendingChangeNotification(booked))).rejects.toBeInstanceOf(AppointmentIdCollisionError);

    const moved = planReschedule(booked, { appointmentDateTime: '2030-03-18T15:00:00Z', dentist: 'Dr Jones' }, context);
    if (moved.kind !== 'changed') throw new Error('expected a change');
    await appointments.change(moved.next, 1, moved.fields, pendingChangeNotification(moved.next));
    // A second writer that read version 1 too loses.
    await expect(appointments.change(moved.next, 1, moved.fields, pendingChangeNotification(moved.next))).rejects.toBeInstanceOf(VersionConflictError);

    const stored = await appointments.get(booked.id);
    expect(stored).toEqual(moved.next);
    const cancelled = planCancellation(stored!, { reason: 'Moving away' }, context);
    await appointments.change(cancelled.next, 2, cancelled.fields, pendingChangeNotification(cancelled.next));
    // Cancelled: no change applies any more, whatever version is claimed.
    await expect(appointments.change(moved.next, 3, moved.fields, pendingChangeNotification(moved.next))).rejects.toBeInstanceOf(VersionConflictError);

    const { Item } = await client.send(new GetItemCommand({ TableName: 'appointments', Key: { id: { S: booked.id } }, ConsistentRead: true }));
    expect(parseAppointment(unmarshall(Item!))).toMatchObject({ status: 'cancelled', version: 3, cancellationReason: 'Moving away', dentist: 'Dr Jones', lastChange: { kind: 'cancelled', by: 'staff' } });
    expect((await notifications.list(booked.id)).map((row) => [row.notificationId, row.kind, row.version, row.status])).toEqual([
      ['change-1', 'booked', 1, 'pending'],
      ['change-2', 'rescheduled', 2, 'pending'],
      ['change-3', 'cancelled', 3, 'pending'],
    ]);
  }, 60_000);
});
