import type { SqsEventSourceEvent } from '../local/event-sources';
import type { InvokeResult } from '../local/lambda';
import type { PipeRunnerEvent, RecordReference } from '../local/pipes/pipe-runner-events';
import type { BookingProgress } from './booking-progress';
import { parseJsonObject } from '../local/support/json-object';

/**
 * Turn what the runtime already sees (API responses, function log lines, pipe events,
 * event-source outcomes) into booking progress lines. Observers only read: they never change what flows.
 */

/** A `201 Created` whose JSON body has an `id` is a booking stored by the API. */
export function observeApiResponse(progress: BookingProgress, event: unknown, result: InvokeResult): void {
  if (!result.ok) return;
  const response = result.payload as { statusCode?: number; body?: string } | null;
  if (response?.statusCode !== 201 || typeof response.body !== 'string') return;
  const id = parseJsonObject(response.body)?.id;
  if (typeof id !== 'string') return;
  const request = event as { httpMethod?: string; path?: string };
  progress.mark(id, 'stored', `${request.httpMethod ?? ''} ${request.path ?? ''} 201`.trim());
}

/** The notifier's structured `notificationResult` log line is a booking's outcome. */
export function observeFunctionLog(progress: BookingProgress, line: string): void {
  if (!line.includes('notificationResult')) return;
  const result = parseJsonObject(line)?.notificationResult as
    | { appointmentId?: unknown; channel?: unknown; outcome?: unknown; fallbackReason?: unknown; suppressedReason?: unknown }
    | undefined;
  if (!result || typeof result.appointmentId !== 'string') return;
  const fallback = typeof result.fallbackReason === 'string' ? ` (${result.fallbackReason})` : '';
  if (result.outcome === 'skipped') progress.mark(result.appointmentId, 'skipped', 'the patient asked for no notifications');
  else if (result.outcome === 'suppressed') progress.mark(result.appointmentId, 'suppressed', typeof result.suppressedReason === 'string' ? result.suppressedReason : 'suppressed');
  else if (result.channel === 'sms') progress.mark(result.appointmentId, 'sms', `SMS${fallback}`);
  else if (result.channel === 'email') progress.mark(result.appointmentId, 'emailed', `e-mail${fallback}`);
}

export type SqsMessageIndex = Map<string, { appointmentId?: string; receiveCount: number }>;

/** Remembers which booking each SQS message carries (its body's `id`), so outcomes can name the booking. */
export function indexSqsEvent(messages: SqsMessageIndex, event: unknown, maxIndexed = 10_000): void {
  const records = (event as { Records?: Array<{ messageId?: string; body?: string; attributes?: { ApproximateReceiveCount?: string } }> } | null)?.Records ?? [];
  for (const record of records) {
    if (!record.messageId) continue;
    // An unparseable body names no booking; the notifier reports it as invalid.
    const id = parseJsonObject(record.body ?? '')?.id;
    messages.set(record.messageId, { appointmentId: typeof id === 'string' ? id : undefined, receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? '1') });
    if (messages.size > maxIndexed) messages.delete(messages.keys().next().value as string);
  }
}

/**
 * A failed message is retried by SQS after its visibility timeout; a message that failed on its
 * `maxReceiveCount`-th receive is moved to the DLQ by SQS's redrive on the next receive.
 */
export function observeSqsOutcome(progress: BookingProgress, messages: SqsMessageIndex, event: SqsEventSourceEvent, maxReceiveCount: number | undefined): void {
  if (event.type !== 'outcome') return;
  const { outcome } = event;
  const failed = outcome.kind === 'failure' ? event.messageIds : outcome.kind === 'partial' ? outcome.failedMessageIds : [];
  for (const messageId of failed) {
    const message = messages.get(messageId);
    if (!message?.appointmentId) continue;
    const attempt = `receive ${message.receiveCount}${maxReceiveCount ? ` of ${maxReceiveCount}` : ''}`;
    const reason = outcome.kind === 'failure' ? `; ${outcome.reason}` : '';
    if (maxReceiveCount !== undefined && message.receiveCount >= maxReceiveCount) {
      progress.mark(message.appointmentId, 'dead-lettered', `failed on ${attempt}: SQS moves it to the dead-letter queue${reason}`);
    } else {
      progress.mark(message.appointmentId, 'failed', `${attempt}, retried after the visibility timeout${reason}`);
    }
  }
  for (const messageId of event.messageIds) messages.delete(messageId);
}

/** The booking a stream record is about: its `id` key. */
function bookingOf(record: RecordReference): string | undefined {
  const key = record.keys.id ?? record.newImage?.id;
  return key && 'S' in key ? key.S : undefined;
}

function markAll(progress: BookingProgress, records: RecordReference[], stage: Parameters<BookingProgress['mark']>[1], detail?: string): void {
  for (const record of records) {
    const id = bookingOf(record);
    if (id) progress.mark(id, stage, detail);
  }
}

/**
 * Pipe events as booking progress. Records the filter drops (the notifier's own status updates)
 * are not bookings moving on, so they print nothing (the runtime itself reports the runner's
 * failures and discarded batches).
 */
export function observePipeEvent(progress: BookingProgress, event: PipeRunnerEvent): void {
  switch (event.type) {
    case 'record-filtered-in': {
      const id = bookingOf(event.record);
      if (id) progress.mark(id, 'filtered', `${event.record.eventName} passed the pipe's filter`);
      return;
    }
    case 'enrichment-succeeded':
      markAll(progress, event.records, 'enriched', `batch of ${event.records.length}`);
      return;
    case 'target-sent':
      markAll(progress, event.records, 'queued');
      return;
    case 'batch-retried':
      markAll(progress, event.records, 'failed', `pipe retry ${event.retry} in ${event.delayMs} ms: ${event.error.message}`);
      return;
    case 'batch-dead-lettered':
      markAll(progress, event.records, 'dead-lettered', `pipe gave up (${event.condition}): ${event.error?.message ?? 'see the pipe DLQ'}`);
      return;
    case 'batch-discarded':
      markAll(progress, event.records, 'failed', event.warning);
      return;
    default:
      return;
  }
}
