/* eslint-disable */
/**
 * GENERATED from contracts/schemas/appointment.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * An appointment as stored in the appointments table (the pipe's source): its details, status, version and latest change. Notification outcomes are kept apart, in the notifications table, so recording them never touches this item or its stream.
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
}
