import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;

/**
 * An in-memory recipient-quota table behind aws-sdk-client-mock: GetItem, and the PutItem that
 * adds a send under `attribute_not_exists(id) OR version = :version` (the optimistic write of
 * services/notifier/adapters/recipient-quota.ts), failing with ConditionalCheckFailedException
 * otherwise. `beforePut` lets a test change the item between the read and the write (a race).
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
    stub.on(PutItemCommand, { TableName: this.tableName }).callsFake((input: { Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Item }) => {
      const key = this.key(input.Item);
      this.beforePut?.(key);
      // Taking a slot may create the item; giving one back (release) only updates an existing one.
      const creates = input.ConditionExpression === 'attribute_not_exists(id) OR version = :version';
      if (!creates && input.ConditionExpression !== 'version = :version') throw new Error(`unexpected quota condition ${input.ConditionExpression}`);
      const existing = this.items.get(key);
      if ((!existing && !creates) || (existing && existing.version?.N !== input.ExpressionAttributeValues?.[':version']?.N)) {
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
