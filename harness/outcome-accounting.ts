/**
 * How a run through the whole local stack is judged: what became of each booking (notified,
 * skipped, suppressed, dead-lettered or lost) and which appointments were notified more than once, telling
 * apart the one second send idempotency cannot prevent (the notifier killed mid-send). The
 * benchmark and the reliability tests both count this way, so "0 lost, 0 duplicated" means the
 * same thing in either. Pure: the inputs are gathered by `BookingProgressLog`, `auditDeliveries`
 * and `readDeadLetteredBookings`.
 */
import type { BookingStage, BookingStageEvent } from '../local-app/booking-progress';

/** How the runtime's progress names an invocation whose process was killed (crash or restart). */
export const KILLED_INVOCATION = 'Runtime.ExitError';

const NOTIFIED_STAGES: ReadonlySet<BookingStage> = new Set<BookingStage>(['emailed', 'sms']);

/**
 * What the runtime's booking progress said about each booking, as it happened. Stage events can
 * arrive before the POST's response does, so everything is kept and joined by id later.
 */
export class BookingProgressLog {
  /** Appointment id → when it first reached each stage. */
  readonly firstAt = new Map<string, Map<BookingStage, number>>();
  /** Appointment id → notifier attempts that failed (each one an SQS redelivery). */
  readonly failedAttempts = new Map<string, number>();
  /** Appointments an invocation of which was killed: a second send of these may be that kill's. */
  readonly killed = new Set<string>();

  observe(event: BookingStageEvent): void {
    let stages = this.firstAt.get(event.appointmentId);
    if (!stages) this.firstAt.set(event.appointmentId, (stages = new Map()));
    if (!stages.has(event.stage)) stages.set(event.stage, event.at);
    if (event.stage === 'failed') this.failedAttempts.set(event.appointmentId, (this.failedAttempts.get(event.appointmentId) ?? 0) + 1);
    if ((event.stage === 'failed' || event.stage === 'dead-lettered') && event.detail?.includes(KILLED_INVOCATION)) this.killed.add(event.appointmentId);
  }

  get totalFailedAttempts(): number {
    return [...this.failedAttempts.values()].reduce((sum, count) => sum + count, 0);
  }
}

/** What really left the system, per appointment, counted from the emulators' stores. */
export interface DeliveryAudit {
  /** Appointment id → e-mails that name it. */
  emails: Map<string, number>;
  /** Appointment id → SMS that name its patient. */
  sms: Map<string, number>;
}

/** Appointments with more than one e-mail, or more than one SMS. */
export function duplicatedAppointments(audit: DeliveryAudit, ids: Iterable<string>): string[] {
  const duplicated: string[] = [];
  for (const id of ids) {
    if ((audit.emails.get(id) ?? 0) > 1 || (audit.sms.get(id) ?? 0) > 1) duplicated.push(id);
  }
  return duplicated;
}

export type BookingOutcome =
  /** `delivered` is false when progress said sent but the emulator's store holds no such message. */
  | { kind: 'notified'; channel: 'emailed' | 'sms'; at: number; delivered: boolean }
  | { kind: 'skipped'; at: number }
  /** A limit (the recipient's 24-hour cap) stopped it, with its reason recorded: accounted for, not sent. */
  | { kind: 'suppressed'; at: number }
  /** `at` is when progress saw it dead-lettered; a pipe DLQ entry may have no such stage. */
  | { kind: 'dead-lettered'; queue: string; at?: number }
  /** No final stage and in no dead-letter queue. */
  | { kind: 'lost' };

export interface OutcomeAccountInput {
  bookingIds: readonly string[];
  /** Appointment id → when it first reached each stage (`BookingProgressLog.firstAt`). */
  firstAt: ReadonlyMap<string, ReadonlyMap<BookingStage, number>>;
  /** `BookingProgressLog.killed`. */
  killed: ReadonlySet<string>;
  deliveries: DeliveryAudit;
  /** Appointment id → the label of the dead-letter queue it was found in. */
  deadLettered: ReadonlyMap<string, string>;
}

