import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type Shard,
  type ShardIteratorType,
  type _Record as StreamApiRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { PipeSpec } from '../topology/types';
import { InMemoryCheckpointStore, type CheckpointStore, type PipeCheckpoints } from './checkpoint-store';
import { buildDeadLetterMessage, sendDeadLetterMessage, type DeadLetterCondition } from './dead-letter';
import { eventsFromEnrichmentResult } from './enrichment-result';
import {
  EnrichmentFailedError,
  EnrichmentResultTooLargeError,
  InputTemplateError,
  PipeConfigurationError,
  describeError,
} from './errors';
import { compileEventPattern, type CompiledEventPattern } from './event-pattern';
import { compileInputTemplate, readPath, type CompiledInputTemplate, type TemplateContext } from './input-template';
import type { ErrorSummary, PipeRunnerEvent, RecordReference } from './pipe-runner-events';
import { MAX_BATCH_PAYLOAD_BYTES, parseStreamArn, validatePipeSpec } from './pipe-settings';
import { sendToSqsTarget, SQS_MAX_BATCH_ENTRIES, type SqsTargetMessage } from './sqs-target';
import { toReadRecord, type ReadRecord } from './stream-record';
import { Wakeup } from './wakeup';

export interface RetryBackoff {
  /** Delay before the first retry; doubles with each retry of the same batch. */
  baseMs: number;
  maxMs: number;
}

export interface PipeRunnerOptions {
  pipe: PipeSpec;
  /** The source table's latest stream ARN. */
  streamArn: string;
  streams: DynamoDBStreamsClient;
  sqs: SQSClient;
  queueUrl(queueId: string): string;
  queueArn(queueId: string): string;
  /**
   * Invokes the enrichment function synchronously (REQUEST_RESPONSE) with the batch; resolves with
   * its result, rejects (ideally with `errorType`/`errorMessage`) when it fails, throws or times
   * out. Required when the pipe has an enrichment.
   */
  invokeEnrichment?(payload: unknown): Promise<unknown>;
  /** For `<aws.pipes.enrichment-arn>`. */
  enrichmentArn?: string;
  /** Default `arn:aws:pipes:<stream region>:<stream account>:pipe/<name>`. */
  pipeArn?: string;
  /** Pause between polls of a shard that had nothing new. Default 250 ms (Pipes polls four times a second). */
  pollIntervalMs?: number;
  /** How often DescribeStream looks for new shards. Default 1000 ms (and at once when a shard closes). */
  shardDiscoveryIntervalMs?: number;
  /** Exponential backoff between retries of a failed batch. Default 1 s doubling up to 60 s. */
  retryBackoff?: Partial<RetryBackoff>;
  /** In memory by default; use `FileCheckpointStore` to resume after a restart. */
  checkpoints?: CheckpointStore;
  onEvent?(event: PipeRunnerEvent): void;
  /** Clock for record ages and timestamps; default `Date.now`. */
  now?(): number;
  /** How long `stop()` lets an in-flight enrichment or target call finish before abandoning it. Default 5 s. */
  stopGraceMs?: number;
  /** Records read but not yet settled, per shard, before polling pauses. Default 1000. */
  maxUnsettledRecordsPerShard?: number;
}

export type PipeRunnerState = 'starting' | 'running' | 'stopping' | 'stopped' | 'not-running';

export interface ShardStats {
  shardId: string;
  parentShardId?: string;
  status: ShardStatus;
  checkpoint?: string;
  /** Read, passed the filter, not yet in a batch. */
  buffered: number;
  /** Batches being delivered right now (at most one per lane). */
  inFlight: number;
  /** Read and not yet settled (succeeded, filtered out, dead-lettered or discarded). */
  unsettled: number;
}

export interface PipeRunnerStats {
  pipeName: string;
  state: PipeRunnerState;
  shards: ShardStats[];
  recordsRead: number;
  recordsFilteredOut: number;
  recordsFilteredIn: number;
  batchAttempts: number;
  batchesSucceeded: number;
  retries: number;
  bisections: number;
  batchesDeadLettered: number;
  batchesDiscarded: number;
  enrichmentInvocations: number;
  enrichmentFailures: number;
  targetFailures: number;
  messagesSent: number;
}

export interface PipeRunner {
  readonly pipeName: string;
  /**
   * Stops polling and starting batches, lets an in-flight call finish for up to `stopGraceMs`,
   * and abandons whatever is unfinished without moving its checkpoint (a restart redelivers it).
   */
  stop(): Promise<void>;
  /**
   * Resolves once every shard has been polled since this call and had nothing new, nothing is
   * buffered or in flight, and the shard list has been refreshed. Handy for tests.
   */
  idle(): Promise<void>;
  stats(): PipeRunnerStats;
}

type ShardStatus = 'waiting' | 'reading' | 'finished';

type StartPosition = { type: 'TRIM_HORIZON' | 'LATEST' } | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

interface PendingRecord {
  sequenceNumber: string;
  settled: boolean;
}

interface BufferedRecord {
  record: ReadRecord;
  pending: PendingRecord;
  bufferedAtMs: number;
}

interface Lane {
  buffer: BufferedRecord[];
  bufferedBytes: number;
  busy: boolean;
  wake: Wakeup;
}

