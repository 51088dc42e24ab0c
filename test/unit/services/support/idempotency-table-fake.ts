import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;

/**
 * An in-memory idempotency table behind aws-sdk-client-mock, implementing the conditional writes
 * the Powertools DynamoDB persistence layer relies on: PutItem succeeds only when the key is
 * absent, expired, or an in-progress record whose in-progress expiry passed, and otherwise fails
 * with ConditionalCheckFailedException carrying the old item (ReturnValuesOnConditionCheckFailure).
 * Other tables' commands fall through to `fallback`.
 */
export class IdempotencyTableFake {
  readonly items = new Map<string, Item>();

  constructor(readonly tableName: string) {}

  install(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    stub: AwsStub<any, any, any>,
    fallback: { update?: (input: Record<string, unknown>) => unknown } = {},
  ): void {
    stub.on(PutItemCommand, { TableName: this.tableName }).callsFake((input: { Item: Item }) => this.put(input.Item));
    stub.on(GetItemCommand, { TableName: this.tableName }).callsFake((input: { Key: Item }) => ({ Item: this.items.get(this.key(input.Key)) }));
    stub.on(DeleteItemCommand, { TableName: this.tableName }).callsFake((input: { Key: Item }) => {
      this.items.delete(this.key(input.Key));
      return {};
    });
    stub.on(UpdateItemCommand).callsFake((input: Record<string, unknown>) => {
      if (input.TableName === this.tableName) return this.update(input as never);
      if (fallback.update) return fallback.update(input);
      return {};
    });
  }

  records(): Record<string, unknown>[] {
    return [...this.items.values()].map((item) => unmarshall(item));
  }

  private key(key: Item): string {
    const id = key.id?.S;
    if (!id) throw new Error('idempotency key must be a string id');
    return id;
  }

  private put(item: Item): object {
    const id = this.key(item);
    const existing = this.items.get(id);
    if (existing) {
      const old = unmarshall(existing) as { expiration: number; status: string; in_progress_expiration?: number };
      const now = Date.now();
      const expired = old.expiration < now / 1000;
      const inProgressExpired = old.status === 'INPROGRESS' && old.in_progress_expiration !== undefined && old.in_progress_expiration < now;
      if (!expired && !inProgressExpired) {
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 }, Item: existing });
      }
    }
    this.items.set(id, item);
    return {};
  }

  private update(input: { Key: Item; UpdateExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Item }): object {
    const id = this.key(input.Key);
    const item: Item = { ...(this.items.get(id) ?? input.Key) };
    for (const assignment of input.UpdateExpression.replace(/^SET /, '').split(',')) {
      const [name, value] = assignment.split('=').map((part) => part.trim()) as [string, string];
      const attribute = input.ExpressionAttributeNames[name];
      const attributeValue = input.ExpressionAttributeValues[value];
      if (attribute && attributeValue) item[attribute] = attributeValue;
    }
    this.items.set(id, item);
    return {};
  }
}
