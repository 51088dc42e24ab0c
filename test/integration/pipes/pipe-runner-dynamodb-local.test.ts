import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/emulators/dynamodb-local';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import { FileCheckpointStore } from '../../../local/pipes/checkpoint-store';
import { startPipeRunner, type PipeRunner } from '../../../local/pipes/pipe-runner';
import type { PipeRunnerEvent } from '../../../local/pipes/pipe-runner-events';
import type { PipeSpec } from '../../../local/topology/types';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'eu-west-2';
const TARGET_ID = 'Test/Notifications';
const DLQ_ID = 'Test/PipeDlq';

/** Polls `probe` until it returns a value, or fails after the deadline. */
async function pollUntil<T>(description: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('pipe runner on DynamoDB Local and fauxqs', () => {
  let dynamodbLocal: RunningDynamoDbLocal;
  let fauxqs: RunningFauxqs;
  let dynamodb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let sqs: SQSClient;
  let dataDir: string;
  const runners: PipeRunner[] = [];

  beforeAll(async () => {
    [dynamodbLocal, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs({ region })]);
    dynamodb = new DynamoDBClient({ endpoint: dynamodbLocal.endpoint, region, credentials });
    streams = new DynamoDBStreamsClient({ endpoint: dynamodbLocal.endpoint, region, credentials });
    sqs = new SQSClient({ endpoint: fauxqs.endpoint, region, credentials });
    dataDir = await mkdtemp(join(tmpdir(), 'pipe-runner-'));
  }, 120_000);

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  });

  afterAll(async () => {
    dynamodb?.destroy();
    streams?.destroy();
    sqs?.destroy();
    await Promise.allSettled([dynamodbLocal?.stop(), fauxqs?.stop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function createTableWithStream(): Promise<{ tableName: string; streamArn: string }> {
    const tableName = `appointments-${randomUUID()}`;
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn) throw new Error('DynamoDB Local created the table without a stream');
    return { tableName, streamArn: Table.LatestStreamArn };
  }

  async function createQueues(): Promise<Record<string, string>> {
    const suffix = randomUUID().slice(0, 8);
    const target = await sqs.send(new CreateQueueCommand({ QueueName: `notifications-${suffix}` }));
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `pipe-dlq-${suffix}` }));
    return { [TARGET_ID]: target.QueueUrl as string, [DLQ_ID]: dlq.QueueUrl as string };
  }

  function pipe(overrides: Partial<PipeSpec> = {}): PipeSpec {
    return {
      id: 'Test/AppointmentPipe',
      name: `appointment-pipe-${randomUUID().slice(0, 8)}`,
      desiredState: 'RUNNING',
      source: {
        kind: 'dynamodb-stream',
        tableId: 'Test/Appointments',
        startingPosition: 'TRIM_HORIZON',
        batchSize: 10,
        maximumBatchingWindowInSeconds: 0,
        maximumRetryAttempts: 2,
        maximumRecordAgeInSeconds: -1,
        onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
        parallelizationFactor: 1,
        deadLetterQueueId: DLQ_ID,
      },
      filterPatterns: [JSON.stringify({ eventName: ['INSERT'] })],
      enrichmentFunctionId: 'Test/Enrichment',
      target: { kind: 'sqs', queueId: TARGET_ID },
      ...overrides,
    };
  }

  async function receiveAll(queueUrl: string, expected: number): Promise<string[]> {
    const bodies: string[] = [];
    await pollUntil(`${expected} messages on ${queueUrl}`, async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      bodies.push(...(Messages ?? []).map((m) => m.Body ?? ''));
      return bodies.length >= expected ? true : undefined;
    });
    return bodies;
  }

  async function queueDepth(queueUrl: string): Promise<number> {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  }

  const putAppointment = (tableName: string, id: string, patientName: string) =>
    dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: id }, patientName: { S: patientName }, notificationStatus: { S: 'pending' } } }));

  it('sends INSERT records through the enrichment to the queue in order and filters out the MODIFY', async () => {
    const { tableName, streamArn } = await createTableWithStream();
    const queues = await createQueues();
    const events: PipeRunnerEvent[] = [];
    const enrichmentPayloads: unknown[] = [];
    const ids = Array.from({ length: 5 }, (_, i) => `booking-${i}-${randomUUID()}`);
    for (const [i, id] of ids.entries()) await putAppointment(tableName, id, `Patient ${i}`);
    // The notifier's status update: a MODIFY the INSERT-only filter must drop.
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { id: { S: ids[0] } },
        UpdateExpression: 'SET notificationStatus = :sent',
        ExpressionAttributeValues: { ':sent': { S: 'sent' } },
      }),
    );

    const runner = startPipeRunner({
      pipe: pipe(),
      streamArn,
      streams,
      sqs,
      queueUrl: (id) => queues[id],
      queueArn: (id) => `arn:aws:sqs:${region}:000000000000:${id}`,
      invokeEnrichment: (payload) => {
        enrichmentPayloads.push(payload);
        const records = payload as Array<{ dynamodb: { NewImage: Record<string, { S: string }> } }>;
        return Promise.resolve(records.map((r) => ({ id: r.dynamodb.NewImage.id.S, patientName: r.dynamodb.NewImage.patientName.S, preferredMethod: 'email' })));
      },
      pollIntervalMs: 50,
      retryBackoff: { baseMs: 10, maxMs: 50 },
      onEvent: (event) => events.push(event),
    });
    runners.push(runner);
    await runner.idle();

    const bodies = await receiveAll(queues[TARGET_ID], 5);
    expect(bodies.map((b) => (JSON.parse(b) as { id: string }).id)).toEqual(ids);
    expect(JSON.parse(bodies[0])).toEqual({ id: ids[0], patientName: 'Patient 0', preferredMethod: 'email' });
    expect(enrichmentPayloads.every(Array.isArray)).toBe(true);
    const filteredOut = events.filter((e): e is Extract<PipeRunnerEvent, { type: 'record-filtered-out' }> => e.type === 'record-filtered-out');
    expect(filteredOut.map((e) => [e.record.eventName, e.record.keys.id])).toEqual([['MODIFY', { S: ids[0] }]]);
    expect(await queueDepth(queues[DLQ_ID])).toBe(0);
  }, 60_000);

  it('dead-letters a poison record with its shard and sequence number, delivers the rest, and resumes after its checkpoint on restart', async () => {
    const { tableName, streamArn } = await createTableWithStream();
    const queues = await createQueues();
    const checkpoints = new FileCheckpointStore({ dataDir, pipeName: `restart-${randomUUID()}` });
    const spec = pipe();
    const start = (): PipeRunner => {
      const runner = startPipeRunner({
        pipe: spec,
        streamArn,
        streams,
        sqs,
        queueUrl: (id) => queues[id],
        queueArn: (id) => `arn:aws:sqs:${region}:000000000000:${id}`,
        invokeEnrichment: (payload) => {
          const records = payload as Array<{ eventID: string; dynamodb: { NewImage: Record<string, { S: string }> } }>;
          const poison = records.find((r) => r.dynamodb.NewImage.patientName.S === 'poison');
          if (poison) return Promise.reject(Object.assign(new Error(`record ${poison.eventID} is not an appointment`), { errorType: 'ValidationError' }));
          return Promise.resolve(records.map((r) => ({ id: r.dynamodb.NewImage.id.S })));
        },
        pollIntervalMs: 50,
        retryBackoff: { baseMs: 10, maxMs: 50 },
        checkpoints,
      });
      runners.push(runner);
      return runner;
    };
    const good = [`good-1-${randomUUID()}`, `good-2-${randomUUID()}`];
    const poisonId = `poison-${randomUUID()}`;
    await putAppointment(tableName, good[0], 'Grace');
    await putAppointment(tableName, poisonId, 'poison');
    await putAppointment(tableName, good[1], 'Alan');

    const first = start();
    await first.idle();
    await first.stop();

    const delivered = await receiveAll(queues[TARGET_ID], 2);
    expect(delivered.map((b) => (JSON.parse(b) as { id: string }).id)).toEqual(good);
    const [dlqBody] = await receiveAll(queues[DLQ_ID], 1);
    const dlq = JSON.parse(dlqBody) as { context: { condition: string }; DDBStreamBatchInfo: { batchSize: number; streamArn: string; shardId: string } };
    expect(dlq.context.condition).toBe('RetryAttemptsExhausted');
    expect(dlq.DDBStreamBatchInfo).toMatchObject({ batchSize: 1, streamArn });
    expect(dlq.DDBStreamBatchInfo.shardId).toEqual(expect.any(String));

    const later = `later-${randomUUID()}`;
    await putAppointment(tableName, later, 'Ada');
    const second = start();
    await second.idle();

    const afterRestart = await receiveAll(queues[TARGET_ID], 1);
    expect(afterRestart.map((b) => (JSON.parse(b) as { id: string }).id)).toEqual([later]);
    expect(await queueDepth(queues[DLQ_ID])).toBe(0);
  }, 60_000);
});
