import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { parseAppointment, type Appointment } from '../../../contracts';

export class AppointmentIdCollisionError extends Error {
  readonly code = 'AppointmentIdCollision';
  override readonly name = 'AppointmentIdCollisionError';
}

export interface AppointmentsTable {
  put(appointment: Appointment): Promise<void>;
  get(id: string): Promise<Appointment | undefined>;
}

export function appointmentsTable(client: DynamoDBClient, tableName: string): AppointmentsTable {
  return {
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
