import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type ShardIteratorType,
  type _Record as StreamApiRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { PipeRunnerEvent } from './pipe-runner-events';

export type StartPosition = { type: 'TRIM_HORIZON' | 'LATEST' } | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

/** What one GetRecords call came to. Anything else it throws is the caller's to retry with backoff. */
export type ShardRead =
  | { type: 'records'; records: StreamApiRecord[]; endOfShard: boolean }
  /** Iterators expire after 15 minutes: the next read gets a new one after the last record read. */
  | { type: 'iterator-expired' }
  /** The records after the last one read were trimmed (24 h retention): the next read starts at the oldest left. */
  | { type: 'records-trimmed'; afterSequenceNumber?: string }
  /** The shard is no longer in the stream. */
  | { type: 'gone' };

const GET_RECORDS_LIMIT = 1000;

export interface ShardReaderOptions {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  pipeName: string;
  shardId: string;
  parentShardId?: string;
  startPosition: StartPosition;
  emit(event: PipeRunnerEvent): void;
}

/**
 * Reads one shard through its iterators: where to start (the checkpoint, the pipe's starting
 * position), a fresh iterator after the last record read when one expires, and the oldest record
 * left when the ones it was reading towards were trimmed.
 */
export class ShardReader {
  private iterator: string | undefined;
  private startPosition: StartPosition;
  private lastRead: string | undefined;
  private opened = false;

  constructor(private readonly options: ShardReaderOptions) {
    this.startPosition = options.startPosition;
  }

  get hasIterator(): boolean {
    return this.iterator !== undefined;
  }

  /**
   * Only records handed on count as read: a record that could not be converted is read again
   * after an expired iterator, and reported again, rather than silently skipped.
   */
  markRead(sequenceNumber: string): void {
    this.lastRead = sequenceNumber;
  }

  /** 'end': the stream gave no iterator (a closed shard with nothing left); 'gone': the shard is no longer in the stream. */
  async openIterator(): Promise<'opened' | 'end' | 'gone'> {
    const position: StartPosition = this.lastRead ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastRead } : this.startPosition;
    try {
      this.iterator = await this.getShardIterator(position);
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return 'gone';
      if (errorName(error) !== 'TrimmedDataAccessException' || position.type !== 'AFTER_SEQUENCE_NUMBER') throw error;
      // The checkpointed record is gone from the stream: the oldest record left is the next one.
      this.options.emit({ type: 'records-trimmed', pipeName: this.options.pipeName, shardId: this.options.shardId, afterSequenceNumber: position.sequenceNumber });
      this.lastRead = undefined;
      this.startPosition = { type: 'TRIM_HORIZON' };
      try {
        this.iterator = await this.getShardIterator(this.startPosition);
      } catch (retryError) {
        if (errorName(retryError) === 'ResourceNotFoundException') return 'gone';
        throw retryError;
      }
    }
    if (this.iterator === undefined) return 'end';
    if (!this.opened) {
      this.opened = true;
      this.options.emit({
        type: 'shard-opened',
        pipeName: this.options.pipeName,
        shardId: this.options.shardId,
        ...(this.options.parentShardId ? { parentShardId: this.options.parentShardId } : {}),
        iteratorType: position.type,
        ...(position.type === 'AFTER_SEQUENCE_NUMBER' ? { sequenceNumber: position.sequenceNumber } : {}),
      });
    }
    return 'opened';
  }

  /** Needs an iterator (`openIterator`). A null NextShardIterator means the shard is closed and read to its end. */
  async getRecords(): Promise<ShardRead> {
    if (this.iterator === undefined) throw new Error(`shard ${this.options.shardId}: getRecords() needs an open iterator`);
    try {
      const output = await this.options.streams.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: GET_RECORDS_LIMIT }));
      this.iterator = output.NextShardIterator ?? undefined;
      return { type: 'records', records: output.Records ?? [], endOfShard: this.iterator === undefined };
    } catch (error) {
      const name = errorName(error);
      if (name === 'ExpiredIteratorException') {
        this.iterator = undefined;
        return { type: 'iterator-expired' };
      }
      if (name === 'TrimmedDataAccessException') {
        const afterSequenceNumber = this.lastRead;
        this.iterator = undefined;
        this.lastRead = undefined;
        this.startPosition = { type: 'TRIM_HORIZON' };
        return { type: 'records-trimmed', ...(afterSequenceNumber ? { afterSequenceNumber } : {}) };
      }
      if (name === 'ResourceNotFoundException') {
        this.iterator = undefined;
        return { type: 'gone' };
      }
      throw error;
    }
  }

  close(): void {
    this.iterator = undefined;
  }

  private async getShardIterator(position: StartPosition): Promise<string | undefined> {
    const output = await this.options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: this.options.shardId,
        ShardIteratorType: position.type as ShardIteratorType,
        ...(position.type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: position.sequenceNumber } : {}),
      }),
    );
    return output.ShardIterator ?? undefined;
  }
}

export function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : undefined;
}