interface ShardRuntime {
  shardId: string;
  parentShardId?: string;
  status: ShardStatus;
  startPosition: StartPosition;
  iterator?: string;
  lastReadSequenceNumber?: string;
  endOfShard: boolean;
  pending: PendingRecord[];
  pendingHead: number;
  checkpoint?: string;
  lanes: Lane[];
  progress: Wakeup;
  pollWake: Wakeup;
  /** Clock value at the start of the latest poll that returned nothing. */
  lastEmptyPollTick: number;
  opened: boolean;
}

interface Batch {
  id: string;
  items: BufferedRecord[];
}

type AttemptResult = { type: 'ok' } | { type: 'failed'; error: ErrorSummary } | { type: 'abandoned' };
type DeliveryOutcome = { type: 'settled' } | { type: 'split'; halves: [Batch, Batch] } | { type: 'abandoned' };

interface IdleWaiter {
  sinceTick: number;
  resolve(): void;
}

const DEFAULT_POLL_INTERVAL_MS = 250;
const DEFAULT_DISCOVERY_INTERVAL_MS = 1000;
const DEFAULT_BACKOFF: RetryBackoff = { baseMs: 1000, maxMs: 60_000 };
const GET_RECORDS_LIMIT = 1000;

/**
 * Starts the local EventBridge Pipes runner for one pipe with a DynamoDB stream source, an
 * optional Lambda enrichment and an SQS target. Throws `PipeConfigurationError` (synchronously)
 * for settings Pipes would refuse.
 */
export function startPipeRunner(options: PipeRunnerOptions): PipeRunner {
  return new DynamoDbStreamPipeRunner(options);
}

class DynamoDbStreamPipeRunner implements PipeRunner {
  readonly pipeName: string;
  private readonly pipe: PipeSpec;
  private readonly streamArn: string;
  private readonly region: string;
  private readonly pipeArn: string;
  private readonly targetArn: string;
  private readonly targetQueueUrl: string;
  private readonly deadLetterQueueUrl: string | undefined;
  private readonly filters: CompiledEventPattern[];
  private readonly enrichmentTemplate: CompiledInputTemplate | undefined;
  private readonly targetTemplate: CompiledInputTemplate | undefined;
  private readonly pollIntervalMs: number;
  private readonly discoveryIntervalMs: number;
  private readonly backoff: RetryBackoff;
  private readonly store: CheckpointStore;
  private readonly now: () => number;
  private readonly stopGraceMs: number;
  private readonly maxUnsettled: number;

  private state: PipeRunnerState = 'starting';
  private stopping = false;
  private stopPromise: Promise<void> | undefined;
  private readonly stopWake = new Wakeup();
  private readonly discoveryWake = new Wakeup();
  private readonly loops = new Set<Promise<void>>();
  private readonly shards = new Map<string, ShardRuntime>();
  private checkpoints: PipeCheckpoints;
  private firstStart = true;
  private saving: Promise<void> | undefined;
  private saveAgain = false;
  private clock = 0;
  private lastDiscoveryTick = -1;
  private batchCounter = 0;
  private idleWaiters: IdleWaiter[] = [];
  private readonly counters = {
    recordsRead: 0,
    recordsFilteredOut: 0,
    recordsFilteredIn: 0,
    batchAttempts: 0,
    batchesSucceeded: 0,
    retries: 0,
    bisections: 0,
    batchesDeadLettered: 0,
    batchesDiscarded: 0,
    enrichmentInvocations: 0,
    enrichmentFailures: 0,
    targetFailures: 0,
    messagesSent: 0,
  };

  constructor(private readonly options: PipeRunnerOptions) {
    const { pipe } = options;
    validatePipeSpec(pipe);
    this.pipe = pipe;
    this.pipeName = pipe.name;
    this.streamArn = options.streamArn;
    const stream = parseStreamArn(pipe.name, options.streamArn);
    this.region = stream.region;
    this.pipeArn = options.pipeArn ?? `arn:aws:pipes:${stream.region}:${stream.accountId}:pipe/${pipe.name}`;
    if (pipe.enrichmentFunctionId !== undefined && typeof options.invokeEnrichment !== 'function') {
      throw new PipeConfigurationError(pipe.name, 'invokeEnrichment', `the pipe has the enrichment ${pipe.enrichmentFunctionId}, but no invokeEnrichment was given`);
    }
    this.targetArn = options.queueArn(pipe.target.queueId);
    this.targetQueueUrl = options.queueUrl(pipe.target.queueId);
    this.deadLetterQueueUrl = pipe.source.deadLetterQueueId !== undefined ? options.queueUrl(pipe.source.deadLetterQueueId) : undefined;
    // Patterns are compiled once; a pattern Pipes would reject fails the start, as CreatePipe would.
    this.filters = pipe.filterPatterns.map((pattern, index) => {
      try {
        return compileEventPattern(pattern, { dialect: 'pipes' });
      } catch (error) {
        throw new PipeConfigurationError(pipe.name, `filterPatterns[${index}]`, (error as Error).message);
      }
    });
    this.enrichmentTemplate = compileTemplate(pipe.name, 'enrichmentInputTemplate', pipe.enrichmentInputTemplate);
    this.targetTemplate = compileTemplate(pipe.name, 'target.inputTemplate', pipe.target.inputTemplate);
    this.pollIntervalMs = positiveOption(pipe.name, 'pollIntervalMs', options.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS);
    this.discoveryIntervalMs = positiveOption(pipe.name, 'shardDiscoveryIntervalMs', options.shardDiscoveryIntervalMs, DEFAULT_DISCOVERY_INTERVAL_MS);
    this.backoff = {
      baseMs: positiveOption(pipe.name, 'retryBackoff.baseMs', options.retryBackoff?.baseMs, DEFAULT_BACKOFF.baseMs),
      maxMs: positiveOption(pipe.name, 'retryBackoff.maxMs', options.retryBackoff?.maxMs, DEFAULT_BACKOFF.maxMs),
    };
    this.stopGraceMs = positiveOption(pipe.name, 'stopGraceMs', options.stopGraceMs, 5000);
    this.maxUnsettled = positiveOption(pipe.name, 'maxUnsettledRecordsPerShard', options.maxUnsettledRecordsPerShard, 1000);
    this.store = options.checkpoints ?? new InMemoryCheckpointStore();
    this.now = options.now ?? Date.now;
    this.checkpoints = { streamArn: this.streamArn, shards: {} };

    if (pipe.desiredState === 'STOPPED') {
      // A STOPPED pipe does not poll its source.
      this.state = 'not-running';
      return;
    }
    this.track(this.run());
  }

