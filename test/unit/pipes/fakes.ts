import type { DynamoDBStreamsClient, _Record as StreamApiRecord } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { PipeSpec } from '../../../local/topology/types';
import type { PipeRunnerEvent } from '../../../local/pipes/pipe-runner-events';

export const STREAM_ARN = 'arn:aws:dynamodb:eu-west-2:000000000000:table/appointments/stream/2024-01-01T00:00:00.000';
export const TARGET_QUEUE_ID = 'Dev-Stateless/NotificationsQueue';
export const DLQ_ID = 'Dev-Stateless/PipeDlq';

export function pipeSpec(overrides: Partial<Omit<PipeSpec, 'source' | 'target'>> & { source?: Partial<PipeSpec['source']>; target?: Partial<PipeSpec['target']> } = {}): PipeSpec {
  const { source, target, ...rest } = overrides;
  return {
    id: 'Dev-Stateless/AppointmentPipe',
    name: 'dev-appointment-pipe',
    desiredState: 'RUNNING',
    filterPatterns: [],
    ...rest,
    source: {
      kind: 'dynamodb-stream',
      tableId: 'Dev-Stateful/Appointments',
      startingPosition: 'TRIM_HORIZON',
      batchSize: 10,
      maximumBatchingWindowInSeconds: 0,
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: -1,
      parallelizationFactor: 1,
      ...source,
    },
    target: { kind: 'sqs', queueId: TARGET_QUEUE_ID, ...target },
  };
}

export const queueUrl = (queueId: string): string => `http://127.0.0.1:1/000000000000/${queueId.split('/')[1]}`;
export const queueArn = (queueId: string): string => `arn:aws:sqs:eu-west-2:000000000000:${queueId.split('/')[1]}`;

interface FakeShard {
  shardId: string;
  parentShardId?: string;
  records: StreamApiRecord[];
  closed: boolean;
}

export interface PutOptions {
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  newImage?: Record<string, { S: string } | { N: string }>;
  /** Epoch ms of ApproximateCreationDateTime; default now. */
  createdAtMs?: number;
}

/**
 * An in-memory DynamoDB stream speaking the three Streams calls the runner makes. Iterators are
 * `<shardId>@<index>`; a closed shard read to its end returns no NextShardIterator, as DynamoDB does.
 */
export class FakeDynamoDbStream {
  readonly shards: FakeShard[] = [];
  readonly calls: Array<{ command: string; input: Record<string, unknown> }> = [];
  private sequence = 1000;
  private expireNextGetRecords = 0;
  private describePageSize = 100;

  addShard(shardId: string, parentShardId?: string): this {
    this.shards.push({ shardId, ...(parentShardId ? { parentShardId } : {}), records: [], closed: false });
    return this;
  }

  closeShard(shardId: string): void {
    this.shard(shardId).closed = true;
  }

