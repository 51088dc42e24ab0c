import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient, type _Record as StreamApiRecord } from '@aws-sdk/client-dynamodb-streams';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { compileEventPattern } from '../../local/pipes/event-pattern';
import { toPipeEvent, type DynamoDbStreamPipeEvent } from '../../local/pipes/stream-record';
import { parseJsonObject } from '../../local/support/json-object';
import { batchGetContacts } from '../../services/enrichment/adapters/contacts-batch-get';
import { distinctContactKeys, enrichAppointments, readContactPreference, type ContactPreference } from '../../services/enrichment/domain/enrich-appointments';
import { parseAppointmentInserts } from '../../services/enrichment/domain/parse-stream-records';
import type { QueueRef } from './dead-letter-queue';
import { peekMessages } from './peek-messages';

/** DynamoDB Streams keeps a record for 24 hours; after that a dead-lettered range cannot be read back. */
export const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;

/** What replaying one pipe's dead letters needs: the pipe's own filter, enrichment input and target. */
export interface PipeReplayTarget {
  /** The pipe's dead-letter queue (label as `npm run dlq -- list` prints it). */
  label: string;
  deadLetterQueue: QueueRef;
  /** The pipe's target queue: where the pipe would have sent the enriched appointments. */
  targetQueueUrl: string;
  /** The pipe's FilterCriteria patterns (OR-ed; none = every record passes), as the template holds them. */
  filterPatterns: string[];
  /** The table the enrichment reads preferences from (the enrichment function's `CONTACTS_TABLE_NAME`). */
  contactsTableName: string;
  /** The pipe's source table, read to skip appointments that no longer exist. */
  appointmentsTableName: string;
  /** The notifications table, read to skip changes whose notification completed since (sent, skipped, suppressed). */
  notificationsTableName?: string;
}

export interface ReplayClients {
  sqs: SQSClient;
  streams: DynamoDBStreamsClient;
  dynamodb: DynamoDBClient;
}

export interface ReplayOptions {
  /** List what would be replayed; send and delete nothing. */
  dryRun?: boolean;
  /** At most this many dead-letter messages. */
  max?: number;
  /** How long a message being replayed stays hidden from other readers. Default 120 s. */
  holdSeconds?: number;
  now?: () => number;
}

export type ReplayErrorCode = 'NotAStreamBatch' | 'RecordsExpired' | 'RangeIncomplete' | 'EnrichmentFailed' | 'TargetSendFailed' | 'ReplayFailed';

export interface ReplayOutcome {
  messageId: string;
  shardId?: string;
  startSequenceNumber?: string;
  endSequenceNumber?: string;
  /** `replayed`: sent to the target and deleted from the DLQ; `would-replay`: dry run; `failed`: kept in the DLQ. */
  status: 'replayed' | 'would-replay' | 'failed';
  /** Stream records in the range. */
  records: number;
  /** Records the pipe's filter drops (e.g. the notifier's own status updates), as the pipe did. */
  filteredOut: number;
  /** Appointment ids sent (or, in a dry run, to be sent) to the target queue, with their channel. */
  replayed: Array<{ appointmentId: string; preferredMethod: string }>;
  /** Bookings skipped because they are no longer pending (notified or skipped since) or were deleted. */
  skipped: Array<{ appointmentId: string; reason: string }>;
  error?: { code: ReplayErrorCode; message: string };
}

export class ReplayError extends Error {
  constructor(
    readonly code: ReplayErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReplayError';
  }
}

interface StreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  streamArn: string;
  approximateArrivalOfFirstRecord?: string;
}

/**
 * Replays a pipe's dead letters the way the pipe itself would have delivered them.
 *
 * A pipe DLQ message holds only a stream range (shard, first and last sequence number). For each
 * message the records are read back from the stream, passed through the pipe's own filter (a range
 * can span records the filter dropped, such as the notifier's status updates), enriched by the
 * enrichment's own code (the same modules the enrichment function bundles, reading the same
 * contacts table), and sent to the pipe's target queue. Nothing is written to the table: a rewrite
 * would be a MODIFY the pipe's INSERT filter drops. The notifier's idempotency (appointment id and
 * channel) makes a replay of an already delivered booking send nothing; bookings whose stored
 * status is no longer `pending` are skipped before that, so a preference changed since cannot lead
 * to a second notification on another channel. The DLQ message is deleted only after every
 * record was sent; a failure (records past the stream's 24 h retention, an enrichment that still
 * refuses a record, a failed send) keeps it and says why.
 */
