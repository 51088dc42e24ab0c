import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';

export const QUOTA_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_ATTEMPTS = 5;

export type QuotaDecision = { allowed: true; sentInWindow: number; slot: number } | { allowed: false; sentInWindow: number };

/** Two notifiers raced for one recipient's quota item more often than MAX_ATTEMPTS: retried by SQS. */
export class RecipientQuotaContentionError extends Error {
  readonly code = 'RecipientQuotaContention';
  override readonly name = 'RecipientQuotaContentionError';
  readonly $retryable = {};
}

/** The quota item's key: a hash, so the table holds no address or number in clear. */
export function recipientKey(channel: 'email' | 'sms', recipient: string): string {
  return createHash('sha256').update(`${channel}:${recipient.trim().toLowerCase()}`, 'utf8').digest('hex');
}

/**
 * A rolling 24-hour cap per recipient: the item keeps the times of the recipient's notifications in
 * the window; a send is allowed while fewer than `cap` are there, and its time is added with an
 * optimistic (version-conditioned) write, so concurrent notifiers never both take the last slot.
 */
export function recipientQuota(options: { client: DynamoDBClient; tableName: string; cap: number }) {
  return {
    async reserve(key: string, now: Date): Promise<QuotaDecision> {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const { Item } = await options.client.send(new GetItemCommand({ TableName: options.tableName, Key: { id: { S: key } }, ConsistentRead: true }));
        const version = Item?.version?.N ? Number(Item.version.N) : 0;
        const sends = (Item?.sends?.L ?? []).map((value) => Number(value.N)).filter((at) => at > now.getTime() - QUOTA_WINDOW_MS);
        if (sends.length >= options.cap) return { allowed: false, sentInWindow: sends.length };
        sends.push(now.getTime());
        try {
          await options.client.send(
            new PutItemCommand({
              TableName: options.tableName,
              Item: {
                id: { S: key },
                sends: { L: sends.map((at) => ({ N: String(at) })) },
                version: { N: String(version + 1) },
                expiresAt: { N: String(Math.ceil((now.getTime() + QUOTA_WINDOW_MS) / 1000)) },
              },
              ConditionExpression: 'attribute_not_exists(id) OR version = :version',
              ExpressionAttributeValues: { ':version': { N: String(version) } },
            }),
          );
          return { allowed: true, sentInWindow: sends.length, slot: now.getTime() };
        } catch (error) {
          if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
        }
      }
      throw new RecipientQuotaContentionError(`recipient quota ${key.slice(0, 12)} changed under ${MAX_ATTEMPTS} attempts`);
    },

    /**
     * Gives back a slot whose send failed, so throttling or a provider outage does not use up a
     * patient's quota with attempts that never reached them. Best effort: the caller logs a failure.
     */
    async release(key: string, slot: number): Promise<void> {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const { Item } = await options.client.send(new GetItemCommand({ TableName: options.tableName, Key: { id: { S: key } }, ConsistentRead: true }));
        if (!Item) return;
        const version = Item.version?.N ? Number(Item.version.N) : 0;
        const sends = (Item.sends?.L ?? []).map((value) => Number(value.N));
        const index = sends.indexOf(slot);
        if (index < 0) return;
        sends.splice(index, 1);
        try {
          await options.client.send(
            new PutItemCommand({
              TableName: options.tableName,
              Item: { ...Item, sends: { L: sends.map((at) => ({ N: String(at) })) }, version: { N: String(version + 1) } },
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: { ':version': { N: String(version) } },
            }),
          );
          return;
        } catch (error) {
          if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
        }
      }
      throw new RecipientQuotaContentionError(`recipient quota ${key.slice(0, 12)} changed under ${MAX_ATTEMPTS} attempts`);
    },
  };
}
