import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import { type RunningSqsEventSource, startSqsEventSource } from '../../../local/event-sources';
import { createFunctionHost, type FunctionHost } from '../../../local/lambda';
import type { FunctionSpec, SqsEventSourceMappingSpec } from '../../../local/topology/types';

const FIXTURES = path.resolve(__dirname, '../../fixtures/cdk-apps/functions');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

const consumer: FunctionSpec = {
  id: 'Test/Consumer',
  functionName: 'test-sqs-consumer',
  arn: 'arn:aws:lambda:eu-west-2:000000000000:function:test-sqs-consumer',
  codeDirectory: FIXTURES,
  handler: 'sqs.handler',
  runtime: 'nodejs22.x',
  architecture: 'arm64',
  timeoutSeconds: 10,
  memorySizeMb: 128,
  environment: {},
};

interface Seen {
  seen: string;
  receiveCount: string;
  eventSource: string;
  attribute?: string;
}

async function pollUntil<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('SQS event source on fauxqs with the function host', () => {
  let fauxqs: RunningFauxqs;
  let sqs: SQSClient;
  let host: FunctionHost;
  const seen: Seen[] = [];
  const sources: RunningSqsEventSource[] = [];

  beforeAll(async () => {
    fauxqs = await startFauxqs();
    sqs = new SQSClient({ endpoint: fauxqs.endpoint, region: 'eu-west-2', credentials });
    host = createFunctionHost({
      functions: [consumer],
      onLog: (_id, line) => {
        if (line.startsWith('{"seen"')) seen.push(JSON.parse(line) as Seen);
      },
    });
  });

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.stop()));
  });

  afterAll(async () => {
    await host?.stop();
    sqs?.destroy();
    await fauxqs?.stop();
  });

  async function createQueue(attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `q-${randomUUID()}`, Attributes: attributes }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { url: QueueUrl as string, arn: Attributes?.QueueArn as string };
  }

  async function counts(url: string): Promise<{ visible: number; inFlight: number }> {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return { visible: Number(Attributes?.ApproximateNumberOfMessages), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible) };
  }

  function start(queue: { url: string; arn: string }, overrides: Partial<SqsEventSourceMappingSpec> = {}): RunningSqsEventSource {
    const source = startSqsEventSource({
      mapping: { id: 'Test/Mapping', functionId: consumer.id, queueId: 'Test/Queue', batchSize: 10, maximumBatchingWindowInSeconds: 0, reportBatchItemFailures: true, maximumConcurrency: 2, enabled: true, ...overrides },
      queueUrl: queue.url,
      queueArn: queue.arn,
      sqs,
      waitTimeSeconds: 1,
      invoke: (event) => host.invoke(consumer.id, event),
    });
    sources.push(source);
    return source;
  }

  it('invokes the function with real SQS records and deletes the messages it processed', async () => {
    const queue = await createQueue();
    const ids: string[] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify({ id }), MessageAttributes: { kind: { DataType: 'String', StringValue: 'booking' } } }));
    }

    const source = start(queue);
    await pollUntil(() => (source.stats().deletedMessages === 3 ? true : undefined), 'three deletes');

    expect(seen.filter((entry) => ids.includes(entry.seen)).map((entry) => [entry.eventSource, entry.attribute, entry.receiveCount])).toEqual(
      ids.map(() => ['aws:sqs', 'booking', '1']),
    );
    expect(await counts(queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('leaves a reported failure on the queue, which is redelivered while the others are deleted', async () => {
    const queue = await createQueue({ VisibilityTimeout: '1' });
    const good = randomUUID();
    const bad = randomUUID();
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify({ id: good }) }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify({ id: bad, fail: true }) }));

    const source = start(queue);
    const redelivered = await pollUntil(() => seen.find((entry) => entry.seen === bad && entry.receiveCount === '2'), 'the failed message to come back');

    expect(redelivered).toBeDefined();
    expect(seen.filter((entry) => entry.seen === good)).toHaveLength(1);
    expect(source.stats().partialFailures).toBeGreaterThanOrEqual(2);
  });

  it('lets the queue redrive a message that keeps failing to its DLQ after maxReceiveCount', async () => {
    const dlq = await createQueue();
    const queue = await createQueue({ VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    const poison = randomUUID();
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify({ id: poison, fail: true }) }));

    start(queue);
    const deadLettered = await pollUntil(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 1 }));
      return Messages?.find((message) => message.Body?.includes(poison));
    }, 'the poison message in the DLQ');

    expect(JSON.parse(deadLettered.Body as string)).toEqual({ id: poison, fail: true });
    expect(seen.filter((entry) => entry.seen === poison).map((entry) => entry.receiveCount)).toEqual(['1', '2']);
  });
});
