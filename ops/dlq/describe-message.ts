import type { DeadLetterQueue } from './dead-letter-queue';
import type { PeekedMessage } from './peek-messages';
import { parseJsonObject } from '../../local/support/json-object';

export interface DeadLetterSummary {
  messageId: string;
  /** The booking the message is about, when the body names one. */
  appointmentId?: string;
  /** The notifications table row the message is about (`change-<version>` or `reminder`), when the body says. */
  notificationId?: string;
  sentAt?: string;
  receiveCount: number;
  /** Why it was dead-lettered, as far as the message itself says. */
  cause: string;
}

const MAX_CAUSE_LENGTH = 300;

/**
 * Summarises one dead-lettered message. A notifications message is the enriched appointment the
 * notifier kept failing on (SQS records no cause, so the cause comes from the booking's recorded
 * last failure, added by the caller); a pipe message is the batch metadata Pipes wrote, which
 * names the failure itself.
 */
export function describeDeadLetter(dlq: DeadLetterQueue, message: PeekedMessage): DeadLetterSummary {
  const base = {
    messageId: message.messageId,
    receiveCount: message.receiveCount,
    ...(message.sentAt ? { sentAt: message.sentAt.toISOString() } : {}),
  };
  const body = parseJsonObject(message.body);
  if (dlq.kind === 'sqs-redrive') {
    // A change's message (the enriched appointment) or a reminder request ({ reminder: {...} }).
    const reminder = body?.reminder as Record<string, unknown> | undefined;
    const appointmentId = typeof body?.id === 'string' ? body.id : typeof reminder?.appointmentId === 'string' ? reminder.appointmentId : undefined;
    const notificationId = reminder ? 'reminder' : typeof body?.version === 'number' ? `change-${body.version}` : undefined;
    return {
      ...base,
      ...(appointmentId ? { appointmentId } : {}),
      ...(appointmentId && notificationId ? { notificationId } : {}),
      cause: body ? "the notifier failed it on every receive (see the notification's recorded cause)" : 'body is not JSON: the notifier rejects it as invalid',
    };
  }
  return { ...base, cause: truncate(pipeFailureCause(body, message)) };
}

function pipeFailureCause(body: Record<string, unknown> | undefined, message: PeekedMessage): string {
  if (!body) return message.body;
  const context = (body.context ?? {}) as Record<string, unknown>;
  const parts = [context.condition, context.errorMessage, context.error, body.errorMessage, body.error]
    .filter((part): part is string => typeof part === 'string' && part.length > 0);
  return parts.length > 0 ? [...new Set(parts)].join(': ') : JSON.stringify(body);
}

function truncate(text: string): string {
  return text.length > MAX_CAUSE_LENGTH ? `${text.slice(0, MAX_CAUSE_LENGTH - 1)}…` : text;
}
