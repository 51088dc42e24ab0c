import type { CheckpointStore } from './checkpoint-store';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { PipeSpec } from '../topology/types';
import { PipeConfigurationError } from './errors';
import type { PipeRunnerEvent } from './pipe-runner-events';
import type { RetryBackoff } from './retry-decision';

export type { RetryBackoff } from './retry-decision';

export interface PipeRunnerOptions {
  pipe: PipeSpec;
  /** The source table's latest stream ARN. */
  streamArn: string;
  streams: DynamoDBStreamsClient;
  sqs: SQSClient;
  queueUrl(queueId: string): string;
  queueArn(queueId: string): string;
  /**
   * Invokes the enrichment function synchronously (REQUEST_RESPONSE) with the batch; resolves with
   * its result, rejects (ideally with `errorType`/`errorMessage`) when it fails, throws or times
   * out. Required when the pipe has an enrichment.
   */
  invokeEnrichment?(payload: unknown): Promise<unknown>;
  /** For `<aws.pipes.enrichment-arn>`. */
  enrichmentArn?: string;
  /** Default `arn:aws:pipes:<stream region>:<stream account>:pipe/<name>`. */
  pipeArn?: string;
  /** Pause between polls of a shard that had nothing new. Default 250 ms (Pipes polls four times a second). */
  pollIntervalMs?: number;
  /** How often DescribeStream looks for new shards. Default 1000 ms (and at once when a shard closes). */
  shardDiscoveryIntervalMs?: number;
  /** Exponential backoff between retries of a failed batch. Default 1 s doubling up to 60 s. */
  retryBackoff?: Partial<RetryBackoff>;
  /** In memory by default; use `FileCheckpointStore` to resume after a restart. */
  checkpoints?: CheckpointStore;
  onEvent?(event: PipeRunnerEvent): void;
  /** Clock for record ages and timestamps; default `Date.now`. */
  now?(): number;
  /** How long `stop()` lets an in-flight enrichment or target call finish before abandoning it. Default 5 s. */
  stopGraceMs?: number;
  /** Records read but not yet settled, per shard, before polling pauses. Default 1000. */
  maxUnsettledRecordsPerShard?: number;
}

export interface RunnerTimings {
  pollIntervalMs: number;
  discoveryIntervalMs: number;
  backoff: RetryBackoff;
  stopGraceMs: number;
  maxUnsettledRecordsPerShard: number;
}

export const DEFAULT_TIMINGS: RunnerTimings = {
  pollIntervalMs: 250,
  discoveryIntervalMs: 1000,
  backoff: { baseMs: 1000, maxMs: 60_000 },
  stopGraceMs: 5000,
  maxUnsettledRecordsPerShard: 1000,
};

/** The runner's own settings (not the pipe's), defaulted; throws naming the first one that is not a positive number. */
export function resolveRunnerTimings(options: PipeRunnerOptions): RunnerTimings {
  const name = options.pipe.name;
  return {
    pollIntervalMs: positiveOption(name, 'pollIntervalMs', options.pollIntervalMs, DEFAULT_TIMINGS.pollIntervalMs),
    discoveryIntervalMs: positiveOption(name, 'shardDiscoveryIntervalMs', options.shardDiscoveryIntervalMs, DEFAULT_TIMINGS.discoveryIntervalMs),
    backoff: {
      baseMs: positiveOption(name, 'retryBackoff.baseMs', options.retryBackoff?.baseMs, DEFAULT_TIMINGS.backoff.baseMs),
      maxMs: positiveOption(name, 'retryBackoff.maxMs', options.retryBackoff?.maxMs, DEFAULT_TIMINGS.backoff.maxMs),
    },
    stopGraceMs: positiveOption(name, 'stopGraceMs', options.stopGraceMs, DEFAULT_TIMINGS.stopGraceMs),
    maxUnsettledRecordsPerShard: positiveOption(name, 'maxUnsettledRecordsPerShard', options.maxUnsettledRecordsPerShard, DEFAULT_TIMINGS.maxUnsettledRecordsPerShard),
  };
}

function positiveOption(pipeName: string, name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new PipeConfigurationError(pipeName, name, `expected a positive number of milliseconds, got ${JSON.stringify(value)}`);
  }
  return value;
}
