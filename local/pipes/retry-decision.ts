import type { DynamoDbStreamPipeSourceSpec } from '../topology/types';
import type { DeadLetterCondition } from './dead-letter';

export interface RetryBackoff {
  /** Delay before the first retry; doubles with each retry of the same batch. */
  baseMs: number;
  maxMs: number;
}

/** The source settings that decide what happens to a failing batch. */
export type RetrySettings = Pick<DynamoDbStreamPipeSourceSpec, 'maximumRetryAttempts' | 'maximumRecordAgeInSeconds' | 'onPartialBatchItemFailure'>;

export interface BatchStepInput {
  /**
   * False when the batch is about to be attempted (the first time, or after a retry delay); true
   * when the attempt just made failed.
   */
  failed: boolean;
  /** Retries of this very batch so far (halves of a bisected batch start again at 0). */
  retries: number;
  batchSize: number;
  /** Age of each record of the batch now: clock minus its approximate arrival. */
  recordAgesMs: readonly number[];
  settings: RetrySettings;
  backoff: RetryBackoff;
}

export type BatchStep =
  | { type: 'attempt' }
  | { type: 'retry-after-delay'; retry: number; delayMs: number }
  | { type: 'bisect'; firstHalfSize: number }
  | { type: 'dead-letter'; condition: DeadLetterCondition };

/**
 * What a stream-source pipe does next with a batch (PipeSourceDynamoDBStreamParameters).
 *
 * The record age is looked at only before an attempt, as Lambda's stream sources do ("records
 * older than MaximumRecordAgeInSeconds are not sent"): a batch that turns too old while it waits
 * for a retry is given up on then, not while it was still young enough to be tried.
 *
 * After a failure, bisecting comes before the retry quota: "until all the records are processed
 * or there is one failed message left in the batch", and as for Lambda stream sources splitting
 * does not count as a retry, so only a batch that can no longer be split uses up retries.
 * MaximumRetryAttempts -1 retries until the records are too old (or expire from the stream);
 * MaximumRecordAgeInSeconds -1 has no age limit.
 */
export function decideBatchStep(input: BatchStepInput): BatchStep {
  const { failed, retries, batchSize, recordAgesMs, settings, backoff } = input;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`a batch has at least one record, got batchSize ${batchSize}`);
  if (recordAgesMs.length !== batchSize) throw new RangeError(`expected an age for each of the ${batchSize} record(s), got ${recordAgesMs.length}`);
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`retries must be a whole number from 0, got ${retries}`);

  if (!failed) {
    if (settings.maximumRecordAgeInSeconds >= 0 && Math.max(...recordAgesMs) > settings.maximumRecordAgeInSeconds * 1000) {
      return { type: 'dead-letter', condition: 'RecordAgeExceeded' };
    }
    return { type: 'attempt' };
  }
  if (settings.onPartialBatchItemFailure === 'AUTOMATIC_BISECT' && batchSize > 1) return { type: 'bisect', firstHalfSize: Math.ceil(batchSize / 2) };
  if (settings.maximumRetryAttempts >= 0 && retries >= settings.maximumRetryAttempts) return { type: 'dead-letter', condition: 'RetryAttemptsExhausted' };
  const retry = retries + 1;
  return { type: 'retry-after-delay', retry, delayMs: backoffDelayMs(retry, backoff) };
}

/** Exponential: the first retry waits `baseMs`, each one after twice the one before, at most `maxMs`. */
export function backoffDelayMs(retry: number, backoff: RetryBackoff): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, retry - 1));
}