  /** Appends a record for item `id` and returns its sequence number. */
  put(shardId: string, id: string, options: PutOptions = {}): string {
    this.sequence += 1;
    const sequenceNumber = String(this.sequence).padStart(21, '0');
    const eventName = options.eventName ?? 'INSERT';
    const newImage = options.newImage ?? { id: { S: id } };
    this.shard(shardId).records.push({
      eventID: `event-${sequenceNumber}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-2',
      dynamodb: {
        ApproximateCreationDateTime: new Date(options.createdAtMs ?? Date.now()),
        Keys: { id: { S: id } },
        ...(eventName === 'REMOVE' ? {} : { NewImage: newImage }),
        SequenceNumber: sequenceNumber,
        SizeBytes: 42,
        StreamViewType: 'NEW_IMAGE',
      },
    });
    return sequenceNumber;
  }

  expireIteratorOnNextGetRecords(times = 1): void {
    this.expireNextGetRecords = times;
  }

  pageDescribeStreamBy(size: number): void {
    this.describePageSize = size;
  }

  get client(): DynamoDBStreamsClient {
    return { send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => this.handle(command) } as unknown as DynamoDBStreamsClient;
  }

  private shard(shardId: string): FakeShard {
    const shard = this.shards.find((s) => s.shardId === shardId);
    if (!shard) throw new Error(`no fake shard ${shardId}`);
    return shard;
  }

  private async handle(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
    await Promise.resolve();
    const name = command.constructor.name;
    const input = command.input;
    this.calls.push({ command: name, input });
    if (input.StreamArn !== undefined && input.StreamArn !== STREAM_ARN) throw awsError('ResourceNotFoundException', `no stream ${String(input.StreamArn)}`);
    switch (name) {
      case 'DescribeStreamCommand': {
        const start = input.ExclusiveStartShardId ? this.shards.findIndex((s) => s.shardId === input.ExclusiveStartShardId) + 1 : 0;
        const page = this.shards.slice(start, start + this.describePageSize);
        const more = start + this.describePageSize < this.shards.length;
        return {
          StreamDescription: {
            StreamArn: STREAM_ARN,
            Shards: page.map((shard) => ({
              ShardId: shard.shardId,
              ...(shard.parentShardId ? { ParentShardId: shard.parentShardId } : {}),
              SequenceNumberRange: {
                StartingSequenceNumber: shard.records[0]?.dynamodb?.SequenceNumber ?? '0',
                ...(shard.closed ? { EndingSequenceNumber: shard.records[shard.records.length - 1]?.dynamodb?.SequenceNumber ?? '0' } : {}),
              },
            })),
            ...(more ? { LastEvaluatedShardId: page[page.length - 1].shardId } : {}),
          },
        };
      }
      case 'GetShardIteratorCommand': {
        const shard = this.shard(String(input.ShardId));
        let index: number;
        switch (input.ShardIteratorType) {
          case 'TRIM_HORIZON':
            index = 0;
            break;
          case 'LATEST':
            index = shard.records.length;
            break;
          case 'AFTER_SEQUENCE_NUMBER':
            index = shard.records.findIndex((r) => r.dynamodb?.SequenceNumber === input.SequenceNumber) + 1;
            if (index === 0) throw awsError('TrimmedDataAccessException', `no record ${String(input.SequenceNumber)}`);
            break;
          default:
            throw awsError('ValidationException', `iterator type ${String(input.ShardIteratorType)}`);
        }
        return { ShardIterator: `${shard.shardId}@${index}` };
      }
      case 'GetRecordsCommand': {
        if (this.expireNextGetRecords > 0) {
          this.expireNextGetRecords -= 1;
          throw awsError('ExpiredIteratorException', 'Iterator expired');
        }
        const [shardId, at] = String(input.ShardIterator).split('@');
        const shard = this.shard(shardId);
        const index = Number(at);
        const limit = Number(input.Limit ?? 1000);
        const records = shard.records.slice(index, index + limit);
        const next = index + records.length;
        const atEnd = shard.closed && next >= shard.records.length;
        return { Records: records, ...(atEnd ? {} : { NextShardIterator: `${shardId}@${next}` }) };
      }
      default:
        throw new Error(`fake stream does not handle ${name}`);
    }
  }
}

export function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export interface SentBatch {
  queueUrl: string;
  /** Entries SQS did not accept (all of them when the call threw). */
  failedIndexes: Set<number>;
  bodies: string[];
  entries: Array<{ Id: string; MessageBody: string; MessageGroupId?: string }>;
}

/** SQS that records SendMessageBatch/SendMessage calls; `failBatch` decides failures per call. */
export class FakeSqs {
  readonly batches: SentBatch[] = [];
  readonly messages: Array<{ queueUrl: string; body: string }> = [];
  failBatch?: (batch: SentBatch, callIndex: number) => 'throw' | number[] | undefined;
  failSendMessage?: (callIndex: number) => boolean;
  private batchCalls = 0;
  private sendCalls = 0;
  private nextId = 0;

  get client(): SQSClient {
    return { send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => this.handle(command) } as unknown as SQSClient;
  }

  /** Bodies SQS accepted for a queue, in order (entries reported as Failed excluded). */
  delivered(queueUrlValue: string): string[] {
    return this.batches.filter((b) => b.queueUrl === queueUrlValue).flatMap((b) => b.bodies.filter((_, i) => !b.failedIndexes.has(i)));
  }

  private async handle(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
    await Promise.resolve();
    const input = command.input;
    if (command.constructor.name === 'SendMessageBatchCommand') {
      const entries = input.Entries as SentBatch['entries'];
      const batch: SentBatch = { queueUrl: String(input.QueueUrl), failedIndexes: new Set(), bodies: entries.map((e) => e.MessageBody), entries };
      const decision = this.failBatch?.(batch, this.batchCalls++);
      this.batches.push(batch);
      if (decision === 'throw') {
        entries.forEach((_, i) => batch.failedIndexes.add(i));
        throw awsError('InternalError', 'SQS is having a bad day');
      }
      const failedIndexes = new Set(decision ?? []);
      failedIndexes.forEach((i) => batch.failedIndexes.add(i));
      return {
        Successful: entries.filter((_, i) => !failedIndexes.has(i)).map((e) => ({ Id: e.Id, MessageId: `msg-${++this.nextId}` })),
        Failed: entries.filter((_, i) => failedIndexes.has(i)).map((e) => ({ Id: e.Id, Code: 'InternalError', Message: 'try again', SenderFault: false })),
      };
    }
    if (command.constructor.name === 'SendMessageCommand') {
      if (this.failSendMessage?.(this.sendCalls++)) throw awsError('InternalError', 'DLQ unavailable');
      this.messages.push({ queueUrl: String(input.QueueUrl), body: String(input.MessageBody) });
      return { MessageId: `dlq-${++this.nextId}` };
    }
    throw new Error(`fake SQS does not handle ${command.constructor.name}`);
  }
}

export function collectEvents(): { events: PipeRunnerEvent[]; onEvent: (event: PipeRunnerEvent) => void; ofType<T extends PipeRunnerEvent['type']>(type: T): Array<Extract<PipeRunnerEvent, { type: T }>> } {
  const events: PipeRunnerEvent[] = [];
  return {
    events,
    onEvent: (event) => events.push(event),
    ofType: <T extends PipeRunnerEvent['type']>(type: T) => events.filter((e): e is Extract<PipeRunnerEvent, { type: T }> => e.type === type),
  };
}

/** Polls `probe` until it is truthy or fails after the deadline; for conditions idle() cannot express. */
export async function waitFor(description: string, probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A promise with its resolve exposed, to hold an enrichment call open. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
