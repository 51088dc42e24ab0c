import type { SQSClient } from '@aws-sdk/client-sqs';
import { buildDeadLetterMessage, sendDeadLetterMessage, type DeadLetterCondition } from './dead-letter';
import { summarizeError } from './error-summary';
import { batchEventBase, type BatchOfRecords, type ErrorSummary, type PipeRunnerEvent } from './pipe-runner-events';

export interface DeadLetteringOptions {
  pipeName: string;
  pipeArn: string;
  streamArn: string;
  /** Undefined when the pipe has no dead-letter queue. */
  deadLetterQueueUrl: string | undefined;
  sqs: SQSClient;
  now(): number;
  stopping(): boolean;
  /** Resolves when the next send to an unreachable DLQ may be tried (or at once on stop). */
  waitBeforeRetry(failures: number): Promise<void>;
  emit(event: PipeRunnerEvent): void;
  counters: { batchesDeadLettered: number; batchesDiscarded: number };
}

/**
 * Retries are exhausted or the records too old: the batch's metadata goes to the DLQ so the
 * checkpoint may move past it and nothing else waits behind it. Without a DLQ the records are
 * dropped, loudly. A DLQ that cannot be reached is retried until it answers: 'settled' is only
 * returned once the batch is dead-lettered or dropped, so the checkpoint never passes records that
 * are neither delivered nor dead-lettered. 'abandoned' means the runner stopped first.
 */
export async function giveUpOnBatch(
  options: DeadLetteringOptions,
  batch: BatchOfRecords,
  condition: DeadLetterCondition,
  error: ErrorSummary | undefined,
): Promise<'settled' | 'abandoned'> {
  const { records } = batch;
  const base = batchEventBase(options.pipeName, batch);
  if (options.deadLetterQueueUrl === undefined) {
    options.counters.batchesDiscarded += 1;
    options.emit({
      type: 'batch-discarded',
      condition,
      ...(error ? { error } : {}),
      warning: `pipe ${options.pipeName} has no dead-letter queue: ${records.length} record(s) of shard ${batch.shardId} (${records[0].sequenceNumber}..${records[records.length - 1].sequenceNumber}) are dropped after ${condition}`,
      ...base,
    });
    return 'settled';
  }
  const message = buildDeadLetterMessage({ pipeArn: options.pipeArn, condition, streamArn: options.streamArn, records: [...records], now: new Date(options.now()) });
  let failures = 0;
  for (;;) {
    if (options.stopping()) return 'abandoned';
    try {
      const messageId = await sendDeadLetterMessage(options.sqs, options.deadLetterQueueUrl, message);
      options.counters.batchesDeadLettered += 1;
      options.emit({ type: 'batch-dead-lettered', condition, message, messageId, ...(error ? { error } : {}), ...base });
      return 'settled';
    } catch (sendError) {
      failures += 1;
      options.emit({ type: 'dead-letter-failed', error: summarizeError(sendError), ...base });
      await options.waitBeforeRetry(failures);
    }
  }
}
