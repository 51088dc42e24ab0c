import { createFaultDice } from '../../../local/faults/fault-dice';
import { InMemoryCheckpointStore, type CheckpointStore, type PipeCheckpoints } from '../../../local/pipes/checkpoint-store';
import { PipeConfigurationError } from '../../../local/pipes/errors';
import { laneIndex } from '../../../local/pipes/lane-batcher';
import { startPipeRunner, type PipeRunner, type PipeRunnerOptions } from '../../../local/pipes/pipe-runner';
import { partitionKeyOf } from '../../../local/pipes/stream-record';
import {
  DLQ_ID,
  FakeDynamoDbStream,
  FakeSqs,
  STREAM_ARN,
  TARGET_QUEUE_ID,
  collectEvents,
  deferred,
  pipeSpec,
  queueArn,
  queueUrl,
  waitFor,
} from './fakes';
import { fuzzSeed } from '../../fuzz/fuzz-settings';

const TARGET_URL = queueUrl(TARGET_QUEUE_ID);
const DLQ_URL = queueUrl(DLQ_ID);
const INSERT_ONLY = JSON.stringify({ eventName: ['INSERT'] });

type Overrides = Partial<Omit<PipeRunnerOptions, 'pipe'>> & { pipe?: Parameters<typeof pipeSpec>[0] };

const runners: PipeRunner[] = [];

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

function setUp(overrides: Overrides = {}, stream = new FakeDynamoDbStream().addShard('shard-1')) {
  const sqs = new FakeSqs();
  const events = collectEvents();
  const store = overrides.checkpoints ?? new InMemoryCheckpointStore();
  const start = (more: Overrides = {}): PipeRunner => {
    const { pipe, ...options } = { ...overrides, ...more };
    const runner = startPipeRunner({
      pipe: pipeSpec(pipe),
      streamArn: STREAM_ARN,
      streams: stream.client,
      sqs: sqs.client,
      queueUrl,
      queueArn,
      pollIntervalMs: 5,
      shardDiscoveryIntervalMs: 10,
      retryBackoff: { baseMs: 1, maxMs: 4 },
      onEvent: events.onEvent,
      checkpoints: store,
      ...options,
    });
    runners.push(runner);
    return runner;
  };
  return { stream, sqs, events, store, start };
}

const ids = (bodies: string[]): string[] => bodies.map((body) => (JSON.parse(body) as { dynamodb: { Keys: { id: { S: string } } } }).dynamodb.Keys.id.S);
const recordIds = (payload: unknown): string[] => (payload as Array<{ dynamodb: { Keys: { id: { S: string } } } }>).map((r) => r.dynamodb.Keys.id.S);
const stored = async (store: CheckpointStore): Promise<PipeCheckpoints | undefined> => store.load();

