import { FINAL_STAGES, type BookingProgress, type BookingStage } from './booking-progress';
import { SEED_CONTACTS } from './seed-contacts';
import { PRACTICE_OPENING_HOURS } from '../cdk/config/environments';
import { openingSlot } from '../services/booking/domain/opening-hours';

export interface DemoCase {
  name: string;
  email: string;
  /** The outcomes that count as right for this case. */
  expected: BookingStage;
}

/** One booking per contact preference, plus a new patient with no contact record yet (e-mailed: the confirmation carries the manage link). */
export const DEMO_CASES: readonly DemoCase[] = [
  { name: 'prefers e-mail', email: contactEmail('email'), expected: 'emailed' },
  { name: 'prefers SMS', email: contactEmail('sms'), expected: 'sms' },
  { name: 'prefers no notifications', email: contactEmail('none'), expected: 'skipped' },
  { name: 'new patient', email: 'first.visit@example.com', expected: 'emailed' },
];

export interface DemoOutcome {
  name: string;
  appointmentId?: string;
  expected: BookingStage;
  /** The final stage seen, or `timeout`/`rejected`. */
  outcome: BookingStage | 'timeout' | 'rejected';
  elapsedMs?: number;
  ok: boolean;
  detail?: string;
}

/**
 * Books one appointment per demo case through the API and waits for each to reach a final stage
 * (e-mailed, SMS sent, skipped, dead-lettered), as the runtime's progress reports it.
 */
export async function runDemoBookings(apiUrl: string, progress: BookingProgress, options: { timeoutMs?: number } = {}): Promise<DemoOutcome[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const finals = new Map<string, { stage: BookingStage; elapsedMs: number; detail?: string }>();
  const waiters = new Map<string, () => void>();
  const unsubscribe = progress.onStage((event) => {
    if (!FINAL_STAGES.has(event.stage)) return;
    finals.set(event.appointmentId, { stage: event.stage, elapsedMs: event.elapsedMs, ...(event.detail ? { detail: event.detail } : {}) });
    waiters.get(event.appointmentId)?.();
  });
  try {
    return await Promise.all(
      DEMO_CASES.map(async (demo, index): Promise<DemoOutcome> => {
        const response = await fetch(new URL('appointments', apiUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(demoRequest(demo, index)),
        });
        const body = (await response.json()) as { id?: string; message?: string };
        if (response.status !== 201 || typeof body.id !== 'string') {
          return { name: demo.name, expected: demo.expected, outcome: 'rejected', ok: false, detail: `${response.status} ${JSON.stringify(body)}` };
        }
        const id = body.id;
        const final = await waitForFinal(id, finals, waiters, timeoutMs);
        if (!final) return { name: demo.name, appointmentId: id, expected: demo.expected, outcome: 'timeout', ok: false };
        return {
          name: demo.name,
          appointmentId: id,
          expected: demo.expected,
          outcome: final.stage,
          elapsedMs: Math.round(final.elapsedMs),
          ok: final.stage === demo.expected,
          ...(final.detail ? { detail: final.detail } : {}),
        };
      }),
    );
  } finally {
    unsubscribe();
  }
}

export function formatDemoOutcomes(outcomes: DemoOutcome[]): string {
  const rows = outcomes.map((o) =>
    [o.ok ? 'ok  ' : 'FAIL', o.name.padEnd(26), o.outcome.padEnd(14), o.elapsedMs !== undefined ? `${o.elapsedMs} ms`.padStart(8) : ''.padStart(8), o.appointmentId ?? o.detail ?? ''].join('  '),
  );
  return ['      case                        outcome          time    booking', ...rows].join('\n');
}

function waitForFinal(
  id: string,
  finals: Map<string, { stage: BookingStage; elapsedMs: number; detail?: string }>,
  waiters: Map<string, () => void>,
  timeoutMs: number,
): Promise<{ stage: BookingStage; elapsedMs: number; detail?: string } | undefined> {
  const done = finals.get(id);
  if (done) return Promise.resolve(done);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiters.delete(id);
      resolve(undefined);
    }, timeoutMs);
    waiters.set(id, () => {
      clearTimeout(timer);
      waiters.delete(id);
      resolve(finals.get(id));
    });
  });
}

function contactEmail(method: 'email' | 'sms' | 'none'): string {
  const contact = SEED_CONTACTS.find((candidate) => candidate.preference.preferredMethod === method);
  if (!contact) throw new Error(`the seed contacts have no ${method} contact`);
  return contact.email;
}

function demoRequest(demo: DemoCase, index: number): Record<string, string> {
  // A week ahead (or the next opening day), from 09:30 on the practice's clock, half an hour apart.
  const start = openingSlot(PRACTICE_OPENING_HOURS, { daysAhead: 7, localTime: ['09:30', '10:00', '10:30', '11:00'][index % 4] });
  return {
    patientName: `Demo Patient (${demo.name})`,
    email: demo.email,
    dentist: 'Dr. Lee Jones',
    clinic: 'LJ Dentists, High Street',
    appointmentDateTime: start,
    notes: 'Booked by the local demo',
  };
}
