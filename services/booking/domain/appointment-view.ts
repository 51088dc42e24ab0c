import type { Appointment, AppointmentView, Notification } from '../../../contracts';

/** The version of a change row (`change-<v>`), or Infinity for the reminder row, which comes last. */
const orderOf = (row: Notification): number => (row.notificationId === 'reminder' ? Number.POSITIVE_INFINITY : row.version);

/**
 * What GET, PATCH and cancel answer: the appointment, its notifications (each change's by version,
 * then the reminder) and, while the reminder of this very version is pending, when it is due. A
 * reminder row of an older version is shown, but its due time is not the appointment's: the
 * notifier moves (or, after a cancellation, removes) it moments after the change.
 */
export function appointmentView(appointment: Appointment, rows: readonly Notification[]): AppointmentView {
  const notifications = rows.filter((row) => row.appointmentId === appointment.id).sort((a, b) => orderOf(a) - orderOf(b));
  const reminder = notifications.find((row) => row.notificationId === 'reminder');
  return {
    ...appointment,
    notifications,
    ...(appointment.status === 'booked' && reminder?.status === 'pending' && reminder.version === appointment.version && reminder.dueAt !== undefined
      ? { reminderDueAt: reminder.dueAt }
      : {}),
  };
}

/** The ETag of an appointment: its version, quoted (RFC 9110 strong validator). */
export const etagOf = (appointment: Pick<Appointment, 'version'>): string => `"${appointment.version}"`;

/**
 * Whether an `If-Match` header allows a write to the appointment at `version`: `*`, or a list of
 * entity tags one of which is `"<version>"` (a weak `W/"<version>"` is accepted too: the version is
 * the appointment's whole state). Absent: no precondition.
 */
export function ifMatchAllows(header: string | undefined, version: number): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  if (value === '*') return true;
  return value
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === `"${version}"`);
}
