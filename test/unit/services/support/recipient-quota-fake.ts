import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;

/**
 * An in-memory recipient-quota table behind aws-sdk-client-mock, for the calls of
 * services/notifier/adapters/recipient-quota.ts: GetItem; the UpdateItem that appends a send while
 * `size(sends) < :cap`; the version-conditioned PutItem that prunes expired sends or gives a slot
 * back; each failing with ConditionalCheckFailedException as DynamoDB would. `beforePut` lets a
 * test change the item just before a write lands (another notifier racing).
 */
export class RecipientQuotaTableFake {
  readonly items = new Map<string, Item>();
  beforePut: ((key: string) => void) | undefined;

  constructor(readonly tableName: string) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  install(stub: AwsStub<any, any, any>): void {
    stub.on(GetItemCommand, { TableName: this.tableName }).callsFake((input: { Key: Item }) => {
      const item = this.items.get(this.key(input.Key));
      return item ? { Item: structuredClone(item) } : {};
    });
    stub.on(UpdateItemCommand, { TableName: this.tableName }).callsFake((input: { Key: Item; UpdateExpression?: string; ConditionExpression?: string; ExpressionAttributeValues?: Item }) => {
      const key = this.key(input.Key);
      this.beforePut?.(key);
      if (input.ConditionExpression !== 'attribute_not_exists(sends) OR size(sends) < :cap') throw new Error(`unexpected quota condition ${input.ConditionExpression}`);
      const values = input.ExpressionAttributeValues ?? {};
      const existing = this.items.get(key);
      const sends = existing?.sends?.L ?? [];
      if (existing?.sends && sends.length >= Number(values[':cap']?.N)) {
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      }
      const item: Item = {
        ...(existing ?? { id: { S: key } }),
        sends: { L: [...sends, ...(values[':slot']?.L ?? [])] },
        expiresAt: values[':expiresAt']!,
        version: { N: String(Number(existing?.version?.N ?? '0') + 1) },
      };
      this.items.set(key, item);
      return { Attributes: structuredClone(item) };
    });
    stub.on(PutItemCommand, { TableName: this.tableName }).callsFake((input: { Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Item }) => {
      const key = this.key(input.Item);
      this.beforePut?.(key);
      // Pruning and giving a slot back only ever rewrite an existing item, at the version they read.
      if (input.ConditionExpression !== 'version = :version') throw new Error(`unexpected quota condition ${input.ConditionExpression}`);
      const existing = this.items.get(key);
      if (!existing || existing.version?.N !== input.ExpressionAttributeValues?.[':version']?.N) {
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      }
      this.items.set(key, structuredClone(input.Item));
      return {};
    });
  }

  /** The send times (ms) the table holds for a quota key. */
  sends(key: string): number[] {
    return (this.items.get(key)?.sends?.L ?? []).map((value) => Number(value.N));
  }

  /** Pre-fills a recipient's window with `count` sends at `at` (ms). */
  fill(key: string, count: number, at: number): void {
    this.items.set(key, {
      id: { S: key },
      sends: { L: Array.from({ length: count }, () => ({ N: String(at) })) },
      version: { N: '1' },
      expiresAt: { N: String(Math.ceil(at / 1000) + 86_400) },
    });
  }

  private key(key: Item): string {
    const id = key.id?.S;
    if (!id) throw new Error('recipient quota key must be a string id');
    return id;
  }
}
