import { PREFERRED_METHODS, validateContact, type PreferredMethod } from '../../contracts';

/**
 * A patient's contact preference, as the enrichment (a change's notification) and the notifier (a
 * reminder) both read it from the contacts table: one rule, so a reminder goes where the change did.
 */
export interface ContactPreference {
  preferredMethod: PreferredMethod;
  phoneNumber?: string;
  /** Why the stored item was not used as-is (it broke the contact contract). */
  problems?: string[];
}

/** The contacts table key of a patient: contacts are keyed by lower-cased e-mail. */
export const contactKeyOf = (email: string): string => email.toLowerCase();

/**
 * The preference rule of a stored contact item, valid or not: a corrupt item must neither block a
 * batch nor silence a patient, so its method is kept when it is a known one (an sms without a
 * usable number then falls back to e-mail in the notifier), otherwise e-mail, which always has an
 * address. Without the contract check (the notifier uses the rule alone, and does not ship the
 * contact validator); readContactPreference adds the check.
 */
export function contactPreferenceOf(item: Record<string, unknown>): ContactPreference {
  const method = PREFERRED_METHODS.find((candidate) => candidate === item.preferredMethod);
  const phone = typeof item.phoneNumber === 'string' && /^\+[1-9]\d{6,14}$/.test(item.phoneNumber) ? item.phoneNumber : undefined;
  const preference: ContactPreference = { preferredMethod: method ?? 'email' };
  if (phone) preference.phoneNumber = phone;
  return preference;
}

/** The rule, and the problems of an item that breaks the contact contract (for the enrichment's log line). */
export function readContactPreference(item: Record<string, unknown>): ContactPreference {
  const preference = contactPreferenceOf(item);
  const problems = validateContact(item);
  if (problems.length > 0) preference.problems = problems;
  return preference;
}

/**
 * What the notifier is told about the patient's channel: the contact's method (and number for sms),
 * or `email` for a patient with no contact preference yet (the e-mail carries the manage link, the
 * only way to prove the address and then choose sms or none).
 */
export function preferredChannel(contact: ContactPreference | undefined): { preferredMethod: PreferredMethod; contactPhoneNumber?: string } {
  const preferredMethod = contact?.preferredMethod ?? 'email';
  return contact?.preferredMethod === 'sms' && contact.phoneNumber ? { preferredMethod, contactPhoneNumber: contact.phoneNumber } : { preferredMethod };
}
