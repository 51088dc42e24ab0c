import * as fc from 'fast-check';
import { validateAppointment, validateEnrichedAppointment, type Appointment, type EnrichedAppointment } from '../../contracts';
import { appointmentRequest, configuredDentistNames, phoneNumber } from './booking-arbitraries';

/**
 * Generators of what flows after the booking: stored appointments (as the booking writes them),
 * contact items, and enriched appointments as the notifier receives them.
 */

/** A small pool of patients, so batches repeat e-mails (in different cases) as real ones do. */
export const PATIENT_EMAILS = ['jane@example.com', 'ravi@example.net', 'li.wei@example.org', 'o.neil+dentist@example.ie', 'nobody@example.com'] as const;

const caseVariant = (email: string): fc.Arbitrary<string> => fc.constantFrom(email, email.toUpperCase(), email.replace(/^./, (first) => first.toUpperCase()));

/** A stored appointment: a valid booking request (naming one of the practice's dentists) plus what the booking service adds. */
export const storedAppointment = (now = Date.now(), dentists: readonly string[] = configuredDentistNames()): fc.Arbitrary<Appointment> =>
  fc
    .tuple(
      appointmentRequest(now, dentists),
      fc.constantFrom(...PATIENT_EMAILS).chain(caseVariant),
      fc.uuid({ version: 4 }),
      fc.integer({ min: now - 86_400_000, max: now }),
      fc.constantFrom<Appointment['lastChange']['kind']>('booked', 'rescheduled', 'cancelled'),
      fc.integer({ min: 2, max: 20 }),
      fc.constantFrom(...dentists),
    )
    .map(([request, email, id, createdAt, kind, laterVersion, previousDentist]) => {
      const trimmed = Object.fromEntries(Object.entries(request).map(([key, value]) => [key, value.trim()]));
      const appointmentDate = String(trimmed.appointmentDateTime).slice(0, 10);
      const at = new Date(createdAt).toISOString();
      // The latest change: the booking itself (version 1), or a later reschedule or cancellation.
      const lastChange: Appointment['lastChange'] =
        kind === 'booked' ? { kind, at, by: 'patient' } : kind === 'rescheduled' ? { kind, at, by: 'staff', previousDentist } : { kind, at, by: 'patient' };
      return {
        ...trimmed,
        email,
        id,
        appointmentDate,
        createdAt: at,
        status: kind === 'cancelled' ? 'cancelled' : 'booked',
        version: kind === 'booked' ? 1 : laterVersion,
        updatedAt: at,
        lastChange,
      } as Appointment;
    })
    .filter((appointment) => dentists.includes(appointment.dentist) && validateAppointment(appointment).length === 0);

export interface ContactItem {
  id: string;
  preferredMethod: 'email' | 'sms' | 'none';
  phoneNumber?: string;
  updatedAt: string;
}

/** Each patient of the pool may have a contact preference (absent for some). */
export const contactDirectory: fc.Arbitrary<Map<string, ContactItem>> = fc
  .array(
    fc.option(
      fc.record({ preferredMethod: fc.constantFrom<ContactItem['preferredMethod']>('email', 'sms', 'none'), phoneNumber: fc.option(phoneNumber, { nil: undefined }) }),
      { nil: undefined },
    ),
    { minLength: PATIENT_EMAILS.length, maxLength: PATIENT_EMAILS.length },
  )
  .map((entries) => {
    const directory = new Map<string, ContactItem>();
    entries.forEach((entry, index) => {
      if (!entry) return;
      const id = PATIENT_EMAILS[index]!;
      // The contact contract requires a number for sms; other methods may keep one.
      const phone = entry.preferredMethod === 'sms' ? (entry.phoneNumber ?? '+447700900123') : entry.phoneNumber;
      directory.set(id, { id, preferredMethod: entry.preferredMethod, ...(phone ? { phoneNumber: phone } : {}), updatedAt: '2030-01-01T00:00:00.000Z' });
    });
    return directory;
  });

/** An enriched appointment as the pipe puts it on the notifications queue. */
export const enrichedAppointment = (now = Date.now()): fc.Arbitrary<EnrichedAppointment> =>
  fc
    .tuple(storedAppointment(now), fc.constantFrom<EnrichedAppointment['preferredMethod']>('email', 'sms', 'none'), fc.option(phoneNumber, { nil: undefined }))
    .map(([appointment, preferredMethod, contactPhone]) => {
      const enriched: EnrichedAppointment = { ...appointment, preferredMethod };
      if (preferredMethod === 'sms' && contactPhone) enriched.contactPhoneNumber = contactPhone;
      return enriched;
    })
    .filter((enriched) => validateEnrichedAppointment(enriched).length === 0);
