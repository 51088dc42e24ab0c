/* eslint-disable */
/**
 * GENERATED from contracts/schemas/notification-result.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * The notifier's outcome for one notification (a change of an appointment, or its reminder): logged as `notificationResult` with the message `notification outcome`, and recorded in the notifications table.
 */
export type NotificationResult = {
  /**
   * The appointment notified.
   */
  appointmentId: string;
  /**
   * booked (confirmation), rescheduled, cancelled, or reminder.
   */
  kind: 'booked' | 'rescheduled' | 'cancelled' | 'reminder';
  /**
   * The appointment version notified about.
   */
  version: number;
  /**
   * The contact preference the notifier was given.
   */
  preferredMethod: 'email' | 'sms' | 'none';
  /**
   * The channel actually used (none when skipped).
   */
  channel: 'email' | 'sms' | 'none';
  /**
   * sent through the channel; skipped because the patient asked for no notifications; suppressed by a limit (suppressedReason says which), never sent.
   */
  outcome: 'sent' | 'skipped' | 'suppressed';
  /**
   * Why the channel differs from the preference, e.g. an sms preference without a phone number.
   */
  fallbackReason?: string;
  /**
   * SES MessageId or SNS MessageId of the sent notification.
   */
  providerMessageId?: string;
  /**
   * When the notification was sent or skipped.
   */
  notifiedAt: string;
  /**
   * Why a suppressed notification was not sent, e.g. the recipient's 24-hour cap.
   */
  suppressedReason?: string;
};
