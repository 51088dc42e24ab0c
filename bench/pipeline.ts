/**
 * The pipeline benchmark: N bookings through the whole local stack (API → booking λ → DynamoDB
 * Local stream → pipe filter/enrichment → SQS → notifier → SES/SMS emulators), driven over HTTP,
 * timed per stage from the runtime's booking progress, and audited afterwards: every booking must
 * end notified, skipped, or in a dead-letter queue, and no appointment may be notified twice.
 * Also: the raw DynamoDB Local PutItem rate (the emulator's ceiling), each function's bundle size
 * and cold start. Run with `npm run bench -- --only pipeline [flags]` or `npx tsx bench/pipeline.ts`.
 */
import { GetItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { BookingStage, BookingStageEvent } from '../local-app/booking-progress';
import { attachBookingProgress } from '../local-app/attach-booking-progress';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime/local-runtime';
import { seededStaffIdToken } from '../local-app/seed-staff-users';
import { synthesizeAssembly } from '../local/topology';
import { withRedrivenQueueVisibilityTimeout } from '../harness/assembly-variant';
import { readDeadLetteredBookings, type ChangeRef, type DeadLetteredBookings } from '../harness/dead-letter-audit';
import { auditDeliveries } from '../harness/delivery-audit';
import { accountOutcomes, BookingProgressLog } from '../harness/outcome-accounting';
import { accountChanges, changeKey, type ChangeMade, type ChangeRow } from '../harness/change-accounting';
import { benchContacts, futureAppointmentDateTime, newRunTag, patientTagIn, planBooking, planChanges, type ContactKind } from './pipeline/booking-mix';
import { measureColdStarts, type FunctionColdStart } from './pipeline/function-cold-starts';
import { summarizeLatencies, type LatencySummary } from './pipeline/latency-statistics';
import { runLoad, wallClockMs } from './pipeline/load-generator';
import { BenchUsageError, parsePipelineArgs, type PipelineBenchmarkOptions } from './pipeline/options';
import { measurePutItemRate, type PutItemBaseline } from './pipeline/put-item-baseline';
import { FAULT_KINDS, type FaultKind, type ResolvedFaultOptions } from '../local/faults';

export { parsePipelineArgs, PIPELINE_USAGE, type PipelineBenchmarkOptions } from './pipeline/options';

/** Pipeline throughput over the emulator's PutItem rate this run should reach (printed, never asserted). */
export const PUT_ITEM_RATIO_GOAL = 0.3;
/** The pipe runner's poll interval in every benchmark run (its default, passed explicitly). */
export const PIPE_POLL_INTERVAL_MS = 250;
/** p99 POST → notification at 20 bookings/s, at most twice the pipe's poll interval (printed, never asserted). */
export const LATENCY_GOAL = { ratePerSecond: 20, p99Ms: 2 * PIPE_POLL_INTERVAL_MS, pollIntervalMs: PIPE_POLL_INTERVAL_MS, ratioGoal: 2 } as const;

export const STAGE_INTERVALS = [
  { name: 'POST→stored', from: 'post', to: 'stored' },
  { name: 'stored→filtered', from: 'stored', to: 'filtered' },
  { name: 'filtered→enriched', from: 'filtered', to: 'enriched' },
  { name: 'enriched→queued', from: 'enriched', to: 'queued' },
  { name: 'queued→final', from: 'queued', to: 'final' },
] as const;

export interface PipelineReport {
  startedAt: string;
  finishedAt: string;
  settings: {
    bookings: number;
    ratePerSecond?: number;
    concurrency: number;
    faults?: ResolvedFaultOptions;
    /** Set when the assembly was changed with `--visibility-timeout`. */
    visibilityTimeoutOverrideSeconds?: number;
    drainTimeoutSeconds: number;
    /** From the assembly that ran: what bounds latency from below and retries from above. */
    assembly: {
      stage: string;
      notificationsVisibilityTimeoutSeconds?: number;
      maxReceiveCount?: number;
      pipeBatchingWindowSeconds?: number;
      notifierBatchingWindowSeconds?: number;
    };
  };
  bookings: { requested: number; accepted: number; rejected: number; rejections: string[]; byContactKind: Record<ContactKind, number> };
  /** Completed bookings (notified, skipped or dead-lettered) per second, first POST to last final stage. */
  throughputPerSecond: number;
  /** First POST to last final stage. */
  elapsedSeconds: number;
  latency: {
    /** POST sent → notification sent or skipped (dead-lettered bookings excluded). */
    endToEnd?: LatencySummary;
    stages: Record<string, LatencySummary | undefined>;
  };
  outcomes: {
    emailed: number;
    sms: number;
    notified: number;
    skipped: number;
    /** Stopped by a limit (the recipient's 24-hour cap), with the reason recorded: accounted for, not lost. */
    suppressed: number;
    deadLettered: number;
    deadLetteredByQueue: Record<string, number>;
    /** No final stage and in no DLQ after the drain deadline: must be 0. */
    lost: number;
    /** More than one e-mail, or more than one SMS, for one appointment: must be 0. */
    duplicated: number;
    /** Notifier attempts that failed and were retried (SQS redeliveries). */
    failedAttempts: number;
    /** Progress said notified but no message is in the emulator's store. */
    notifiedWithoutMessage: number;
    unattributedDeadLetters: number;
    lostIds: string[];
    duplicatedIds: string[];
    /** Sent twice because the notifier was killed mid-send (the window idempotency cannot close). */
    resentAfterKill: number;
    resentAfterKillIds: string[];
  };
  /**
   * Every change of every booking (the booking itself, and the reschedules and cancellations staff
   * made after it), each judged on its own: notified, skipped, suppressed or dead-lettered, none lost
   * and none sent twice, while two changes of one appointment are two notifications.
   */
  changes: {
    total: number;
    byKind: Record<'booked' | 'rescheduled' | 'cancelled', number>;
    /** Reschedules or cancellations the API refused (a correctness failure: the mix only makes valid ones). */
    rejected: number;
    notified: number;
    skipped: number;
    suppressed: number;
    deadLettered: number;
    lost: number;
    duplicated: number;
    resentAfterKill: number;
    notifiedWithoutMessage: number;
    lostKeys: string[];
    duplicatedKeys: string[];
  };
  faults?: { injected: Record<FaultKind, number>; total: number; computeRestarts: number };
  putItem?: PutItemBaseline & { pipelineToPutItemRatio: number; goal: number; goalMet: boolean };
  latencyGoal: {
    ratePerSecond: number;
    p99Ms: number;
    pollIntervalMs: number;
    ratioGoal: number;
    /** p99 ÷ the pipe's poll interval, when the goal applies. */
    ratio?: number;
    applies: boolean;
    met?: boolean;
    lowerBoundMs: number;
    note: string;
  };
  functions: FunctionColdStart[];
  /** Correctness failures (lost, duplicated, rejected bookings); empty when the run is correct. */
  failures: string[];
}

interface BookingTrace {
  id: string;
  kind: ContactKind;
  postSentAt: number;
}

const DLQ_POLL_INTERVAL_MS = 2_000;
const MAX_IDS_LISTED = 20;
const IDLE_WAIT_MS = 10_000;

/** Runs the benchmark on a runtime of its own and returns the report; throws only when it cannot run. */
export async function runPipelineBenchmark(input: Partial<PipelineBenchmarkOptions> = {}): Promise<PipelineReport> {
  const options: PipelineBenchmarkOptions = { ...parsePipelineArgs([]), ...input };
  const write = options.write ?? (() => undefined);
  const startedAt = new Date().toISOString();
  const runTag = newRunTag();
  const scratch: string[] = [];
  const synthesized = await synthesizeAssembly({ stage: 'dev', outdir: mkdtempSync(join(tmpdir(), 'bench-dev-assembly-')) });
  scratch.push(synthesized);
  let assemblyDir = synthesized;
  if (options.visibilityTimeoutSeconds !== undefined) {
    assemblyDir = withRedrivenQueueVisibilityTimeout(synthesized, options.visibilityTimeoutSeconds).assemblyDir;
    scratch.push(assemblyDir);
    write(`assembly changed: notifications queue visibility timeout ${options.visibilityTimeoutSeconds} s`);
  }

  let runtime: LocalRuntime | undefined;
  let streams: DynamoDBStreamsClient | undefined;
  try {
    runtime = await startLocalRuntime({ assemblyDir, pipe: { pollIntervalMs: PIPE_POLL_INTERVAL_MS }, ...(options.faults ? { faults: options.faults } : {}) });
    const rt = runtime;
    // Attached before any booking is made, so no stage is missed.
    const bookingProgress = attachBookingProgress(rt);
    write(`local runtime ready in ${rt.startupMs} ms at ${rt.apiUrl}`);
    const env = rt.emulators.environment;
    streams = new DynamoDBStreamsClient({
      region: rt.topology.region,
      endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
    const assembly = assemblySettings(rt);
    const drainTimeoutSeconds = options.drainTimeoutSeconds ?? defaultDrainTimeoutSeconds(assembly);

    const progress = new BookingProgressLog();
    const { firstAt } = progress;
    const unsubscribe = bookingProgress.onStage((event: BookingStageEvent) => progress.observe(event));

    const api = (path: string): string => new URL(path, rt.apiUrl).toString();
    const contacts = benchContacts(runTag, options.bookings);
    // Preferences are set as staff would set them (the patient route needs each patient's manage token).
    const staffToken = await seededStaffIdToken(rt.identity);
    for (const contact of contacts) {
      if (!contact.request) continue;
      const response = await fetch(api(`staff/contacts/${encodeURIComponent(contact.email)}`), {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${staffToken}` },
        body: JSON.stringify(contact.request),
      });
      if (response.status !== 200) throw new Error(`PUT /staff/contacts/${contact.email} answered ${response.status}: ${await response.text()}`);
    }

    const appointmentDateTime = futureAppointmentDateTime();
    const movedDateTime = futureAppointmentDateTime(Date.now(), 11, '14:30');
    const changesMade: ChangeMade[] = [];
    let changesRejected = 0;
    /** A reschedule or cancellation of a booking, as staff make them (the patient routes need each patient's token). */
    const change = async (id: string, kind: 'reschedule' | 'cancel'): Promise<void> => {
      const response = await fetch(api(kind === 'reschedule' ? `staff/appointments/${id}` : `staff/appointments/${id}/cancel`), {
        method: kind === 'reschedule' ? 'PATCH' : 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${staffToken}` },
        body: JSON.stringify(kind === 'reschedule' ? { appointmentDateTime: movedDateTime } : {}),
      });
      const text = await response.text();
      const version = response.status === 200 ? (JSON.parse(text) as { version?: unknown }).version : undefined;
      if (typeof version === 'number') {
        changesMade.push({ appointmentId: id, version, kind: kind === 'reschedule' ? 'rescheduled' : 'cancelled' });
      } else {
        changesRejected += 1;
        if (rejections.length < MAX_IDS_LISTED) rejections.push(`${kind} of ${id}: ${response.status} ${text.slice(0, 200)}`);
      }
    };
    const traces: BookingTrace[] = [];
    const idByPatientTag = new Map<string, string>();
    const rejections: string[] = [];
    let rejected = 0;
    let inFlight = 0;
    let restartGate: Promise<void> | undefined;
    const restartAt = options.faults ? Math.floor(options.bookings / 2) : -1;
    write(`posting ${options.bookings} bookings (${options.ratePerSecond ? `${options.ratePerSecond}/s` : 'unlimited rate'}, concurrency ${options.concurrency})`);

    await runLoad({
      total: options.bookings,
      concurrency: options.concurrency,
      ...(options.ratePerSecond !== undefined ? { ratePerSecond: options.ratePerSecond } : {}),
      beforeItem: async (index) => {
        // Half-way through a faulted run, the compute restarts (as a deploy or a host loss would)
        // with bookings still in the stream and the queue; no POST is in flight while it does.
        if (index === restartAt) {
          restartGate = (async () => {
            do await new Promise((resolve) => setTimeout(resolve, 10));
            while (inFlight > 0);
            await rt.restartCompute();
            write('compute restarted half-way through the run');
          })();
        }
        if (restartGate) await restartGate;
      },
      run: async (index) => {
        const plan = planBooking(runTag, index, contacts, appointmentDateTime);
        inFlight += 1;
        const postSentAt = wallClockMs();
        try {
          const response = await fetch(api('appointments'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan.body) });
          const text = await response.text();
          const id = response.status === 201 ? (JSON.parse(text) as { id?: unknown }).id : undefined;
          if (typeof id === 'string') {
            traces.push({ id, kind: plan.kind, postSentAt });
            changesMade.push({ appointmentId: id, version: 1, kind: 'booked' });
            idByPatientTag.set(plan.patientName.slice('Patient '.length), id);
            // Changes follow at once, while the booking's own notification may still be on its way.
            if (options.changes !== false) for (const planned of planChanges(index)) await change(id, planned);
          } else {
            rejected += 1;
            if (rejections.length < MAX_IDS_LISTED) rejections.push(`booking ${index}: ${response.status} ${text.slice(0, 200)}`);
          }
        } catch (error) {
          rejected += 1;
          if (rejections.length < MAX_IDS_LISTED) rejections.push(`booking ${index}: ${(error as Error).message}`);
        } finally {
          inFlight -= 1;
        }
      },
    });
    write(`${traces.length} bookings accepted, ${rejected} rejected; draining (deadline ${drainTimeoutSeconds} s)`);

    // Drain: until every booking is notified, skipped or found in a DLQ, or the deadline passes.
    const deadline = Date.now() + drainTimeoutSeconds * 1000;
    const rangeCache = new Map<string, ChangeRef[]>();
    const deadLetterQueues = rt.state().deadLetterQueues;
    let deadLettered: DeadLetteredBookings = { byId: new Map(), byChange: new Map(), unattributed: 0 };
    let lastDlqRead = 0;
    const settled = (trace: BookingTrace): boolean => {
      const stages = firstAt.get(trace.id);
      return Boolean(stages && (stages.has('emailed') || stages.has('sms') || stages.has('skipped') || stages.has('suppressed'))) || deadLettered.byId.has(trace.id);
    };
    for (;;) {
      const open = traces.filter((trace) => !settled(trace));
      if (open.length === 0) break;
      if (Date.now() > deadline) {
        write(`drain deadline passed with ${open.length} bookings open`);
        break;
      }
      const mayBeDeadLettered = open.some((trace) => firstAt.get(trace.id)?.has('failed') || firstAt.get(trace.id)?.has('dead-lettered') || !firstAt.get(trace.id)?.has('queued'));
      if (mayBeDeadLettered && Date.now() - lastDlqRead >= DLQ_POLL_INTERVAL_MS) {
        deadLettered = await readDeadLetteredBookings(rt.clients.sqs, streams, deadLetterQueues, rangeCache);
        lastDlqRead = Date.now();
      } else {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // Then until every change has a final row or is dead-lettered (the bookings' own are mostly done).
    const changeRows = new Map<string, ChangeRow>();
    const notificationsTable = rt.topology.tables.find((table) => table.keySchema.some((key) => key.attributeName === 'notificationId'));
    const readChangeRows = async (): Promise<void> => {
      if (!notificationsTable) return;
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await rt.clients.dynamodb.send(new ScanCommand({ TableName: notificationsTable.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
        for (const item of page.Items ?? []) {
          const version = Number(item.version?.N);
          const status = item.status?.S as ChangeRow['status'] | undefined;
          if (item.notificationId?.S?.startsWith('change-') && item.appointmentId?.S && status) {
            const channel = item.channel?.S as ChangeRow['channel'] | undefined;
            changeRows.set(changeKey(item.appointmentId.S, version), { status, ...(channel ? { channel } : {}) });
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    };
    const FINAL_ROW = new Set(['sent', 'skipped', 'suppressed']);
    for (;;) {
      await readChangeRows();
      const open = changesMade.filter((made) => {
        const key = changeKey(made.appointmentId, made.version);
        return !FINAL_ROW.has(changeRows.get(key)?.status ?? '') && !deadLettered.byChange.has(key);
      });
      if (open.length === 0) break;
      if (Date.now() > deadline) {
        write(`drain deadline passed with ${open.length} changes open`);
        break;
      }
      if (Date.now() - lastDlqRead >= DLQ_POLL_INTERVAL_MS) {
        deadLettered = await readDeadLetteredBookings(rt.clients.sqs, streams, deadLetterQueues, rangeCache);
        lastDlqRead = Date.now();
      } else {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    // Late redeliveries would show as duplicates: let what is in flight finish before the audit.
    await withTimeout(rt.idle(), IDLE_WAIT_MS);
    await readChangeRows();
    deadLettered = await readDeadLetteredBookings(rt.clients.sqs, streams, deadLetterQueues, rangeCache);
    unsubscribe();

    const audit = await auditDeliveries(rt.emulators.ses, rt.emulators.sms, (text) => {
      const tag = patientTagIn(text);
      return tag ? idByPatientTag.get(tag) : undefined;
    });
    const account = accountOutcomes({ bookingIds: traces.map((trace) => trace.id), firstAt, killed: progress.killed, deliveries: audit, deadLettered: deadLettered.byId });
    const changeAccount = accountChanges({ changes: changesMade, rows: changeRows, deadLettered: deadLettered.byChange, sent: audit.byKind, killed: progress.killed });
    const { emailed, sms, skipped, suppressed, notifiedWithoutMessage, deadLetteredByQueue, lostIds, duplicatedIds, resentAfterKillIds } = account;

    const endToEnd: number[] = [];
    const intervals = new Map<string, number[]>(STAGE_INTERVALS.map((interval) => [interval.name, []]));
    const firstPost = Math.min(...traces.map((trace) => trace.postSentAt));
    let lastFinal = firstPost;
    const byContactKind: Record<ContactKind, number> = { email: 0, sms: 0, none: 0, unknown: 0 };

    for (const trace of traces) {
      byContactKind[trace.kind] += 1;
      const stages = firstAt.get(trace.id) ?? new Map<BookingStage, number>();
      const outcome = account.byId.get(trace.id);
      if (outcome?.kind === 'dead-lettered') {
        if (outcome.at !== undefined) lastFinal = Math.max(lastFinal, outcome.at);
        continue;
      }
      if (outcome?.kind !== 'notified' && outcome?.kind !== 'skipped') continue;
      const finalAt = outcome.at;
      lastFinal = Math.max(lastFinal, finalAt);
      endToEnd.push(finalAt - trace.postSentAt);
      const at = (point: string): number | undefined => (point === 'post' ? trace.postSentAt : point === 'final' ? finalAt : stages.get(point as BookingStage));
      for (const interval of STAGE_INTERVALS) {
        const from = at(interval.from);
        const to = at(interval.to);
        if (from !== undefined && to !== undefined) intervals.get(interval.name)?.push(to - from);
      }
    }

    const { notified, deadLettered: deadLetteredCount } = account;
    const completed = notified + skipped + suppressed + deadLetteredCount;
    const elapsedSeconds = traces.length > 0 ? (lastFinal - firstPost) / 1000 : 0;
    const throughputPerSecond = elapsedSeconds > 0 ? round(completed / elapsedSeconds) : 0;
    const endToEndSummary = summarizeLatencies(endToEnd);
    const stagesSummary: Record<string, LatencySummary | undefined> = {};
    for (const [name, samples] of intervals) stagesSummary[name] = summarizeLatencies(samples);

    let putItem: PipelineReport['putItem'];
    if (!options.skipPutItemBaseline && traces.length > 0) {
      write('measuring the raw DynamoDB Local PutItem rate');
      const template = await storedItem(rt, traces[0].id);
      const baseline = await measurePutItemRate(rt.clients.dynamodb, template, { items: options.bookings, concurrency: options.concurrency, runTag });
      const ratio = baseline.putItemsPerSecond > 0 ? Math.round((throughputPerSecond / baseline.putItemsPerSecond) * 1000) / 1000 : 0;
      putItem = { ...baseline, pipelineToPutItemRatio: ratio, goal: PUT_ITEM_RATIO_GOAL, goalMet: ratio >= PUT_ITEM_RATIO_GOAL };
    }

    let functions: FunctionColdStart[] = [];
    if (options.coldStartSamples > 0) {
      write('measuring cold starts');
      functions = await measureColdStarts(rt.topology.functions, rt.emulators.environment, options.coldStartSamples);
    }

    const stats = rt.faultStats();
    const faults = rt.faults
      ? { injected: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, stats[kind]])) as Record<FaultKind, number>, total: stats.total, computeRestarts: stats.computeRestarts }
      : undefined;

    const lowerBoundMs = ((assembly.pipeBatchingWindowSeconds ?? 0) + (assembly.notifierBatchingWindowSeconds ?? 0)) * 1000;
    const applies = options.ratePerSecond === LATENCY_GOAL.ratePerSecond && !options.faults;
    const latencyGoal: PipelineReport['latencyGoal'] = {
      ...LATENCY_GOAL,
      applies,
      ...(applies && endToEndSummary
        ? { ratio: Math.round((endToEndSummary.p99Ms / PIPE_POLL_INTERVAL_MS) * 100) / 100, met: endToEndSummary.p99Ms <= LATENCY_GOAL.p99Ms }
        : {}),
      lowerBoundMs,
      note:
        `the assembly's batching windows (pipe ${assembly.pipeBatchingWindowSeconds ?? 0} s, notifier ${assembly.notifierBatchingWindowSeconds ?? 0} s) ` +
        (lowerBoundMs >= LATENCY_GOAL.p99Ms
          ? `hold a booking up to ${lowerBoundMs} ms when traffic is light, so p99 < ${LATENCY_GOAL.p99Ms} ms cannot be met with this configuration`
          : lowerBoundMs > 0
            ? `add up to ${lowerBoundMs} ms to a booking when traffic is light`
            : 'add no wait: latency is polling, invocations and the emulators'),
    };

    const failures: string[] = [];
    if (lostIds.length > 0) failures.push(`${lostIds.length} bookings lost (no final stage, in no dead-letter queue)`);
    if (duplicatedIds.length > 0) failures.push(`${duplicatedIds.length} appointments notified more than once`);
    if (rejected > 0) failures.push(`${rejected} bookings rejected by the API`);
    if (changesRejected > 0) failures.push(`${changesRejected} reschedules or cancellations rejected by the API`);
    if (changeAccount.lostKeys.length > 0) failures.push(`${changeAccount.lostKeys.length} changes lost (no final notification, in no dead-letter queue)`);
    if (changeAccount.duplicatedKeys.length > 0) failures.push(`${changeAccount.duplicatedKeys.length} changes notified more than once`);

    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      settings: {
        bookings: options.bookings,
        ...(options.ratePerSecond !== undefined ? { ratePerSecond: options.ratePerSecond } : {}),
        concurrency: options.concurrency,
        ...(rt.faults ? { faults: rt.faults } : {}),
        ...(options.visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutOverrideSeconds: options.visibilityTimeoutSeconds } : {}),
        drainTimeoutSeconds,
        assembly,
      },
      bookings: { requested: options.bookings, accepted: traces.length, rejected, rejections, byContactKind },
      throughputPerSecond,
      elapsedSeconds: round(elapsedSeconds),
      latency: { ...(endToEndSummary ? { endToEnd: endToEndSummary } : {}), stages: stagesSummary },
      outcomes: {
        emailed,
        sms,
        notified,
        skipped,
        suppressed,
        deadLettered: deadLetteredCount,
        deadLetteredByQueue,
        lost: lostIds.length,
        duplicated: duplicatedIds.length,
        resentAfterKill: resentAfterKillIds.length,
        failedAttempts: progress.totalFailedAttempts,
        notifiedWithoutMessage,
        unattributedDeadLetters: deadLettered.unattributed,
        lostIds: lostIds.slice(0, MAX_IDS_LISTED),
        duplicatedIds: duplicatedIds.slice(0, MAX_IDS_LISTED),
        resentAfterKillIds: resentAfterKillIds.slice(0, MAX_IDS_LISTED),
      },
      changes: {
        total: changeAccount.total,
        byKind: changeAccount.byKind,
        rejected: changesRejected,
        notified: changeAccount.notified,
        skipped: changeAccount.skipped,
        suppressed: changeAccount.suppressed,
        deadLettered: changeAccount.deadLettered,
        lost: changeAccount.lostKeys.length,
        duplicated: changeAccount.duplicatedKeys.length,
        resentAfterKill: changeAccount.resentAfterKillKeys.length,
        notifiedWithoutMessage: changeAccount.notifiedWithoutMessage,
        lostKeys: changeAccount.lostKeys.slice(0, MAX_IDS_LISTED),
        duplicatedKeys: changeAccount.duplicatedKeys.slice(0, MAX_IDS_LISTED),
      },
      ...(faults ? { faults } : {}),
      ...(putItem ? { putItem } : {}),
      latencyGoal,
      functions,
      failures,
    };
  } finally {
    streams?.destroy();
    await runtime?.stop().catch((error: unknown) => write(`stopping the runtime failed: ${(error as Error).message}`));
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits for `promise` at most `ms`; the timer is cleared either way so it cannot hold the process open. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function assemblySettings(runtime: LocalRuntime): PipelineReport['settings']['assembly'] {
  const { topology } = runtime;
  const redriven = topology.queues.find((queue) => queue.redrivePolicy);
  const mapping = redriven ? topology.sqsEventSourceMappings.find((candidate) => candidate.queueId === redriven.id) : undefined;
  const pipe = topology.pipes[0];
  return {
    stage: runtime.stage,
    ...(redriven ? { notificationsVisibilityTimeoutSeconds: redriven.visibilityTimeoutSeconds, maxReceiveCount: redriven.redrivePolicy?.maxReceiveCount } : {}),
    ...(pipe ? { pipeBatchingWindowSeconds: pipe.source.maximumBatchingWindowInSeconds } : {}),
    ...(mapping ? { notifierBatchingWindowSeconds: mapping.maximumBatchingWindowInSeconds } : {}),
  };
}

/** Long enough for a message to use all its receives, each after a visibility timeout, plus a minute. */
function defaultDrainTimeoutSeconds(assembly: PipelineReport['settings']['assembly']): number {
  const visibility = assembly.notificationsVisibilityTimeoutSeconds ?? 30;
  const receives = assembly.maxReceiveCount ?? 3;
  return 60 + visibility * (receives + 1);
}

/** A booking exactly as the booking function stored it: the PutItem baseline writes copies of it. */
async function storedItem(runtime: LocalRuntime, id: string): Promise<Record<string, AttributeValue>> {
  const table = runtime.topology.tables.find((candidate) => candidate.streamViewType);
  if (!table) throw new Error('the assembly has no table with a stream to take a stored booking from');
  const output = await runtime.clients.dynamodb.send(new GetItemCommand({ TableName: table.tableName, Key: { id: { S: id } }, ConsistentRead: true }));
  if (!output.Item) throw new Error(`booking ${id} is not in ${table.tableName}`);
  return output.Item;
}

// ---- output ----

const number = (value: number | undefined, digits = 0): string =>
  value === undefined || Number.isNaN(value) ? '–' : value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function latencyRow(name: string, summary: LatencySummary | undefined): string {
  const cells = summary ? [summary.p50Ms, summary.p95Ms, summary.p99Ms, summary.maxMs].map((value) => number(value).padStart(9)) : ['–', '–', '–', '–'].map((cell) => cell.padStart(9));
  return `  ${name.padEnd(22)}${cells.join('')}${String(summary?.count ?? 0).padStart(8)}`;
}

export function formatPipelineReport(report: PipelineReport): string {
  const { settings, outcomes } = report;
  const lines: string[] = [];
  const rate = settings.ratePerSecond ? `${settings.ratePerSecond}/s` : 'unlimited';
  const assembly = settings.assembly;
  lines.push(
    `bookings ${report.bookings.requested} (accepted ${report.bookings.accepted}, rejected ${report.bookings.rejected}), rate ${rate}, concurrency ${settings.concurrency}` +
      `; mix e-mail ${report.bookings.byContactKind.email} / SMS ${report.bookings.byContactKind.sms} / none ${report.bookings.byContactKind.none} / unknown ${report.bookings.byContactKind.unknown}`,
  );
  lines.push(
    `assembly ${assembly.stage}${settings.visibilityTimeoutOverrideSeconds !== undefined ? ' (CHANGED: notifications visibility timeout)' : ''}: ` +
      `visibility timeout ${assembly.notificationsVisibilityTimeoutSeconds ?? '–'} s, maxReceiveCount ${assembly.maxReceiveCount ?? '–'}, ` +
      `batching windows pipe ${assembly.pipeBatchingWindowSeconds ?? '–'} s / notifier ${assembly.notifierBatchingWindowSeconds ?? '–'} s`,
  );
  if (settings.faults) {
    const f = settings.faults;
    lines.push(`faults on: ses ${f.sesErrorRate}, sms ${f.snsErrorRate}, enrichment ${f.enrichmentErrorRate}, crash ${f.notifierCrashRate}, seed ${f.seed}; compute restarted half-way`);
  }
  lines.push('');
  lines.push(`throughput              ${number(report.throughputPerSecond, 1)} bookings/s completed (${number(report.elapsedSeconds, 1)} s first POST → last final stage)`);
  if (report.putItem) {
    const p = report.putItem;
    lines.push(`DynamoDB Local PutItem  ${number(p.putItemsPerSecond, 1)} items/s (${p.items} items of ~${p.itemBytes} B, concurrency ${p.concurrency})`);
    const offered = settings.ratePerSecond ? `; this run offered only ${settings.ratePerSecond} bookings/s, so the ratio measures the offered rate, not the ceiling` : '';
    lines.push(`pipeline / PutItem      ${number(p.pipelineToPutItemRatio, 3)} (goal ≥ ${p.goal}: ${p.goalMet ? 'met' : 'NOT met'}${offered})`);
  }
  lines.push('');
  lines.push(`  ${'latency (ms)'.padEnd(22)}${['p50', 'p95', 'p99', 'max'].map((h) => h.padStart(9)).join('')}${'n'.padStart(8)}`);
  lines.push(latencyRow('POST → notified/skip', report.latency.endToEnd));
  for (const interval of STAGE_INTERVALS) lines.push(latencyRow(interval.name, report.latency.stages[interval.name]));
  const goal = report.latencyGoal;
  const goalState = goal.applies ? (goal.met ? 'met' : 'NOT met') : `not measured (needs --rate ${goal.ratePerSecond} without faults)`;
  const ratio = goal.ratio !== undefined ? `p99 ÷ poll interval ${goal.ratio.toFixed(2)}×, ` : '';
  lines.push(`latency goal p99 ≤ ${goal.ratioGoal}× the pipe's ${goal.pollIntervalMs} ms poll interval (${goal.p99Ms} ms) at ${goal.ratePerSecond} bookings/s: ${ratio}${goalState}`);
  lines.push(`  note: ${goal.note}`);
  lines.push('');
  const dlq = Object.entries(outcomes.deadLetteredByQueue).map(([label, count]) => `${label} ${count}`).join(', ');
  lines.push(
    `outcomes  notified ${outcomes.notified} (e-mail ${outcomes.emailed}, SMS ${outcomes.sms}), skipped ${outcomes.skipped}, suppressed ${outcomes.suppressed}, ` +
      `dead-lettered ${outcomes.deadLettered}${dlq ? ` (${dlq})` : ''}, retried attempts ${outcomes.failedAttempts}`,
  );
  lines.push(`          lost ${outcomes.lost} (must be 0), duplicated ${outcomes.duplicated} (must be 0)`);
  if (outcomes.resentAfterKill > 0) {
    lines.push(`          re-sent after a kill mid-send ${outcomes.resentAfterKill} (the notifier died after the provider accepted; at-least-once, as in Lambda)`);
  }
  if (outcomes.notifiedWithoutMessage > 0) lines.push(`          notified with no message in the emulator's store: ${outcomes.notifiedWithoutMessage}`);
  if (outcomes.unattributedDeadLetters > 0) lines.push(`          dead-letter messages naming no booking: ${outcomes.unattributedDeadLetters}`);
  const { changes } = report;
  lines.push(
    `changes   ${changes.total} (booked ${changes.byKind.booked}, rescheduled ${changes.byKind.rescheduled}, cancelled ${changes.byKind.cancelled}): ` +
      `notified ${changes.notified}, skipped ${changes.skipped}, suppressed ${changes.suppressed}, dead-lettered ${changes.deadLettered}`,
  );
  lines.push(`          per change: lost ${changes.lost} (must be 0), duplicated ${changes.duplicated} (must be 0)${changes.resentAfterKill > 0 ? `, re-sent after a kill ${changes.resentAfterKill}` : ''}`);
  if (changes.lostKeys.length > 0) lines.push(`  lost changes: ${changes.lostKeys.join(', ')}`);
  if (changes.duplicatedKeys.length > 0) lines.push(`  duplicated changes: ${changes.duplicatedKeys.join(', ')}`);
  if (report.faults) {
    const kinds = Object.entries(report.faults.injected).map(([kind, count]) => `${kind} ${count}`).join(', ') || 'none reported by the runtime';
    lines.push(`faults    injected ${report.faults.total}: ${kinds}; compute restarts ${report.faults.computeRestarts}`);
  }
  if (report.functions.length > 0) {
    lines.push('');
    lines.push(`  ${'function'.padEnd(14)}${'bundle (B)'.padStart(12)}${'cold start ms'.padStart(15)}${'init ms'.padStart(10)}  (median of ${report.functions[0].samples} fresh processes)`);
    for (const fn of report.functions) {
      const errors = fn.initErrors.length > 0 ? `  ${fn.initErrors.length} init errors: ${fn.initErrors[0]}` : '';
      lines.push(`  ${fn.name.padEnd(14)}${number(fn.bundleBytes).padStart(12)}${number(fn.spawnToReadyMedianMs, 1).padStart(15)}${number(fn.initMedianMs, 1).padStart(10)}${errors}`);
    }
  }
  lines.push('');
  lines.push(report.failures.length === 0 ? 'correctness: every booking accounted for, none notified twice' : `correctness FAILED: ${report.failures.join('; ')}`);
  if (outcomes.lostIds.length > 0) lines.push(`  lost: ${outcomes.lostIds.join(', ')}`);
  if (outcomes.duplicatedIds.length > 0) lines.push(`  duplicated: ${outcomes.duplicatedIds.join(', ')}`);
  for (const rejection of report.bookings.rejections) lines.push(`  rejected ${rejection}`);
  return lines.join('\n');
}

/** Writes `pipeline-<timestamp>.json` beside latest.json; returns its path. */
export function writePipelineReport(report: PipelineReport, resultsDir: string): string {
  const file = join(resultsDir, `pipeline-${report.finishedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

if (require.main === module) {
  (async () => {
    const options = parsePipelineArgs(process.argv.slice(2));
    const report = await runPipelineBenchmark({ ...options, write: (line) => console.error(line) });
    console.log(formatPipelineReport(report));
    const file = writePipelineReport(report, join(__dirname, 'results'));
    console.log(`\nreport written to ${relative(process.cwd(), file)}`);
    if (report.failures.length > 0) process.exitCode = 1;
  })().catch((error: unknown) => {
    console.error(error instanceof BenchUsageError ? error.message : error);
    process.exitCode = 1;
  });
}
