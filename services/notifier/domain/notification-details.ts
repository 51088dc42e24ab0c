import type { Appointment, NotificationKind } from '../../../contracts';
import { describeAppointmentTime, type AppointmentTime } from './appointment-time';

/** What a notification says about the appointment: never `notes` (the caller's free text) nor `cancellationReason` (personal). */
export type NotifiedAppointment = Pick<Appointment, 'id' | 'patientName' | 'dentist' | 'clinic' | 'appointmentDateTime' | 'lastChange'>;

/** What the notification of a kind tells: the time now, and for a reschedule what it was before. */
export interface ChangeDetails {
  when: AppointmentTime;
  /** The time before a reschedule that moved it (shown in its own offset). */
  previousWhen?: AppointmentTime;
  /** The dentist before a reschedule that changed them. */
  previousDentist?: string;
}

export function changeDetails(kind: NotificationKind, appointment: NotifiedAppointment): ChangeDetails {
  const details: ChangeDetails = { when: describeAppointmentTime(appointment.appointmentDateTime) };
  if (kind !== 'rescheduled') return details;
  const { previousAppointmentDateTime, previousDentist } = appointment.lastChange;
  if (previousAppointmentDateTime && previousAppointmentDateTime !== appointment.appointmentDateTime) {
    details.previousWhen = describeAppointmentTime(previousAppointmentDateTime);
  }
  if (previousDentist && previousDentist !== appointment.dentist) details.previousDentist = previousDentist;
  return details;
}

/** `Thursday 14 March 2030 at 09:30 (UTC+01:00)` */
export const longTime = (when: AppointmentTime): string => `${when.date} at ${when.time} (${when.zone})`;
