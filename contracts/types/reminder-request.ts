/* eslint-disable */
/**
 * GENERATED from contracts/schemas/reminder-request.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * What an EventBridge Scheduler reminder schedule sends to the notifications queue when it fires. The notifier reads the appointment as it is then: a reminder for an older version, a cancelled or a started appointment is not sent.
 */
export interface ReminderRequest {
  reminder: {
    /**
     * The appointment.
     */
    appointmentId: string;
    /**
     * The appointment version the schedule was made for.
     */
    version: number;
    /**
     * When the schedule was due (UTC).
     */
    dueAt: string;
  };
}
