import { batchReadiness, laneIndex, LaneBatcher, takeBatch, type BufferedRecord, type Lane } from '../../../local/pipes/lane-batcher';
import { MAX_BATCH_PAYLOAD_BYTES } from '../../../local/pipes/pipe-settings';
import { partitionKeyOf, type ReadRecord } from '../../../local/pipes/stream-record';
import { Wakeup } from '../../../local/pipes/wakeup';

let sequence = 0;
function buffered(id: string, payloadBytes = 100, bufferedAtMs = 0): BufferedRecord {
  sequence += 1;
  const sequenceNumber = String(sequence);
  const record = { sequenceNumber, shardId: 'shard-1', payloadBytes, partitionKey: partitionKeyOf({ id: { S: id } }), approximateArrivalMs: 0 } as unknown as ReadRecord;
  return { record, tracked: { sequenceNumber, settled: false }, bufferedAtMs };
}

function lane(items: BufferedRecord[]): Lane {
  return { buffer: [...items], bufferedBytes: items.reduce((sum, item) => sum + item.record.payloadBytes, 0), busy: false, wake: new Wakeup() };
}

describe('batchReadiness', () => {
  const base = { buffered: 3, bufferedBytes: 300, firstBufferedAtMs: 1_000, nowMs: 1_500, endOfShard: false, batchSize: 10, maximumBatchingWindowInSeconds: 2 };

  it.each<[string, Partial<typeof base>, ReturnType<typeof batchReadiness>]>([
    ['inside the window, not full: waits for the rest of the window', {}, { ready: false, waitMs: 1_500 }],
    ['full: goes at once', { buffered: 10 }, { ready: true }],
    ['6 MB buffered: goes at once', { bufferedBytes: MAX_BATCH_PAYLOAD_BYTES }, { ready: true }],
    ['no window: whatever a poll returned goes at once', { maximumBatchingWindowInSeconds: 0 }, { ready: true }],
    ['the window is over', { nowMs: 3_000 }, { ready: true }],
    ['the shard ended: nothing more can join', { endOfShard: true }, { ready: true }],
    ['nothing buffered: nothing to send, wait to be woken', { buffered: 0, bufferedBytes: 0, firstBufferedAtMs: undefined as unknown as number }, { ready: false, waitMs: Number.POSITIVE_INFINITY }],
  ])('%s', (_label, overrides, expected) => {
    expect(batchReadiness({ ...base, ...overrides })).toEqual(expected);
  });
});

describe('takeBatch', () => {
  it('takes at most batchSize records from the front, in order, and keeps the byte count', () => {
    const items = ['a', 'b', 'c'].map((id) => buffered(id));
    const l = lane(items);

    expect(takeBatch(l, 2)).toEqual(items.slice(0, 2));
    expect(l.buffer).toEqual(items.slice(2));
    expect(l.bufferedBytes).toBe(100);
  });

  it('stops before the record that would take the batch past 6 MB', () => {
    const half = MAX_BATCH_PAYLOAD_BYTES / 2;
    const items = [buffered('a', half), buffered('b', half), buffered('c', 1)];
    const l = lane(items);

    expect(takeBatch(l, 10)).toHaveLength(2);
    expect(takeBatch(l, 10)).toEqual([items[2]]);
    expect(l.bufferedBytes).toBe(0);
  });

  it('always takes one record, even one larger than 6 MB, so the lane cannot stall', () => {
    const big = buffered('big', MAX_BATCH_PAYLOAD_BYTES + 1);
    const l = lane([big, buffered('next')]);

    expect(takeBatch(l, 10)).toEqual([big]);
    expect(l.buffer).toHaveLength(1);
  });
});

describe('lanes', () => {
  it('gives one item key always the same lane, and spreads keys over every lane', () => {
    const keys = Array.from({ length: 200 }, (_, i) => partitionKeyOf({ id: { S: `item-${i}` } }));
    const lanesUsed = new Set(keys.map((key) => laneIndex(key, 4)));

    expect(keys.map((key) => laneIndex(key, 4))).toEqual(keys.map((key) => laneIndex(key, 4)));
    expect([...lanesUsed].sort()).toEqual([0, 1, 2, 3]);
    expect(keys.every((key) => laneIndex(key, 1) === 0)).toBe(true);
  });

  it('routes records by item key so each item stays in order in one lane', () => {
    const batcher = new LaneBatcher({ batchSize: 10, maximumBatchingWindowInSeconds: 0, parallelizationFactor: 3 });
    const records = ['x', 'y', 'z', 'x', 'y', 'x'].map((id) => ({ id, item: buffered(id) }));
    for (const { item } of records) batcher.add(item);

    expect(batcher.buffered).toBe(6);
    for (const id of ['x', 'y', 'z']) {
      const own = records.filter((r) => r.id === id).map((r) => r.item);
      const laneOfId = batcher.lanes[laneIndex(own[0].record.partitionKey, 3)];
      expect(laneOfId.buffer.filter((item) => own.includes(item))).toEqual(own);
    }
  });

  it('counts lanes in flight and is drained only when nothing is buffered or busy', () => {
    const batcher = new LaneBatcher({ batchSize: 1, maximumBatchingWindowInSeconds: 0, parallelizationFactor: 2 });
    expect(batcher.drained).toBe(true);
    const added = batcher.add(buffered('a'));
    expect(batcher.drained).toBe(false);
    batcher.take(added);
    added.busy = true;
    expect(batcher.inFlight).toBe(1);
    expect(batcher.drained).toBe(false);
    added.busy = false;
    expect(batcher.drained).toBe(true);
  });

  it('refuses a parallelization factor below 1', () => {
    expect(() => new LaneBatcher({ batchSize: 1, maximumBatchingWindowInSeconds: 0, parallelizationFactor: 0 })).toThrow(/parallelizationFactor/);
  });
});
