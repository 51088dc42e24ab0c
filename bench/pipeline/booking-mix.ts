import { randomBytes } from 'node:crypto';

/** What a booking's e-mail address says about the patient's contact preference. */
export type ContactKind = 'email' | 'sms' | 'none' | 'unknown';
export const CONTACT_KINDS: readonly ContactKind[] = ['email', 'sms', 'none', 'unknown'];

/** Contacts per kind: bookings share them, as repeat patients do, so the enrichment's lookups batch. */
/**
 * Bookings per contact at most: half the dev per-recipient cap (10 in 24 h), so a run measures the
 * pipeline, not the cap, even when a killed notifier spends a slot it could not give back.
 */
const BOOKINGS_PER_CONTACT = 5;
const MIN_CONTACTS_PER_KIND = 5;

export interface BenchContact {
  email: string;
  kind: ContactKind;
  /** The PUT /contacts body; undefined for `unknown` (no contact record at all). */
  request?: { preferredMethod: 'email' | 'sms' | 'none'; phoneNumber?: string };
}

export interface BookingPlan {
  index: number;
  kind: ContactKind;
  /** Unique per booking: the SMS text carries the name, not the appointment id. */
  patientName: string;
  body: Record<string, string>;
}

/** A short tag unique to one run, so its contacts and names never meet another run's. */
export function newRunTag(): string {
  return randomBytes(4).toString('hex');
}

export function benchContacts(runTag: string, bookings = 0): BenchContact[] {
  const contacts: BenchContact[] = [];
  const perKind = Math.max(MIN_CONTACTS_PER_KIND, Math.ceil(bookings / CONTACT_KINDS.length / BOOKINGS_PER_CONTACT));
  for (const kind of CONTACT_KINDS) {
    for (let n = 0; n < perKind; n += 1) {
      const email = `bench-${kind}-${n}.${runTag}@example.com`;
      // +447700900xxx is Ofcom's drama range: never a real subscriber.
      const phoneNumber = `+447700${String(900100 + n).padStart(6, '0')}`;
      const request =
        kind === 'unknown' ? undefined : kind === 'sms' ? { preferredMethod: 'sms' as const, phoneNumber } : { preferredMethod: kind };
      contacts.push({ email, kind, ...(request ? { request } : {}) });
    }
  }
  return contacts;
}

const PATIENT_NAME_PATTERN = /Patient ([0-9a-f]{8}-\d+)/;

export function patientNameFor(runTag: string, index: number): string {
  return `Patient ${runTag}-${index}`;
}

/** The booking tag (`<runTag>-<index>`) a notification's text names, if any. */
export function patientTagIn(text: string): string | undefined {
  return PATIENT_NAME_PATTERN.exec(text)?.[1];
}

/** Booking i goes to the (i mod 4)-th kind, so any prefix of the run is an even mix. */
export function planBooking(runTag: string, index: number, contacts: readonly BenchContact[], appointmentDateTime: string): BookingPlan {
  const kind = CONTACT_KINDS[index % CONTACT_KINDS.length];
  const ofKind = contacts.filter((contact) => contact.kind === kind);
  const contact = ofKind[Math.floor(index / CONTACT_KINDS.length) % ofKind.length];
  const patientName = patientNameFor(runTag, index);
  return {
    index,
    kind,
    patientName,
    body: {
      patientName,
      email: contact.email,
      dentist: 'Dr. Lee Jones',
      clinic: 'Leeds Central',
      appointmentDateTime,
      notes: 'Benchmark booking: please arrive ten minutes early.',
    },
  };
}

/** Ten days ahead at a whole minute, with an offset, as the API requires. */
export function futureAppointmentDateTime(now = Date.now()): string {
  const date = new Date(now + 10 * 24 * 3600 * 1000);
  date.setUTCSeconds(0, 0);
  return date.toISOString().replace('.000Z', '+00:00');
}