  stop(): Promise<void> {
    this.stopPromise ??= this.shutdown();
    return this.stopPromise;
  }

  idle(): Promise<void> {
    if (this.state === 'not-running' || this.state === 'stopped' || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push({ sinceTick: this.clock, resolve });
      // Poll now rather than at the next tick, so the answer reflects what is in the stream now.
      this.discoveryWake.notify();
      for (const shard of this.shards.values()) shard.pollWake.notify();
    });
  }

  stats(): PipeRunnerStats {
    return {
      pipeName: this.pipeName,
      state: this.state,
      shards: [...this.shards.values()].map((shard) => ({
        shardId: shard.shardId,
        ...(shard.parentShardId ? { parentShardId: shard.parentShardId } : {}),
        status: shard.status,
        ...(shard.checkpoint ? { checkpoint: shard.checkpoint } : {}),
        buffered: shard.lanes.reduce((sum, lane) => sum + lane.buffer.length, 0),
        inFlight: shard.lanes.filter((lane) => lane.busy).length,
        unsettled: shard.pending.length - shard.pendingHead,
      })),
      ...this.counters,
    };
  }

  // ---------------------------------------------------------------- lifecycle

  private async run(): Promise<void> {
    try {
      const stored = await this.store.load();
      if (stored && stored.streamArn === this.streamArn) {
        this.checkpoints = stored;
        this.firstStart = false;
      }
    } catch (error) {
      // Unreadable checkpoints must not silently restart the pipe from scratch: stay stopped and say why.
      this.emit({ type: 'checkpoint-save-failed', pipeName: this.pipeName, error: summarize(error) });
      this.state = 'stopped';
      this.stopping = true;
      this.resolveIdleWaiters(true);
      return;
    }
    if (this.stopping) return;
    this.state = 'running';
    let failures = 0;
    while (!this.stopping) {
      const tick = ++this.clock;
      try {
        const described = await this.describeShards();
        if (this.stopping) break;
        this.reconcileShards(described);
        this.lastDiscoveryTick = tick;
        failures = 0;
        this.checkIdle();
      } catch (error) {
        if (this.stopping) break;
        failures += 1;
        this.emit({ type: 'poll-failed', pipeName: this.pipeName, error: summarize(error) });
        await this.stopWake.wait(this.backoffDelay(failures));
        continue;
      }
      await this.discoveryWake.wait(this.discoveryIntervalMs);
    }
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'not-running') {
      this.state = 'stopped';
      return;
    }
    this.stopping = true;
    this.state = 'stopping';
    this.wakeEverything();
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      graceTimer = setTimeout(resolve, this.stopGraceMs);
    });
    await Promise.race([Promise.allSettled([...this.loops]), grace]);
    if (graceTimer) clearTimeout(graceTimer);
    await this.flushCheckpoints();
    this.state = 'stopped';
    this.resolveIdleWaiters(true);
  }

  private track(loop: Promise<void>): void {
    const tracked = loop.catch((error: unknown) => {
      this.emit({ type: 'poll-failed', pipeName: this.pipeName, error: summarize(error) });
    });
    this.loops.add(tracked);
    void tracked.finally(() => this.loops.delete(tracked));
  }

  private wakeEverything(): void {
    this.stopWake.notify();
    this.discoveryWake.notify();
    for (const shard of this.shards.values()) {
      shard.pollWake.notify();
      shard.progress.notify();
      for (const lane of shard.lanes) lane.wake.notify();
    }
  }

  // ---------------------------------------------------------------- shards

  private async describeShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const output = await this.options.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}) }),
      );
      const description = output.StreamDescription;
      shards.push(...(description?.Shards ?? []));
      exclusiveStartShardId = description?.LastEvaluatedShardId;
    } while (exclusiveStartShardId && !this.stopping);
    return shards;
  }

  /**
   * Adds shards not seen before and starts every shard whose parent is done. A child shard starts
   * only after its parent is fully processed, so records of one item stay in order across a split
   * ("EventBridge Pipes maintains the order of records from the data stream").
   */
  private reconcileShards(described: Shard[]): void {
    const initial = this.shards.size === 0 && this.firstStart;
    let changed = false;
    for (const shard of described) {
      const shardId = shard.ShardId;
      if (!shardId || this.shards.has(shardId)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      const stored = this.checkpoints.shards[shardId];
      let status: ShardStatus = 'waiting';
      let startPosition: StartPosition = { type: 'TRIM_HORIZON' };
      if (stored?.finished) status = 'finished';
      else if (stored?.sequenceNumber) startPosition = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: stored.sequenceNumber };
      else if (stored?.openedAtLatest) startPosition = { type: 'LATEST' };
      else if (initial && this.pipe.source.startingPosition === 'LATEST') {
        // LATEST on a pipe's first start: closed shards hold only the past, open ones start at the tip.
        // Shards that appear later are read from their start, so nothing written after the start is skipped.
        if (closed) {
          status = 'finished';
          this.checkpoints.shards[shardId] = { finished: true };
        } else {
          startPosition = { type: 'LATEST' };
          this.checkpoints.shards[shardId] = { openedAtLatest: true };
        }
        changed = true;
      }
      this.shards.set(shardId, {
        shardId,
        ...(shard.ParentShardId ? { parentShardId: shard.ParentShardId } : {}),
        status,
        startPosition,
        endOfShard: status === 'finished',
        pending: [],
        pendingHead: 0,
        ...(stored?.sequenceNumber ? { checkpoint: stored.sequenceNumber } : {}),
        lanes: [],
        progress: new Wakeup(),
        pollWake: new Wakeup(),
        lastEmptyPollTick: -1,
        opened: false,
      });
    }
    this.firstStart = false;
    if (changed) this.scheduleSave();
    this.startReadyShards();
  }

  private startReadyShards(): void {
    for (const shard of this.shards.values()) {
      if (shard.status !== 'waiting' || this.stopping) continue;
      const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
      // A parent no longer described has been trimmed: nothing of it is left to keep order with.
      if (parent && parent.status !== 'finished') continue;
      shard.status = 'reading';
      const factor = this.pipe.source.parallelizationFactor;
      shard.lanes = Array.from({ length: factor }, () => ({ buffer: [], bufferedBytes: 0, busy: false, wake: new Wakeup() }));
      this.track(this.readShard(shard));
      for (const lane of shard.lanes) this.track(this.runLane(shard, lane));
    }
  }

  private async readShard(shard: ShardRuntime): Promise<void> {
    let failures = 0;
    while (!this.stopping && !shard.endOfShard) {
      if (!shard.iterator) {
        try {
          await this.acquireIterator(shard);
          failures = 0;
        } catch (error) {
          if (this.stopping) return;
          if (errorName(error) === 'ResourceNotFoundException') {
            this.endShard(shard);
            return;
          }
          failures += 1;
          this.emit({ type: 'poll-failed', pipeName: this.pipeName, shardId: shard.shardId, error: summarize(error) });
          await this.stopWake.wait(this.backoffDelay(failures));
          continue;
        }
        if (!shard.iterator) {
          this.endShard(shard);
          return;
        }
      }
      if (shard.pending.length - shard.pendingHead >= this.maxUnsettled) {
        // Back-pressure: do not read further ahead of delivery than this.
        await shard.progress.wait(this.pollIntervalMs);
        continue;
      }
      const tick = ++this.clock;
      let records: StreamApiRecord[];
      let nextIterator: string | undefined;
      try {
        const output = await this.options.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: GET_RECORDS_LIMIT }));
        records = output.Records ?? [];
        nextIterator = output.NextShardIterator ?? undefined;
        failures = 0;
      } catch (error) {
        if (this.stopping) return;
        const name = errorName(error);
        if (name === 'ExpiredIteratorException') {
          // Iterators expire after 15 minutes; get a new one after the last record read.
          this.emit({ type: 'iterator-expired', pipeName: this.pipeName, shardId: shard.shardId });
          shard.iterator = undefined;
          continue;
        }
        if (name === 'TrimmedDataAccessException') {
          this.emit({
            type: 'records-trimmed',
            pipeName: this.pipeName,
            shardId: shard.shardId,
            ...(shard.lastReadSequenceNumber ? { afterSequenceNumber: shard.lastReadSequenceNumber } : {}),
          });
          shard.iterator = undefined;
          shard.lastReadSequenceNumber = undefined;
          shard.startPosition = { type: 'TRIM_HORIZON' };
          continue;
        }
        if (name === 'ResourceNotFoundException') {
          this.endShard(shard);
          return;
        }
        failures += 1;
        this.emit({ type: 'poll-failed', pipeName: this.pipeName, shardId: shard.shardId, error: summarize(error) });
        await this.stopWake.wait(this.backoffDelay(failures));
        continue;
      }
      if (this.stopping) return;
      if (records.length > 0) this.intake(shard, records);
      else shard.lastEmptyPollTick = tick;
      shard.iterator = nextIterator;
      if (!nextIterator) {
        // A null NextShardIterator: the shard is closed and every record of it has been read.
        this.endShard(shard);
        return;
      }
      this.checkIdle();
      if (records.length === 0) await shard.pollWake.wait(this.pollIntervalMs);
    }
  }

  private async acquireIterator(shard: ShardRuntime): Promise<void> {
    const position: StartPosition = shard.lastReadSequenceNumber
      ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: shard.lastReadSequenceNumber }
      : shard.startPosition;
    try {
      shard.iterator = await this.getShardIterator(shard.shardId, position);
    } catch (error) {
      if (errorName(error) !== 'TrimmedDataAccessException' || position.type !== 'AFTER_SEQUENCE_NUMBER') throw error;
      // The checkpointed record is gone from the stream: the oldest record left is the next one.
      this.emit({ type: 'records-trimmed', pipeName: this.pipeName, shardId: shard.shardId, afterSequenceNumber: position.sequenceNumber });
      shard.lastReadSequenceNumber = undefined;
      shard.startPosition = { type: 'TRIM_HORIZON' };
      shard.iterator = await this.getShardIterator(shard.shardId, shard.startPosition);
    }
    if (!shard.opened) {
      shard.opened = true;
      this.emit({
        type: 'shard-opened',
        pipeName: this.pipeName,
        shardId: shard.shardId,
        ...(shard.parentShardId ? { parentShardId: shard.parentShardId } : {}),
        iteratorType: position.type,
        ...(position.type === 'AFTER_SEQUENCE_NUMBER' ? { sequenceNumber: position.sequenceNumber } : {}),
      });
    }
  }

  private async getShardIterator(shardId: string, position: StartPosition): Promise<string | undefined> {
    const output = await this.options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ShardIteratorType: position.type as ShardIteratorType,
        ...(position.type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: position.sequenceNumber } : {}),
      }),
    );
    return output.ShardIterator ?? undefined;
  }

  private endShard(shard: ShardRuntime): void {
    shard.endOfShard = true;
    shard.iterator = undefined;
    // Whatever is buffered no longer waits for a batching window: nothing more will join it.
    for (const lane of shard.lanes) lane.wake.notify();
    this.maybeFinishShard(shard);
  }

  private maybeFinishShard(shard: ShardRuntime): void {
    if (shard.status !== 'reading' || !shard.endOfShard || shard.pending.length !== shard.pendingHead) return;
    shard.status = 'finished';
    this.checkpoints.shards[shard.shardId] = { ...(shard.checkpoint ? { sequenceNumber: shard.checkpoint } : {}), finished: true };
    this.scheduleSave();
    this.emit({ type: 'checkpoint', pipeName: this.pipeName, shardId: shard.shardId, ...(shard.checkpoint ? { sequenceNumber: shard.checkpoint } : {}), finished: true });
    this.emit({ type: 'shard-closed', pipeName: this.pipeName, shardId: shard.shardId });
    for (const lane of shard.lanes) lane.wake.notify();
    this.startReadyShards();
    // Its children may not be described yet: look now rather than at the next interval.
    this.discoveryWake.notify();
    this.checkIdle();
  }

  // ---------------------------------------------------------------- intake and filtering

  private intake(shard: ShardRuntime, apiRecords: StreamApiRecord[]): void {
    const readAt = this.now();
    const records: ReadRecord[] = [];
    for (const apiRecord of apiRecords) {
      try {
        records.push(toReadRecord(apiRecord, shard.shardId, this.streamArn, this.region, readAt));
      } catch (error) {
        // Not a record DynamoDB Streams produces; it cannot be filtered or delivered, so say so loudly.
        this.emit({ type: 'poll-failed', pipeName: this.pipeName, shardId: shard.shardId, error: summarize(error) });
      }
    }
    if (records.length === 0) return;
    this.counters.recordsRead += records.length;
    this.emit({
      type: 'records-read',
      pipeName: this.pipeName,
      shardId: shard.shardId,
      count: records.length,
      firstSequenceNumber: records[0].sequenceNumber,
      lastSequenceNumber: records[records.length - 1].sequenceNumber,
    });
    const filteredOut: PendingRecord[] = [];
    for (const record of records) {
      shard.lastReadSequenceNumber = record.sequenceNumber;
      const pending: PendingRecord = { sequenceNumber: record.sequenceNumber, settled: false };
      shard.pending.push(pending);
      // Patterns are OR-ed; no patterns lets everything through ("Event filtering").
      const matches = this.filters.length === 0 || this.filters.some((filter) => filter.matches(record.event));
      if (!matches) {
        // A record that matches no pattern is consumed: the iterator moves past it, it is never
        // retried and never sent on ("Properly filtering Kinesis and DynamoDB messages").
        this.counters.recordsFilteredOut += 1;
        this.emit({ type: 'record-filtered-out', pipeName: this.pipeName, shardId: shard.shardId, record: referenceOf(record) });
        filteredOut.push(pending);
        continue;
      }
      this.counters.recordsFilteredIn += 1;
      this.emit({ type: 'record-filtered-in', pipeName: this.pipeName, shardId: shard.shardId, record: referenceOf(record) });
      const lane = shard.lanes[laneIndex(record.partitionKey, shard.lanes.length)];
      lane.buffer.push({ record, pending, bufferedAtMs: readAt });
      lane.bufferedBytes += record.payloadBytes;
    }
    if (filteredOut.length > 0) this.settle(shard, filteredOut);
    for (const lane of shard.lanes) lane.wake.notify();
  }

  // ---------------------------------------------------------------- batching

  /**
   * One lane delivers one batch at a time, so records of one lane stay in order. With a
   * ParallelizationFactor above 1, a shard has that many lanes and records go to a lane by their
   * item key, so records of one item stay in order while different items go concurrently
   * ("Batching and concurrency": up to ParallelizationFactor concurrent executions per shard).
   */
  private async runLane(shard: ShardRuntime, lane: Lane): Promise<void> {
    const windowMs = this.pipe.source.maximumBatchingWindowInSeconds * 1000;
    const batchSize = this.pipe.source.batchSize;
    while (!this.stopping && shard.status !== 'finished') {
      if (lane.buffer.length === 0) {
        await lane.wake.wait();
        continue;
      }
      // A batch goes when it is full, the batching window is over, or it reaches 6 MB; with no
      // window, whatever a poll returned goes at once (DynamoDB stream source page, "Batching").
      const windowEndsAt = lane.buffer[0].bufferedAtMs + windowMs;
      const ready =
        lane.buffer.length >= batchSize || lane.bufferedBytes >= MAX_BATCH_PAYLOAD_BYTES || windowMs === 0 || shard.endOfShard || this.now() >= windowEndsAt;
      if (!ready) {
        await lane.wake.wait(windowEndsAt - this.now());
        continue;
      }
      const items = takeBatch(lane, batchSize);
      lane.busy = true;
      try {
        await this.deliver(shard, { id: this.nextBatchId(shard), items });
      } finally {
        lane.busy = false;
        this.checkIdle();
      }
    }
  }

  private nextBatchId(shard: ShardRuntime): string {
    this.batchCounter += 1;
    return `${shard.shardId}#${this.batchCounter}`;
  }

  // ---------------------------------------------------------------- delivery, retries, bisect, DLQ

  private async deliver(shard: ShardRuntime, batch: Batch): Promise<void> {
    const queue: Batch[] = [batch];
    while (queue.length > 0) {
      const next = queue.shift() as Batch;
      const outcome = await this.deliverWithRetries(shard, next);
      if (outcome.type === 'abandoned') return;
      // Halves go first and in order, so a lane still delivers its records in stream order.
      if (outcome.type === 'split') queue.unshift(...outcome.halves);
    }
  }

  /**
   * Retries a failing batch with exponential backoff up to MaximumRetryAttempts (-1: until the
   * records expire) or until its oldest record is older than MaximumRecordAgeInSeconds (-1: no
   * limit) (PipeSourceDynamoDBStreamParameters). With AUTOMATIC_BISECT a failing batch is halved
   * and each half retried "until all the records are processed or there is one failed message left
   * in the batch"; as for Lambda stream sources, splitting a batch does not count towards the retry
   * quota, so only a batch that can no longer be split uses up retries.
   */
  private async deliverWithRetries(shard: ShardRuntime, batch: Batch): Promise<DeliveryOutcome> {
    const { maximumRetryAttempts, maximumRecordAgeInSeconds, onPartialBatchItemFailure } = this.pipe.source;
    let retries = 0;
    let lastError: ErrorSummary | undefined;
    for (;;) {
      if (this.stopping) return { type: 'abandoned' };
      if (maximumRecordAgeInSeconds >= 0) {
        const oldest = Math.min(...batch.items.map((item) => item.record.approximateArrivalMs));
        if (this.now() - oldest > maximumRecordAgeInSeconds * 1000) return this.giveUp(shard, batch, 'RecordAgeExceeded', lastError);
      }
      this.counters.batchAttempts += 1;
      this.emit({ type: 'batch-started', attempt: retries + 1, ...this.batchBase(shard, batch) });
      const result = await this.attempt(shard, batch);
      if (result.type === 'abandoned') return result;
      if (result.type === 'ok') {
        this.counters.batchesSucceeded += 1;
        this.emit({ type: 'batch-succeeded', ...this.batchBase(shard, batch) });
        this.settle(
          shard,
          batch.items.map((item) => item.pending),
        );
        return { type: 'settled' };
      }
      lastError = result.error;
      if (onPartialBatchItemFailure === 'AUTOMATIC_BISECT' && batch.items.length > 1) {
        const middle = Math.ceil(batch.items.length / 2);
        const halves: [Batch, Batch] = [
          { id: this.nextBatchId(shard), items: batch.items.slice(0, middle) },
          { id: this.nextBatchId(shard), items: batch.items.slice(middle) },
        ];
        this.counters.bisections += 1;
        this.emit({ type: 'batch-bisected', halves: [halves[0].id, halves[1].id], error: lastError, ...this.batchBase(shard, batch) });
        return { type: 'split', halves };
      }
      if (maximumRetryAttempts >= 0 && retries >= maximumRetryAttempts) return this.giveUp(shard, batch, 'RetryAttemptsExhausted', lastError);
      retries += 1;
      this.counters.retries += 1;
      const delayMs = this.backoffDelay(retries);
      this.emit({ type: 'batch-retried', retry: retries, delayMs, error: lastError, ...this.batchBase(shard, batch) });
      await this.stopWake.wait(delayMs);
    }
  }

  private async attempt(shard: ShardRuntime, batch: Batch): Promise<AttemptResult> {
    const sourceEvents = batch.items.map((item) => item.record.event);
    let events: unknown[] = sourceEvents;
    if (this.pipe.enrichmentFunctionId !== undefined && this.options.invokeEnrichment) {
      let payload: unknown[];
      try {
        // The enrichment always gets a JSON array, even for one record ("Batching and concurrency").
        payload = this.enrichmentTemplate ? sourceEvents.map((event) => templateOutput(this.enrichmentTemplate as CompiledInputTemplate, event, this.templateContext())) : sourceEvents;
      } catch (error) {
        return this.enrichmentFailed(shard, batch, error);
      }
      this.counters.enrichmentInvocations += 1;
      let result: unknown;
      try {
        result = await this.options.invokeEnrichment(payload);
      } catch (error) {
        if (this.stopping) return { type: 'abandoned' };
        return this.enrichmentFailed(shard, batch, toEnrichmentError(error));
      }
      // Stopping while the function ran: do not start the target call, leave the batch unsettled.
      if (this.stopping) return { type: 'abandoned' };
      events = eventsFromEnrichmentResult(result);
      this.emit({ type: 'enrichment-succeeded', eventCount: events.length, ...this.batchBase(shard, batch) });
      if (events.length === 0) {
        this.emit({ type: 'target-skipped', reason: 'empty-enrichment-result', ...this.batchBase(shard, batch) });
        return { type: 'ok' };
      }
    }
    try {
      // "if the array is larger than the batch size supported by the target, the pipe won't invoke the target".
      if (events.length > SQS_MAX_BATCH_ENTRIES) throw new EnrichmentResultTooLargeError(events.length, SQS_MAX_BATCH_ENTRIES);
      const messages = events.map((event) => this.targetMessage(event));
      const sent = await sendToSqsTarget(this.options.sqs, this.targetQueueUrl, messages);
      this.counters.messagesSent += sent.messageIds.length;
      this.emit({ type: 'target-sent', messageIds: sent.messageIds, requests: sent.requests, ...this.batchBase(shard, batch) });
      return { type: 'ok' };
    } catch (error) {
      if (this.stopping) return { type: 'abandoned' };
      this.counters.targetFailures += 1;
      const summary = summarize(error);
      this.emit({ type: 'target-failed', error: summary, ...this.batchBase(shard, batch) });
      return { type: 'failed', error: summary };
    }
  }

  private enrichmentFailed(shard: ShardRuntime, batch: Batch, error: unknown): AttemptResult {
    // Partial batch failure handling of the enrichment is not supported: the whole batch failed.
    this.counters.enrichmentFailures += 1;
    const summary = summarize(error);
    this.emit({ type: 'enrichment-failed', error: summary, ...this.batchBase(shard, batch) });
    return { type: 'failed', error: summary };
  }

  private targetMessage(event: unknown): SqsTargetMessage {
    let body: string;
    if (this.targetTemplate) body = this.targetTemplate.render(event, this.templateContext()).text;
    // An enrichment may return plain text; it is sent as it is, anything else as its JSON.
    else body = typeof event === 'string' ? event : JSON.stringify(event);
    const { messageGroupId, messageDeduplicationId } = this.pipe.target;
    return {
      body,
      ...(messageGroupId !== undefined ? { messageGroupId: dynamicParameter(messageGroupId, event) } : {}),
      ...(messageDeduplicationId !== undefined ? { messageDeduplicationId: dynamicParameter(messageDeduplicationId, event) } : {}),
    };
  }

  /**
   * Retries are exhausted or the records too old: the batch's metadata goes to the DLQ and the
   * checkpoint moves past it so nothing else waits behind it. Without a DLQ the records are
   * dropped, loudly. A DLQ that cannot be reached is retried: the checkpoint never passes records
   * that are neither delivered nor dead-lettered.
   */
  private async giveUp(shard: ShardRuntime, batch: Batch, condition: DeadLetterCondition, error: ErrorSummary | undefined): Promise<DeliveryOutcome> {
    const records = batch.items.map((item) => item.record);
    if (this.deadLetterQueueUrl === undefined) {
      this.counters.batchesDiscarded += 1;
      this.emit({
        type: 'batch-discarded',
        condition,
        ...(error ? { error } : {}),
        warning: `pipe ${this.pipeName} has no dead-letter queue: ${records.length} record(s) of shard ${shard.shardId} (${records[0].sequenceNumber}..${records[records.length - 1].sequenceNumber}) are dropped after ${condition}`,
        ...this.batchBase(shard, batch),
      });
      this.settle(
        shard,
        batch.items.map((item) => item.pending),
      );
      return { type: 'settled' };
    }
    const message = buildDeadLetterMessage({ pipeArn: this.pipeArn, condition, streamArn: this.streamArn, records, now: new Date(this.now()) });
    let failures = 0;
    for (;;) {
      if (this.stopping) return { type: 'abandoned' };
      try {
        const messageId = await sendDeadLetterMessage(this.options.sqs, this.deadLetterQueueUrl, message);
        this.counters.batchesDeadLettered += 1;
        this.emit({ type: 'batch-dead-lettered', condition, message, messageId, ...(error ? { error } : {}), ...this.batchBase(shard, batch) });
        this.settle(
          shard,
          batch.items.map((item) => item.pending),
        );
        return { type: 'settled' };
      } catch (sendError) {
        failures += 1;
        this.emit({ type: 'dead-letter-failed', error: summarize(sendError), ...this.batchBase(shard, batch) });
        await this.stopWake.wait(this.backoffDelay(failures));
      }
    }
  }

  private backoffDelay(retry: number): number {
    return Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.max(0, retry - 1));
  }

  // ---------------------------------------------------------------- checkpoints

  /**
   * Marks records settled and moves the shard's checkpoint over the settled prefix: with several
   * lanes, the checkpoint only passes a record once every record before it is settled too, so a
   * restart never skips a record ("checkpoints to the highest sequence number of a batch, but only
   * when the batch is a complete success").
   */
  private settle(shard: ShardRuntime, records: PendingRecord[]): void {
    for (const record of records) record.settled = true;
    let moved: string | undefined;
    while (shard.pendingHead < shard.pending.length && shard.pending[shard.pendingHead].settled) {
      moved = shard.pending[shard.pendingHead].sequenceNumber;
      shard.pendingHead += 1;
    }
    if (shard.pendingHead > 1024 && shard.pendingHead * 2 > shard.pending.length) {
      shard.pending = shard.pending.slice(shard.pendingHead);
      shard.pendingHead = 0;
    }
    if (moved !== undefined) {
      shard.checkpoint = moved;
      this.checkpoints.shards[shard.shardId] = { sequenceNumber: moved };
      this.scheduleSave();
      this.emit({ type: 'checkpoint', pipeName: this.pipeName, shardId: shard.shardId, sequenceNumber: moved, finished: false });
    }
    shard.progress.notify();
    this.maybeFinishShard(shard);
    this.checkIdle();
  }

  private scheduleSave(): void {
    // A call that outlived stop() (past the grace period) must not write after the runner said it stopped;
    // its records are redelivered after a restart instead (at least once).
    if (this.state === 'stopped') return;
    if (this.saving) {
      this.saveAgain = true;
      return;
    }
    const snapshot = JSON.parse(JSON.stringify(this.checkpoints)) as PipeCheckpoints;
    this.saving = this.store
      .save(snapshot)
      .catch((error: unknown) => {
        this.emit({ type: 'checkpoint-save-failed', pipeName: this.pipeName, error: summarize(error) });
      })
      .finally(() => {
        this.saving = undefined;
        if (this.saveAgain) {
          this.saveAgain = false;
          this.scheduleSave();
        }
      });
  }

  private async flushCheckpoints(): Promise<void> {
    while (this.saving) await this.saving;
  }

  // ---------------------------------------------------------------- idle and events

  private checkIdle(): void {
    if (this.idleWaiters.length === 0) return;
    this.idleWaiters = this.idleWaiters.filter((waiter) => {
      if (!this.isIdleSince(waiter.sinceTick)) return true;
      waiter.resolve();
      return false;
    });
  }

  private isIdleSince(tick: number): boolean {
    if (this.state !== 'running' || this.lastDiscoveryTick <= tick) return false;
    for (const shard of this.shards.values()) {
      if (shard.status === 'finished' || shard.status === 'waiting') continue;
      if (shard.pending.length !== shard.pendingHead) return false;
      if (shard.lanes.some((lane) => lane.busy || lane.buffer.length > 0)) return false;
      if (!shard.endOfShard && shard.lastEmptyPollTick <= tick) return false;
    }
    return true;
  }

  private resolveIdleWaiters(all: boolean): void {
    if (!all) return this.checkIdle();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  private emit(event: PipeRunnerEvent): void {
    if (!this.options.onEvent) return;
    try {
      this.options.onEvent(event);
    } catch {
      // A listener's bug must not stop the pipe.
    }
  }

  private batchBase(shard: ShardRuntime, batch: Batch): { pipeName: string; shardId: string; batchId: string; records: RecordReference[] } {
    return { pipeName: this.pipeName, shardId: shard.shardId, batchId: batch.id, records: batch.items.map((item) => referenceOf(item.record)) };
  }

  private templateContext(): TemplateContext {
    return {
      pipeArn: this.pipeArn,
      pipeName: this.pipeName,
      sourceArn: this.streamArn,
      ...(this.options.enrichmentArn ? { enrichmentArn: this.options.enrichmentArn } : {}),
      targetArn: this.targetArn,
      ingestionTime: new Date(this.now()).toISOString(),
    };
  }
}