describe('pipe runner: source, batching and target', () => {
  it('sends each record to the SQS target in stream order, in SendMessageBatch calls of at most BatchSize', async () => {
    const { stream, sqs, start } = setUp({ pipe: { source: { batchSize: 10 } } });
    const expected = Array.from({ length: 25 }, (_, i) => `item-${i}`);
    for (const id of expected) stream.put('shard-1', id);

    const runner = start();
    await runner.idle();

    expect(ids(sqs.delivered(TARGET_URL))).toEqual(expected);
    expect(sqs.batches.map((b) => b.entries.length)).toEqual([10, 10, 5]);
  });

  it('delivers the Pipes event envelope for a DynamoDB stream record', async () => {
    const { stream, sqs, start } = setUp();
    const createdAtMs = Date.UTC(2024, 0, 2, 3, 4, 5);
    const sequenceNumber = stream.put('shard-1', 'a1', { newImage: { id: { S: 'a1' }, patientName: { S: 'Ada' } }, createdAtMs });

    await start().idle();

    expect(JSON.parse(sqs.delivered(TARGET_URL)[0])).toEqual({
      eventID: `event-${sequenceNumber}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-2',
      dynamodb: {
        ApproximateCreationDateTime: createdAtMs / 1000,
        Keys: { id: { S: 'a1' } },
        NewImage: { id: { S: 'a1' }, patientName: { S: 'Ada' } },
        SequenceNumber: sequenceNumber,
        SizeBytes: 42,
        StreamViewType: 'NEW_IMAGE',
      },
      eventSourceARN: STREAM_ARN,
    });
  });

  it('flushes a full batch without waiting for the batching window', async () => {
    const { stream, sqs, start } = setUp({ pipe: { source: { batchSize: 2, maximumBatchingWindowInSeconds: 300 } } });
    for (const id of ['a', 'b', 'c', 'd']) stream.put('shard-1', id);

    await start().idle();

    expect(sqs.batches.map((b) => b.entries.length)).toEqual([2, 2]);
  });

  it('holds a partial batch until the batching window ends, then sends it as one', async () => {
    const { stream, sqs, events, start } = setUp({ pipe: { source: { batchSize: 10, maximumBatchingWindowInSeconds: 1 } } });
    stream.put('shard-1', 'a');
    const runner = start();
    await waitFor('the first record to be read', () => events.ofType('records-read').length > 0);
    stream.put('shard-1', 'b');
    stream.put('shard-1', 'c');

    await runner.idle();

    expect(sqs.batches.map((b) => b.entries.length)).toEqual([3]);
    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['a', 'b', 'c']);
  });

  it('pages DescribeStream and reads every shard', async () => {
    const stream = new FakeDynamoDbStream().addShard('shard-1').addShard('shard-2').addShard('shard-3');
    stream.pageDescribeStreamBy(1);
    stream.put('shard-1', 'a');
    stream.put('shard-2', 'b');
    stream.put('shard-3', 'c');
    const { sqs, start } = setUp({}, stream);

    await start().idle();

    expect(ids(sqs.delivered(TARGET_URL)).sort()).toEqual(['a', 'b', 'c']);
    expect(stream.calls.filter((c) => c.command === 'DescribeStreamCommand' && c.input.ExclusiveStartShardId === 'shard-2')).not.toHaveLength(0);
  });

  it('gets a new iterator after the last record read when one expires, without redelivering', async () => {
    const { stream, sqs, events, start } = setUp();
    stream.put('shard-1', 'a');
    const runner = start();
    await runner.idle();
    stream.expireIteratorOnNextGetRecords();
    stream.put('shard-1', 'b');

    await runner.idle();

    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['a', 'b']);
    expect(events.ofType('iterator-expired')).toHaveLength(1);
  });

  it('does not poll a pipe whose desired state is STOPPED', async () => {
    const { stream, start } = setUp({ pipe: { desiredState: 'STOPPED' } });
    stream.put('shard-1', 'a');

    const runner = start();
    await runner.idle();

    expect(stream.calls).toHaveLength(0);
    expect(runner.stats().state).toBe('not-running');
  });
});

describe('pipe runner: filtering', () => {
  it('sends records that match a pattern and consumes the others, moving the checkpoint past them', async () => {
    const { stream, sqs, events, store, start } = setUp({ pipe: { filterPatterns: [INSERT_ONLY] } });
    stream.put('shard-1', 'a', { eventName: 'INSERT' });
    stream.put('shard-1', 'a', { eventName: 'MODIFY' });
    stream.put('shard-1', 'b', { eventName: 'INSERT' });
    const lastModify = stream.put('shard-1', 'b', { eventName: 'MODIFY' });

    await start().idle();

    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['a', 'b']);
    expect(events.ofType('record-filtered-out').map((e) => [e.record.eventName, e.record.keys.id])).toEqual([
      ['MODIFY', { S: 'a' }],
      ['MODIFY', { S: 'b' }],
    ]);
    expect(events.ofType('record-filtered-in').map((e) => e.record.newImage)).toEqual([{ id: { S: 'a' } }, { id: { S: 'b' } }]);
    expect((await stored(store))?.shards['shard-1']).toEqual({ sequenceNumber: lastModify });
  });

  it('ORs the patterns and matches typed attribute values inside dynamodb.NewImage', async () => {
    const urgent = JSON.stringify({ dynamodb: { NewImage: { priority: { S: ['urgent'] } } } });
    const removals = JSON.stringify({ eventName: ['REMOVE'] });
    const { stream, sqs, start } = setUp({ pipe: { filterPatterns: [urgent, removals] } });
    stream.put('shard-1', 'routine', { newImage: { id: { S: 'routine' }, priority: { S: 'routine' } } });
    stream.put('shard-1', 'urgent', { newImage: { id: { S: 'urgent' }, priority: { S: 'urgent' } } });
    stream.put('shard-1', 'gone', { eventName: 'REMOVE' });

    await start().idle();

    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['urgent', 'gone']);
  });

  it('refuses more than five patterns and names a pattern it cannot compile', () => {
    const { start } = setUp({ pipe: { filterPatterns: Array.from({ length: 6 }, () => INSERT_ONLY) } });
    expect(() => start()).toThrow(/at most 5/);
    expect(() => start({ pipe: { filterPatterns: [INSERT_ONLY, '"INSERT"'] } })).toThrow(PipeConfigurationError);
    expect(() => start({ pipe: { filterPatterns: [INSERT_ONLY, '"INSERT"'] } })).toThrow(/filterPatterns\[1\]/);
  });
});

describe('pipe runner: enrichment', () => {
  it('calls the enrichment with a JSON array of the filtered records, even for one record', async () => {
    const payloads: unknown[] = [];
    const { stream, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', filterPatterns: [INSERT_ONLY] },
      invokeEnrichment: (payload) => {
        payloads.push(payload);
        return Promise.resolve(payload);
      },
    });
    stream.put('shard-1', 'a');
    stream.put('shard-1', 'a', { eventName: 'MODIFY' });

    await start().idle();

    expect(payloads).toHaveLength(1);
    expect(Array.isArray(payloads[0])).toBe(true);
    expect(recordIds(payloads[0])).toEqual(['a']);
  });

  it.each([
    ['an array: each element is one message', [{ n: 1 }, { n: 2 }, { n: 3 }], ['{"n":1}', '{"n":2}', '{"n":3}']],
    ['an object: one message', { n: 1 }, ['{"n":1}']],
    ['[{}]: one empty message', [{}], ['{}']],
    ['a plain string: sent as it is', 'hello', ['hello']],
  ])('passes on %s', async (_label, result, expectedBodies) => {
    const { stream, sqs, start } = setUp({ pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment' }, invokeEnrichment: () => Promise.resolve(result) });
    stream.put('shard-1', 'a');
    stream.put('shard-1', 'b');

    await start().idle();

    expect(sqs.delivered(TARGET_URL)).toEqual(expectedBodies);
  });

  it.each([
    ['""', ''],
    ['null', null],
    ['{}', {}],
    ['[]', []],
  ])('does not invoke the target for an empty result (%s) and still moves the checkpoint', async (_label, result) => {
    const { stream, sqs, events, store, start } = setUp({ pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment' }, invokeEnrichment: () => Promise.resolve(result) });
    const last = stream.put('shard-1', 'a');

    await start().idle();

    expect(sqs.batches).toHaveLength(0);
    expect(events.ofType('target-skipped')).toHaveLength(1);
    expect((await stored(store))?.shards['shard-1']?.sequenceNumber).toBe(last);
  });

  it('applies the enrichment input template to each record of the batch', async () => {
    const payloads: unknown[] = [];
    const { stream, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', enrichmentInputTemplate: '{"id": <$.dynamodb.Keys.id.S>, "pipe": <aws.pipes.pipe-name>}' },
      invokeEnrichment: (payload) => {
        payloads.push(payload);
        return Promise.resolve([]);
      },
    });
    stream.put('shard-1', 'a');
    stream.put('shard-1', 'b');

    await start().idle();

    expect(payloads).toEqual([
      [
        { id: 'a', pipe: 'dev-appointment-pipe' },
        { id: 'b', pipe: 'dev-appointment-pipe' },
      ],
    ]);
  });

  it('refuses to start a pipe with an enrichment but no way to invoke it', () => {
    const { start } = setUp({ pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment' } });
    expect(() => start()).toThrow(/invokeEnrichment/);
  });
});

describe('pipe runner: target', () => {
  it('renders the target input template per event: JSON and text templates', async () => {
    const json = setUp({ pipe: { target: { inputTemplate: '{"booking": <$.dynamodb.Keys.id.S>, "note": "booking <$.dynamodb.Keys.id.S>", "source": <aws.pipes.source-arn>}' } } });
    json.stream.put('shard-1', 'a');
    await json.start().idle();
    expect(JSON.parse(json.sqs.delivered(TARGET_URL)[0])).toEqual({ booking: 'a', note: 'booking a', source: STREAM_ARN });

    const text = setUp({ pipe: { target: { inputTemplate: 'Booking <$.dynamodb.Keys.id.S> on <aws.pipes.target-arn>' } } });
    text.stream.put('shard-1', 'b');
    await text.start().idle();
    expect(text.sqs.delivered(TARGET_URL)).toEqual([`Booking b on ${queueArn(TARGET_QUEUE_ID)}`]);
  });

  it('splits SendMessageBatch requests at 256 KiB', async () => {
    const big = 'x'.repeat(100_000);
    const { stream, sqs, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment' },
      invokeEnrichment: (payload) => Promise.resolve((payload as unknown[]).map((_, i) => ({ i, big }))),
    });
    for (const id of ['a', 'b', 'c', 'd', 'e']) stream.put('shard-1', id);

    await start().idle();

    expect(sqs.batches.map((b) => b.entries.length)).toEqual([2, 2, 1]);
    expect(sqs.delivered(TARGET_URL).map((body) => (JSON.parse(body) as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
  });

  it('fails the batch when the enrichment returns more events than the SQS target takes, and dead-letters it', async () => {
    const { stream, sqs, events, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', source: { maximumRetryAttempts: 0, deadLetterQueueId: DLQ_ID } },
      invokeEnrichment: () => Promise.resolve(Array.from({ length: 11 }, (_, i) => ({ i }))),
    });
    stream.put('shard-1', 'a');

    await start().idle();

    expect(sqs.batches).toHaveLength(0);
    expect(events.ofType('target-failed')[0].error.code).toBe('EnrichmentResultTooLarge');
    expect(sqs.messages.map((m) => m.queueUrl)).toEqual([DLQ_URL]);
  });

  it('treats Failed entries of SendMessageBatch as a failed batch and retries the whole batch through the pipe', async () => {
    let enrichmentCalls = 0;
    const { stream, sqs, events, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment' },
      invokeEnrichment: (payload) => {
        enrichmentCalls += 1;
        return Promise.resolve(payload);
      },
    });
    sqs.failBatch = (_batch, call) => (call === 0 ? [1] : undefined);
    stream.put('shard-1', 'a');
    stream.put('shard-1', 'b');

    await start().idle();

    expect(events.ofType('target-failed')[0].error.message).toMatch(/1 failed of 2/);
    expect(events.ofType('batch-retried')).toHaveLength(1);
    expect(enrichmentCalls).toBe(2);
    // At least once: the entry SQS accepted the first time is sent again with its batch.
    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['a', 'a', 'b']);
  });
});

describe('pipe runner: retries, bisect and dead letters', () => {
  it('retries a failing batch MaximumRetryAttempts times with growing backoff, then sends the documented DLQ message', async () => {
    let calls = 0;
    const { stream, sqs, events, store, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', source: { maximumRetryAttempts: 3, deadLetterQueueId: DLQ_ID } },
      retryBackoff: { baseMs: 2, maxMs: 8 },
      invokeEnrichment: () => {
        calls += 1;
        return Promise.reject(Object.assign(new Error('boom'), { errorType: 'ValidationError', errorMessage: 'record event-1 is not an appointment' }));
      },
    });
    const first = stream.put('shard-1', 'a', { createdAtMs: Date.UTC(2024, 0, 1, 10, 0, 0) });
    const last = stream.put('shard-1', 'b', { createdAtMs: Date.UTC(2024, 0, 1, 10, 0, 1) });

    await start({ now: () => Date.UTC(2024, 0, 1, 10, 1, 0) }).idle();

    expect(calls).toBe(4);
    expect(events.ofType('batch-retried').map((e) => e.delayMs)).toEqual([2, 4, 8]);
    expect(events.ofType('enrichment-failed')[0].error).toMatchObject({ code: 'EnrichmentFailed', errorType: 'ValidationError', errorMessage: 'record event-1 is not an appointment' });
    expect(sqs.messages).toHaveLength(1);
    expect(JSON.parse(sqs.messages[0].body)).toEqual({
      context: { partnerResourceArn: 'arn:aws:pipes:eu-west-2:000000000000:pipe/dev-appointment-pipe', condition: 'RetryAttemptsExhausted' },
      version: '1.0',
      timestamp: '2024-01-01T10:01:00.000Z',
      DDBStreamBatchInfo: {
        shardId: 'shard-1',
        startSequenceNumber: first,
        endSequenceNumber: last,
        approximateArrivalOfFirstRecord: '2024-01-01T10:00:00.000Z',
        approximateArrivalOfLastRecord: '2024-01-01T10:00:01.000Z',
        batchSize: 2,
        streamArn: STREAM_ARN,
      },
    });
    expect((await stored(store))?.shards['shard-1']?.sequenceNumber).toBe(last);
  });

  it('with AUTOMATIC_BISECT isolates a poison record: the good records are delivered in order, only the poison is dead-lettered', async () => {
    const { stream, sqs, events, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', source: { maximumRetryAttempts: 1, onPartialBatchItemFailure: 'AUTOMATIC_BISECT', deadLetterQueueId: DLQ_ID } },
      invokeEnrichment: (payload) => (recordIds(payload).includes('poison') ? Promise.reject(new Error('poison')) : Promise.resolve(payload)),
    });
    const sequences: Record<string, string> = {};
    for (const id of ['a', 'b', 'c', 'poison', 'd', 'e']) sequences[id] = stream.put('shard-1', id);

    await start().idle();

    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['a', 'b', 'c', 'd', 'e']);
    const dlq = sqs.messages.map((m) => JSON.parse(m.body) as { DDBStreamBatchInfo: { startSequenceNumber: string; endSequenceNumber: string; batchSize: number } });
    expect(dlq.map((m) => m.DDBStreamBatchInfo)).toEqual([expect.objectContaining({ startSequenceNumber: sequences.poison, endSequenceNumber: sequences.poison, batchSize: 1 })]);
    // Splitting does not use up retries: only the single poison record was retried (once).
    expect(events.ofType('batch-retried')).toHaveLength(1);
    expect(events.ofType('batch-bisected').length).toBeGreaterThanOrEqual(2);
  });

  it('dead-letters records older than MaximumRecordAgeInSeconds without invoking the enrichment', async () => {
    const invoked: unknown[] = [];
    const { stream, sqs, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', source: { maximumRecordAgeInSeconds: 60, deadLetterQueueId: DLQ_ID } },
      invokeEnrichment: (payload) => {
        invoked.push(payload);
        return Promise.resolve(payload);
      },
    });
    stream.put('shard-1', 'old', { createdAtMs: Date.now() - 2 * 3600_000 });

    await start().idle();

    expect(invoked).toHaveLength(0);
    expect((JSON.parse(sqs.messages[0].body) as { context: { condition: string } }).context.condition).toBe('RecordAgeExceeded');
  });

  it('gives up on a failing batch once its records are older than the maximum age, even with unlimited retries', async () => {
    let clock = Date.UTC(2024, 0, 1, 12, 0, 0);
    const { stream, sqs, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', source: { maximumRetryAttempts: -1, maximumRecordAgeInSeconds: 60, deadLetterQueueId: DLQ_ID } },
      now: () => clock,
      invokeEnrichment: () => {
        clock += 25_000;
        return Promise.reject(new Error('down'));
      },
    });
    stream.put('shard-1', 'a', { createdAtMs: clock });

    await start().idle();

    expect((JSON.parse(sqs.messages[0].body) as { context: { condition: string } }).context.condition).toBe('RecordAgeExceeded');
  });

  it('without a DLQ drops the records after retries and says so loudly', async () => {
    const { stream, events, store, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', source: { maximumRetryAttempts: 1 } },
      invokeEnrichment: () => Promise.reject(new Error('down')),
    });
    const last = stream.put('shard-1', 'a');

    await start().idle();

    const [discarded] = events.ofType('batch-discarded');
    expect(discarded.warning).toMatch(/no dead-letter queue.*dropped after RetryAttemptsExhausted/);
    expect(discarded.records.map((r) => r.keys.id)).toEqual([{ S: 'a' }]);
    expect((await stored(store))?.shards['shard-1']?.sequenceNumber).toBe(last);
  });

  it('retries sending to an unreachable DLQ and only then moves the checkpoint', async () => {
    const { stream, sqs, events, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', source: { maximumRetryAttempts: 0, deadLetterQueueId: DLQ_ID } },
      invokeEnrichment: () => Promise.reject(new Error('down')),
    });
    sqs.failSendMessage = (call) => call < 2;
    stream.put('shard-1', 'a');

    await start().idle();

    expect(events.ofType('dead-letter-failed')).toHaveLength(2);
    expect(sqs.messages).toHaveLength(1);
    expect(events.ofType('checkpoint')).toHaveLength(1);
  });

  it('never moves the checkpoint past a batch that keeps failing, and nothing behind it is delivered', async () => {
    let calls = 0;
    const { stream, sqs, store, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', source: { batchSize: 1, maximumRetryAttempts: -1 } },
      invokeEnrichment: (payload) => {
        calls += 1;
        return recordIds(payload)[0] === 'stuck' ? Promise.reject(new Error('down')) : Promise.resolve(payload);
      },
    });
    const ok = stream.put('shard-1', 'ok');
    stream.put('shard-1', 'stuck');
    stream.put('shard-1', 'behind');

    const runner = start();
    await waitFor('several retries', () => calls >= 6);

    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['ok']);
    expect((await stored(store))?.shards['shard-1']?.sequenceNumber).toBe(ok);
    expect(runner.stats().shards[0]).toMatchObject({ checkpoint: ok, inFlight: 1 });
  });
});

describe('pipe runner: checkpoints and restarts', () => {
  it('resumes after the checkpoint on restart', async () => {
    const { stream, sqs, start } = setUp();
    stream.put('shard-1', 'a');
    const b = stream.put('shard-1', 'b');
    const first = start();
    await first.idle();
    await first.stop();
    stream.put('shard-1', 'c');

    const second = start();
    await second.idle();

    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['a', 'b', 'c']);
    expect(stream.calls.filter((c) => c.command === 'GetShardIteratorCommand').at(-1)?.input).toMatchObject({
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      SequenceNumber: b,
    });
  });

  it('stop() mid-batch abandons the in-flight batch without moving its checkpoint; a restart redelivers it', async () => {
    const held = deferred<unknown>();
    const { stream, sqs, store, start } = setUp({ pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment' }, stopGraceMs: 20, invokeEnrichment: () => held.promise });
    stream.put('shard-1', 'a');
    const first = start();
    await waitFor('the enrichment call', () => first.stats().shards[0]?.inFlight === 1);

    await first.stop();
    held.resolve([{ late: true }]);
    await new Promise((resolve) => setImmediate(resolve));

    expect(sqs.batches).toHaveLength(0);
    expect((await stored(store))?.shards['shard-1']).toBeUndefined();

    const second = start({ invokeEnrichment: (payload) => Promise.resolve(payload) });
    await second.idle();
    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['a']);
  });

  it('ignores checkpoints of another stream (the table was recreated)', async () => {
    const store = new InMemoryCheckpointStore({ streamArn: `${STREAM_ARN}-old`, shards: { 'shard-1': { finished: true } } });
    const { stream, sqs, start } = setUp({ checkpoints: store });
    stream.put('shard-1', 'a');

    await start().idle();

    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['a']);
  });
});

describe('pipe runner: shards', () => {
  it('starts a child shard only after its parent is fully processed', async () => {
    const stream = new FakeDynamoDbStream().addShard('parent').addShard('child', 'parent');
    stream.put('parent', 'p1');
    stream.put('parent', 'p2');
    stream.closeShard('parent');
    stream.put('child', 'c1');
    const { sqs, events, store, start } = setUp(
      {
        pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', source: { batchSize: 1 } },
        // The parent's records are slow: without lineage the child's record would overtake them.
        invokeEnrichment: async (payload) => {
          if (recordIds(payload)[0].startsWith('p')) await new Promise((resolve) => setTimeout(resolve, 30));
          return payload;
        },
      },
      stream,
    );

    await start().idle();

    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['p1', 'p2', 'c1']);
    expect(events.ofType('shard-closed').map((e) => e.shardId)).toEqual(['parent']);
    expect((await stored(store))?.shards.parent).toMatchObject({ finished: true });
  });

  it('with LATEST on first start skips closed shards and what open shards already hold', async () => {
    const stream = new FakeDynamoDbStream().addShard('old').addShard('open', 'old');
    stream.put('old', 'before-1');
    stream.closeShard('old');
    stream.put('open', 'before-2');
    const { sqs, start } = setUp({ pipe: { source: { startingPosition: 'LATEST' } } }, stream);
    const runner = start();
    await runner.idle();

    stream.put('open', 'after');
    await runner.idle();

    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['after']);
  });

  it('reads shards that appear later from their start', async () => {
    const stream = new FakeDynamoDbStream().addShard('shard-1');
    const { sqs, start } = setUp({ pipe: { source: { startingPosition: 'LATEST' } } }, stream);
    const runner = start();
    await runner.idle();

    stream.closeShard('shard-1');
    stream.addShard('shard-2', 'shard-1');
    stream.put('shard-2', 'new');
    await runner.idle();

    expect(ids(sqs.delivered(TARGET_URL))).toEqual(['new']);
  });
});

describe('pipe runner: parallelization', () => {
  // Enrichment takes 5-14 ms, drawn from FUZZ_SEED's stream, so a failing interleaving can be replayed.
  it(`keeps each item in order while different items go concurrently, up to ParallelizationFactor batches per shard (FUZZ_SEED ${fuzzSeed()})`, async () => {
    const delays = createFaultDice(fuzzSeed(), 'pipe-runner parallelization enrichment delays');
    let concurrent = 0;
    let maxConcurrent = 0;
    const { stream, sqs, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', source: { batchSize: 2, parallelizationFactor: 4 } },
      invokeEnrichment: async (payload) => {
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(delays.next() * 10)));
        concurrent -= 1;
        return (payload as Array<{ dynamodb: { NewImage: { id: { S: string }; step: { N: string } } } }>).map((r) => ({ id: r.dynamodb.NewImage.id.S, step: Number(r.dynamodb.NewImage.step.N) }));
      },
    });
    const items = Array.from({ length: 8 }, (_, i) => `item-${i}`);
    for (let step = 0; step < 5; step += 1) for (const id of items) stream.put('shard-1', id, { newImage: { id: { S: id }, step: { N: String(step) } } });

    await start().idle();

    const delivered = sqs.delivered(TARGET_URL).map((body) => JSON.parse(body) as { id: string; step: number });
    expect(delivered).toHaveLength(40);
    for (const id of items) expect(delivered.filter((d) => d.id === id).map((d) => d.step)).toEqual([0, 1, 2, 3, 4]);
    expect(maxConcurrent).toBeGreaterThan(1);
    expect(maxConcurrent).toBeLessThanOrEqual(4);
  });

  it('moves the checkpoint only past records whose lanes have all completed', async () => {
    const factor = 2;
    const slowId = 'slow';
    const fastId = ['f1', 'f2', 'f3', 'f4', 'f5'].find((id) => laneIndex(partitionKeyOf({ id: { S: id } }), factor) !== laneIndex(partitionKeyOf({ id: { S: slowId } }), factor)) as string;
    const held = deferred<unknown>();
    const { stream, sqs, store, start } = setUp({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment', source: { parallelizationFactor: factor } },
      invokeEnrichment: (payload) => (recordIds(payload).includes(slowId) ? held.promise.then(() => payload) : Promise.resolve(payload)),
    });
    stream.put('shard-1', slowId);
    const fastSequence = stream.put('shard-1', fastId);
    const runner = start();

    await waitFor('the other lane to deliver', () => sqs.delivered(TARGET_URL).length === 1);
    expect(ids(sqs.delivered(TARGET_URL))).toEqual([fastId]);
    expect((await stored(store))?.shards['shard-1']).toBeUndefined();

    held.resolve(undefined);
    await runner.idle();
    expect((await stored(store))?.shards['shard-1']?.sequenceNumber).toBe(fastSequence);
  });
});

describe('pipe runner: configuration', () => {
  it.each([
    [{ source: { batchSize: 11 } }, /source\.batchSize: 11 is more than 10, the largest batch an SQS target accepts/],
    [{ source: { maximumBatchingWindowInSeconds: 301 } }, /maximumBatchingWindowInSeconds: expected an integer from 0 to 300/],
    [{ source: { parallelizationFactor: 11 } }, /parallelizationFactor/],
    [{ source: { maximumRetryAttempts: -2 } }, /maximumRetryAttempts/],
    [{ target: { inputTemplate: '{"a": <aws.pipes.nope>}' } }, /target\.inputTemplate: .*unknown reserved variable <aws\.pipes\.nope>/],
  ])('refuses %j', (pipe, message) => {
    const { start } = setUp({ pipe: pipe as Parameters<typeof pipeSpec>[0] });
    expect(() => start()).toThrow(message);
  });

  it('refuses a stream ARN that is not a DynamoDB stream ARN', () => {
    const { start } = setUp();
    expect(() => start({ streamArn: 'arn:aws:dynamodb:eu-west-2:000000000000:table/appointments' })).toThrow(/streamArn: expected arn:aws:dynamodb/);
  });
});
