/**
 * Which kind of notification a message that left the system is, read from what the patient sees:
 * the e-mail's subject or the SMS text. The harness attributes sent messages per change with it; a
 * unit test renders every template of the notifier and checks each is recognised as its own kind,
 * so a template's wording cannot drift away from this without a test failing.
 */
import type { NotificationKind } from '../contracts';

const EMAIL_SUBJECTS: ReadonlyArray<[RegExp, NotificationKind]> = [
  [/^Cancelled: /, 'cancelled'],
  [/^Your appointment is changed: /, 'rescheduled'],
  [/^Reminder: /, 'reminder'],
  [/^Your appointment with /, 'booked'],
];

const SMS_TEXTS: ReadonlyArray<[RegExp, NotificationKind]> = [
  [/ is cancelled\.$/, 'cancelled'],
  [/ is moved from | is changed[.(]/, 'rescheduled'],
  [/, a reminder of your appointment /, 'reminder'],
  [/ is on .+\.$/, 'booked'],
];

const firstMatch = (text: string, rules: ReadonlyArray<[RegExp, NotificationKind]>): NotificationKind | undefined => rules.find(([pattern]) => pattern.test(text))?.[1];

export const kindOfEmail = (subject: string): NotificationKind | undefined => firstMatch(subject, EMAIL_SUBJECTS);
export const kindOfSms = (text: string): NotificationKind | undefined => firstMatch(text, SMS_TEXTS);
