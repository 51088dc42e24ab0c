/* eslint-disable */
/**
 * GENERATED from contracts/schemas/appointment.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * An appointment as stored in the appointments table and returned by GET /appointments/{id}.
 */
export interface Appointment {
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
   * pending on create; sent or skipped once the notifier handled it; suppressed when a limit stopped it (notificationReason says which); failed when it gave up.
   */
  notificationStatus: 'pending' | 'sent' | 'skipped' | 'suppressed' | 'failed';
  /**
   * The channel the notifier used (none when skipped).
   */
  notificationChannel?: 'email' | 'sms' | 'none';
  /**
   * When the notifier recorded the outcome.
   */
  notifiedAt?: string;
  /**
   * Why the notification was suppressed, or why its channel differs from the preference (e.g. an SMS to a country the practice does not text).
   */
  notificationReason?: string;
  /**
   * The notifier's most recent failure for this appointment while it is still pending (cleared when the outcome is recorded): what the DLQ tool shows as the cause of a dead-lettered notification.
   */
  lastNotificationError?: {
    /**
     * The error's name, e.g. TooManyRequestsException, MessageRejected.
     */
    code: string;
    /**
     * The error's message (no e-mail addresses or phone numbers).
     */
    message: string;
    /**
     * When the attempt failed.
     */
    at: string;
    /**
     * The SQS receive count of the failed attempt.
     */
    receiveCount: number;
  };
}
