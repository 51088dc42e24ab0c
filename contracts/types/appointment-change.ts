/* eslint-disable */
/**
 * GENERATED from contracts/schemas/appointment-change.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * Body of PATCH /appointments/{id} (and /staff/appointments/{id}): a reschedule. At least one field; unknown properties are rejected. A time in the past or outside opening hours, an unknown dentist, a cancelled or past appointment are refused by the booking service (domain rules, not schema).
 */
export interface AppointmentChange {
  /**
   * The new start: RFC 3339 date-time with a mandatory offset.
   */
  appointmentDateTime?: string;
  /**
   * The new dentist, one of GET /dentists.
   */
  dentist?: string;
}
