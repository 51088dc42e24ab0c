import { MAX_BATCH_PAYLOAD_BYTES } from './pipe-settings';
import type { ReadRecord } from './stream-record';
import type { TrackedRecord } from './ordered-checkpoint-tracker';
import { Wakeup } from './wakeup';

/** A record that passed the filter and waits for its batch. */
export interface BufferedRecord {
  record: ReadRecord;
  tracked: TrackedRecord;
  bufferedAtMs: number;
}

export interface Lane {
  buffer: BufferedRecord[];
  bufferedBytes: number;
  /** A lane delivers one batch at a time, which is what keeps its records in order. */
  busy: boolean;
  wake: Wakeup;
}

export interface BatchingSettings {
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
}

export type BatchReadiness = { ready: true } | { ready: false; waitMs: number };

/**
 * The lanes of one shard. With a ParallelizationFactor above 1 a shard has that many lanes, and a
 * record goes to a lane by its item key, so the records of one item stay in order while different
 * items go concurrently ("Batching and concurrency": up to ParallelizationFactor concurrent
 * executions per shard, records with the same partition key, for DynamoDB the item key, in order).
 */
export class LaneBatcher {
  readonly lanes: Lane[];
  private readonly settings: BatchingSettings;

  constructor(settings: BatchingSettings & { parallelizationFactor: number }) {
    const factor = settings.parallelizationFactor;
    if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`parallelizationFactor must be a whole number from 1, got ${factor}`);
    this.settings = { batchSize: settings.batchSize, maximumBatchingWindowInSeconds: settings.maximumBatchingWindowInSeconds };
    this.lanes = Array.from({ length: factor }, () => ({ buffer: [], bufferedBytes: 0, busy: false, wake: new Wakeup() }));
  }

  add(item: BufferedRecord): Lane {
    const lane = this.lanes[laneIndex(item.record.partitionKey, this.lanes.length)];
    lane.buffer.push(item);
    lane.bufferedBytes += item.record.payloadBytes;
    return lane;
  }

  wakeAll(): void {
    for (const lane of this.lanes) lane.wake.notify();
  }

  get buffered(): number {
    return this.lanes.reduce((sum, lane) => sum + lane.buffer.length, 0);
  }

  get inFlight(): number {
    return this.lanes.filter((lane) => lane.busy).length;
  }

  /** Nothing buffered and nothing being delivered. */
  get drained(): boolean {
    return this.lanes.every((lane) => !lane.busy && lane.buffer.length === 0);
  }

  readiness(lane: Lane, nowMs: number, endOfShard: boolean): BatchReadiness {
    return batchReadiness({
      buffered: lane.buffer.length,
      bufferedBytes: lane.bufferedBytes,
      firstBufferedAtMs: lane.buffer[0]?.bufferedAtMs,
      nowMs,
      endOfShard,
      ...this.settings,
    });
  }

  take(lane: Lane): BufferedRecord[] {
    return takeBatch(lane, this.settings.batchSize);
  }
}

/**
 * A batch goes when it is full, the batching window is over, or it reaches 6 MB; with no window,
 * whatever a poll returned goes at once (DynamoDB stream source page, "Batching"). At the end of
 * a shard nothing more can join a batch, so waiting longer would only delay it.
 */
export function batchReadiness(input: {
  buffered: number;
  bufferedBytes: number;
  firstBufferedAtMs: number | undefined;
  nowMs: number;
  endOfShard: boolean;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
}): BatchReadiness {
  if (input.buffered === 0 || input.firstBufferedAtMs === undefined) return { ready: false, waitMs: Number.POSITIVE_INFINITY };
  const windowMs = input.maximumBatchingWindowInSeconds * 1000;
  const windowEndsAt = input.firstBufferedAtMs + windowMs;
  const ready =
    input.buffered >= input.batchSize || input.bufferedBytes >= MAX_BATCH_PAYLOAD_BYTES || windowMs === 0 || input.endOfShard || input.nowMs >= windowEndsAt;
  return ready ? { ready: true } : { ready: false, waitMs: windowEndsAt - input.nowMs };
}

/**
 * Takes up to `batchSize` records from the front of the lane, stopping before the one that would
 * take the batch past 6 MB. A single record is always taken, whatever its size, or a lane holding
 * one large record would never move.
 */
export function takeBatch(lane: Lane, batchSize: number): BufferedRecord[] {
  const items: BufferedRecord[] = [];
  let bytes = 0;
  while (lane.buffer.length > 0 && items.length < batchSize) {
    const next = lane.buffer[0];
    if (items.length > 0 && bytes + next.record.payloadBytes > MAX_BATCH_PAYLOAD_BYTES) break;
    lane.buffer.shift();
    items.push(next);
    bytes += next.record.payloadBytes;
  }
  lane.bufferedBytes -= bytes;
  return items;
}

/** FNV-1a: a stable lane per item key, so one item's records always share a lane. */
export function laneIndex(partitionKey: string, lanes: number): number {
  if (lanes <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < partitionKey.length; i += 1) {
    hash ^= partitionKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}
