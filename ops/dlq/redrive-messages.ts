import {
  DeleteMessageBatchCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DlqToolError, type DeadLetterQueue } from './dead-letter-queue';

export interface RedriveResult {
  /** `move-task`: SQS's own StartMessageMoveTask; `copy`: receive, send to the source, then delete. */
  method: 'move-task' | 'copy';
  moved: number;
  /** Messages that could not be sent back; they are still in the dead-letter queue. */
  failed: number;
  /** Sent back but not deleted from the dead-letter queue: they will be moved again on the next run. */
  notDeleted: number;
  taskHandle?: string;
  /** The move task had not finished when we stopped following it. */
  stillRunning?: boolean;
}

export interface RedriveOptions {
  /** Prefer SQS's StartMessageMoveTask; fall back to copying when the endpoint does not offer it. */
  preferMoveTask?: boolean;
  /** Upper bound on messages moved in one run (copy method). */
  max?: number;
  /** How long the copy method hides a message it is moving. */
  holdSeconds?: number;
  /** How long to follow a move task before reporting it as still running. */
  moveTaskWaitMs?: number;
}

/**
 * Moves dead-lettered messages back to the queue they came from.
 *
 * With SQS's StartMessageMoveTask, SQS moves them itself. Where the endpoint does not offer it
 * (the local emulator), each message is received, sent to the source queue with its body and
 * attributes, and deleted from the dead-letter queue only once the send succeeded: a failure can
 * leave a copy in both queues (at-least-once, which the idempotent notifier absorbs), never in none.
 */
export async function redriveMessages(sqs: SQSClient, dlq: DeadLetterQueue, options: RedriveOptions = {}): Promise<RedriveResult> {
  if (dlq.kind !== 'sqs-redrive' || !dlq.source) {
    throw new DlqToolError(
      'RedriveNotPossible',
      `${dlq.label}: this dead-letter queue holds the metadata of stream batches the pipe could not deliver, not the records; ` +
        'there is no queue to move them back to. Fix the cause, then replay them from the stream with `npm run dlq -- replay` (within its 24 h retention).',
    );
  }
  if (options.preferMoveTask ?? true) {
    const task = await startMoveTask(sqs, dlq, options.moveTaskWaitMs ?? 60_000);
    if (task) return task;
  }
  return copyMessages(sqs, dlq.queue.url, dlq.source.url, options);
}

async function startMoveTask(sqs: SQSClient, dlq: DeadLetterQueue, waitMs: number): Promise<RedriveResult | undefined> {
  let taskHandle: string | undefined;
  try {
    const started = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.queue.arn, DestinationArn: dlq.source?.arn }));
    taskHandle = started.TaskHandle;
  } catch (error) {
    if (isUnsupported(error)) return undefined;
    throw error;
  }
  // The task runs inside SQS; follow it until it ends (or the wait runs out) to report its counts.
  const deadline = Date.now() + waitMs;
  for (;;) {
    const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.queue.arn, MaxResults: 1 }));
    const task = tasks.Results?.[0];
    const done = task?.Status === 'COMPLETED' || task?.Status === 'FAILED' || task?.Status === 'CANCELLED';
    if (done || Date.now() >= deadline) {
      if (task?.Status === 'FAILED') {
        throw new DlqToolError('RedriveFailed', `SQS move task ${taskHandle ?? ''} failed: ${task.FailureReason ?? 'no reason given'}`);
      }
      return {
        method: 'move-task',
        moved: task?.ApproximateNumberOfMessagesMoved ?? 0,
        failed: 0,
        notDeleted: 0,
        ...(done ? {} : { stillRunning: true }),
        ...(taskHandle ? { taskHandle } : {}),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function isUnsupported(error: unknown): boolean {
  const name = (error as { name?: string; Code?: string }).name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  return /Unsupported|UnknownOperation|InvalidAction|NotImplemented|not supported|unknown action/i.test(`${name} ${message}`);
}

async function copyMessages(sqs: SQSClient, dlqUrl: string, sourceUrl: string, options: RedriveOptions): Promise<RedriveResult> {
  const result: RedriveResult = { method: 'copy', moved: 0, failed: 0, notDeleted: 0 };
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const seen = new Set<string>();
  while (result.moved + result.failed < max) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - result.moved - result.failed),
        VisibilityTimeout: options.holdSeconds ?? 60,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    // A message that failed to send stays hidden for the hold; seeing it again means the queue is done.
    const messages = (received.Messages ?? []).filter((message) => message.MessageId && !seen.has(message.MessageId));
    if (messages.length === 0) break;
    messages.forEach((message) => seen.add(message.MessageId as string));

    const entries = messages.map((message, index) => ({
      Id: `m${index}`,
      MessageBody: message.Body ?? '',
      ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0
        ? { MessageAttributes: message.MessageAttributes as Record<string, MessageAttributeValue> }
        : {}),
    }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: sourceUrl, Entries: entries }));
    const sentIds = new Set((sent.Successful ?? []).map((entry) => entry.Id));
    result.failed += entries.length - sentIds.size;

    const toDelete = messages
      .map((message, index) => ({ Id: `m${index}`, ReceiptHandle: message.ReceiptHandle as string }))
      .filter((entry) => sentIds.has(entry.Id));
    if (toDelete.length === 0) continue;
    const deleted = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: toDelete }));
    const notDeleted = deleted.Failed?.length ?? 0;
    result.notDeleted += notDeleted;
    result.moved += toDelete.length;
  }
  if (result.failed > 0 && result.moved === 0) {
    throw new DlqToolError('RedriveFailed', `none of ${result.failed} message(s) could be sent back to ${sourceUrl}; they are still in ${dlqUrl}`);
  }
  return result;
}