export async function replayPipeDeadLetters(clients: ReplayClients, target: PipeReplayTarget, options: ReplayOptions = {}): Promise<ReplayOutcome[]> {
  const filters = target.filterPatterns.map((pattern) => compileEventPattern(pattern, { dialect: 'pipes' }));
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const now = options.now ?? Date.now;
  const outcomes: ReplayOutcome[] = [];

  if (options.dryRun) {
    const messages = await peekMessages(clients.sqs, target.deadLetterQueue.url, { max: Number.isFinite(max) ? max : 10_000 });
    for (const message of messages) outcomes.push(await replayOne(clients, target, filters, message.messageId, message.body, true, now()));
    return outcomes;
  }

  const seen = new Set<string>();
  // Kept messages stay hidden until the end, so the loop only ever receives the ones not yet tried.
  const kept: string[] = [];
  try {
    while (outcomes.length < max) {
      const received = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: target.deadLetterQueue.url,
          MaxNumberOfMessages: Math.min(10, max - outcomes.length),
          VisibilityTimeout: options.holdSeconds ?? 120,
          WaitTimeSeconds: 0,
        }),
      );
      const all = (received.Messages ?? []).filter((message) => message.MessageId && message.ReceiptHandle);
      // A message seen before (its hold ran out) means the queue has come round: done.
      const again = all.filter((message) => seen.has(message.MessageId as string));
      kept.push(...again.map((message) => message.ReceiptHandle as string));
      const messages = all.filter((message) => !seen.has(message.MessageId as string));
      if (messages.length === 0) break;
      for (const message of messages) {
        const messageId = message.MessageId as string;
        const receiptHandle = message.ReceiptHandle as string;
        seen.add(messageId);
        const outcome = await replayOne(clients, target, filters, messageId, message.Body ?? '', false, now());
        if (outcome.status === 'replayed') {
          await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: target.deadLetterQueue.url, ReceiptHandle: receiptHandle }));
        } else {
          kept.push(receiptHandle);
        }
        outcomes.push(outcome);
      }
    }
  } finally {
    // Kept messages become visible again at once, so `list` shows them and a later replay retries them.
    for (const receiptHandle of kept) await release(clients.sqs, target.deadLetterQueue.url, receiptHandle);
  }
  return outcomes;
}

/** Makes a received message visible again; a failure only delays it by the hold, never loses it. */
async function release(sqs: SQSClient, queueUrl: string, receiptHandle: string): Promise<void> {
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 })).catch(() => undefined);
}

