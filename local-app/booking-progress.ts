import { performance } from 'node:perf_hooks';

/**
 * The stages a booking passes through on its way to a notification, in order. The last five are
 * outcomes: `emailed`, `sms`, `skipped` and `suppressed` (a limit such as the recipient's 24-hour
 * cap stopped it) end the journey; `failed` may be retried (SQS redelivers) until the message is
 * `dead-lettered`.
 */
export const BOOKING_STAGES = [
  'stored',
  'filtered',
  'enriched',
  'queued',
  'emailed',
  'sms',
  'skipped',
  'suppressed',
  'failed',
  'dead-lettered',
] as const;

export type BookingStage = (typeof BOOKING_STAGES)[number];

export const FINAL_STAGES: ReadonlySet<BookingStage> = new Set<BookingStage>(['emailed', 'sms', 'skipped', 'suppressed', 'dead-lettered']);

export interface BookingStageEvent {
  appointmentId: string;
  stage: BookingStage;
  /** Milliseconds since the booking was first seen (its `stored` stage, or the first stage seen). */
  elapsedMs: number;
  /** Wall-clock time of this stage (performance.timeOrigin-based, ms). */
  at: number;
  detail?: string;
}

export type BookingStageListener = (event: BookingStageEvent) => void;

export interface BookingProgress {
  mark(appointmentId: string, stage: BookingStage, detail?: string): void;
  /** Subscribes to every stage event; returns the unsubscribe function. */
  onStage(listener: BookingStageListener): () => void;
}

export interface BookingProgressOptions {
  /** Where the human-readable line goes; omit for silence (events still flow to listeners). */
  write?: (line: string) => void;
  now?: () => number;
  /** Bookings remembered for their timings; the oldest are forgotten past this (bounded memory). */
  maxTracked?: number;
}

const LABELS: Record<BookingStage, string> = {
  stored: 'stored',
  filtered: 'filtered',
  enriched: 'enriched',
  queued: 'queued',
  emailed: 'e-mailed',
  sms: 'SMS sent',
  skipped: 'skipped',
  suppressed: 'suppressed',
  failed: 'failed',
  'dead-lettered': 'dead-lettered',
};

/** One line per booking per stage, with the time since the booking was stored. */
export function createBookingProgress(options: BookingProgressOptions = {}): BookingProgress {
  const now = options.now ?? (() => performance.timeOrigin + performance.now());
  const maxTracked = options.maxTracked ?? 10_000;
  const firstSeen = new Map<string, number>();
  const listeners = new Set<BookingStageListener>();

  return {
    mark(appointmentId, stage, detail) {
      const at = now();
      let start = firstSeen.get(appointmentId);
      if (start === undefined) {
        start = at;
        firstSeen.set(appointmentId, at);
        if (firstSeen.size > maxTracked) firstSeen.delete(firstSeen.keys().next().value as string);
      }
      const event: BookingStageEvent = { appointmentId, stage, elapsedMs: at - start, at, ...(detail ? { detail } : {}) };
      options.write?.(formatStageLine(event));
      for (const listener of listeners) listener(event);
    },
    onStage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function formatStageLine(event: BookingStageEvent): string {
  const time = new Date(event.at).toISOString().slice(11, 23);
  const elapsed = `+${Math.round(event.elapsedMs)} ms`.padStart(8);
  const detail = event.detail ? `  ${event.detail}` : '';
  return `${time}  booking ${event.appointmentId.slice(0, 8)}  ${LABELS[event.stage].padEnd(15)}${elapsed}${detail}`;
}
