import { parseEnrichedAppointment, type Appointment, type EnrichedAppointment } from '../../../contracts';
import { contactKeyOf, preferredChannel, type ContactPreference } from '../../common/contact-preference';

export { readContactPreference, type ContactPreference } from '../../common/contact-preference';

/** The contacts table key of an appointment's patient: contacts are keyed by lower-cased e-mail. */
export const contactKey = (appointment: Pick<Appointment, 'email'>): string => contactKeyOf(appointment.email);

/** Distinct contact keys of a batch, in first-seen order. */
export function distinctContactKeys(appointments: readonly Appointment[]): string[] {
  return [...new Set(appointments.map(contactKey))];
}

/**
 * One enriched appointment per appointment, in order: the appointment as stored after the change
 * (status, version, lastChange and every other field passed through as they are), plus the
 * contact's method (and number for sms), or `email` for a patient with no contact preference yet.
 * A new patient must get the confirmation e-mail: it carries the manage link, the only way a
 * patient can prove the address and then choose sms or none. (Flooding an address this way is
 * bounded by the notifier's per-recipient cap.) Each output is validated against the
 * `enriched-appointment` contract before it leaves the function.
 */
export function enrichAppointments(appointments: readonly Appointment[], contacts: ReadonlyMap<string, ContactPreference>): EnrichedAppointment[] {
  return appointments.map((appointment) => {
    const enriched: EnrichedAppointment = { ...appointment, ...preferredChannel(contacts.get(contactKey(appointment))) };
    return parseEnrichedAppointment(enriched);
  });
}
