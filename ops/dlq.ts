/**
 * `npm run dlq -- list|redrive`: what is dead-lettered, why, and moving it back.
 * Run with --help for usage. Works on the local runtime started by `npm start`, or with
 * --env <stage> on a deployed environment (credentials from the usual AWS chain).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseArgs } from 'node:util';
import { DEFAULT_RUNTIME_STATE_FILE } from '../local/runtime/runtime-state';
import { DlqToolError, type DeadLetterQueue, type DeadLetterQueueSet } from './dlq/dead-letter-queue';
import { describeDeadLetter, type DeadLetterSummary } from './dlq/describe-message';
import { peekMessages } from './dlq/peek-messages';
import { redriveMessages } from './dlq/redrive-messages';
import { resolveDeployedQueues, resolveLocalQueues } from './dlq/resolve-queues';

const USAGE = `Usage: npm run dlq -- <list|redrive> [options]

  list      Show dead-lettered messages of every dead-letter queue, with the booking and the cause.
  redrive   Move the notifications DLQ's messages back to the notifications queue, and print counts.
            (The pipe's DLQ holds batch metadata, not bookings: it can be listed, not redriven.)

Options:
  --queue <label>       Only this dead-letter queue (labels are printed by list).
  --max <n>             At most n messages per queue (default: 100 for list, all for redrive).
  --env <stage>         A deployed environment (dev|staging|prod) instead of the local runtime.
  --region <region>     AWS region of the deployed environment (default: from the AWS config).
  --runtime-file <f>    State file of the local runtime (default: .local-data/runtime.json).
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
  if (command !== 'list' && command !== 'redrive') return usageError(command ? `unknown command "${command}"` : 'a command is required');
  if (positionals.length > 1) return usageError(`unexpected argument "${positionals[1]}"`);
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) return usageError(`--max needs a whole number ≥ 1, got "${values.max}"`);

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
    const report = [];
    for (const dlq of queues) {
      const messages = await peekMessages(sqs, dlq.queue.url, { max: max ?? 100 });
      const summaries = await Promise.all(messages.map((message) => withBookingCause(set, describeDeadLetter(dlq, message))));
      report.push({ queue: dlq.label, kind: dlq.kind, url: dlq.queue.url, count: summaries.length, messages: summaries });
    }
    if (values.json) console.log(JSON.stringify({ environment: set.environment, queues: report }, null, 2));
    else printList(set, report);
    return 0;
  }

  let total = 0;
  for (const dlq of queues) {
    if (dlq.kind !== 'sqs-redrive') {
      if (values.queue) await redriveMessages(sqs, dlq); // throws the explanation
      console.log(`${dlq.label}: skipped (a pipe DLQ holds batch metadata; list it to see the affected bookings)`);
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

function selectQueues(set: DeadLetterQueueSet, label: string | undefined): DeadLetterQueue[] {
  if (!label) return set.queues;
  const found = set.queues.filter((queue) => queue.label === label);
  if (found.length === 0) {
    throw new DlqToolError('QueueNotFound', `no dead-letter queue "${label}" in ${set.environment}; known: ${set.queues.map((q) => q.label).join(', ')}`);
  }
  return found;
}

/** Adds the booking's recorded notification failure (from GET /appointments/{id}) to the cause. */
async function withBookingCause(set: DeadLetterQueueSet, summary: DeadLetterSummary): Promise<DeadLetterSummary> {
  if (!set.apiUrl || !summary.appointmentId) return summary;
  try {
    const response = await fetch(`${set.apiUrl.replace(/\/$/, '')}/appointments/${encodeURIComponent(summary.appointmentId)}`, {
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) return summary;
    const appointment = (await response.json()) as Record<string, unknown>;
    const failure = appointment.lastNotificationError as { message?: string; code?: string } | undefined;
    const status = typeof appointment.notificationStatus === 'string' ? appointment.notificationStatus : undefined;
    if (failure?.message) return { ...summary, cause: `${failure.code ? `${failure.code}: ` : ''}${failure.message}` };
    return status ? { ...summary, cause: `${summary.cause}; booking status ${status}` } : summary;
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
