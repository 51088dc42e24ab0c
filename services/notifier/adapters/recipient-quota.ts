import { GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';

export const QUOTA_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_ATTEMPTS = 8;

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
 * the window. Taking a slot is one atomic UpdateItem that appends the time only while the list is
 * shorter than `cap`, so any number of concurrent notifiers (a flood to one address arrives in
 * parallel batches) take exactly the free slots without retrying each other. When the list is full,
 * times older than the window are pruned with a version-conditioned write and the append is tried
 * again; a list full of recent times means the cap is reached.
 */
export function recipientQuota(options: { client: DynamoDBClient; tableName: string; cap: number }) {
  const tableName = options.tableName;
  /** Replaces the item's send times, if nobody changed it since it was read; false when somebody did. */
  const rewriteSends = async (item: Record<string, AttributeValue>, sends: number[]): Promise<boolean> => {
    const version = item.version?.N ? Number(item.version.N) : 0;
    try {
      await options.client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...item, sends: { L: sends.map((at) => ({ N: String(at) })) }, version: { N: String(version + 1) } },
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': { N: String(version) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };
  return {
    async reserve(key: string, now: Date): Promise<QuotaDecision> {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        try {
          const { Attributes } = await options.client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { id: { S: key } },
              UpdateExpression: 'SET sends = list_append(if_not_exists(sends, :empty), :slot), expiresAt = :expiresAt, version = if_not_exists(version, :zero) + :one',
              ConditionExpression: 'attribute_not_exists(sends) OR size(sends) < :cap',
              ExpressionAttributeValues: {
                ':empty': { L: [] },
                ':slot': { L: [{ N: String(now.getTime()) }] },
                ':expiresAt': { N: String(Math.ceil((now.getTime() + QUOTA_WINDOW_MS) / 1000)) },
                ':zero': { N: '0' },
                ':one': { N: '1' },
                ':cap': { N: String(options.cap) },
              },
              ReturnValues: 'ALL_NEW',
            }),
          );
          const sends = (Attributes?.sends?.L ?? []).map((value) => Number(value.N)).filter((at) => at > now.getTime() - QUOTA_WINDOW_MS);
          return { allowed: true, sentInWindow: sends.length, slot: now.getTime() };
        } catch (error) {
          if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
        }
        // The list is full: of recent sends (the cap is reached), or partly of expired ones to prune.
        const { Item } = await options.client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: key } }, ConsistentRead: true }));
        const all = (Item?.sends?.L ?? []).map((value) => Number(value.N));
        const recent = all.filter((at) => at > now.getTime() - QUOTA_WINDOW_MS);
        if (recent.length >= options.cap) return { allowed: false, sentInWindow: recent.length };
        if (!Item || recent.length === all.length) continue; // changed under us: try the append again
        await rewriteSends(Item, recent); // a lost race is fine: the append is tried again either way
      }
      throw new RecipientQuotaContentionError(`recipient quota ${key.slice(0, 12)} changed under ${MAX_ATTEMPTS} attempts`);
    },

    /**
     * Gives back a slot whose send failed, so throttling or a provider outage does not use up a
     * patient's quota with attempts that never reached them. Best effort: the caller logs a failure.
     */
    async release(key: string, slot: number): Promise<void> {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const { Item } = await options.client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: key } }, ConsistentRead: true }));
        if (!Item) return;
        const sends = (Item.sends?.L ?? []).map((value) => Number(value.N));
        const index = sends.indexOf(slot);
        if (index < 0) return;
        sends.splice(index, 1);
        if (await rewriteSends(Item, sends)) return;
      }
      throw new RecipientQuotaContentionError(`recipient quota ${key.slice(0, 12)} changed under ${MAX_ATTEMPTS} attempts`);
    },
  };
}
