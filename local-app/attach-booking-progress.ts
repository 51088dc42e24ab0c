import type { RuntimeObservation } from '../local/runtime/local-runtime';
import { createBookingProgress, type BookingProgress, type BookingProgressOptions } from './booking-progress';
import { indexSqsEvent, observeApiResponse, observeFunctionLog, observePipeEvent, observeSqsOutcome, type SqsMessageIndex } from './progress-observers';

export interface AttachedBookingProgress extends BookingProgress {
  /** Stops observing the runtime (stage listeners stay subscribed but hear nothing more). */
  detach(): void;
}

/**
 * Booking progress from what a local runtime sees: subscribes to its API responses, function log
 * lines, pipe events and SQS event-source events, and marks each booking's stages. Attach right
 * after `startLocalRuntime` resolves (before any booking is made), or in its `observe` option to
 * see what happens during start-up too.
 */
export function attachBookingProgress(runtime: RuntimeObservation, options: BookingProgressOptions = {}): AttachedBookingProgress {
  const progress = createBookingProgress(options);
  const messages: SqsMessageIndex = new Map();
  const unsubscribes = [
    runtime.onApiResponse((event, result) => observeApiResponse(progress, event, result)),
    runtime.onFunctionLog((_functionName, line) => observeFunctionLog(progress, line)),
    runtime.onPipeEvent((event) => observePipeEvent(progress, event)),
    runtime.onSqsInvocation((_mappingId, event) => indexSqsEvent(messages, event)),
    runtime.onSqsOutcome((event, maxReceiveCount) => observeSqsOutcome(progress, messages, event, maxReceiveCount)),
  ];
  return {
    mark: (appointmentId, stage, detail) => progress.mark(appointmentId, stage, detail),
    onStage: (listener) => progress.onStage(listener),
    detach: () => {
      for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
    },
  };
}
