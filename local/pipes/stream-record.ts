import type { _Record as StreamApiRecord, AttributeValue } from '@aws-sdk/client-dynamodb-streams';

/** A DynamoDB attribute value as JSON: binary values base64-encoded, as Lambda and Pipes deliver them. */
export type JsonAttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: Record<string, JsonAttributeValue> }
  | { L: JsonAttributeValue[] }
  | { NULL: boolean }
  | { BOOL: boolean };

export type JsonItem = Record<string, JsonAttributeValue>;

/**
 * One DynamoDB stream record as a pipe receives it: the stream record plus the envelope fields the
 * "Amazon DynamoDB stream as a source" page shows (`eventID`, `eventName`, `eventVersion`,
 * `eventSource`, `awsRegion`, `dynamodb`, `eventSourceARN`). This is what filters match, what the
 * enrichment receives (as an array) and what `<$.…>` paths in input templates read.
 */
export interface DynamoDbStreamPipeEvent {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    /** Seconds since the epoch, as in Lambda and Pipes events. */
    ApproximateCreationDateTime?: number;
    Keys: JsonItem;
    NewImage?: JsonItem;
    OldImage?: JsonItem;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: string;
  };
  eventSourceARN: string;
  /** Present for deletions made by TTL. */
  userIdentity?: { type: string; principalId: string };
}

/** A record read from a shard, with what the runner needs besides the event. */
export interface ReadRecord {
  event: DynamoDbStreamPipeEvent;
  shardId: string;
  sequenceNumber: string;
  /** When DynamoDB wrote the record (ApproximateCreationDateTime), else when it was read. */
  approximateArrivalMs: number;
  /** The event's JSON size in bytes, for the 6 MB batch limit. */
  payloadBytes: number;
  /** Stable key of the item's primary key, for parallelization lanes. */
  partitionKey: string;
}

export class MalformedStreamRecordError extends Error {
  readonly code = 'MalformedStreamRecord';
  constructor(message: string) {
    super(message);
    this.name = 'MalformedStreamRecordError';
  }
}

export function toJsonAttributeValue(value: AttributeValue): JsonAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: toJsonItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toJsonAttributeValue) };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  throw new MalformedStreamRecordError(`unsupported attribute value with keys ${Object.keys(value).join(', ') || '(none)'}`);
}

export function toJsonItem(item: Record<string, AttributeValue>): JsonItem {
  const result: JsonItem = {};
  for (const [name, value] of Object.entries(item)) result[name] = toJsonAttributeValue(value);
  return result;
}

const EVENT_NAMES = new Set(['INSERT', 'MODIFY', 'REMOVE']);

export function toPipeEvent(record: StreamApiRecord, streamArn: string, fallbackRegion: string): DynamoDbStreamPipeEvent {
  const data = record.dynamodb;
  if (!data?.SequenceNumber) throw new MalformedStreamRecordError(`stream record ${record.eventID ?? '(no eventID)'} has no dynamodb.SequenceNumber`);
  if (!record.eventName || !EVENT_NAMES.has(record.eventName)) {
    throw new MalformedStreamRecordError(`stream record ${data.SequenceNumber} has eventName ${JSON.stringify(record.eventName)}`);
  }
  const created = data.ApproximateCreationDateTime;
  const dynamodb: DynamoDbStreamPipeEvent['dynamodb'] = {
    ...(created !== undefined ? { ApproximateCreationDateTime: Math.floor(toDate(created).getTime() / 1000) } : {}),
    Keys: toJsonItem(data.Keys ?? {}),
    ...(data.NewImage ? { NewImage: toJsonItem(data.NewImage) } : {}),
    ...(data.OldImage ? { OldImage: toJsonItem(data.OldImage) } : {}),
    SequenceNumber: data.SequenceNumber,
    SizeBytes: data.SizeBytes ?? 0,
    StreamViewType: data.StreamViewType ?? 'NEW_IMAGE',
  };
  return {
    eventID: record.eventID ?? data.SequenceNumber,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? fallbackRegion,
    dynamodb,
    eventSourceARN: streamArn,
    ...(record.userIdentity?.Type && record.userIdentity.PrincipalId
      ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } }
      : {}),
  };
}

export function toReadRecord(record: StreamApiRecord, shardId: string, streamArn: string, region: string, readAtMs: number): ReadRecord {
  const event = toPipeEvent(record, streamArn, region);
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    event,
    shardId,
    sequenceNumber: event.dynamodb.SequenceNumber,
    approximateArrivalMs: created !== undefined ? toDate(created).getTime() : readAtMs,
    payloadBytes: Buffer.byteLength(JSON.stringify(event)),
    partitionKey: partitionKeyOf(event.dynamodb.Keys),
  };
}

/** The item's key attributes in a stable order, so equal keys give equal strings. */
export function partitionKeyOf(keys: JsonItem): string {
  return JSON.stringify(Object.keys(keys).sort().map((name) => [name, keys[name]]));
}

function toDate(value: Date | number | string): Date {
  if (value instanceof Date) return value;
  // The wire format is epoch seconds; a client without date parsing may hand that through.
  if (typeof value === 'number') return new Date(value * 1000);
  return new Date(value);
}

/** DynamoDB stream sequence numbers are decimal strings of varying length: compare numerically. */
export function compareSequenceNumbers(a: string, b: string): number {
  const left = BigInt(a);
  const right = BigInt(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
