import type { Appointment, NotificationKind } from '../../../contracts';
import { inviteContentType, renderCalendarInvite, type InviteMethod } from './calendar-invite';
import { renderNotificationEmail, type EmailContent, type EmailLinks } from './email-template';
import type { NotifiedAppointment } from './notification-details';

/** The practice books slots of this length; the invite's DTEND (appointments carry no duration). */
export const APPOINTMENT_DURATION_MINUTES = 30;

/** The invite's file name: calendars open it from the attachment. */
export const INVITE_FILE_NAME = 'appointment.ics';

/** Which invite an e-mail of this kind carries: a request for a booking or a move, a cancellation, none for a reminder. */
export function inviteMethodOf(kind: NotificationKind): InviteMethod | undefined {
  if (kind === 'booked' || kind === 'rescheduled') return 'REQUEST';
  if (kind === 'cancelled') return 'CANCEL';
  return undefined;
}

export interface NotificationEmailOptions extends EmailLinks {
  organizerEmail: string;
  now: Date;
}

/**
 * The e-mail of a notification with its calendar invite: booked and rescheduled carry a
 * METHOD:REQUEST, cancelled a METHOD:CANCEL, all with the appointment's one UID and SEQUENCE =
 * version - 1 (0 for the booking), so each change's invite replaces the one before in the calendar
 * and the cancellation (a later version) removes it.
 */
export function notificationEmail(kind: NotificationKind, appointment: NotifiedAppointment & Pick<Appointment, 'version' | 'email'>, options: NotificationEmailOptions): EmailContent {
  const content = renderNotificationEmail(kind, appointment, options.manageUrl ? { manageUrl: options.manageUrl, bookUrl: options.bookUrl } : { bookUrl: options.bookUrl });
  const method = inviteMethodOf(kind);
  if (!method) return content;
  const invite = renderCalendarInvite({
    appointmentId: appointment.id,
    appointmentDateTime: appointment.appointmentDateTime,
    durationMinutes: APPOINTMENT_DURATION_MINUTES,
    dentist: appointment.dentist,
    organizerEmail: options.organizerEmail,
    attendeeEmail: appointment.email,
    attendeeName: appointment.patientName,
    method,
    sequence: appointment.version - 1,
    now: options.now,
  });
  return { ...content, attachments: [{ fileName: INVITE_FILE_NAME, contentType: inviteContentType(method), content: invite }] };
}
