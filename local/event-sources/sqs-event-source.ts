import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { InvokeResult } from '../lambda/function-host';
import type { SqsEventSourceMappingSpec } from '../topology/types';
import { type BatchOutcome, buildSqsEvent, evaluateBatchResult } from './sqs-event';

/** Batches in flight when the mapping sets no ScalingConfig.MaximumConcurrency (a laptop is not a Lambda fleet). */
export const DEFAULT_LOCAL_MAXIMUM_CONCURRENCY = 5;
/** SQS returns at most 10 messages per ReceiveMessage. */
export const SQS_MAX_MESSAGES_PER_RECEIVE = 10;
/** Lambda's synchronous invocation payload limit, which also bounds a batch. */
export const MAX_BATCH_PAYLOAD_BYTES = 6 * 1024 * 1024;
const LONG_POLL_SECONDS = 20;
const RECEIVE_ERROR_BACKOFF_MS = 1000;

export type SqsEventSourceEvent =
  | { type: 'batch'; mappingId: string; messageIds: string[] }
  | { type: 'outcome'; mappingId: string; messageIds: string[]; outcome: BatchOutcome; durationMs: number }
  | { type: 'delete-failed'; mappingId: string; messageId: string; code: string; message: string }
  | { type: 'error'; mappingId: string; stage: 'receive' | 'delete'; message: string };

export interface SqsEventSourceStats {
  enabled: boolean;
  receivedMessages: number;
  invocations: number;
  deletedMessages: number;
  /** Messages left for redelivery because their batch failed or the function reported them. */
  failedMessages: number;
  functionErrors: number;
  invalidResponses: number;
  partialFailures: number;
  deleteFailures: number;
  receiveErrors: number;
  inFlightBatches: number;
}

export interface StartSqsEventSourceOptions {
  mapping: SqsEventSourceMappingSpec;
  queueUrl: string;
  queueArn: string;
  sqs: SQSClient;
  /** Invokes the mapping's function with the SQS event. */
  invoke: (event: unknown) => Promise<InvokeResult>;
  onEvent?: (event: SqsEventSourceEvent) => void;
  /** Long-poll wait per ReceiveMessage; 20 s (the maximum) by default, as Lambda's pollers use. */
  waitTimeSeconds?: number;
}

export interface RunningSqsEventSource {
  /** Stops polling, aborts pending long polls and waits for batches in flight to finish. */
  stop(): Promise<void>;
  /** Resolves when no batch is being processed. */
  idle(): Promise<void>;
  stats(): SqsEventSourceStats;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/**
 * Lambda's SQS event source mapping, locally: pollers long-poll the queue, gather up to
 * `batchSize` messages within the batching window, invoke the function with the SQS event, then
 * delete what succeeded. Failed messages are left alone: they reappear after the visibility
 * timeout, and the queue's own redrive policy moves them to its DLQ after `maxReceiveCount`.
 */
export function startSqsEventSource(options: StartSqsEventSourceOptions): RunningSqsEventSource {
  const { mapping, sqs, queueUrl, queueArn } = options;
  // FIFO order holds only with one batch in flight at a time.
  const fifo = queueArn.endsWith('.fifo');
  const concurrency = fifo ? 1 : (mapping.maximumConcurrency ?? DEFAULT_LOCAL_MAXIMUM_CONCURRENCY);
  const waitTimeSeconds = options.waitTimeSeconds ?? LONG_POLL_SECONDS;
  const abort = new AbortController();
  const stats: SqsEventSourceStats = {
    enabled: mapping.enabled,
    receivedMessages: 0,
    invocations: 0,
    deletedMessages: 0,
    failedMessages: 0,
    functionErrors: 0,
    invalidResponses: 0,
    partialFailures: 0,
    deleteFailures: 0,
    receiveErrors: 0,
    inFlightBatches: 0,
  };
  let idleWaiters: Array<() => void> = [];
  const emit = (event: SqsEventSourceEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // An observer's failure must not stop the poller.
    }
  };

  const receive = async (maxMessages: number, waitSeconds: number): Promise<Message[]> => {
    const response = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(SQS_MAX_MESSAGES_PER_RECEIVE, maxMessages),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    return response.Messages ?? [];
  };

