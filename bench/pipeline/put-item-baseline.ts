import {
  CreateTableCommand,
  DeleteTableCommand,
  PutItemCommand,
  waitUntilTableExists,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { runLoad, wallClockMs } from './load-generator';

export interface PutItemBaseline {
  items: number;
  concurrency: number;
  itemBytes: number;
  putItemsPerSecond: number;
}

/**
 * The emulator's ceiling: raw `PutItem`s of `template` (a real stored appointment, so the same item
 * size) with fresh ids into a scratch table, `concurrency` in flight, nothing else running. The
 * pipeline does at least one such write per booking, so it cannot be faster than this.
 */
export async function measurePutItemRate(
  dynamodb: DynamoDBClient,
  template: Record<string, AttributeValue>,
  options: { items: number; concurrency: number; runTag: string },
): Promise<PutItemBaseline> {
  const tableName = `bench-put-item-${options.runTag}`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  try {
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: tableName });
    // Warm the connection pool and the table so the first requests do not measure setup.
    await Promise.all(Array.from({ length: options.concurrency }, () => dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { ...template, id: { S: randomUUID() } } }))));
    const startedAt = wallClockMs();
    await runLoad({
      total: options.items,
      concurrency: options.concurrency,
      run: async () => {
        await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { ...template, id: { S: randomUUID() } } }));
      },
    });
    const seconds = (wallClockMs() - startedAt) / 1000;
    return {
      items: options.items,
      concurrency: options.concurrency,
      itemBytes: approximateItemBytes(template),
      putItemsPerSecond: Math.round((options.items / seconds) * 10) / 10,
    };
  } finally {
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  }
}

/** DynamoDB's item size rule for string attributes: name bytes + value bytes. */
function approximateItemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name, 'utf8');
    bytes += value.S !== undefined ? Buffer.byteLength(value.S, 'utf8') : Buffer.byteLength(JSON.stringify(value), 'utf8');
  }
  return bytes;
}
