import { GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterQueue } from '../ops/dlq/dead-letter-queue';
import { peekMessages } from '../ops/dlq/peek-messages';
import { parseJsonObject } from '../local/support/json-object';
import { changeKey } from './change-accounting';

export interface DeadLetteredBookings {
  /** Appointment id → the DLQ label it was found in (`notifications`, `pipe`). */
  byId: Map<string, string>;
  /** `<appointmentId>@<version>` (harness/change-accounting `changeKey`) → the DLQ label: which change is dead-lettered. */
  byChange: Map<string, string>;
  /** DLQ messages that named no booking (a body that is not an appointment, an unreadable range). */
  unattributed: number;
}

const MAX_PEEK = 10_000;

interface StreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  streamArn: string;
}

/**
 * Reads both kinds of dead-letter queue without consuming them: a notifications DLQ message is the
 * enriched appointment itself; a pipe DLQ message is batch metadata (a shard and a sequence-number
 * range), so the bookings are read back from the stream, where Pipes leaves the records.
 * Ranges already read are remembered in `rangeCache` (stream records do not change).
 */
export async function readDeadLetteredBookings(
  sqs: SQSClient,
  streams: DynamoDBStreamsClient,
  queues: readonly DeadLetterQueue[],
  rangeCache: Map<string, ChangeRef[]> = new Map(),
): Promise<DeadLetteredBookings> {
  const byId = new Map<string, string>();
  const byChange = new Map<string, string>();
  let unattributed = 0;
  for (const dlq of queues) {
    const messages = await peekMessages(sqs, dlq.queue.url, { max: MAX_PEEK, holdSeconds: 5 });
    for (const message of messages) {
      const body = parseJsonObject(message.body);
      let ids: ChangeRef[] = [];
      if (dlq.kind === 'sqs-redrive') {
        if (typeof body?.id === 'string') ids = [{ id: body.id, ...(typeof body.version === 'number' ? { version: body.version } : {}) }];
      } else {
        const info = body?.DDBStreamBatchInfo as StreamBatchInfo | undefined;
        if (info?.shardId && info.startSequenceNumber && info.endSequenceNumber && info.streamArn) {
          const key = `${info.shardId}/${info.startSequenceNumber}/${info.endSequenceNumber}`;
          let cached = rangeCache.get(key);
          if (cached === undefined) {
            cached = await appointmentIdsInRange(streams, info);
            rangeCache.set(key, cached);
          }
          ids = cached;
        }
      }
      if (ids.length === 0) unattributed += 1;
      for (const { id, version } of ids) {
        byId.set(id, dlq.label);
        if (version !== undefined) byChange.set(changeKey(id, version), dlq.label);
      }
    }
  }
  return { byId, byChange, unattributed };
}

/** An appointment and, when the record says, the version of the change it carries. */
export interface ChangeRef {
  id: string;
  version?: number;
}

/** The `id` keys (and new versions) of the stream records from start to end sequence number, inclusive. */
export async function appointmentIdsInRange(streams: DynamoDBStreamsClient, info: StreamBatchInfo): Promise<ChangeRef[]> {
  const end = BigInt(info.endSequenceNumber);
  const iterator = await streams.send(
    new GetShardIteratorCommand({ StreamArn: info.streamArn, ShardId: info.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: info.startSequenceNumber }),
  );
  let next = iterator.ShardIterator;
  const ids: ChangeRef[] = [];
  while (next) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: next, Limit: 1000 }));
    const records = page.Records ?? [];
    for (const record of records) {
      const sequence = record.dynamodb?.SequenceNumber;
      if (sequence === undefined) continue;
      if (BigInt(sequence) > end) return ids;
      const id = record.dynamodb?.Keys?.id?.S;
      const version = Number(record.dynamodb?.NewImage?.version?.N);
      if (id) ids.push({ id, ...(Number.isInteger(version) && version > 0 ? { version } : {}) });
    }
    // An open shard answers an empty page at its end: nothing further exists yet.
    if (records.length === 0) return ids;
    next = page.NextShardIterator;
  }
  return ids;
}
