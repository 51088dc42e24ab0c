import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  BATCH_GET_MAX_KEYS,
  ContactsLookupIncompleteError,
  backoffDelay,
  batchGetContacts,
  type RetryPolicy,
} from '../../../../services/enrichment/adapters/contacts-batch-get';

const TABLE = 'contacts';
const dynamodb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'eu-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

function recordingPolicy(): RetryPolicy & { delays: number[] } {
  const delays: number[] = [];
  return { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250, random: () => 0.5, sleep: async (ms) => void delays.push(ms), delays };
}

beforeEach(() => dynamodb.reset());

describe('batchGetContacts', () => {
  it('splits more than 100 keys into chunks of at most 100', async () => {
    const keys = Array.from({ length: 250 }, (_, i) => `p${i}@example.com`);
    dynamodb.on(BatchGetItemCommand).callsFake((input: { RequestItems: Record<string, { Keys: { id: { S: string } }[] }> }) => ({
      Responses: { [TABLE]: input.RequestItems[TABLE]!.Keys.map(({ id }) => marshall({ id: id.S, preferredMethod: 'email' })) },
    }));

    const found = await batchGetContacts(client, TABLE, keys, recordingPolicy());

    expect(found.size).toBe(250);
    const sizes = dynamodb.commandCalls(BatchGetItemCommand).map((call) => call.args[0].input.RequestItems![TABLE]!.Keys!.length);
    expect(sizes.sort((a, b) => b - a)).toEqual([BATCH_GET_MAX_KEYS, BATCH_GET_MAX_KEYS, 50]);
  });

  it('backs off with jitter between retries of UnprocessedKeys', async () => {
    const policy = recordingPolicy();
    const unprocessed = { UnprocessedKeys: { [TABLE]: { Keys: [{ id: { S: 'a@example.com' } }] } } };
    dynamodb.on(BatchGetItemCommand).resolvesOnce(unprocessed).resolvesOnce(unprocessed).resolvesOnce({ Responses: { [TABLE]: [marshall({ id: 'a@example.com', preferredMethod: 'none' })] } });

    const found = await batchGetContacts(client, TABLE, ['a@example.com'], policy);

    expect(found.get('a@example.com')).toMatchObject({ preferredMethod: 'none' });
    expect(policy.delays).toEqual([50, 100]);
  });

  it('gives up after maxAttempts with a typed error naming what is left', async () => {
    const policy = recordingPolicy();
    dynamodb.on(BatchGetItemCommand).resolves({ UnprocessedKeys: { [TABLE]: { Keys: [{ id: { S: 'a@example.com' } }, { id: { S: 'b@example.com' } }] } } });

    const lookup = batchGetContacts(client, TABLE, ['a@example.com', 'b@example.com'], policy);

    await expect(lookup).rejects.toBeInstanceOf(ContactsLookupIncompleteError);
    await expect(lookup).rejects.toThrow('2 contact key(s) were still unprocessed after 4 BatchGetItem attempts');
    expect(dynamodb).toHaveReceivedCommandTimes(BatchGetItemCommand, 4);
  });

  it('bounds the exponential delay and spreads it with jitter', () => {
    const policy = { baseDelayMs: 50, maxDelayMs: 1000 };

    expect([1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffDelay(attempt, { ...policy, random: () => 0.999 }))).toEqual([49, 99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(0);
  });
});
