import { GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { parseAppointment, type Appointment } from '../../../contracts';

export class AppointmentIdCollisionError extends Error {
  readonly code = 'AppointmentIdCollision';
  override readonly name = 'AppointmentIdCollisionError';
}

export interface AppointmentPage {
  appointments: Appointment[];
  /** Where the next page starts (the index's LastEvaluatedKey), when there is one. */
  nextKey?: Record<string, string>;
}

export interface AppointmentsTable {
  put(appointment: Appointment): Promise<void>;
  get(id: string): Promise<Appointment | undefined>;
  /** One page of a day's appointments, by start time, from the by-date index. */
  listByDate(date: string, limit: number, startKey?: Record<string, string>): Promise<AppointmentPage>;
}

export function appointmentsTable(client: DynamoDBClient, tableName: string, byDateIndexName = 'byAppointmentDate'): AppointmentsTable {
  return {
    async listByDate(date, limit, startKey) {
      const { Items = [], LastEvaluatedKey } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: byDateIndexName,
          KeyConditionExpression: '#date = :date',
          ExpressionAttributeNames: { '#date': 'appointmentDate' },
          ExpressionAttributeValues: { ':date': { S: date } },
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: Object.fromEntries(Object.entries(startKey).map(([key, value]) => [key, { S: value } as AttributeValue])) } : {}),
        }),
      );
      const page: AppointmentPage = { appointments: Items.map((item) => parseAppointment(unmarshall(item))) };
      if (LastEvaluatedKey) {
        page.nextKey = Object.fromEntries(Object.entries(LastEvaluatedKey).flatMap(([key, value]) => (value.S !== undefined ? [[key, value.S]] : [])));
      }
      return page;
    },
    async put(appointment) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: marshall(appointment, { removeUndefinedValues: true }),
            // A new appointment never overwrites one: a second write with the same id is a bug.
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
          throw new AppointmentIdCollisionError(`appointment ${appointment.id} already exists`);
        }
        throw error;
      }
    },
    async get(id) {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }));
      // What we read back is validated too: a hand-edited item must not leak out as an appointment.
      return Item ? parseAppointment(unmarshall(Item)) : undefined;
    },
  };
}
