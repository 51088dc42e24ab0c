import type { Shard, _Record as StreamApiRecord } from '@aws-sdk/client-dynamodb-streams';
import type { PipeSpec } from '../topology/types';
import { BatchDelivery } from './batch-delivery';
import { CheckpointSaver } from './checkpoint-saver';
import { InMemoryCheckpointStore, type CheckpointStore, type PipeCheckpoints } from './checkpoint-store';
import type { DeadLetterCondition } from './dead-letter';
import { giveUpOnBatch, type DeadLetteringOptions } from './dead-lettering';
import { summarizeError } from './error-summary';
import { PipeConfigurationError } from './errors';
import { IdleWaiters } from './idle-waiters';
import { LaneBatcher, type BufferedRecord, type Lane } from './lane-batcher';
import { OrderedCheckpointTracker, type TrackedRecord } from './ordered-checkpoint-tracker';
import { batchEventBase, referenceOf, type BatchOfRecords, type ErrorSummary, type PipeRunnerEvent } from './pipe-runner-events';
import { resolveRunnerTimings, type PipeRunnerOptions, type RunnerTimings } from './pipe-runner-options';
import { zeroCounters, type PipeRunnerState, type PipeRunnerStats } from './pipe-runner-stats';
import { parseStreamArn, validatePipeSpec } from './pipe-settings';
import { backoffDelayMs, decideBatchStep } from './retry-decision';
import { describeAllShards, planShard, shardsReadyToStart, type ShardStatus } from './shard-discovery';
import { ShardReader, type StartPosition } from './shard-reader';
import { toReadRecord, type ReadRecord } from './stream-record';
import { Wakeup } from './wakeup';

export type { PipeRunnerOptions, RetryBackoff } from './pipe-runner-options';
export type { PipeRunnerState, PipeRunnerStats, ShardStats } from './pipe-runner-stats';

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

interface ShardRuntime {
  shardId: string;
  parentShardId?: string;
  status: ShardStatus;
  startPosition: StartPosition;
  /** Set once the shard starts (its parent is done). */
  reader?: ShardReader;
  lanes?: LaneBatcher;
  endOfShard: boolean;
  checkpoints: OrderedCheckpointTracker;
  /** Woken when records settle, for a reader held back by back-pressure. */
  progress: Wakeup;
  pollWake: Wakeup;
  /** Clock value at the start of the latest poll that returned nothing. */
  lastEmptyPollTick: number;
}

interface Batch extends BatchOfRecords {
  items: BufferedRecord[];
}

/**
 * Starts the local EventBridge Pipes runner for one pipe with a DynamoDB stream source, an
 * optional Lambda enrichment and an SQS target. Throws `PipeConfigurationError` (synchronously)
 * for settings Pipes would refuse.
 */
export function startPipeRunner(options: PipeRunnerOptions): PipeRunner {
  return new DynamoDbStreamPipeRunner(options);
}

/**
 * The composition: shard discovery starts a reader per shard once its parent is done; what a
 * reader reads passes the filter into the shard's lanes; each lane hands batches to delivery,
 * whose failures the retry decision turns into retries, halves or dead letters; settled records
 * move the shard's ordered checkpoint, which is saved.
 */
class DynamoDbStreamPipeRunner implements PipeRunner {
  readonly pipeName: string;
  private readonly pipe: PipeSpec;
  private readonly streamArn: string;
  private readonly region: string;
  private readonly timings: RunnerTimings;
  private readonly now: () => number;
  private readonly delivery: BatchDelivery;
  private readonly deadLettering: DeadLetteringOptions;
  private readonly store: CheckpointStore;
  private readonly saver: CheckpointSaver;

  private state: PipeRunnerState = 'starting';
  private stopping = false;
  private stopPromise: Promise<void> | undefined;
  private readonly stopWake = new Wakeup();
  private readonly discoveryWake = new Wakeup();
  private readonly loops = new Set<Promise<void>>();
  private readonly shards = new Map<string, ShardRuntime>();
  private checkpoints: PipeCheckpoints;
  private firstStart = true;
  /** Ticks order polls against `idle()` calls. */
  private clock = 0;
  private lastDiscoveryTick = -1;
  private batchCounter = 0;
  private readonly idleWaiters = new IdleWaiters();
  private readonly counters = zeroCounters();