async function replayOne(
  clients: ReplayClients,
  target: PipeReplayTarget,
  filters: ReturnType<typeof compileEventPattern>[],
  messageId: string,
  body: string,
  dryRun: boolean,
  nowMs: number,
): Promise<ReplayOutcome> {
  const outcome: ReplayOutcome = { messageId, status: dryRun ? 'would-replay' : 'replayed', records: 0, filteredOut: 0, replayed: [], skipped: [] };
  try {
    const info = readBatchInfo(body);
    Object.assign(outcome, { shardId: info.shardId, startSequenceNumber: info.startSequenceNumber, endSequenceNumber: info.endSequenceNumber });
    const records = await readStreamRange(clients.streams, info, nowMs);
    outcome.records = records.length;
    const region = info.streamArn.split(':')[3] ?? '';
    const events = records.map((record) => toPipeEvent(record, info.streamArn, region));
    const passed = events.filter((event) => filters.length === 0 || filters.some((filter) => filter.matches(event)));
    outcome.filteredOut = events.length - passed.length;

    const pending: DynamoDbStreamPipeEvent[] = [];
    for (const event of passed) {
      const appointmentId = event.dynamodb.Keys.id && 'S' in event.dynamodb.Keys.id ? event.dynamodb.Keys.id.S : undefined;
      const version = event.dynamodb.NewImage?.version && 'N' in event.dynamodb.NewImage.version ? Number(event.dynamodb.NewImage.version.N) : undefined;
      const reason = appointmentId ? await handledReason(clients.dynamodb, target, appointmentId, version) : undefined;
      if (appointmentId && reason) outcome.skipped.push({ appointmentId, reason });
      else pending.push(event);
    }
    const enriched = await enrich(clients.dynamodb, target.contactsTableName, pending);
    outcome.replayed = enriched.map((appointment) => ({ appointmentId: appointment.id, preferredMethod: appointment.preferredMethod }));
    if (!dryRun) await sendToTarget(clients.sqs, target.targetQueueUrl, enriched.map((appointment) => JSON.stringify(appointment)));
  } catch (error) {
    outcome.status = 'failed';
    outcome.error =
      error instanceof ReplayError
        ? { code: error.code, message: error.message }
        : { code: 'ReplayFailed', message: `${(error as { name?: string }).name ?? 'Error'}: ${error instanceof Error ? error.message : String(error)}` };
  }
  return outcome;
}

function readBatchInfo(body: string): StreamBatchInfo {
  const info = parseJsonObject(body)?.DDBStreamBatchInfo as Partial<StreamBatchInfo> | undefined;
  const valid =
    typeof info?.shardId === 'string' &&
    typeof info.streamArn === 'string' &&
    /^\d+$/.test(String(info.startSequenceNumber)) &&
    /^\d+$/.test(String(info.endSequenceNumber));
  if (!valid) {
    throw new ReplayError('NotAStreamBatch', 'the message is not a pipe stream batch (no DDBStreamBatchInfo with shardId, streamArn and sequence numbers); it is left in the DLQ');
  }
  return info as StreamBatchInfo;
}

const expiredMessage = (info: StreamBatchInfo, why: string): string =>
  `the records of shard ${info.shardId}, sequence numbers ${info.startSequenceNumber}..${info.endSequenceNumber}, can no longer be read (${why}); ` +
  "they are past the stream's 24 h retention and cannot be replayed: the affected bookings are those still pending in the appointments table " +
  `created around ${info.approximateArrivalOfFirstRecord ?? 'the DLQ message\'s timestamp'}; notify them by hand (docs/operations.md)`;

/** The stream records from start to end sequence number, inclusive; throws RecordsExpired when they are gone. */
export async function readStreamRange(streams: DynamoDBStreamsClient, info: StreamBatchInfo, nowMs = Date.now()): Promise<StreamApiRecord[]> {
  const firstArrival = info.approximateArrivalOfFirstRecord ? Date.parse(info.approximateArrivalOfFirstRecord) : Number.NaN;
  if (Number.isFinite(firstArrival) && nowMs - firstArrival > STREAM_RETENTION_MS) {
    throw new ReplayError('RecordsExpired', expiredMessage(info, `the first record arrived at ${info.approximateArrivalOfFirstRecord}, more than 24 h ago`));
  }
  const start = BigInt(info.startSequenceNumber);
  const end = BigInt(info.endSequenceNumber);
  let next: string | undefined;
  try {
    const iterator = await streams.send(
      new GetShardIteratorCommand({ StreamArn: info.streamArn, ShardId: info.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: info.startSequenceNumber }),
    );
    next = iterator.ShardIterator;
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (name === 'TrimmedDataAccessException' || name === 'ResourceNotFoundException') {
      throw new ReplayError('RecordsExpired', expiredMessage(info, `${name}: ${(error as Error).message}`));
    }
    throw error;
  }
  const records: StreamApiRecord[] = [];
  // An open shard may answer empty pages before its newest records; a few in a row mean the range
  // will not complete.
  let emptyPages = 0;
  while (next) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: next, Limit: 1000 }));
    const batch = page.Records ?? [];
    emptyPages = batch.length === 0 ? emptyPages + 1 : 0;
    for (const record of batch) {
      const sequence = record.dynamodb?.SequenceNumber;
      if (sequence === undefined) continue;
      const value = BigInt(sequence);
      if (records.length === 0 && value !== start) {
        throw new ReplayError('RecordsExpired', expiredMessage(info, `the shard now starts at ${sequence}: the first records were trimmed`));
      }
      if (value > end) return records;
      records.push(record);
      if (value === end) return records;
    }
    if (emptyPages >= 5) break;
    next = page.NextShardIterator;
  }
  if (records.length === 0) throw new ReplayError('RecordsExpired', expiredMessage(info, 'the shard returned none of them'));
  throw new ReplayError('RangeIncomplete', `shard ${info.shardId} ended at ${records[records.length - 1]?.dynamodb?.SequenceNumber} before ${info.endSequenceNumber}; nothing was sent`);
}

