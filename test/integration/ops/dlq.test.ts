import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators';
import { writeRuntimeState } from '../../../local/runtime/runtime-state';
import type { DeadLetterQueue } from '../../../ops/dlq/dead-letter-queue';
import { peekMessages } from '../../../ops/dlq/peek-messages';
import { redriveMessages } from '../../../ops/dlq/redrive-messages';

const run = promisify(execFile);
const REGION = 'eu-west-2';

describe('dead-letter queue tool on fauxqs', () => {
  let fauxqs: RunningFauxqs;
  let sqs: SQSClient;
  let dir: string;

  beforeAll(async () => {
    fauxqs = await startFauxqs({ region: REGION });
    sqs = new SQSClient({ region: REGION, endpoint: fauxqs.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    dir = await mkdtemp(join(tmpdir(), 'dlq-tool-'));
  });

  afterAll(async () => {
    sqs.destroy();
    await fauxqs.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function queuePair(name: string): Promise<DeadLetterQueue> {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const dlqArn = fauxqs.queueArn(`${name}-dlq`);
    const source = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
      }),
    );
    return {
      label: 'notifications',
      kind: 'sqs-redrive',
      queue: { url: dlq.QueueUrl as string, arn: dlqArn },
      source: { url: source.QueueUrl as string, arn: fauxqs.queueArn(name) },
    };
  }

  /** Sends bodies to the source and receives them until SQS's redrive has moved them all to the DLQ. */
  async function deadLetter(dlq: DeadLetterQueue, bodies: string[]): Promise<void> {
    const sourceUrl = dlq.source?.url as string;
    for (let start = 0; start < bodies.length; start += 10) {
      const entries = bodies.slice(start, start + 10).map((body, i) => ({ Id: `e${i}`, MessageBody: body }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: sourceUrl, Entries: entries }));
    }
    const deadline = Date.now() + 10_000;
    while ((await count(dlq.queue.url)) < bodies.length) {
      if (Date.now() > deadline) throw new Error('messages did not reach the DLQ');
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: sourceUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    }
  }

  async function count(url: string): Promise<number> {
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }

  it('lists dead-lettered messages without removing them', async () => {
    const dlq = await queuePair('peek');
    await deadLetter(dlq, ['{"id":"a"}', '{"id":"b"}', '{"id":"c"}']);

    const first = await peekMessages(sqs, dlq.queue.url, { max: 10 });
    const second = await peekMessages(sqs, dlq.queue.url, { max: 10 });

    expect(first.map((m) => m.body).sort()).toEqual(['{"id":"a"}', '{"id":"b"}', '{"id":"c"}']);
    expect(second).toHaveLength(3);
  });

  it('moves every message back to the source exactly once (copy method where the move task is unsupported)', async () => {
    const dlq = await queuePair('redrive');
    const bodies = Array.from({ length: 23 }, (_, i) => JSON.stringify({ id: `booking-${i}` }));
    await deadLetter(dlq, bodies);

    const result = await redriveMessages(sqs, dlq);

    expect(result).toMatchObject({ method: 'copy', moved: 23, failed: 0, notDeleted: 0 });
    expect(await count(dlq.queue.url)).toBe(0);
    const back = await peekMessages(sqs, dlq.source?.url as string, { max: 50 });
    expect(back.map((m) => m.body).sort()).toEqual([...bodies].sort());
  });

  it('refuses to redrive a pipe DLQ, explaining why', async () => {
    const pipeDlq: DeadLetterQueue = { label: 'pipe', kind: 'pipe', queue: { url: 'http://x/000000000000/p', arn: 'arn:aws:sqs:eu-west-2:000000000000:p' } };

    await expect(redriveMessages(sqs, pipeDlq)).rejects.toMatchObject({ code: 'RedriveNotPossible' });
  });

  it('the CLI lists and redrives through the local runtime state file, and rejects bad usage', async () => {
    const dlq = await queuePair('cli');
    await deadLetter(dlq, ['{"id":"cli-1"}', 'not json']);
    const stateFile = join(dir, 'runtime.json');
    await writeRuntimeState(stateFile, {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      stage: 'dev',
      region: REGION,
      apiUrl: 'http://127.0.0.1:1/dev',
      emailViewerUrl: 'http://127.0.0.1:9/', // unused by the tool, but a runtime always writes one
      smsOutboxUrl: 'http://127.0.0.1:9/',
      endpoints: { dynamodb: 'http://127.0.0.1:9', sqs: fauxqs.endpoint, sesv2: 'http://127.0.0.1:9', sns: 'http://127.0.0.1:9' },
      deadLetterQueues: [dlq],
    });
    const cli = (args: string[]) => run('npx', ['tsx', 'ops/dlq.ts', ...args, '--runtime-file', stateFile], { cwd: process.cwd() });

    const listed = await cli(['list']);
    expect(listed.stdout).toContain('notifications (sqs-redrive)');
    expect(listed.stdout).toContain('booking cli-1');
    expect(listed.stdout).toContain('2 dead-lettered message(s) in local');

    const redriven = await cli(['redrive']);
    expect(redriven.stdout).toContain('moved 2 message(s)');
    expect(await count(dlq.queue.url)).toBe(0);

    await expect(cli(['purge'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "purge"') });
    await expect(cli(['list', '--queue', 'nope'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('known: notifications') });
  }, 60_000);
});
