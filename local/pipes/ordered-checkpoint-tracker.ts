/** One record read from a shard, until it is settled (delivered, filtered out, dead-lettered or dropped). */
export interface TrackedRecord {
  readonly sequenceNumber: string;
  settled: boolean;
}

/**
 * The checkpoint of one shard when batches settle out of order (several lanes, bisected halves):
 * it only passes a record once that record and every record read before it are settled, so a
 * restart never skips a record ("checkpoints to the highest sequence number of a batch, but only
 * when the batch is a complete success").
 */
export class OrderedCheckpointTracker {
  private records: TrackedRecord[] = [];
  private head = 0;
  private current: string | undefined;

  constructor(checkpoint?: string) {
    this.current = checkpoint;
  }

  /** The last sequence number whose record, and every record before it, is settled. */
  get checkpoint(): string | undefined {
    return this.current;
  }

  /** Records read and not yet settled. */
  get unsettled(): number {
    return this.records.length - this.head;
  }

  /** Records must be tracked in the order they were read from the shard. */
  track(sequenceNumber: string): TrackedRecord {
    const record: TrackedRecord = { sequenceNumber, settled: false };
    this.records.push(record);
    return record;
  }

  /** Returns the new checkpoint when it moved, else undefined. */
  settle(records: Iterable<TrackedRecord>): string | undefined {
    for (const record of records) record.settled = true;
    let moved: string | undefined;
    while (this.head < this.records.length && this.records[this.head].settled) {
      moved = this.records[this.head].sequenceNumber;
      this.head += 1;
    }
    // Drop the settled prefix now and then rather than on every call: shifting is O(n).
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
    if (moved !== undefined) this.current = moved;
    return moved;
  }
}