export interface OutcomeAccount {
  byId: Map<string, BookingOutcome>;
  emailed: number;
  sms: number;
  notified: number;
  skipped: number;
  suppressed: number;
  deadLettered: number;
  deadLetteredByQueue: Record<string, number>;
  notifiedWithoutMessage: number;
  lostIds: string[];
  /** Sent more than once with no kill to explain it: a correctness failure. */
  duplicatedIds: string[];
  /**
   * Sent more than once after one of its invocations was killed: the notifier died after SES/SNS
   * accepted the message but before its idempotency record was completed, so the redelivery sent
   * again. Neither provider takes an idempotency token, so that window is Lambda's too.
   */
  resentAfterKillIds: string[];
}

/**
 * A booking's outcome is its first notification stage if it has one (whatever happened after),
 * else skipped, else the dead-letter queue it is in, else lost.
 */
export function accountOutcomes(input: OutcomeAccountInput): OutcomeAccount {
  const seen = new Set<string>();
  for (const id of input.bookingIds) {
    if (seen.has(id)) throw new Error(`booking ${id} is listed twice: each booking is accounted for once`);
    seen.add(id);
  }
  const sentMoreThanOnce = duplicatedAppointments(input.deliveries, input.bookingIds);
  const account: OutcomeAccount = {
    byId: new Map(),
    emailed: 0,
    sms: 0,
    notified: 0,
    skipped: 0,
    suppressed: 0,
    deadLettered: 0,
    deadLetteredByQueue: {},
    notifiedWithoutMessage: 0,
    lostIds: [],
    duplicatedIds: sentMoreThanOnce.filter((id) => !input.killed.has(id)),
    resentAfterKillIds: sentMoreThanOnce.filter((id) => input.killed.has(id)),
  };
  for (const id of input.bookingIds) {
    const stages = input.firstAt.get(id) ?? new Map<BookingStage, number>();
    const outcome = outcomeOf(id, stages, input);
    account.byId.set(id, outcome);
    switch (outcome.kind) {
      case 'notified':
        if (outcome.channel === 'emailed') account.emailed += 1;
        else account.sms += 1;
        if (!outcome.delivered) account.notifiedWithoutMessage += 1;
        break;
      case 'skipped':
        account.skipped += 1;
        break;
      case 'suppressed':
        account.suppressed += 1;
        break;
      case 'dead-lettered':
        account.deadLetteredByQueue[outcome.queue] = (account.deadLetteredByQueue[outcome.queue] ?? 0) + 1;
        account.deadLettered += 1;
        break;
      case 'lost':
        account.lostIds.push(id);
        break;
    }
  }
  account.notified = account.emailed + account.sms;
  return account;
}

function outcomeOf(id: string, stages: ReadonlyMap<BookingStage, number>, input: OutcomeAccountInput): BookingOutcome {
  const channel = firstStageOf(stages, NOTIFIED_STAGES);
  if (channel === 'emailed' || channel === 'sms') {
    const delivered = (channel === 'emailed' ? input.deliveries.emails.get(id) : input.deliveries.sms.get(id)) ?? 0;
    return { kind: 'notified', channel, at: stages.get(channel) as number, delivered: delivered > 0 };
  }
  const skippedAt = stages.get('skipped');
  if (skippedAt !== undefined) return { kind: 'skipped', at: skippedAt };
  const suppressedAt = stages.get('suppressed');
  if (suppressedAt !== undefined) return { kind: 'suppressed', at: suppressedAt };
  const queue = input.deadLettered.get(id);
  if (queue) {
    const at = stages.get('dead-lettered');
    return { kind: 'dead-lettered', queue, ...(at !== undefined ? { at } : {}) };
  }
  return { kind: 'lost' };
}

function firstStageOf(stages: ReadonlyMap<BookingStage, number>, among: ReadonlySet<BookingStage>): BookingStage | undefined {
  let first: BookingStage | undefined;
  for (const stage of among) {
    const at = stages.get(stage);
    if (at !== undefined && (first === undefined || at < (stages.get(first) as number))) first = stage;
  }
  return first;
}
