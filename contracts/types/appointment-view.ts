/* eslint-disable */
/**
 * GENERATED from contracts/schemas/appointment-view.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * GET /appointments/{id} and the answers of PATCH and cancel: the stored appointment, its notifications (every change's and the reminder) and when its reminder is due.
 */
export interface AppointmentView {
  /**
   * Appointment id, a UUID assigned by the booking service.
   */
  id: string;
  /**
   * The patient's name as it should appear in the notification.
   */
  patientName: string;
  /**
   * The patient's e-mail address; also the key of their contact preference (compared lower-cased).
   */
  email: string;
  /**
   * The patient's phone number, E.164. Optional: SMS goes to the number of the contact preference.
   */
  phoneNumber?: string;
  /**
   * The dentist the appointment is with.
   */
  dentist: string;
  /**
   * The clinic, when the practice has more than one.
   */
  clinic?: string;
  /**
   * Start of the appointment: RFC 3339 date-time with a mandatory offset (Z or ±hh:mm), e.g. 2030-01-31T09:30:00+01:00. Notifications show it in this offset.
   */
  appointmentDateTime: string;
  /**
   * The day of the appointment in its own offset (the date part of appointmentDateTime): the key staff list a day by.
   */
  appointmentDate?: string;
  /**
   * Free text for the patient (multi-line allowed).
   */
  notes?: string;
  /**
   * When the booking service stored the appointment (UTC).
   */
  createdAt: string;
  /**
   * booked until cancelled; a cancelled appointment cannot be changed.
   */
  status: 'booked' | 'cancelled';
  /**
   * Rises by one with each change (1 when booked): the optimistic-concurrency check of PATCH and cancel (ETag "<version>"), the identity of a change's notification, and the SEQUENCE of its calendar invite (version - 1).
   */
  version: number;
  /**
   * When the latest change was stored (UTC).
   */
  updatedAt: string;
  /**
   * The latest patient-visible change, which the pipe turns into one notification.
   */
  lastChange: {
    /**
     * What the change was.
     */
    kind: 'booked' | 'rescheduled' | 'cancelled';
    /**
     * When it was stored (UTC).
     */
    at: string;
    /**
     * Who made it: the patient (booking form or manage token) or clinic staff.
     */
    by: 'patient' | 'staff';
    /**
     * For a reschedule that moved the time: the time before it.
     */
    previousAppointmentDateTime?: string;
    /**
     * For a reschedule that changed the dentist: the dentist before it.
     */
    previousDentist?: string;
  };
  /**
   * Why the appointment was cancelled, as the caller gave it (personal data; shown to staff and the patient, never put in a notification).
   */
  cancellationReason?: string;
  /**
   * Every notification of the appointment, oldest change first, the reminder last.
   *
   * @maxItems 1000
   *
   * Items: One notification of an appointment, as kept in the notifications table (key appointmentId + notificationId) and listed by GET /appointments/{id}: one per change (booked, rescheduled, cancelled) and one reminder.
   */
  notifications: {
    /**
     * The appointment.
     */
    appointmentId: string;
    /**
     * change-<version> for a change's notification, reminder for the appointment's one reminder.
     */
    notificationId: string;
    /**
     * booked (confirmation), rescheduled, cancelled, or reminder.
     */
    kind: 'booked' | 'rescheduled' | 'cancelled' | 'reminder';
    /**
     * The appointment version the notification is about.
     */
    version: number;
    /**
     * The channel used or to be used (none when skipped).
     */
    channel?: 'email' | 'sms' | 'none';
    /**
     * pending until the notifier is done (a failed attempt that will be retried stays pending, with its cause); sent; skipped (the patient asked for none, or a reminder that no longer applies); suppressed by a limit; failed when the last allowed attempt failed (the message is then in the DLQ).
     */
    status: 'pending' | 'sent' | 'skipped' | 'suppressed' | 'failed';
    /**
     * When the status was last written (UTC).
     */
    updatedAt: string;
    /**
     * For a reminder: when it is (or was) due to be sent.
     */
    dueAt?: string;
    /**
     * When the provider accepted it (sent).
     */
    sentAt?: string;
    /**
     * SES or SNS MessageId of the sent notification.
     */
    providerMessageId?: string;
    /**
     * Why it is not (yet) sent, or went by another channel: the latest failure (code and message, personal data masked), the limit that suppressed it, why a reminder was skipped.
     */
    cause?: string;
    /**
     * Delivery attempts so far (the SQS receive count of the latest).
     */
    attempts?: number;
  }[];
  /**
   * When the reminder is due, while one is scheduled.
   */
  reminderDueAt?: string;
}