  constructor(private readonly options: PipeRunnerOptions) {
    const { pipe } = options;
    validatePipeSpec(pipe);
    this.pipe = pipe;
    this.pipeName = pipe.name;
    this.streamArn = options.streamArn;
    const stream = parseStreamArn(pipe.name, options.streamArn);
    this.region = stream.region;
    const pipeArn = options.pipeArn ?? `arn:aws:pipes:${stream.region}:${stream.accountId}:pipe/${pipe.name}`;
    if (pipe.enrichmentFunctionId !== undefined && typeof options.invokeEnrichment !== 'function') {
      throw new PipeConfigurationError(pipe.name, 'invokeEnrichment', `the pipe has the enrichment ${pipe.enrichmentFunctionId}, but no invokeEnrichment was given`);
    }
    const targetArn = options.queueArn(pipe.target.queueId);
    const targetQueueUrl = options.queueUrl(pipe.target.queueId);
    const deadLetterQueueUrl = pipe.source.deadLetterQueueId !== undefined ? options.queueUrl(pipe.source.deadLetterQueueId) : undefined;
    this.now = options.now ?? Date.now;
    const emit = (event: PipeRunnerEvent): void => this.emit(event);
    const stopping = (): boolean => this.stopping;
    this.delivery = new BatchDelivery({
      pipe,
      pipeArn,
      streamArn: this.streamArn,
      targetArn,
      targetQueueUrl,
      ...(options.enrichmentArn ? { enrichmentArn: options.enrichmentArn } : {}),
      sqs: options.sqs,
      ...(options.invokeEnrichment ? { invokeEnrichment: options.invokeEnrichment } : {}),
      now: () => this.now(),
      stopping,
      emit,
      counters: this.counters,
    });
    this.timings = resolveRunnerTimings(options);
    this.deadLettering = {
      pipeName: pipe.name,
      pipeArn,
      streamArn: this.streamArn,
      deadLetterQueueUrl,
      sqs: options.sqs,
      now: () => this.now(),
      stopping,
      waitBeforeRetry: (failures) => this.stopWake.wait(this.backoffDelay(failures)),
      emit,
      counters: this.counters,
    };
    this.store = options.checkpoints ?? new InMemoryCheckpointStore();
    this.checkpoints = { streamArn: this.streamArn, shards: {} };
    this.saver = new CheckpointSaver(
      this.store,
      () => this.checkpoints,
      () => this.state === 'stopped',
      (error) => this.emit({ type: 'checkpoint-save-failed', pipeName: this.pipeName, error: summarizeError(error) }),
    );

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
    const idle = this.idleWaiters.add(this.clock);
    // Poll now rather than at the next tick, so the answer reflects what is in the stream now.
    this.discoveryWake.notify();
    for (const shard of this.shards.values()) shard.pollWake.notify();
    return idle;
  }

