import { BatchDelivery, type BatchDeliveryOptions, type DeliveryCounters } from '../../../local/pipes/batch-delivery';
import type { BatchOfRecords } from '../../../local/pipes/pipe-runner-events';
import { toReadRecord } from '../../../local/pipes/stream-record';
import { collectEvents, FakeDynamoDbStream, FakeSqs, pipeSpec, queueArn, queueUrl, STREAM_ARN, TARGET_QUEUE_ID } from './fakes';

const TARGET_URL = queueUrl(TARGET_QUEUE_ID);

function batchOf(...puts: Array<[string, 'INSERT' | 'MODIFY']>): BatchOfRecords {
  const stream = new FakeDynamoDbStream().addShard('shard-1');
  for (const [id, eventName] of puts) stream.put('shard-1', id, { eventName });
  const records = stream.shards[0].records.map((record) => toReadRecord(record, 'shard-1', STREAM_ARN, 'eu-west-2', 0));
  return { id: 'shard-1#1', shardId: 'shard-1', records };
}

function delivery(overrides: Partial<Omit<BatchDeliveryOptions, 'pipe'>> & { pipe?: Parameters<typeof pipeSpec>[0] } = {}) {
  const sqs = new FakeSqs();
  const events = collectEvents();
  const counters: DeliveryCounters = { enrichmentInvocations: 0, enrichmentFailures: 0, targetFailures: 0, messagesSent: 0 };
  const { pipe, ...rest } = overrides;
  const unit = new BatchDelivery({
    pipe: pipeSpec(pipe),
    pipeArn: 'arn:aws:pipes:eu-west-2:000000000000:pipe/dev-appointment-pipe',
    streamArn: STREAM_ARN,
    targetArn: queueArn(TARGET_QUEUE_ID),
    targetQueueUrl: TARGET_URL,
    sqs: sqs.client,
    now: () => 0,
    stopping: () => false,
    emit: events.onEvent,
    counters,
    ...rest,
  });
  return { unit, sqs, events, counters };
}

describe('BatchDelivery', () => {
  it('ORs the filter patterns, and lets everything through without any', () => {
    const [insert, modify] = batchOf(['a', 'INSERT'], ['a', 'MODIFY']).records;
    const filtered = delivery({ pipe: { filterPatterns: [JSON.stringify({ eventName: ['INSERT'] }), JSON.stringify({ eventName: ['REMOVE'] })] } }).unit;

    expect([filtered.passesFilter(insert.event), filtered.passesFilter(modify.event)]).toEqual([true, false]);
    expect(delivery().unit.passesFilter(modify.event)).toBe(true);
  });

  it('sends the enrichment result, not the source records, to the target', async () => {
    const { unit, sqs, counters } = delivery({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment' },
      invokeEnrichment: (payload) => Promise.resolve((payload as unknown[]).map((_, i) => ({ enriched: i }))),
    });

    expect(await unit.attempt(batchOf(['a', 'INSERT'], ['b', 'INSERT']))).toEqual({ type: 'ok' });
    expect(sqs.delivered(TARGET_URL)).toEqual(['{"enriched":0}', '{"enriched":1}']);
    expect(counters).toEqual({ enrichmentInvocations: 1, enrichmentFailures: 0, targetFailures: 0, messagesSent: 2 });
  });

  it('fails the attempt with what the enrichment reported', async () => {
    const { unit, counters } = delivery({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment' },
      invokeEnrichment: () => Promise.reject(Object.assign(new Error('x'), { errorType: 'Bad', errorMessage: 'no such contact' })),
    });

    expect(await unit.attempt(batchOf(['a', 'INSERT']))).toEqual({ type: 'failed', error: expect.objectContaining({ code: 'EnrichmentFailed', errorType: 'Bad', errorMessage: 'no such contact' }) });
    expect(counters.enrichmentFailures).toBe(1);
  });

  it('abandons a batch whose enrichment returned after stop: the target is not called', async () => {
    let stopping = false;
    const { unit, sqs } = delivery({
      pipe: { enrichmentFunctionId: 'Dev-Stateless/Enrichment' },
      stopping: () => stopping,
      invokeEnrichment: (payload) => {
        stopping = true;
        return Promise.resolve(payload);
      },
    });

    expect(await unit.attempt(batchOf(['a', 'INSERT']))).toEqual({ type: 'abandoned' });
    expect(sqs.batches).toHaveLength(0);
  });

  it('counts a target failure and reports it', async () => {
    const { unit, sqs, events, counters } = delivery();
    sqs.failBatch = () => 'throw';

    expect(await unit.attempt(batchOf(['a', 'INSERT']))).toMatchObject({ type: 'failed' });
    expect(counters.targetFailures).toBe(1);
    expect(events.ofType('target-failed')).toHaveLength(1);
  });

  it('refuses a filter pattern it cannot compile, naming it', () => {
    expect(() => delivery({ pipe: { filterPatterns: ['{"eventName": ["INSERT"]}', '"INSERT"'] } })).toThrow(/filterPatterns\[1\]/);
  });
});