  /** One batch: the first long poll, then more receives until full, out of window or out of payload room. */
  const gatherBatch = async (): Promise<Message[]> => {
    const batch = await receive(mapping.batchSize, waitTimeSeconds);
    if (batch.length === 0) return batch;
    const deadline = Date.now() + mapping.maximumBatchingWindowInSeconds * 1000;
    let bytes = batch.reduce((total, message) => total + Buffer.byteLength(message.Body ?? ''), 0);
    while (batch.length < mapping.batchSize && !abort.signal.aborted && bytes < MAX_BATCH_PAYLOAD_BYTES - 256 * 1024) {
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) break;
      const more = await receive(mapping.batchSize - batch.length, Math.min(waitTimeSeconds, Math.max(0, Math.floor(remainingMs / 1000))));
      if (more.length === 0 && remainingMs < 1000) break;
      batch.push(...more);
      bytes += more.reduce((total, message) => total + Buffer.byteLength(message.Body ?? ''), 0);
    }
    return batch;
  };

  const deleteMessages = async (messages: Message[]): Promise<void> => {
    for (let start = 0; start < messages.length; start += 10) {
      const chunk = messages.slice(start, start + 10);
      try {
        const response = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle as string })),
          }),
        );
        stats.deletedMessages += response.Successful?.length ?? 0;
        for (const failure of response.Failed ?? []) {
          stats.deleteFailures += 1;
          const message = chunk[Number(failure.Id)];
          emit({ type: 'delete-failed', mappingId: mapping.id, messageId: message?.MessageId ?? `#${failure.Id}`, code: failure.Code ?? 'Unknown', message: failure.Message ?? '' });
        }
      } catch (error) {
        // Undeleted messages come back after the visibility timeout: at-least-once, as in Lambda.
        stats.deleteFailures += chunk.length;
        emit({ type: 'error', mappingId: mapping.id, stage: 'delete', message: (error as Error).message });
      }
    }
  };

  const processBatch = async (batch: Message[]): Promise<void> => {
    const messageIds = batch.map((message) => message.MessageId as string);
    emit({ type: 'batch', mappingId: mapping.id, messageIds });
    const startedAt = Date.now();
    stats.invocations += 1;
    let result: InvokeResult;
    try {
      result = await options.invoke(buildSqsEvent(batch, queueArn));
    } catch (error) {
      result = { ok: false, requestId: '', errorType: (error as Error).name || 'Error', errorMessage: (error as Error).message, durationMs: 0, coldStart: false, phase: 'invoke' };
    }
    const outcome = evaluateBatchResult(messageIds, result, mapping.reportBatchItemFailures);
    emit({ type: 'outcome', mappingId: mapping.id, messageIds, outcome, durationMs: Date.now() - startedAt });
    switch (outcome.kind) {
      case 'failure':
        if (result.ok) stats.invalidResponses += 1;
        else stats.functionErrors += 1;
        stats.failedMessages += batch.length;
        return;
      case 'partial':
        stats.partialFailures += 1;
        stats.failedMessages += outcome.failedMessageIds.length;
        break;
      case 'success':
        break;
    }
    const toDelete = new Set(outcome.deleteMessageIds);
    await deleteMessages(batch.filter((message) => toDelete.has(message.MessageId as string)));
  };

  const poller = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      let batch: Message[];
      try {
        batch = await gatherBatch();
      } catch (error) {
        if (abort.signal.aborted) return;
        stats.receiveErrors += 1;
        emit({ type: 'error', mappingId: mapping.id, stage: 'receive', message: (error as Error).message });
        await abortableDelay(RECEIVE_ERROR_BACKOFF_MS, abort.signal);
        continue;
      }
      if (batch.length === 0) continue;
      stats.receivedMessages += batch.length;
      stats.inFlightBatches += 1;
      try {
        await processBatch(batch);
      } finally {
        stats.inFlightBatches -= 1;
        if (stats.inFlightBatches === 0) for (const waiter of idleWaiters.splice(0)) waiter();
      }
    }
  };

  const pollers = mapping.enabled ? Array.from({ length: concurrency }, () => poller()) : [];

  return {
    async stop(): Promise<void> {
      abort.abort();
      await Promise.allSettled(pollers);
      for (const waiter of idleWaiters.splice(0)) waiter();
    },
    idle(): Promise<void> {
      if (stats.inFlightBatches === 0) return Promise.resolve();
      return new Promise((resolve) => {
        idleWaiters = [...idleWaiters, resolve];
      });
    },
    stats: () => ({ ...stats }),
  };
}
