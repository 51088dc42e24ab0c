/* eslint-disable */
/**
 * GENERATED from contracts/schemas/appointment-cancellation.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * Body of POST /appointments/{id}/cancel (and the staff route); may be empty ({}). Unknown properties are rejected.
 */
export interface AppointmentCancellation {
  /**
   * Why, in the caller's words (kept on the appointment for the clinic; never put in a notification).
   */
  reason?: string;
}
