import { ContractValidationError, parseEnrichedAppointment, parseReminderRequest, type EnrichedAppointment, type ReminderRequest } from '../../../contracts';

/** The SQS body is neither message the queue carries: the record fails alone and, after maxReceiveCount, reaches the DLQ. */
export class InvalidNotificationMessageError extends Error {
  readonly code = 'InvalidNotificationMessage';
  override readonly name = 'InvalidNotificationMessageError';
  constructor(
    readonly messageId: string,
    readonly problems: string[],
  ) {
    super(`message ${messageId} is neither an enriched appointment (a change, from the pipe) nor a reminder request (from Scheduler): ${problems.join('; ')}`);
  }
}

/**
 * The two messages of the notifications queue: a change (the enriched appointment the pipe sends
 * for a booking, reschedule or cancellation) or a reminder request (what a reminder schedule sends).
 */
export type NotificationMessage = { type: 'change'; appointment: EnrichedAppointment } | { type: 'reminder'; request: ReminderRequest['reminder'] };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Tells the two shapes apart strictly: an object with a `reminder` member is judged as a reminder
 * request only, anything else as an enriched appointment only (whose schema has no `reminder`), so a
 * body is never half one and half the other, and the problems listed are those of the shape it claims.
 */
export function parseNotificationMessage(messageId: string, body: string): NotificationMessage {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    // Never the parser's message: it quotes the body, which holds personal data.
    throw new InvalidNotificationMessageError(messageId, [`body is not JSON (${body.length} characters)`]);
  }
  if (!isObject(data)) throw new InvalidNotificationMessageError(messageId, [`body is ${Array.isArray(data) ? 'an array' : `a JSON ${data === null ? 'null' : typeof data}`}, not an object`]);
  try {
    if ('reminder' in data) return { type: 'reminder', request: parseReminderRequest(data).reminder };
    return { type: 'change', appointment: parseEnrichedAppointment(data) };
  } catch (error) {
    if (error instanceof ContractValidationError) throw new InvalidNotificationMessageError(messageId, [`as ${'reminder' in data ? 'a reminder request' : 'an enriched appointment'}: ${error.errors.join('; ')}`]);
    throw error;
  }
}
