import { ContractValidationError, parseEnrichedAppointment, type EnrichedAppointment } from '../../../contracts';

/** The SQS body is not an enriched appointment: the record fails alone and, after maxReceiveCount, reaches the DLQ. */
export class InvalidNotificationMessageError extends Error {
  readonly code = 'InvalidNotificationMessage';
  override readonly name = 'InvalidNotificationMessageError';
  constructor(
    readonly messageId: string,
    readonly problems: string[],
  ) {
    super(`message ${messageId} is not a valid enriched appointment: ${problems.join('; ')}`);
  }
}

export function parseNotificationMessage(messageId: string, body: string): EnrichedAppointment {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    // Never the parser's message: it quotes the body, which holds personal data.
    throw new InvalidNotificationMessageError(messageId, [`body is not JSON (${body.length} characters)`]);
  }
  try {
    return parseEnrichedAppointment(data);
  } catch (error) {
    if (error instanceof ContractValidationError) throw new InvalidNotificationMessageError(messageId, error.errors);
    throw error;
  }
}
