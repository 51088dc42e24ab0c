import type { Shard } from '@aws-sdk/client-dynamodb-streams';
import { describeAllShards, planShard, shardsReadyToStart, type ShardStatus } from '../../../local/pipes/shard-discovery';
import { FakeDynamoDbStream, STREAM_ARN } from './fakes';

const open: Shard = { ShardId: 'open', SequenceNumberRange: { StartingSequenceNumber: '1' } };
const closed: Shard = { ShardId: 'closed', SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '9' } };

describe('planShard', () => {
  it.each<[string, Shard, Parameters<typeof planShard>[1], Parameters<typeof planShard>[2], ReturnType<typeof planShard>]>([
    ['a finished checkpoint: nothing to read', open, { finished: true, sequenceNumber: '5' }, { firstStart: false, startingPosition: 'TRIM_HORIZON' }, { status: 'finished', startPosition: { type: 'TRIM_HORIZON' } }],
    ['a checkpoint: after it', open, { sequenceNumber: '5' }, { firstStart: true, startingPosition: 'LATEST' }, { status: 'waiting', startPosition: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '5' } }],
    ['opened at LATEST before and nothing settled since: LATEST again', open, { openedAtLatest: true }, { firstStart: false, startingPosition: 'LATEST' }, { status: 'waiting', startPosition: { type: 'LATEST' } }],
    ['TRIM_HORIZON: from the start', open, undefined, { firstStart: true, startingPosition: 'TRIM_HORIZON' }, { status: 'waiting', startPosition: { type: 'TRIM_HORIZON' } }],
    ['LATEST on the first start, open shard: at the tip, remembered', open, undefined, { firstStart: true, startingPosition: 'LATEST' }, { status: 'waiting', startPosition: { type: 'LATEST' }, newCheckpoint: { openedAtLatest: true } }],
    ['LATEST on the first start, closed shard: only the past, finished', closed, undefined, { firstStart: true, startingPosition: 'LATEST' }, { status: 'finished', startPosition: { type: 'TRIM_HORIZON' }, newCheckpoint: { finished: true } }],
    ['LATEST, a shard that appears later: from its start, so nothing written after the start is skipped', open, undefined, { firstStart: false, startingPosition: 'LATEST' }, { status: 'waiting', startPosition: { type: 'TRIM_HORIZON' } }],
  ])('%s', (_label, shard, stored, context, expected) => {
    expect(planShard(shard, stored, context)).toEqual(expected);
  });
});

describe('shardsReadyToStart', () => {
  const shards = (entries: Array<[string, ShardStatus, string?]>) =>
    new Map(entries.map(([id, status, parentShardId]) => [id, { status, ...(parentShardId ? { parentShardId } : {}) }]));

  it('starts a child only once its parent is finished', () => {
    expect(shardsReadyToStart(shards([['parent', 'reading'], ['child', 'waiting', 'parent']]))).toEqual([]);
    expect(shardsReadyToStart(shards([['parent', 'finished'], ['child', 'waiting', 'parent']]))).toEqual(['child']);
  });

  it('starts a shard whose parent is no longer described (trimmed), and never one already reading or finished', () => {
    expect(shardsReadyToStart(shards([['orphan', 'waiting', 'trimmed-away'], ['busy', 'reading'], ['done', 'finished']]))).toEqual(['orphan']);
  });

  it('does not start a grandchild with its parent in the same pass', () => {
    expect(shardsReadyToStart(shards([['a', 'finished'], ['b', 'waiting', 'a'], ['c', 'waiting', 'b']]))).toEqual(['b']);
  });
});

describe('describeAllShards', () => {
  it('follows LastEvaluatedShardId through every page', async () => {
    const stream = new FakeDynamoDbStream().addShard('s1').addShard('s2').addShard('s3');
    stream.pageDescribeStreamBy(2);

    const described = await describeAllShards(stream.client, STREAM_ARN, () => false);

    expect(described.map((shard) => shard.ShardId)).toEqual(['s1', 's2', 's3']);
    expect(stream.calls.map((call) => call.input.ExclusiveStartShardId)).toEqual([undefined, 's2']);
  });
});
