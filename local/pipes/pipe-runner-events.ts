import type { DeadLetterCondition, PipeStreamDeadLetterMessage } from './dead-letter';
import type { JsonItem, ReadRecord } from './stream-record';

/** A record as progress events name it: enough for an observer to say which item moved. */
export interface RecordReference {
  eventID: string;
  eventName: string;
  sequenceNumber: string;
  keys: JsonItem;
  newImage?: JsonItem;
}

export interface ErrorSummary {
  /** The typed error's code (e.g. `EnrichmentFailed`, `TargetFailed`), or the error's name. */
  code: string;
  message: string;
  /** What the enrichment function reported, when it failed. */
  errorType?: string;
  errorMessage?: string;
}

interface BatchEventBase {
  pipeName: string;
  shardId: string;
  /** Unique per runner; halves of a bisected batch get their own. */
  batchId: string;
  records: RecordReference[];
}

export type PipeRunnerEvent =
  | { type: 'shard-opened'; pipeName: string; shardId: string; parentShardId?: string; iteratorType: string; sequenceNumber?: string }
  | { type: 'shard-closed'; pipeName: string; shardId: string }
  | { type: 'records-read'; pipeName: string; shardId: string; count: number; firstSequenceNumber: string; lastSequenceNumber: string }
  | { type: 'record-filtered-out'; pipeName: string; shardId: string; record: RecordReference }
  | { type: 'record-filtered-in'; pipeName: string; shardId: string; record: RecordReference }
  | ({ type: 'batch-started'; attempt: number } & BatchEventBase)
  | ({ type: 'enrichment-succeeded'; eventCount: number } & BatchEventBase)
  | ({ type: 'enrichment-failed'; error: ErrorSummary } & BatchEventBase)
  | ({ type: 'target-skipped'; reason: 'empty-enrichment-result' } & BatchEventBase)
  | ({ type: 'target-sent'; messageIds: string[]; requests: number } & BatchEventBase)
  | ({ type: 'target-failed'; error: ErrorSummary } & BatchEventBase)
  | ({ type: 'batch-succeeded' } & BatchEventBase)
  | ({ type: 'batch-retried'; retry: number; delayMs: number; error: ErrorSummary } & BatchEventBase)
  | ({ type: 'batch-bisected'; halves: [string, string]; error: ErrorSummary } & BatchEventBase)
  | ({ type: 'batch-dead-lettered'; condition: DeadLetterCondition; message: PipeStreamDeadLetterMessage; messageId: string; error?: ErrorSummary } & BatchEventBase)
  | ({ type: 'batch-discarded'; condition: DeadLetterCondition; error?: ErrorSummary; warning: string } & BatchEventBase)
  | ({ type: 'dead-letter-failed'; error: ErrorSummary } & BatchEventBase)
  | { type: 'checkpoint'; pipeName: string; shardId: string; sequenceNumber?: string; finished: boolean }
  | { type: 'iterator-expired'; pipeName: string; shardId: string }
  | { type: 'records-trimmed'; pipeName: string; shardId: string; afterSequenceNumber?: string }
  | { type: 'poll-failed'; pipeName: string; shardId?: string; error: ErrorSummary }
  | { type: 'checkpoint-save-failed'; pipeName: string; error: ErrorSummary };

export type PipeRunnerEventType = PipeRunnerEvent['type'];

/** A batch as the runner hands it from a lane to delivery. */
export interface BatchOfRecords {
  /** Unique per runner; halves of a bisected batch get their own. */
  id: string;
  shardId: string;
  records: readonly ReadRecord[];
}

export function referenceOf(record: ReadRecord): RecordReference {
  return {
    eventID: record.event.eventID,
    eventName: record.event.eventName,
    sequenceNumber: record.sequenceNumber,
    keys: record.event.dynamodb.Keys,
    ...(record.event.dynamodb.NewImage ? { newImage: record.event.dynamodb.NewImage } : {}),
  };
}

export function batchEventBase(pipeName: string, batch: BatchOfRecords): BatchEventBase {
  return { pipeName, shardId: batch.shardId, batchId: batch.id, records: batch.records.map(referenceOf) };
}