  stats(): PipeRunnerStats {
    return {
      pipeName: this.pipeName,
      state: this.state,
      shards: [...this.shards.values()].map((shard) => ({
        shardId: shard.shardId,
        ...(shard.parentShardId ? { parentShardId: shard.parentShardId } : {}),
        status: shard.status,
        ...(shard.checkpoints.checkpoint ? { checkpoint: shard.checkpoints.checkpoint } : {}),
        buffered: shard.lanes?.buffered ?? 0,
        inFlight: shard.lanes?.inFlight ?? 0,
        unsettled: shard.checkpoints.unsettled,
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
      this.emit({ type: 'checkpoint-save-failed', pipeName: this.pipeName, error: summarizeError(error) });
      this.state = 'stopped';
      this.stopping = true;
      this.idleWaiters.resolveAll();
      return;
    }
    if (this.stopping) return;
    this.state = 'running';
    let failures = 0;
    while (!this.stopping) {
      const tick = ++this.clock;
      try {
        const described = await describeAllShards(this.options.streams, this.streamArn, () => this.stopping);
        if (this.stopping) break;
        this.reconcileShards(described);
        this.lastDiscoveryTick = tick;
        failures = 0;
        this.checkIdle();
      } catch (error) {
        if (this.stopping) break;
        failures += 1;
        this.emit({ type: 'poll-failed', pipeName: this.pipeName, error: summarizeError(error) });
        await this.stopWake.wait(this.backoffDelay(failures));
        continue;
      }
      await this.discoveryWake.wait(this.timings.discoveryIntervalMs);
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
      graceTimer = setTimeout(resolve, this.timings.stopGraceMs);
    });
    await Promise.race([Promise.allSettled([...this.loops]), grace]);
    if (graceTimer) clearTimeout(graceTimer);
    await this.saver.flush();
    this.state = 'stopped';
    this.idleWaiters.resolveAll();
  }

  private track(loop: Promise<void>): void {
    const tracked = loop.catch((error: unknown) => {
      this.emit({ type: 'poll-failed', pipeName: this.pipeName, error: summarizeError(error) });
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
      shard.lanes?.wakeAll();
    }
  }

  // ---------------------------------------------------------------- shards

  private reconcileShards(described: Shard[]): void {
    const firstStart = this.shards.size === 0 && this.firstStart;
    let changed = false;
    for (const shard of described) {
      const shardId = shard.ShardId;
      if (!shardId || this.shards.has(shardId)) continue;
      const stored = this.checkpoints.shards[shardId];
      const plan = planShard(shard, stored, { firstStart, startingPosition: this.pipe.source.startingPosition });
      if (plan.newCheckpoint) {
        this.checkpoints.shards[shardId] = plan.newCheckpoint;
        changed = true;
      }
      this.shards.set(shardId, {
        shardId,
        ...(shard.ParentShardId ? { parentShardId: shard.ParentShardId } : {}),
        status: plan.status,
        startPosition: plan.startPosition,
        endOfShard: plan.status === 'finished',
        checkpoints: new OrderedCheckpointTracker(stored?.sequenceNumber || undefined),
        progress: new Wakeup(),
        pollWake: new Wakeup(),
        lastEmptyPollTick: -1,
      });
    }
    this.firstStart = false;
    if (changed) this.saver.schedule();
    this.startReadyShards();
  }

  private startReadyShards(): void {
    if (this.stopping) return;
    for (const shardId of shardsReadyToStart(this.shards)) {
      const shard = this.shards.get(shardId) as ShardRuntime;
      shard.status = 'reading';
      shard.reader = new ShardReader({
        streams: this.options.streams,
        streamArn: this.streamArn,
        pipeName: this.pipeName,
        shardId,
        ...(shard.parentShardId ? { parentShardId: shard.parentShardId } : {}),
        startPosition: shard.startPosition,
        emit: (event) => this.emit(event),
      });
      const lanes = new LaneBatcher(this.pipe.source);
      shard.lanes = lanes;
      this.track(this.readShard(shard, shard.reader, lanes));
      for (const lane of lanes.lanes) this.track(this.runLane(shard, lanes, lane));
    }
  }

  private async readShard(shard: ShardRuntime, reader: ShardReader, lanes: LaneBatcher): Promise<void> {
    let failures = 0;
    const failed = async (error: unknown): Promise<void> => {
      failures += 1;
      this.emit({ type: 'poll-failed', pipeName: this.pipeName, shardId: shard.shardId, error: summarizeError(error) });
      await this.stopWake.wait(this.backoffDelay(failures));
    };
    while (!this.stopping && !shard.endOfShard) {
      if (!reader.hasIterator) {
        let opened: 'opened' | 'end' | 'gone';
        try {
          opened = await reader.openIterator();
          failures = 0;
        } catch (error) {
          if (this.stopping) return;
          await failed(error);
          continue;
        }
        if (opened === 'gone' && this.stopping) return;
        if (opened !== 'opened') {
          this.endShard(shard);
          return;
        }
      }
      if (shard.checkpoints.unsettled >= this.timings.maxUnsettledRecordsPerShard) {
        // Back-pressure: do not read further ahead of delivery than this.
        await shard.progress.wait(this.timings.pollIntervalMs);
        continue;
      }
      const tick = ++this.clock;
      let read: Awaited<ReturnType<ShardReader['getRecords']>>;
      try {
        read = await reader.getRecords();
        failures = 0;
      } catch (error) {
        if (this.stopping) return;
        await failed(error);
        continue;
      }
      if (this.stopping) return;
      if (read.type === 'iterator-expired') {
        this.emit({ type: 'iterator-expired', pipeName: this.pipeName, shardId: shard.shardId });
        continue;
      }
      if (read.type === 'records-trimmed') {
        this.emit({ type: 'records-trimmed', pipeName: this.pipeName, shardId: shard.shardId, ...(read.afterSequenceNumber ? { afterSequenceNumber: read.afterSequenceNumber } : {}) });
        continue;
      }
      if (read.type === 'gone') {
        this.endShard(shard);
        return;
      }
      if (read.records.length > 0) this.intake(shard, reader, lanes, read.records);
      else shard.lastEmptyPollTick = tick;
      if (read.endOfShard) {
        this.endShard(shard);
        return;
      }
      this.checkIdle();
      if (read.records.length === 0) await shard.pollWake.wait(this.timings.pollIntervalMs);
    }
  }

  private endShard(shard: ShardRuntime): void {
    shard.endOfShard = true;
    shard.reader?.close();
    // Whatever is buffered no longer waits for a batching window: nothing more will join it.
    shard.lanes?.wakeAll();
    this.maybeFinishShard(shard);
  }

  private maybeFinishShard(shard: ShardRuntime): void {
    if (shard.status !== 'reading' || !shard.endOfShard || shard.checkpoints.unsettled !== 0) return;
    shard.status = 'finished';
    const checkpoint = shard.checkpoints.checkpoint;
    this.checkpoints.shards[shard.shardId] = { ...(checkpoint ? { sequenceNumber: checkpoint } : {}), finished: true };
    this.saver.schedule();
    this.emit({ type: 'checkpoint', pipeName: this.pipeName, shardId: shard.shardId, ...(checkpoint ? { sequenceNumber: checkpoint } : {}), finished: true });
    this.emit({ type: 'shard-closed', pipeName: this.pipeName, shardId: shard.shardId });
    shard.lanes?.wakeAll();
    this.startReadyShards();
    // Its children may not be described yet: look now rather than at the next interval.
    this.discoveryWake.notify();
    this.checkIdle();
  }

  // ---------------------------------------------------------------- intake and filtering

  private intake(shard: ShardRuntime, reader: ShardReader, lanes: LaneBatcher, apiRecords: StreamApiRecord[]): void {
    const readAt = this.now();
    const records: ReadRecord[] = [];
    for (const apiRecord of apiRecords) {
      try {
        records.push(toReadRecord(apiRecord, shard.shardId, this.streamArn, this.region, readAt));
      } catch (error) {
        // Not a record DynamoDB Streams produces; it cannot be filtered or delivered, so say so loudly.
        this.emit({ type: 'poll-failed', pipeName: this.pipeName, shardId: shard.shardId, error: summarizeError(error) });
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
    const filteredOut: TrackedRecord[] = [];
    for (const record of records) {
      reader.markRead(record.sequenceNumber);
      const tracked = shard.checkpoints.track(record.sequenceNumber);
      if (!this.delivery.passesFilter(record.event)) {
        this.counters.recordsFilteredOut += 1;
        this.emit({ type: 'record-filtered-out', pipeName: this.pipeName, shardId: shard.shardId, record: referenceOf(record) });
        filteredOut.push(tracked);
        continue;
      }
      this.counters.recordsFilteredIn += 1;
      this.emit({ type: 'record-filtered-in', pipeName: this.pipeName, shardId: shard.shardId, record: referenceOf(record) });
      lanes.add({ record, tracked, bufferedAtMs: readAt });
    }
    if (filteredOut.length > 0) this.settle(shard, filteredOut);
    lanes.wakeAll();
  }

  // ---------------------------------------------------------------- lanes

  private async runLane(shard: ShardRuntime, lanes: LaneBatcher, lane: Lane): Promise<void> {
    while (!this.stopping && shard.status !== 'finished') {
      const readiness = lanes.readiness(lane, this.now(), shard.endOfShard);
      if (!readiness.ready) {
        await lane.wake.wait(Number.isFinite(readiness.waitMs) ? readiness.waitMs : undefined);
        continue;
      }
      const items = lanes.take(lane);
      lane.busy = true;
      try {
        await this.deliver(shard, this.newBatch(shard, items));
      } finally {
        lane.busy = false;
        this.checkIdle();
      }
    }
  }

  private newBatch(shard: ShardRuntime, items: BufferedRecord[]): Batch {
    this.batchCounter += 1;
    return { id: `${shard.shardId}#${this.batchCounter}`, shardId: shard.shardId, items, records: items.map((item) => item.record) };
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

  private async deliverWithRetries(shard: ShardRuntime, batch: Batch): Promise<{ type: 'settled' } | { type: 'split'; halves: [Batch, Batch] } | { type: 'abandoned' }> {
    const settings = this.pipe.source;
    const step = (failed: boolean, retries: number) => {
      const now = this.now();
      return decideBatchStep({
        failed,
        retries,
        batchSize: batch.items.length,
        recordAgesMs: batch.records.map((record) => now - record.approximateArrivalMs),
        settings,
        backoff: this.timings.backoff,
      });
    };
    let retries = 0;
    let lastError: ErrorSummary | undefined;
    for (;;) {
      if (this.stopping) return { type: 'abandoned' };
      const before = step(false, retries);
      if (before.type === 'dead-letter') return this.giveUp(shard, batch, before.condition, lastError);
      this.counters.batchAttempts += 1;
      this.emit({ type: 'batch-started', attempt: retries + 1, ...batchEventBase(this.pipeName, batch) });
      const result = await this.delivery.attempt(batch);
      if (result.type === 'abandoned') return result;
      if (result.type === 'ok') {
        this.counters.batchesSucceeded += 1;
        this.emit({ type: 'batch-succeeded', ...batchEventBase(this.pipeName, batch) });
        this.settleBatch(shard, batch);
        return { type: 'settled' };
      }
      lastError = result.error;
      const after = step(true, retries);
      if (after.type === 'bisect') {
        const halves: [Batch, Batch] = [this.newBatch(shard, batch.items.slice(0, after.firstHalfSize)), this.newBatch(shard, batch.items.slice(after.firstHalfSize))];
        this.counters.bisections += 1;
        this.emit({ type: 'batch-bisected', halves: [halves[0].id, halves[1].id], error: lastError, ...batchEventBase(this.pipeName, batch) });
        return { type: 'split', halves };
      }
      if (after.type === 'dead-letter') return this.giveUp(shard, batch, after.condition, lastError);
      if (after.type !== 'retry-after-delay') throw new Error(`unexpected step ${after.type} after a failed attempt`);
      retries = after.retry;
      this.counters.retries += 1;
      this.emit({ type: 'batch-retried', retry: after.retry, delayMs: after.delayMs, error: lastError, ...batchEventBase(this.pipeName, batch) });
      await this.stopWake.wait(after.delayMs);
    }
  }

  private async giveUp(shard: ShardRuntime, batch: Batch, condition: DeadLetterCondition, error: ErrorSummary | undefined): Promise<{ type: 'settled' } | { type: 'abandoned' }> {
    const outcome = await giveUpOnBatch(this.deadLettering, batch, condition, error);
    if (outcome === 'abandoned') return { type: 'abandoned' };
    this.settleBatch(shard, batch);
    return { type: 'settled' };
  }

  private backoffDelay(failures: number): number {
    return backoffDelayMs(failures, this.timings.backoff);
  }

  // ---------------------------------------------------------------- checkpoints

  private settleBatch(shard: ShardRuntime, batch: Batch): void {
    this.settle(
      shard,
      batch.items.map((item) => item.tracked),
    );
  }

  private settle(shard: ShardRuntime, records: TrackedRecord[]): void {
    const moved = shard.checkpoints.settle(records);
    if (moved !== undefined) {
      this.checkpoints.shards[shard.shardId] = { sequenceNumber: moved };
      this.saver.schedule();
      this.emit({ type: 'checkpoint', pipeName: this.pipeName, shardId: shard.shardId, sequenceNumber: moved, finished: false });
    }
    shard.progress.notify();
    this.maybeFinishShard(shard);
    this.checkIdle();
  }

  // ---------------------------------------------------------------- idle and events

  private checkIdle(): void {
    this.idleWaiters.check((tick) => this.isIdleSince(tick));
  }

  private isIdleSince(tick: number): boolean {
    if (this.state !== 'running' || this.lastDiscoveryTick <= tick) return false;
    for (const shard of this.shards.values()) {
      if (shard.status === 'finished' || shard.status === 'waiting') continue;
      if (shard.checkpoints.unsettled !== 0) return false;
      if (shard.lanes && !shard.lanes.drained) return false;
      if (!shard.endOfShard && shard.lastEmptyPollTick <= tick) return false;
    }
    return true;
  }

  private emit(event: PipeRunnerEvent): void {
    if (!this.options.onEvent) return;
    try {
      this.options.onEvent(event);
    } catch {
      // A listener's bug must not stop the pipe.
    }
  }
}
