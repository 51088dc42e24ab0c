import type { ShardStatus } from './shard-discovery';

export type PipeRunnerState = 'starting' | 'running' | 'stopping' | 'stopped' | 'not-running';

export interface ShardStats {
  shardId: string;
  parentShardId?: string;
  status: ShardStatus;
  checkpoint?: string;
  /** Read, passed the filter, not yet in a batch. */
  buffered: number;
  /** Batches being delivered right now (at most one per lane). */
  inFlight: number;
  /** Read and not yet settled (succeeded, filtered out, dead-lettered or discarded). */
  unsettled: number;
}

export interface PipeRunnerCounters {
  recordsRead: number;
  recordsFilteredOut: number;
  recordsFilteredIn: number;
  batchAttempts: number;
  batchesSucceeded: number;
  retries: number;
  bisections: number;
  batchesDeadLettered: number;
  batchesDiscarded: number;
  enrichmentInvocations: number;
  enrichmentFailures: number;
  targetFailures: number;
  messagesSent: number;
}

export interface PipeRunnerStats extends PipeRunnerCounters {
  pipeName: string;
  state: PipeRunnerState;
  shards: ShardStats[];
}

export function zeroCounters(): PipeRunnerCounters {
  return {
    recordsRead: 0,
    recordsFilteredOut: 0,
    recordsFilteredIn: 0,
    batchAttempts: 0,
    batchesSucceeded: 0,
    retries: 0,
    bisections: 0,
    batchesDeadLettered: 0,
    batchesDiscarded: 0,
    enrichmentInvocations: 0,
    enrichmentFailures: 0,
    targetFailures: 0,
    messagesSent: 0,
  };
}
