import { GetItemCommand, QueryCommand, TransactWriteItemsCommand, type AttributeValue, type DynamoDBClient, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { parseAppointment, type Appointment, type Notification } from '../../../contracts';

export class AppointmentIdCollisionError extends Error {
  readonly code = 'AppointmentIdCollision';
  override readonly name = 'AppointmentIdCollisionError';
}

/** The appointment was changed (or cancelled) by someone else since it was read: its version or status no longer matches. */
export class VersionConflictError extends Error {
  readonly code = 'VersionConflict';
  override readonly name = 'VersionConflictError';
}

export interface AppointmentPage {
  appointments: Appointment[];
  /** Where the next page starts (the index's LastEvaluatedKey), when there is one. */
  nextKey?: Record<string, string>;
}

/** The attributes a change sets on the stored appointment. */
export type ChangedField = keyof Appointment;

export interface AppointmentsTable {
  /** Stores a new appointment and its `change-1` pending notification row in one transaction. */
  create(appointment: Appointment, notification: Notification): Promise<void>;
  get(id: string): Promise<Appointment | undefined>;
  /**
   * Writes a change of a booked appointment that was read at `expectedVersion`: `fields` of `next`
   * and the change's pending notification row, in one transaction, only while the stored item is
   * still that version and booked (else VersionConflictError).
   */
  change(next: Appointment, expectedVersion: number, fields: readonly ChangedField[], notification: Notification): Promise<void>;
  /** One page of a day's appointments, by start time, from the by-date index. */
  listByDate(date: string, limit: number, startKey?: Record<string, string>): Promise<AppointmentPage>;
}

interface CancellationReason {
  Code?: string;
}

/** The reasons of a TransactionCanceledException, in the order of the transaction's items. */
function cancellationReasons(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? 'None');
}

/**
 * Another transaction held one of the items (DynamoDB's TransactionConflict) or the table
 * throttled: not this request's fault, retryable (`$retryable` makes the handler answer 503).
 */
function retryableCancellation(reasons: string[], error: Error): Error | undefined {
  if (!reasons.some((code) => code === 'TransactionConflict' || code === 'ThrottlingError' || code === 'ProvisionedThroughputExceeded')) return undefined;
  return Object.assign(new Error(`the write was cancelled (${reasons.join(', ')}); retry`, { cause: error }), { name: 'TransactionConflict', $retryable: {} });
}

export function appointmentsTable(client: DynamoDBClient, tableName: string, byDateIndexName: string, notificationsTableName: string): AppointmentsTable {
  const putNotification = (notification: Notification): TransactWriteItem => ({
    Put: { TableName: notificationsTableName, Item: marshall(notification, { removeUndefinedValues: true }) },
  });

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
    async create(appointment, notification) {
      try {
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: marshall(appointment, { removeUndefinedValues: true }),
                  // A new appointment never overwrites one: a second write with the same id is a bug.
                  ConditionExpression: 'attribute_not_exists(id)',
                },
              },
              putNotification(notification),
            ],
          }),
        );
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons?.[0] === 'ConditionalCheckFailed') throw new AppointmentIdCollisionError(`appointment ${appointment.id} already exists`);
        throw (reasons && retryableCancellation(reasons, error as Error)) ?? error;
      }
    },
    async change(next, expectedVersion, fields, notification) {
      const names: Record<string, string> = { '#version': 'version', '#status': 'status' };
      const values: Record<string, AttributeValue> = { ':expected': { N: String(expectedVersion) }, ':booked': { S: 'booked' } };
      const assignments: string[] = [];
      for (const field of new Set(fields)) {
        const value = next[field];
        if (value === undefined) continue;
        names[`#${field}`] = field;
        values[`:${field}`] = marshall({ value }, { removeUndefinedValues: true }).value!;
        assignments.push(`#${field} = :${field}`);
      }
      try {
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: { id: { S: next.id } },
                  UpdateExpression: `SET ${assignments.join(', ')}`,
                  // Optimistic concurrency: the change applies to the version that was read, and only while booked.
                  ConditionExpression: '#version = :expected AND #status = :booked',
                  ExpressionAttributeNames: names,
                  ExpressionAttributeValues: values,
                },
              },
              putNotification(notification),
            ],
          }),
        );
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons?.[0] === 'ConditionalCheckFailed') throw new VersionConflictError(`appointment ${next.id} is no longer booked at version ${expectedVersion}`);
        throw (reasons && retryableCancellation(reasons, error as Error)) ?? error;
      }
    },
    async get(id) {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }));
      // What we read back is validated too: a hand-edited item must not leak out as an appointment.
      return Item ? parseAppointment(unmarshall(Item)) : undefined;
    },
  };
}
