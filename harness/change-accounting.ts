/**
 * How a run is judged per CHANGE of a booking (booked, rescheduled, cancelled), not per booking:
 * each change must end notified, skipped, suppressed or dead-lettered, and no change may be sent
 * twice, while two changes of one appointment are two notifications. Pure, like
 * `outcome-accounting.ts` (which still judges the bookings' first notifications and their
 * latencies): the inputs are the changes the run made, the notifications table's rows, what the
 * dead-letter queues hold and what the emulators' stores received.
 */
import type { ChangeKind, NotificationStatus } from '../contracts';

/** One change the run made and the API accepted: the version it produced names it. */
export interface ChangeMade {
  appointmentId: string;
  version: number;
  kind: ChangeKind;
}

/** `<appointmentId>@<version>`: how changes are keyed across the inputs. */
export const changeKey = (appointmentId: string, version: number): string => `${appointmentId}@${version}`;

/** `<appointmentId>#<kind>`: how a sent message is attributed (its subject or text names its kind). */
export const messageKey = (appointmentId: string, kind: ChangeKind): string => `${appointmentId}#${kind}`;

/** The notifications table's row of a change (`change-<version>`). */
export interface ChangeRow {
  status: NotificationStatus;
  channel?: 'email' | 'sms' | 'none';
}

export type ChangeOutcome =
  | { kind: 'notified'; channel: 'email' | 'sms'; delivered: boolean }
  | { kind: 'skipped' }
  | { kind: 'suppressed' }
  | { kind: 'dead-lettered'; queue: string }
  | { kind: 'lost'; lastStatus?: NotificationStatus };

export interface ChangeAccountInput {
  changes: readonly ChangeMade[];
  /** changeKey → the row the notifier wrote. */
  rows: ReadonlyMap<string, ChangeRow>;
  /** changeKey → the label of the dead-letter queue that holds it. */
  deadLettered: ReadonlyMap<string, string>;
  /** messageKey → e-mails and SMS that left for that appointment and kind. */
  sent: ReadonlyMap<string, { emails: number; sms: number }>;
  /** Appointments one of whose notifier invocations was killed (crash or restart). */
  killed: ReadonlySet<string>;
}

export interface ChangeAccount {
  byKey: Map<string, ChangeOutcome>;
  total: number;
  byKind: Record<ChangeKind, number>;
  notified: number;
  skipped: number;
  suppressed: number;
  deadLettered: number;
  lostKeys: string[];
  /** Recorded sent, yet no such message is in the emulator's store. */
  notifiedWithoutMessage: number;
  /** A change sent more than once with no kill to explain it: a correctness failure. */
  duplicatedKeys: string[];
  /** Sent more than once after one of the appointment's invocations was killed mid-send (at-least-once). */
  resentAfterKillKeys: string[];
}

/**
 * A change's outcome is its row's final status (sent, skipped, suppressed); a `failed` or still
 * `pending` row counts only if the message is in a dead-letter queue; otherwise it is lost.
 */
export function accountChanges(input: ChangeAccountInput): ChangeAccount {
  const account: ChangeAccount = {
    byKey: new Map(),
    total: 0,
    byKind: { booked: 0, rescheduled: 0, cancelled: 0 },
    notified: 0,
    skipped: 0,
    suppressed: 0,
    deadLettered: 0,
    lostKeys: [],
    notifiedWithoutMessage: 0,
    duplicatedKeys: [],
    resentAfterKillKeys: [],
  };
  const perMessageKey = new Map<string, number>();
  for (const change of input.changes) {
    const key = changeKey(change.appointmentId, change.version);
    if (account.byKey.has(key)) throw new Error(`change ${key} is listed twice: each change is accounted for once`);
    const forKind = messageKey(change.appointmentId, change.kind);
    perMessageKey.set(forKind, (perMessageKey.get(forKind) ?? 0) + 1);
    if ((perMessageKey.get(forKind) ?? 0) > 1) {
      throw new Error(`appointment ${change.appointmentId} has two ${change.kind} changes: messages are attributed by kind, so a run makes at most one of each`);
    }
    const outcome = outcomeOf(key, forKind, input);
    account.byKey.set(key, outcome);
    account.total += 1;
    account.byKind[change.kind] += 1;
    switch (outcome.kind) {
      case 'notified':
        account.notified += 1;
        if (!outcome.delivered) account.notifiedWithoutMessage += 1;
        break;
      case 'skipped':
        account.skipped += 1;
        break;
      case 'suppressed':
        account.suppressed += 1;
        break;
      case 'dead-lettered':
        account.deadLettered += 1;
        break;
      case 'lost':
        account.lostKeys.push(key);
        break;
    }
    const sent = input.sent.get(forKind);
    if (sent && (sent.emails > 1 || sent.sms > 1)) {
      (input.killed.has(change.appointmentId) ? account.resentAfterKillKeys : account.duplicatedKeys).push(key);
    }
  }
  return account;
}

function outcomeOf(key: string, forKind: string, input: ChangeAccountInput): ChangeOutcome {
  const row = input.rows.get(key);
  if (row?.status === 'sent' && (row.channel === 'email' || row.channel === 'sms')) {
    const sent = input.sent.get(forKind);
    const delivered = (row.channel === 'email' ? sent?.emails : sent?.sms) ?? 0;
    return { kind: 'notified', channel: row.channel, delivered: delivered > 0 };
  }
  if (row?.status === 'skipped') return { kind: 'skipped' };
  if (row?.status === 'suppressed') return { kind: 'suppressed' };
  const queue = input.deadLettered.get(key);
  if (queue) return { kind: 'dead-lettered', queue };
  return row ? { kind: 'lost', lastStatus: row.status } : { kind: 'lost' };
}
