import { BatchGetItemCommand, type AttributeValue, type BatchGetItemCommandOutput, type DynamoDBClient, type KeysAndAttributes } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** BatchGetItem accepts at most 100 keys per request. */
export const BATCH_GET_MAX_KEYS = 100;

export interface RetryPolicy {
  /** Total BatchGetItem calls per chunk, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected so tests need not wait; defaults to a real timer. */
  sleep: (ms: number) => Promise<void>;
  /** Injected for deterministic jitter in tests; defaults to Math.random. */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 50,
  maxDelayMs: 1_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Some keys stayed unprocessed after every attempt: the batch fails so the pipe retries it. */
export class ContactsLookupIncompleteError extends Error {
  readonly code = 'ContactsLookupIncomplete';
  override readonly name = 'ContactsLookupIncompleteError';
  constructor(
    readonly unprocessedKeys: number,
    readonly attempts: number,
  ) {
    super(`${unprocessedKeys} contact key(s) were still unprocessed after ${attempts} BatchGetItem attempts`);
  }
}

/** "Full jitter" backoff: a random delay up to the exponential bound, so retries spread out. */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * bound);
}

/**
 * Reads the contacts with the given keys (`id` = lower-cased e-mail): one BatchGetItem per 100
 * keys, retrying only the UnprocessedKeys DynamoDB hands back (throttling of a partition) with
 * backoff and jitter, at most `maxAttempts` times, then failing. Returns the items by key; keys
 * with no item are simply absent.
 */
export async function batchGetContacts(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly string[],
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const chunks: string[][] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_MAX_KEYS) chunks.push(keys.slice(start, start + BATCH_GET_MAX_KEYS));

  await Promise.all(
    chunks.map(async (chunk) => {
      let request: KeysAndAttributes | undefined = { Keys: chunk.map((id) => ({ id: { S: id } })), ConsistentRead: false };
      for (let attempt = 1; request?.Keys && request.Keys.length > 0; attempt += 1) {
        if (attempt > policy.maxAttempts) throw new ContactsLookupIncompleteError(request.Keys.length, policy.maxAttempts);
        if (attempt > 1) await policy.sleep(backoffDelay(attempt - 1, policy));
        const response: BatchGetItemCommandOutput = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: request } }));
        for (const item of response.Responses?.[tableName] ?? []) {
          const contact = unmarshall(item as Record<string, AttributeValue>);
          if (typeof contact.id === 'string') found.set(contact.id, contact);
        }
        request = response.UnprocessedKeys?.[tableName];
      }
    }),
  );
  return found;
}
