import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type SqsEventSourceEvent, startSqsEventSource } from '../../../local/event-sources/sqs-event-source';
import type { InvokeResult } from '../../../local/lambda/function-host';
import type { SqsEventSourceMappingSpec } from '../../../local/topology/types';

const QUEUE_URL = 'http://127.0.0.1:1/000000000000/notifications';
const QUEUE_ARN = 'arn:aws:sqs:eu-west-2:000000000000:notifications';

const mapping = (overrides: Partial<SqsEventSourceMappingSpec> = {}): SqsEventSourceMappingSpec => ({
  id: 'Test/Mapping',
  functionId: 'Test/Notifier',
  queueId: 'Test/Queue',
  batchSize: 10,
  maximumBatchingWindowInSeconds: 0,
  reportBatchItemFailures: true,
  maximumConcurrency: 2,
  enabled: true,
  ...overrides,
});

const message = (id: string): Message => ({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: `{"id":"${id}"}`, MD5OfBody: 'x', Attributes: { ApproximateReceiveCount: '1' } });

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('startSqsEventSource (mocked SQS)', () => {
  const sqsMock = mockClient(SQSClient);
  const sqs = new SQSClient({ region: 'eu-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(DeleteMessageBatchCommand).callsFake((input: { Entries: Array<{ Id: string }> }) => ({ Successful: input.Entries.map((entry) => ({ Id: entry.Id })), Failed: [] }));
  });

  /** Queue that hands out the given batches once, then returns empty receives. */
  function queueOf(...batches: Message[][]): void {
    const remaining = [...batches];
    sqsMock.on(ReceiveMessageCommand).callsFake(async () => {
      const next = remaining.shift();
      if (!next) await new Promise((resolve) => setTimeout(resolve, 10));
      return { Messages: next ?? [] };
    });
  }

  it('receives with all attributes, invokes with the SQS event and deletes a successful batch', async () => {
    queueOf([message('a'), message('b')]);
    const events: unknown[] = [];
    const source = startSqsEventSource({
      mapping: mapping(),
      queueUrl: QUEUE_URL,
      queueArn: QUEUE_ARN,
      sqs,
      invoke: async (event): Promise<InvokeResult> => {
        events.push(event);
        return { ok: true, requestId: 'r', payload: { batchItemFailures: [] }, durationMs: 1, coldStart: false };
      },
    });
    try {
      await until(() => source.stats().deletedMessages === 2, 'the batch to be deleted');
    } finally {
      await source.stop();
    }

    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      QueueUrl: QUEUE_URL,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 20,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    });
    expect(events).toHaveLength(1);
    expect((events[0] as { Records: Array<{ messageId: string; eventSourceARN: string }> }).Records.map((record) => [record.messageId, record.eventSourceARN])).toEqual([
      ['a', QUEUE_ARN],
      ['b', QUEUE_ARN],
    ]);
    expect(sqsMock).toHaveReceivedCommandWith(DeleteMessageBatchCommand, { QueueUrl: QUEUE_URL, Entries: [{ Id: '0', ReceiptHandle: 'rh-a' }, { Id: '1', ReceiptHandle: 'rh-b' }] });
  });

  it('deletes only what the function did not report as failed', async () => {
    queueOf([message('a'), message('b'), message('c')]);
    const source = startSqsEventSource({
      mapping: mapping(),
      queueUrl: QUEUE_URL,
      queueArn: QUEUE_ARN,
      sqs,
      invoke: async () => ({ ok: true, requestId: 'r', payload: { batchItemFailures: [{ itemIdentifier: 'b' }] }, durationMs: 1, coldStart: false }),
    });
    try {
      await until(() => source.stats().deletedMessages === 2, 'the partial delete');
    } finally {
      await source.stop();
    }

    expect(sqsMock).toHaveReceivedCommandWith(DeleteMessageBatchCommand, { Entries: [{ Id: '0', ReceiptHandle: 'rh-a' }, { Id: '1', ReceiptHandle: 'rh-c' }] });
    expect(source.stats()).toMatchObject({ partialFailures: 1, failedMessages: 1 });
  });

  it('deletes nothing when the function fails or answers with an invalid batch response', async () => {
    queueOf([message('a')], [message('b')]);
    const results: InvokeResult[] = [
      { ok: false, requestId: 'r', errorType: 'Error', errorMessage: 'boom', durationMs: 1, coldStart: false, phase: 'invoke' },
      { ok: true, requestId: 'r', payload: { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }, durationMs: 1, coldStart: false },
    ];
    const outcomes: SqsEventSourceEvent[] = [];
    const source = startSqsEventSource({
      mapping: mapping({ maximumConcurrency: 2 }),
      queueUrl: QUEUE_URL,
      queueArn: QUEUE_ARN,
      sqs,
      invoke: async () => results.shift() as InvokeResult,
      onEvent: (event) => outcomes.push(event),
    });
    try {
      await until(() => source.stats().invocations === 2 && source.stats().inFlightBatches === 0, 'both batches');
    } finally {
      await source.stop();
    }

    expect(sqsMock).not.toHaveReceivedCommand(DeleteMessageBatchCommand);
    expect(source.stats()).toMatchObject({ functionErrors: 1, invalidResponses: 1, failedMessages: 2, deletedMessages: 0 });
    expect(outcomes.filter((event) => event.type === 'outcome').map((event) => (event.type === 'outcome' ? event.outcome.kind : ''))).toEqual(['failure', 'failure']);
  });

  it('reports messages SQS could not delete', async () => {
    queueOf([message('a')]);
    sqsMock.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'ReceiptHandleIsInvalid', SenderFault: true, Message: 'expired' }] });
    const events: SqsEventSourceEvent[] = [];
    const source = startSqsEventSource({
      mapping: mapping(),
      queueUrl: QUEUE_URL,
      queueArn: QUEUE_ARN,
      sqs,
      invoke: async () => ({ ok: true, requestId: 'r', payload: null, durationMs: 1, coldStart: false }),
      onEvent: (event) => events.push(event),
    });
    try {
      await until(() => source.stats().deleteFailures === 1, 'the delete failure');
    } finally {
      await source.stop();
    }

    expect(events).toContainEqual({ type: 'delete-failed', mappingId: 'Test/Mapping', messageId: 'a', code: 'ReceiptHandleIsInvalid', message: 'expired' });
  });

  it('gathers a batch over several receives within the batching window, up to the batch size', async () => {
    queueOf([message('a'), message('b')], [message('c')], [message('d'), message('e')]);
    const batches: string[][] = [];
    const source = startSqsEventSource({
      mapping: mapping({ batchSize: 4, maximumBatchingWindowInSeconds: 2, maximumConcurrency: 2 }),
      queueUrl: QUEUE_URL,
      queueArn: QUEUE_ARN,
      sqs,
      waitTimeSeconds: 1,
      invoke: async (event) => {
        batches.push((event as { Records: Array<{ messageId: string }> }).Records.map((record) => record.messageId));
        return { ok: true, requestId: 'r', payload: null, durationMs: 1, coldStart: false };
      },
    });
    try {
      await until(() => source.stats().deletedMessages === 5, 'all five messages');
    } finally {
      await source.stop();
    }

    expect(batches.every((batch) => batch.length <= 4)).toBe(true);
    expect(batches.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(batches.some((batch) => batch.length > 2)).toBe(true);
    const maxPerReceive = sqsMock.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input.MaxNumberOfMessages);
    expect(Math.max(...(maxPerReceive as number[]))).toBe(4);
  });

  it('does not poll a disabled mapping', async () => {
    queueOf([message('a')]);
    const source = startSqsEventSource({ mapping: mapping({ enabled: false }), queueUrl: QUEUE_URL, queueArn: QUEUE_ARN, sqs, invoke: async () => ({ ok: true, requestId: 'r', payload: null, durationMs: 1, coldStart: false }) });

    await source.stop();

    expect(sqsMock).not.toHaveReceivedCommand(ReceiveMessageCommand);
    expect(source.stats().enabled).toBe(false);
  });

  it('keeps at most maximumConcurrency batches in flight', async () => {
    queueOf([message('a')], [message('b')], [message('c')], [message('d')]);
    let inFlight = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const source = startSqsEventSource({
      mapping: mapping({ maximumConcurrency: 2 }),
      queueUrl: QUEUE_URL,
      queueArn: QUEUE_ARN,
      sqs,
      invoke: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((resolve) => releases.push(resolve));
        inFlight -= 1;
        return { ok: true, requestId: 'r', payload: null, durationMs: 1, coldStart: false };
      },
    });
    try {
      await until(() => releases.length === 2, 'two batches in flight');
      releases.splice(0).forEach((release) => release());
      await until(() => releases.length === 2, 'the next two batches');
      releases.splice(0).forEach((release) => release());
      await until(() => source.stats().deletedMessages === 4, 'all deletes');
      await source.idle();
    } finally {
      await source.stop();
    }

    expect(peak).toBe(2);
  });

  it('backs off and reports receive errors without stopping', async () => {
    let calls = 0;
    sqsMock.on(ReceiveMessageCommand).callsFake(async () => {
      calls += 1;
      if (calls === 1) throw new Error('connection refused');
      if (calls === 2) return { Messages: [message('a')] };
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { Messages: [] };
    });
    const errors: SqsEventSourceEvent[] = [];
    const source = startSqsEventSource({
      mapping: mapping({ maximumConcurrency: 2 }),
      queueUrl: QUEUE_URL,
      queueArn: QUEUE_ARN,
      sqs,
      invoke: async () => ({ ok: true, requestId: 'r', payload: null, durationMs: 1, coldStart: false }),
      onEvent: (event) => event.type === 'error' && errors.push(event),
    });
    try {
      await until(() => source.stats().deletedMessages === 1, 'the message after the error');
    } finally {
      await source.stop();
    }

    expect(errors).toEqual([{ type: 'error', mappingId: 'Test/Mapping', stage: 'receive', message: 'connection refused' }]);
  });
});
