/* eslint-disable */
/**
 * GENERATED from contracts/schemas/notification-result.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * The notifier's outcome for one appointment: logged as `notificationResult` with the message `notification outcome`, and recorded on the appointment.
 */
export interface NotificationResult {
  /**
   * The appointment notified.
   */
  appointmentId: string;
  /**
   * The contact preference the notifier was given.
   */
  preferredMethod: 'email' | 'sms' | 'none';
  /**
   * The channel actually used (none when skipped).
   */
  channel: 'email' | 'sms' | 'none';
  /**
   * sent through the channel, or skipped because the patient asked for no notifications.
   */
  outcome: 'sent' | 'skipped';
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
}
