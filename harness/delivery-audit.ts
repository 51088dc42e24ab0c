import type { RunningSesV2Local } from '../local/emulators/ses-v2-local';
import type { RunningSmsSink } from '../local/emulators/sms-sink';
import type { DeliveryAudit } from './outcome-accounting';

const APPOINTMENT_REFERENCE = /Appointment reference: ([0-9a-f-]{36})/i;

/**
 * Counts what really left the system per appointment, from the emulators' stores: the e-mail text
 * carries the appointment reference; an SMS carries no id, so the caller says which appointment a
 * text names (the benchmark gives every booking a patient name of its own).
 */
export async function auditDeliveries(ses: RunningSesV2Local, sms: RunningSmsSink, appointmentOfSms: (text: string) => string | undefined): Promise<DeliveryAudit> {
  const emails = new Map<string, number>();
  for (const mail of await ses.listEmails()) {
    const id = APPOINTMENT_REFERENCE.exec(mail.text ?? mail.html ?? '')?.[1];
    if (id) emails.set(id, (emails.get(id) ?? 0) + 1);
  }
  const texts = new Map<string, number>();
  for (const message of sms.listMessages()) {
    const id = appointmentOfSms(message.message);
    if (id) texts.set(id, (texts.get(id) ?? 0) + 1);
  }
  return { emails, sms: texts };
}