// ------------------------------------------------------------------ helpers

function takeBatch(lane: Lane, batchSize: number): BufferedRecord[] {
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

function referenceOf(record: ReadRecord): RecordReference {
  return {
    eventID: record.event.eventID,
    eventName: record.event.eventName,
    sequenceNumber: record.sequenceNumber,
    keys: record.event.dynamodb.Keys,
    ...(record.event.dynamodb.NewImage ? { newImage: record.event.dynamodb.NewImage } : {}),
  };
}

function templateOutput(template: CompiledInputTemplate, event: unknown, context: TemplateContext): unknown {
  const rendered = template.render(event, context);
  return rendered.kind === 'json' ? rendered.value : rendered.text;
}

/** SqsQueueParameters values are static, or a `$.path` into the event. */
function dynamicParameter(value: string, event: unknown): string {
  if (!value.startsWith('$.')) return value;
  const segments = value.slice(2).split('.');
  const resolved = readPath(event, segments);
  if (resolved === undefined || resolved === null) {
    throw new InputTemplateError(value, 'the path resolves to nothing in the event');
  }
  return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
}

function toEnrichmentError(error: unknown): EnrichmentFailedError {
  if (error instanceof EnrichmentFailedError) return error;
  const carrier = (typeof error === 'object' && error !== null ? error : {}) as { errorType?: unknown; errorMessage?: unknown; name?: unknown; message?: unknown };
  const errorType = typeof carrier.errorType === 'string' ? carrier.errorType : typeof carrier.name === 'string' ? carrier.name : 'Error';
  const errorMessage = typeof carrier.errorMessage === 'string' ? carrier.errorMessage : typeof carrier.message === 'string' ? carrier.message : String(error);
  return new EnrichmentFailedError(errorType, errorMessage, { cause: error });
}

function summarize(error: unknown): ErrorSummary {
  const { code, message } = describeError(error);
  if (error instanceof EnrichmentFailedError) return { code, message, errorType: error.errorType, errorMessage: error.errorMessage };
  return { code, message };
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : undefined;
}

function compileTemplate(pipeName: string, setting: string, template: string | undefined): CompiledInputTemplate | undefined {
  if (template === undefined) return undefined;
  try {
    return compileInputTemplate(template);
  } catch (error) {
    throw new PipeConfigurationError(pipeName, setting, (error as Error).message);
  }
}

function positiveOption(pipeName: string, name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new PipeConfigurationError(pipeName, name, `expected a positive number of milliseconds, got ${JSON.stringify(value)}`);
  }
  return value;
}
