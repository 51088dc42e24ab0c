import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime/local-runtime';
import { writeRuntimeState } from '../../local/runtime/runtime-state';
import { peekMessages } from '../../ops/dlq/peek-messages';
import { replayPipeDeadLetters } from '../../ops/dlq/pipe-replay';
import { resolveLocalReplay } from '../../ops/dlq/resolve-replay';
import { devAssembly, eventually, futureDateTime, notificationsTableName, postJson, removeDirectory } from './e2e-support';
import { putContactAsStaff } from './identity-support';

/**
 * A booking the pipe dead-lettered because its enrichment kept failing (every enrichment
 * invocation fails here) is replayed from the pipe DLQ's stream range: the tool resolves the pipe
 * from the runtime's state file, the notifier e-mails it once, and a second replay of the same
 * range sends nothing more.
 */
describe('local runtime: replaying the pipe DLQ', () => {
  let runtime: LocalRuntime;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipe-replay-e2e-'));
    runtime = await startLocalRuntime({
      assemblyDir: await devAssembly(),
      pipe: { pollIntervalMs: 100, retryBaseDelayMs: 20, retryMaxDelayMs: 100 },
      sqsWaitTimeSeconds: 1,
      faults: { enrichmentErrorRate: 1, sesErrorRate: 0, snsErrorRate: 0, notifierCrashRate: 0, seed: 7 },
    });
  }, 120_000);

  afterAll(async () => {
    await runtime?.stop();
    removeDirectory(dir);
  });

  it('sends a dead-lettered booking to the notifier once, however often it is replayed', async () => {
    const email = `replay.${randomUUID().slice(0, 8)}@example.com`;
    const contact = await putContactAsStaff(runtime, email, { preferredMethod: 'email' });
    expect(contact.status).toBe(200);
    const booked = await postJson(new URL('appointments', runtime.apiUrl), {
      patientName: 'Grace Hopper',
      email,
      dentist: 'Dr. Lee Jones',
      appointmentDateTime: futureDateTime(),
    });
    expect(booked.status).toBe(201);
    const id = booked.body.id as string;

    const stateFile = join(dir, 'runtime.json');
    await writeRuntimeState(stateFile, runtime.state());
    const setup = await resolveLocalReplay(stateFile);
    expect(setup.targets).toHaveLength(1);
    const [target] = setup.targets;
    const dlqBody = await eventually('the pipe to dead-letter the booking', async () => {
      const [message] = await peekMessages(runtime.clients.sqs, target.deadLetterQueue.url, { max: 1, holdSeconds: 1 });
      return message?.body;
    }, 60_000);

    const streams = new DynamoDBStreamsClient({ region: setup.region, endpoint: setup.endpoints?.dynamodb, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const clients = { sqs: runtime.clients.sqs, dynamodb: runtime.clients.dynamodb, streams };
    try {
      const [first] = await replayPipeDeadLetters(clients, target);
      expect(first).toMatchObject({ status: 'replayed', replayed: [{ appointmentId: id, preferredMethod: 'email' }] });

      // The booking's notification row (change-1) in the notifications table.
      const row = await eventually('the replayed booking to be notified', async () => {
        const { Item } = await runtime.clients.dynamodb.send(
          new GetItemCommand({ TableName: notificationsTableName(runtime), Key: { appointmentId: { S: id }, notificationId: { S: 'change-1' } }, ConsistentRead: true }),
        );
        const found = Item ? unmarshall(Item) : undefined;
        return found?.status === 'sent' ? found : undefined;
      }, 30_000);
      expect(row.channel).toBe('email');
      expect((await runtime.emulators.ses.listEmails()).filter((mail) => mail.to.includes(email))).toHaveLength(1);

      // The same range dead-lettered again (as a second, overlapping DLQ message would be).
      await runtime.clients.sqs.send(new SendMessageCommand({ QueueUrl: target.deadLetterQueue.url, MessageBody: dlqBody }));
      const [second] = await replayPipeDeadLetters(clients, target);
      expect(second).toMatchObject({ status: 'replayed', replayed: [], skipped: [{ appointmentId: id, reason: expect.stringContaining('sent') }] });
      const left = await runtime.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: target.deadLetterQueue.url, VisibilityTimeout: 0 }));
      expect(left.Messages ?? []).toHaveLength(0);
      await runtime.idle();
      expect((await runtime.emulators.ses.listEmails()).filter((mail) => mail.to.includes(email))).toHaveLength(1);
    } finally {
      streams.destroy();
    }
  }, 120_000);
});
