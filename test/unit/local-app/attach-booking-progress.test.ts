import { attachBookingProgress } from '../../../local-app/attach-booking-progress';
import type { BookingStageEvent } from '../../../local-app/booking-progress';
import type { SqsEventSourceEvent } from '../../../local/event-sources';
import type { InvokeResult } from '../../../local/lambda';
import type { PipeRunnerEvent, RecordReference } from '../../../local/pipes/pipe-runner-events';
import type { RuntimeObservation } from '../../../local/runtime/local-runtime';

/** A runtime's observation hooks driven by hand: each `emit` reaches the current subscribers. */
function fakeObservation() {
  const listeners = { functionLog: new Set<Function>(), apiResponse: new Set<Function>(), sqsInvocation: new Set<Function>(), sqsOutcome: new Set<Function>(), pipeEvent: new Set<Function>() };
  const subscribe = (set: Set<Function>) => (listener: Function) => {
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };
  const observation: RuntimeObservation = {
    onFunctionLog: subscribe(listeners.functionLog),
    onApiResponse: subscribe(listeners.apiResponse),
    onSqsInvocation: subscribe(listeners.sqsInvocation),
    onSqsOutcome: subscribe(listeners.sqsOutcome),
    onPipeEvent: subscribe(listeners.pipeEvent),
  };
  const emit = (set: Set<Function>, ...args: unknown[]) => set.forEach((listener) => listener(...args));
  return {
    observation,
    subscribers: () => Object.values(listeners).reduce((sum, set) => sum + set.size, 0),
    functionLog: (name: string, line: string) => emit(listeners.functionLog, name, line),
    apiResponse: (event: unknown, result: InvokeResult) => emit(listeners.apiResponse, event, result),
    sqsInvocation: (mappingId: string, event: unknown) => emit(listeners.sqsInvocation, mappingId, event),
    sqsOutcome: (event: SqsEventSourceEvent, maxReceiveCount: number | undefined) => emit(listeners.sqsOutcome, event, maxReceiveCount),
    pipeEvent: (event: PipeRunnerEvent) => emit(listeners.pipeEvent, event),
  };
}

const ID = '3f2a9c1e-0000-4000-8000-000000000001';
const record = (id: string): RecordReference => ({ eventID: `e-${id}`, eventName: 'INSERT', sequenceNumber: '1', keys: { id: { S: id } } });
const batch = { pipeName: 'p', shardId: 's', batchId: 'b1', records: [record(ID)] };
const ok = (payload: unknown): InvokeResult => ({ ok: true, requestId: 'r', payload, durationMs: 1, coldStart: false });

describe('attachBookingProgress', () => {
  it('marks a booking through every stage from the runtime hooks alone', () => {
    const runtime = fakeObservation();
    const lines: string[] = [];
    const progress = attachBookingProgress(runtime.observation, { write: (line) => lines.push(line), now: () => 0 });
    const seen: BookingStageEvent[] = [];
    progress.onStage((event) => seen.push(event));

    runtime.apiResponse({ httpMethod: 'POST', path: '/appointments' }, ok({ statusCode: 201, body: JSON.stringify({ id: ID }) }));
    runtime.apiResponse({ httpMethod: 'GET', path: '/appointments' }, ok({ statusCode: 200, body: JSON.stringify({ id: 'other' }) }));
    runtime.pipeEvent({ type: 'record-filtered-in', pipeName: 'p', shardId: 's', record: record(ID) });
    runtime.pipeEvent({ type: 'enrichment-succeeded', eventCount: 1, ...batch });
    runtime.pipeEvent({ type: 'target-sent', messageIds: ['m1'], requests: 1, ...batch });
    runtime.sqsInvocation('mapping', { Records: [{ messageId: 'm1', body: JSON.stringify({ id: ID }), attributes: { ApproximateReceiveCount: '1' } }] });
    runtime.sqsOutcome({ type: 'outcome', mappingId: 'mapping', messageIds: ['m1'], outcome: { kind: 'failure', reason: 'boom' }, durationMs: 1 }, 3);
    runtime.functionLog('notifier', JSON.stringify({ level: 'INFO', notificationResult: { appointmentId: ID, channel: 'email', outcome: 'sent' } }));

    expect(seen.map((event) => [event.appointmentId, event.stage, event.detail])).toEqual([
      [ID, 'stored', 'POST /appointments 201'],
      [ID, 'filtered', "INSERT passed the pipe's filter"],
      [ID, 'enriched', 'batch of 1'],
      [ID, 'queued', undefined],
      [ID, 'failed', 'receive 1 of 3, retried after the visibility timeout; boom'],
      [ID, 'emailed', 'e-mail'],
    ]);
    expect(lines).toHaveLength(6);
  });

  it('dead-letters a message that failed on its last receive', () => {
    const runtime = fakeObservation();
    const progress = attachBookingProgress(runtime.observation);
    const seen: BookingStageEvent[] = [];
    progress.onStage((event) => seen.push(event));

    runtime.sqsInvocation('mapping', { Records: [{ messageId: 'm1', body: JSON.stringify({ id: ID }), attributes: { ApproximateReceiveCount: '3' } }, { messageId: 'm2', body: 'not json' }] });
    runtime.sqsOutcome({ type: 'outcome', mappingId: 'mapping', messageIds: ['m1', 'm2'], outcome: { kind: 'partial', deleteMessageIds: [], failedMessageIds: ['m1', 'm2'] }, durationMs: 1 }, 3);

    expect(seen.map((event) => [event.stage, event.detail])).toEqual([['dead-lettered', 'failed on receive 3 of 3: SQS moves it to the dead-letter queue']]);
  });

  it('stops observing the runtime on detach', () => {
    const runtime = fakeObservation();
    const progress = attachBookingProgress(runtime.observation);
    const seen: BookingStageEvent[] = [];
    progress.onStage((event) => seen.push(event));
    expect(runtime.subscribers()).toBe(5);

    progress.detach();
    runtime.apiResponse({ httpMethod: 'POST', path: '/appointments' }, ok({ statusCode: 201, body: JSON.stringify({ id: ID }) }));

    expect(runtime.subscribers()).toBe(0);
    expect(seen).toEqual([]);
  });
});
