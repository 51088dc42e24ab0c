/**
 * `npm run dlq -- list|redrive|replay`: what is dead-lettered, why, and moving it back.
 * Run with --help for usage. Works on the local runtime started by `npm start`, or with
 * --env <stage> on a deployed environment (credentials from the usual AWS chain).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseArgs } from 'node:util';
import { DEFAULT_RUNTIME_STATE_FILE } from '../local/runtime/runtime-state';
import { DlqToolError, type DeadLetterQueue, type DeadLetterQueueSet } from './dlq/dead-letter-queue';
import { describeDeadLetter, type DeadLetterSummary } from './dlq/describe-message';
import { causeFromRows, notificationRows } from './dlq/notification-cause';
import { peekMessages } from './dlq/peek-messages';
import { replayPipeDeadLetters, type ReplayOutcome } from './dlq/pipe-replay';
import { redriveMessages } from './dlq/redrive-messages';
import { resolveDeployedQueues, resolveLocalQueues } from './dlq/resolve-queues';
import { resolveDeployedReplay, resolveLocalReplay, type ReplaySetup } from './dlq/resolve-replay';

const USAGE = `Usage: npm run dlq -- <list|redrive|replay> [options]

  list      Show dead-lettered messages of every dead-letter queue, with the booking and the cause.
  redrive   Move the notifications DLQ's messages back to the notifications queue, and print counts.
            (The pipe's DLQ holds batch metadata, not bookings: it is replayed, not redriven.)
  replay    For each pipe DLQ message, read its records back from the stream (only within the
            stream's 24 h retention), apply the pipe's filter, enrich them and send them to the
            pipe's target queue; delete the DLQ message only after that succeeded. Bookings no
            longer pending are skipped; the notifier's idempotency prevents a second send.

Options:
  --queue <label>       Only this dead-letter queue (labels are printed by list).
  --max <n>             At most n messages per queue (default: 100 for list, all for redrive).
  --env <stage>         A deployed environment (dev|staging|prod) instead of the local runtime.
  --region <region>     AWS region of the deployed environment (default: from the AWS config).
  --runtime-file <f>    State file of the local runtime (default: .local-data/runtime.json).
  --dry-run             replay: list what would be replayed; send and delete nothing.
  --json                Machine-readable output.
  -h, --help            This help.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        queue: { type: 'string' },
        max: { type: 'string' },
        env: { type: 'string' },
        region: { type: 'string' },
        'runtime-file': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const command = positionals[0];
  if (command !== 'list' && command !== 'redrive' && command !== 'replay') return usageError(command ? `unknown command "${command}"` : 'a command is required');
  if (positionals.length > 1) return usageError(`unexpected argument "${positionals[1]}"`);
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) return usageError(`--max needs a whole number ≥ 1, got "${values.max}"`);
  if (values['dry-run'] && command !== 'replay') return usageError('--dry-run applies to replay only');

  if (command === 'replay') {
    const setup = values.env ? await resolveDeployedReplay(values.env, values.region) : await resolveLocalReplay(values['runtime-file'] ?? DEFAULT_RUNTIME_STATE_FILE);
    return replay(setup, { label: values.queue, max, dryRun: values['dry-run'], json: values.json });
  }

  const set = values.env
    ? await resolveDeployedQueues(values.env, values.region)
    : await resolveLocalQueues(values['runtime-file'] ?? DEFAULT_RUNTIME_STATE_FILE);
  const queues = selectQueues(set, values.queue);
  // The local emulator takes any credentials; real ones must never be sent to it.
  const sqs = new SQSClient({
    region: set.region,
    ...(set.sqsEndpoint ? { endpoint: set.sqsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });

  if (command === 'list') {
    const dynamodb = set.notificationsTable
      ? new DynamoDBClient({
          region: set.region,
          ...(set.notificationsTable.dynamodbEndpoint ? { endpoint: set.notificationsTable.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
        })
      : undefined;
    const report = [];
    for (const dlq of queues) {
      const messages = await peekMessages(sqs, dlq.queue.url, { max: max ?? 100 });
      const summaries = await Promise.all(messages.map((message) => withNotificationCause(dynamodb, set, describeDeadLetter(dlq, message))));
      report.push({ queue: dlq.label, kind: dlq.kind, url: dlq.queue.url, count: summaries.length, messages: summaries });
    }
    dynamodb?.destroy();
    if (values.json) console.log(JSON.stringify({ environment: set.environment, queues: report }, null, 2));
    else printList(set, report);
    return 0;
  }

  let total = 0;
  for (const dlq of queues) {
    if (dlq.kind !== 'sqs-redrive') {
      if (values.queue) await redriveMessages(sqs, dlq); // throws the explanation
      console.log(`${dlq.label}: skipped (a pipe DLQ holds batch metadata; \`npm run dlq -- replay\` delivers its records)`);
      continue;
    }
    const result = await redriveMessages(sqs, dlq, { ...(max !== undefined ? { max } : {}) });
    total += result.moved;
    const extra = [
      result.failed > 0 ? `${result.failed} could not be sent and stay in the DLQ` : '',
      result.notDeleted > 0 ? `${result.notDeleted} were sent but not deleted and will be offered again` : '',
      result.stillRunning ? 'the SQS move task is still running' : '',
    ].filter(Boolean);
    const line = `${dlq.label}: moved ${result.moved} message(s) back to ${dlq.source?.url} (${result.method})`;
    console.log(values.json ? JSON.stringify({ queue: dlq.label, ...result }) : [line, ...extra].join('; '));
  }
  if (!values.json) console.log(`redrive done: ${total} message(s) moved in ${set.environment}`);
  return 0;
}

async function replay(setup: ReplaySetup, options: { label: string | undefined; max: number | undefined; dryRun: boolean; json: boolean }): Promise<number> {
  const targets = options.label ? setup.targets.filter((target) => target.label === options.label) : setup.targets;
  if (targets.length === 0) {
    throw new DlqToolError('QueueNotFound', `no pipe dead-letter queue "${options.label}" in ${setup.environment}; known: ${setup.targets.map((t) => t.label).join(', ')}`);
  }
  const local = setup.endpoints ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
  const clients = {
    sqs: new SQSClient({ region: setup.region, ...local, ...(setup.endpoints ? { endpoint: setup.endpoints.sqs } : {}) }),
    dynamodb: new DynamoDBClient({ region: setup.region, ...local, ...(setup.endpoints ? { endpoint: setup.endpoints.dynamodb } : {}) }),
    streams: new DynamoDBStreamsClient({ region: setup.region, ...local, ...(setup.endpoints ? { endpoint: setup.endpoints.dynamodb } : {}) }),
  };
  let failed = 0;
  let replayed = 0;
  try {
    for (const target of targets) {
      const outcomes = await replayPipeDeadLetters(clients, target, { dryRun: options.dryRun, ...(options.max !== undefined ? { max: options.max } : {}) });
      failed += outcomes.filter((outcome) => outcome.status === 'failed').length;
      replayed += outcomes.reduce((sum, outcome) => sum + (outcome.status === 'failed' ? 0 : outcome.replayed.length), 0);
      if (options.json) console.log(JSON.stringify({ queue: target.label, dryRun: options.dryRun, outcomes }, null, 2));
      else printReplay(target.label, outcomes);
    }
  } finally {
    Object.values(clients).forEach((client) => client.destroy());
  }
  if (!options.json) {
    const verb = options.dryRun ? 'would replay' : 'replayed';
    console.log(`replay ${options.dryRun ? '(dry run) ' : ''}done: ${verb} ${replayed} booking(s) in ${setup.environment}; ${failed} DLQ message(s) kept because they failed`);
  }
  return failed > 0 ? 1 : 0;
}

function printReplay(label: string, outcomes: ReplayOutcome[]): void {
  console.log(`${label}: ${outcomes.length} dead-letter message(s)`);
  for (const outcome of outcomes) {
    const range = outcome.shardId ? `shard ${outcome.shardId} ${outcome.startSequenceNumber}..${outcome.endSequenceNumber}` : 'no stream range';
    console.log(`  ${outcome.messageId}  ${range}  ${outcome.status}  records ${outcome.records}, filtered out ${outcome.filteredOut}`);
    for (const booking of outcome.replayed) console.log(`    ${outcome.status === 'replayed' ? 'sent' : outcome.status === 'failed' ? 'not sent' : 'would send'} booking ${booking.appointmentId} (${booking.preferredMethod})`);
    for (const booking of outcome.skipped) console.log(`    skipped booking ${booking.appointmentId}: ${booking.reason}`);
    if (outcome.error) console.log(`    kept in the DLQ: ${outcome.error.code}: ${outcome.error.message}`);
  }
}

function selectQueues(set: DeadLetterQueueSet, label: string | undefined): DeadLetterQueue[] {
  if (!label) return set.queues;
  const found = set.queues.filter((queue) => queue.label === label);
  if (found.length === 0) {
    throw new DlqToolError('QueueNotFound', `no dead-letter queue "${label}" in ${set.environment}; known: ${set.queues.map((q) => q.label).join(', ')}`);
  }
  return found;
}

/** Adds the notification's recorded failure (its row in the notifications table) to the cause. */
async function withNotificationCause(dynamodb: DynamoDBClient | undefined, set: DeadLetterQueueSet, summary: DeadLetterSummary): Promise<DeadLetterSummary> {
  if (!dynamodb || !set.notificationsTable || !summary.appointmentId) return summary;
  try {
    const rows = await notificationRows(dynamodb, set.notificationsTable.tableName, summary.appointmentId);
    const cause = causeFromRows(rows, summary.notificationId ? { notificationId: summary.notificationId } : undefined);
    return cause ? { ...summary, cause } : summary;
  } catch {
    return summary;
  }
}

function printList(set: DeadLetterQueueSet, report: { queue: string; kind: string; url: string; count: number; messages: DeadLetterSummary[] }[]): void {
  for (const queue of report) {
    console.log(`${queue.queue} (${queue.kind}) ${queue.url}: ${queue.count} message(s)`);
    for (const message of queue.messages) {
      const booking = message.appointmentId ? `booking ${message.appointmentId}` : 'no booking id';
      console.log(`  ${message.messageId}  ${booking}  sent ${message.sentAt ?? '?'}  receives ${message.receiveCount}\n    cause: ${message.cause}`);
    }
  }
  const total = report.reduce((sum, queue) => sum + queue.count, 0);
  console.log(`${total} dead-lettered message(s) in ${set.environment}`);
}

function usageError(message: string): number {
  console.error(`dlq: ${message}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`dlq: ${message}`);
    process.exitCode = 1;
  },
);