/**
 * Why a change must not be replayed: the appointment is gone, or the notification of that change
 * (`change-<version>` in the notifications table) has completed since. Undefined when it may be
 * (replaying a change twice is safe either way: the notifier is idempotent per change).
 */
async function handledReason(dynamodb: DynamoDBClient, target: PipeReplayTarget, appointmentId: string, version: number | undefined): Promise<string | undefined> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: target.appointmentsTableName, Key: { id: { S: appointmentId } }, ConsistentRead: true, ProjectionExpression: 'id' }),
  );
  if (!Item) return 'the appointment no longer exists';
  if (!target.notificationsTableName || version === undefined || !Number.isInteger(version)) return undefined;
  const row = await dynamodb.send(
    new GetItemCommand({
      TableName: target.notificationsTableName,
      Key: { appointmentId: { S: appointmentId }, notificationId: { S: `change-${version}` } },
      ConsistentRead: true,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
  const status = row.Item?.status?.S;
  return status === 'sent' || status === 'skipped' || status === 'suppressed' ? `its change-${version} notification is ${status}: handled since` : undefined;
}

/**
 * The enrichment's work on a batch, with its own modules: parse the records (throws naming every
 * invalid one, as the function does), read the contacts in one BatchGetItem per 100 keys, and build
 * one contract-valid enriched appointment per record, in order.
 */
async function enrich(dynamodb: DynamoDBClient, contactsTableName: string, events: DynamoDbStreamPipeEvent[]) {
  if (events.length === 0) return [];
  let appointments;
  try {
    appointments = parseAppointmentInserts(events);
  } catch (error) {
    throw new ReplayError('EnrichmentFailed', `the enrichment still refuses the range, so it stays in the DLQ: ${(error as Error).message}`);
  }
  let items: Map<string, Record<string, unknown>>;
  try {
    items = await batchGetContacts(dynamodb, contactsTableName, distinctContactKeys(appointments));
  } catch (error) {
    throw new ReplayError('EnrichmentFailed', `reading the contacts table ${contactsTableName} failed: ${(error as Error).message}`);
  }
  const contacts = new Map<string, ContactPreference>();
  for (const [key, item] of items) contacts.set(key, readContactPreference(item));
  return enrichAppointments(appointments, contacts);
}

async function sendToTarget(sqs: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  for (let start = 0; start < bodies.length; start += 10) {
    const entries = bodies.slice(start, start + 10).map((body, index) => ({ Id: `r${start + index}`, MessageBody: body }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })).catch((error: unknown) => {
      throw new ReplayError('TargetSendFailed', `SendMessageBatch to ${queueUrl} failed: ${(error as Error).message}; the DLQ message is kept`);
    });
    const failed = sent.Failed ?? [];
    if (failed.length > 0) {
      throw new ReplayError(
        'TargetSendFailed',
        `${failed.length} of ${bodies.length} message(s) could not be sent to ${queueUrl} (${failed.map((entry) => entry.Message ?? entry.Code).join('; ')}); ` +
          'the DLQ message is kept, and a later replay resends (the notifier sends each booking once)',
      );
    }
  }
}
