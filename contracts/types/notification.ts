/* eslint-disable */
/**
 * GENERATED from contracts/schemas/notification.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * One notification of an appointment, as kept in the notifications table (key appointmentId + notificationId) and listed by GET /appointments/{id}: one per change (booked, rescheduled, cancelled) and one reminder.
 */
export interface Notification {
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
}
