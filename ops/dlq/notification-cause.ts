import { DynamoDBClient, ListTablesCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** Where the notifier records each notification's status and the cause of its latest failure. */
export interface NotificationsTableRef {
  tableName: string;
  /** DynamoDB endpoint override (the local emulator); absent for AWS. */
  dynamodbEndpoint?: string;
}

interface Row extends Record<string, unknown> {
  notificationId?: unknown;
  kind?: unknown;
  version?: unknown;
  status?: unknown;
  cause?: unknown;
  attempts?: unknown;
  updatedAt?: unknown;
}

/**
 * The cause of a dead-lettered notification, from the appointment's rows in the notifications
 * table: the row still open (failed, or pending with a cause) that was written last; for a message
 * of a known kind and version, that row first. Undefined when no row names a cause.
 */
export function causeFromRows(rows: readonly Record<string, unknown>[], of?: { notificationId: string }): string | undefined {
  const open = (rows as readonly Row[]).filter((row) => (row.status === 'failed' || row.status === 'pending') && typeof row.cause === 'string');
  const ordered = [...open].sort((a, b) => String(b.updatedAt ?? '').localeCompare(String(a.updatedAt ?? '')));
  const row = (of ? ordered.find((candidate) => candidate.notificationId === of.notificationId) : undefined) ?? ordered[0];
  if (!row) return undefined;
  const attempts = typeof row.attempts === 'number' ? `, attempt ${row.attempts}` : '';
  return `${String(row.cause)} (${String(row.kind)} notification of version ${String(row.version)}: ${String(row.status)}${attempts})`;
}

/** The appointment's notification rows (Query by appointmentId), at most a page: an appointment has a few. */
export async function notificationRows(dynamodb: DynamoDBClient, tableName: string, appointmentId: string): Promise<Record<string, unknown>[]> {
  const { Items } = await dynamodb.send(
    new QueryCommand({ TableName: tableName, KeyConditionExpression: 'appointmentId = :id', ExpressionAttributeValues: { ':id': { S: appointmentId } }, ConsistentRead: true }),
  );
  return (Items ?? []).map((item) => unmarshall(item as Record<string, AttributeValue>));
}

/**
 * The local runtime's notifications table: the emulator's table whose generated name comes from the
 * template's `NotificationsTable` logical id (the local runtime names tables as CloudFormation
 * would, `<stack>-<logicalId>`, and its state file does not list them).
 */
export async function findLocalNotificationsTable(dynamodb: DynamoDBClient): Promise<string | undefined> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await dynamodb.send(new ListTablesCommand(start ? { ExclusiveStartTableName: start } : {}));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  const matches = names.filter((name) => /(^|-)NotificationsTable$/.test(name));
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * The same, asked of a running local runtime by its state file's region and DynamoDB endpoint.
 * Best effort: undefined when the table cannot be found (the tools then show no recorded cause).
 */
export async function localNotificationsTableName(state: { region: string; endpoints: { dynamodb: string } }): Promise<string | undefined> {
  const dynamodb = new DynamoDBClient({ region: state.region, endpoint: state.endpoints.dynamodb, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    return await findLocalNotificationsTable(dynamodb).catch(() => undefined);
  } finally {
    dynamodb.destroy();
  }
}
