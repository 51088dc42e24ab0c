import type { RunningSesV2Local } from '../../local/emulators/ses-v2-local';
import type { RunningSmsSink } from '../../local/emulators/sms-sink';
import { patientTagIn } from './booking-mix';

const APPOINTMENT_REFERENCE = /Appointment reference: ([0-9a-f-]{36})/i;

export interface DeliveryAudit {
  /** Appointment id → e-mails in the SES store that name it. */
  emails: Map<string, number>;
  /** Appointment id → SMS in the sink that name its patient. */
  sms: Map<string, number>;
}

/**
 * Counts what really left the system per appointment, from the emulators' stores: the e-mail text
 * carries the appointment reference; the SMS carries the patient's name, unique per booking.
 */
export async function auditDeliveries(ses: RunningSesV2Local, sms: RunningSmsSink, idByPatientTag: ReadonlyMap<string, string>): Promise<DeliveryAudit> {
  const emails = new Map<string, number>();
  for (const mail of await ses.listEmails()) {
    const id = APPOINTMENT_REFERENCE.exec(mail.text ?? mail.html ?? '')?.[1];
    if (id) emails.set(id, (emails.get(id) ?? 0) + 1);
  }
  const texts = new Map<string, number>();
  for (const message of sms.listMessages()) {
    const tag = patientTagIn(message.message);
    const id = tag ? idByPatientTag.get(tag) : undefined;
    if (id) texts.set(id, (texts.get(id) ?? 0) + 1);
  }
  return { emails, sms: texts };
}

/** Appointments with more than one e-mail, or more than one SMS. */
export function duplicatedAppointments(audit: DeliveryAudit, ids: Iterable<string>): string[] {
  const duplicated: string[] = [];
  for (const id of ids) {
    if ((audit.emails.get(id) ?? 0) > 1 || (audit.sms.get(id) ?? 0) > 1) duplicated.push(id);
  }
  return duplicated;
}
