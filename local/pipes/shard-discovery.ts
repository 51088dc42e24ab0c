import { DescribeStreamCommand, type DynamoDBStreamsClient, type Shard } from '@aws-sdk/client-dynamodb-streams';
import type { ShardCheckpoint } from './checkpoint-store';
import type { StartPosition } from './shard-reader';

export type ShardStatus = 'waiting' | 'reading' | 'finished';

/** Every shard of the stream, however many DescribeStream pages it takes. */
export async function describeAllShards(streams: DynamoDBStreamsClient, streamArn: string, stopping: () => boolean): Promise<Shard[]> {
  const shards: Shard[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const output = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}) }));
    const description = output.StreamDescription;
    shards.push(...(description?.Shards ?? []));
    exclusiveStartShardId = description?.LastEvaluatedShardId;
  } while (exclusiveStartShardId && !stopping());
  return shards;
}

export interface ShardPlan {
  status: 'waiting' | 'finished';
  startPosition: StartPosition;
  /** Set when the pipe's position in this shard must be saved before anything of it is read. */
  newCheckpoint?: ShardCheckpoint;
}

/**
 * Where reading a newly seen shard starts. A checkpoint wins; without one, LATEST applies only on
 * the pipe's very first start: closed shards then hold only the past, open ones start at the tip.
 * Shards that appear later are read from their start, so nothing written after the start is skipped.
 */
export function planShard(shard: Shard, stored: ShardCheckpoint | undefined, context: { firstStart: boolean; startingPosition: 'TRIM_HORIZON' | 'LATEST' }): ShardPlan {
  if (stored?.finished) return { status: 'finished', startPosition: { type: 'TRIM_HORIZON' } };
  if (stored?.sequenceNumber) return { status: 'waiting', startPosition: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: stored.sequenceNumber } };
  if (stored?.openedAtLatest) return { status: 'waiting', startPosition: { type: 'LATEST' } };
  if (context.firstStart && context.startingPosition === 'LATEST') {
    const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
    return closed
      ? { status: 'finished', startPosition: { type: 'TRIM_HORIZON' }, newCheckpoint: { finished: true } }
      : { status: 'waiting', startPosition: { type: 'LATEST' }, newCheckpoint: { openedAtLatest: true } };
  }
  return { status: 'waiting', startPosition: { type: 'TRIM_HORIZON' } };
}

/**
 * The waiting shards that may start now. A child shard starts only after its parent is fully
 * processed, so the records of one item stay in order across a split ("EventBridge Pipes
 * maintains the order of records from the data stream"). A parent no longer described has been
 * trimmed: nothing of it is left to keep order with.
 */
export function shardsReadyToStart(shards: ReadonlyMap<string, { status: ShardStatus; parentShardId?: string }>): string[] {
  const ready: string[] = [];
  for (const [shardId, shard] of shards) {
    if (shard.status !== 'waiting') continue;
    const parent = shard.parentShardId ? shards.get(shard.parentShardId) : undefined;
    if (parent && parent.status !== 'finished') continue;
    ready.push(shardId);
  }
  return ready;
}
