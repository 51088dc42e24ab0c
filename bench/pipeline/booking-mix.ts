import { randomBytes } from 'node:crypto';

/** What a booking's e-mail address says about the patient's contact preference. */
export type ContactKind = 'email' | 'sms' | 'none' | 'unknown';
export const CONTACT_KINDS: readonly ContactKind[] = ['email', 'sms', 'none', 'unknown'];

/** Contacts per kind: bookings share them, as repeat patients do, so the enrichment's lookups batch. */
/**
 * Bookings per contact at most: each booking notifies up to three times (booked, rescheduled,
 * cancelled), so three bookings stay inside the dev per-recipient cap (10 in 24 h) with a slot to
 * spare for a killed notifier that spent one it could not give back: a run measures the pipeline, not the cap.
 */
const BOOKINGS_PER_CONTACT = 3;
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

/**
 * At least `daysAhead` days ahead, on the first Monday to Friday from there, at `utcTime` (HH:MM,
 * UTC), written with an offset as the API requires. 10:00 and 14:30 UTC are inside the practice's
 * weekday opening hours (08:00 to 18:00 in London) in winter and summer alike.
 */
export function futureAppointmentDateTime(now = Date.now(), daysAhead = 10, utcTime = '10:00'): string {
  const date = new Date(now + daysAhead * 24 * 3600 * 1000);
  while (date.getUTCDay() === 0 || date.getUTCDay() === 6) date.setUTCDate(date.getUTCDate() + 1);
  return `${date.toISOString().slice(0, 10)}T${utcTime}:00+00:00`;
}

/** What happens to a booking after it is made: the mix of a run's later changes (staff make them). */
export type ChangePlan = readonly ('reschedule' | 'cancel')[];

/**
 * Booking i is, by i mod 10: rescheduled (1, 6), cancelled (3, 8), rescheduled then cancelled (5),
 * or left alone; so any prefix of a run has about 30 % reschedules and 30 % cancellations, and no
 * appointment has two changes of one kind (the audit attributes a message to its appointment and kind).
 */
export function planChanges(index: number): ChangePlan {
  switch (index % 10) {
    case 1:
    case 6:
      return ['reschedule'];
    case 3:
    case 8:
      return ['cancel'];
    case 5:
      return ['reschedule', 'cancel'];
    default:
      return [];
  }
}
