/* eslint-disable */
/**
 * GENERATED from contracts/schemas/appointment-request.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * Body of POST /appointments. Unknown properties are rejected. Strings are trimmed by the booking service before validation; appointments in the past are rejected by the booking service (domain rule, not schema).
 */
export interface AppointmentRequest {
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
   * Free text for the patient (multi-line allowed).
   */
  notes?: string;
}
