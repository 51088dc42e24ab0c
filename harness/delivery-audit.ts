import type { NotificationKind } from '../contracts';
import type { RunningSesV2Local } from '../local/emulators/ses-v2-local';
import type { RunningSmsSink } from '../local/emulators/sms-sink';
import { kindOfEmail, kindOfSms } from './notification-kinds';
import type { DeliveryAudit } from './outcome-accounting';

const APPOINTMENT_REFERENCE = /Appointment reference: ([0-9a-f-]{36})/i;

/** What left for one appointment and kind of notification (`<appointmentId>#<kind>`). */
export type MessagesByKind = Map<string, { emails: number; sms: number }>;

export interface KindedDeliveryAudit extends DeliveryAudit {
  /** `<appointmentId>#<kind>` → e-mails and SMS of that kind (harness/change-accounting `messageKey`). */
  byKind: MessagesByKind;
}

/**
 * Counts what really left the system per appointment, from the emulators' stores: the e-mail text
 * carries the appointment reference; an SMS carries no id, so the caller says which appointment a
 * text names (the benchmark gives every booking a patient name of its own). `emails` and `sms`
 * count each appointment's confirmations (booked) only, what a booking's first notification is
 * judged by; `byKind` counts every kind, what each change is judged by.
 */
export async function auditDeliveries(ses: RunningSesV2Local, sms: RunningSmsSink, appointmentOfSms: (text: string) => string | undefined): Promise<KindedDeliveryAudit> {
  const emails = new Map<string, number>();
  const texts = new Map<string, number>();
  const byKind: MessagesByKind = new Map();
  const count = (id: string, kind: NotificationKind | undefined, channel: 'emails' | 'sms'): void => {
    const key = `${id}#${kind ?? 'unknown'}`;
    const entry = byKind.get(key) ?? { emails: 0, sms: 0 };
    entry[channel] += 1;
    byKind.set(key, entry);
    if (kind === 'booked') {
      const confirmations = channel === 'emails' ? emails : texts;
      confirmations.set(id, (confirmations.get(id) ?? 0) + 1);
    }
  };
  for (const mail of await ses.listEmails()) {
    const id = APPOINTMENT_REFERENCE.exec(mail.text ?? mail.html ?? '')?.[1];
    if (id) count(id, kindOfEmail(mail.subject), 'emails');
  }
  for (const message of sms.listMessages()) {
    const id = appointmentOfSms(message.message);
    if (id) count(id, kindOfSms(message.message), 'sms');
  }
  return { emails, sms: texts, byKind };
}
