import { PREFERRED_METHODS, parseEnrichedAppointment, validateContact, type Appointment, type EnrichedAppointment, type PreferredMethod } from '../../../contracts';

/** The contacts table key of an appointment's patient: contacts are keyed by lower-cased e-mail. */
export const contactKey = (appointment: Pick<Appointment, 'email'>): string => appointment.email.toLowerCase();

/** Distinct contact keys of a batch, in first-seen order. */
export function distinctContactKeys(appointments: readonly Appointment[]): string[] {
  return [...new Set(appointments.map(contactKey))];
}

export interface ContactPreference {
  preferredMethod: PreferredMethod;
  phoneNumber?: string;
  /** Why the stored item was not used as-is (it broke the contact contract). */
  problems?: string[];
}

/**
 * Reads a stored contact item. A valid one is used as is. A corrupt one must neither block the
 * batch nor silence a patient: its method is kept when it is a known one (an sms without a usable
 * number then falls back to e-mail in the notifier), otherwise e-mail, which always has an address.
 */
export function readContactPreference(item: Record<string, unknown>): ContactPreference {
  const problems = validateContact(item);
  const method = PREFERRED_METHODS.find((candidate) => candidate === item.preferredMethod);
  const phone = typeof item.phoneNumber === 'string' && /^\+[1-9]\d{6,14}$/.test(item.phoneNumber) ? item.phoneNumber : undefined;
  const preference: ContactPreference = { preferredMethod: method ?? 'email' };
  if (phone) preference.phoneNumber = phone;
  if (problems.length > 0) preference.problems = problems;
  return preference;
}

/**
 * One enriched appointment per appointment, in order: the contact's method (and number for sms),
 * or `email` for a patient with no contact preference yet. A new patient must get the
 * confirmation e-mail: it carries the manage link, the only way a patient can prove the address
 * and then choose sms or none. (Flooding an address this way is bounded by the notifier's
 * per-recipient cap.) Each output is validated against the `enriched-appointment` contract
 * before it leaves the function.
 */
export function enrichAppointments(appointments: readonly Appointment[], contacts: ReadonlyMap<string, ContactPreference>): EnrichedAppointment[] {
  return appointments.map((appointment) => {
    const contact = contacts.get(contactKey(appointment));
    const enriched: EnrichedAppointment = { ...appointment, preferredMethod: contact?.preferredMethod ?? 'email' };
    if (contact?.preferredMethod === 'sms' && contact.phoneNumber) enriched.contactPhoneNumber = contact.phoneNumber;
    return parseEnrichedAppointment(enriched);
  });
}
