import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { PipeRunnerEvent } from '../../../local/pipes/pipe-runner-events';
import { ShardReader, type StartPosition } from '../../../local/pipes/shard-reader';
import { awsError, FakeDynamoDbStream, STREAM_ARN } from './fakes';

function reader(client: DynamoDBStreamsClient, startPosition: StartPosition = { type: 'TRIM_HORIZON' }, parentShardId?: string) {
  const events: PipeRunnerEvent[] = [];
  const shardReader = new ShardReader({
    streams: client,
    streamArn: STREAM_ARN,
    pipeName: 'pipe',
    shardId: 'shard-1',
    ...(parentShardId ? { parentShardId } : {}),
    startPosition,
    emit: (event) => events.push(event),
  });
  return { shardReader, events };
}

/** A client answering each call with the next scripted result (an error is thrown). */
function scripted(...answers: Array<unknown>): { client: DynamoDBStreamsClient; calls: Array<{ command: string; input: Record<string, unknown> }> } {
  const calls: Array<{ command: string; input: Record<string, unknown> }> = [];
  const client = {
    send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      calls.push({ command: command.constructor.name, input: command.input });
      const answer = answers.shift();
      if (answer === undefined) return Promise.reject(new Error(`unscripted ${command.constructor.name}`));
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  } as unknown as DynamoDBStreamsClient;
  return { client, calls };
}

const ids = (records: Array<{ dynamodb?: { Keys?: Record<string, { S?: string }> } }>): Array<string | undefined> => records.map((record) => record.dynamodb?.Keys?.id?.S);

describe('ShardReader', () => {
  it('opens at the start position, says so once, and reads to the end of a closed shard', async () => {
    const stream = new FakeDynamoDbStream().addShard('shard-1');
    stream.put('shard-1', 'a');
    stream.put('shard-1', 'b');
    stream.closeShard('shard-1');
    const { shardReader, events } = reader(stream.client, { type: 'TRIM_HORIZON' }, 'parent');

    expect(await shardReader.openIterator()).toBe('opened');
    const read = await shardReader.getRecords();

    expect(read.type === 'records' && ids(read.records)).toEqual(['a', 'b']);
    expect(read).toMatchObject({ endOfShard: true });
    expect(shardReader.hasIterator).toBe(false);
    expect(events).toEqual([{ type: 'shard-opened', pipeName: 'pipe', shardId: 'shard-1', parentShardId: 'parent', iteratorType: 'TRIM_HORIZON' }]);
  });

  it('after an expired iterator, opens again after the last record marked read, without a second shard-opened', async () => {
    const stream = new FakeDynamoDbStream().addShard('shard-1');
    const a = stream.put('shard-1', 'a');
    const { shardReader, events } = reader(stream.client);
    await shardReader.openIterator();
    const first = await shardReader.getRecords();
    if (first.type === 'records') for (const record of first.records) shardReader.markRead(record.dynamodb?.SequenceNumber as string);
    stream.put('shard-1', 'b');
    stream.expireIteratorOnNextGetRecords();

    expect(await shardReader.getRecords()).toEqual({ type: 'iterator-expired' });
    expect(shardReader.hasIterator).toBe(false);
    await shardReader.openIterator();
    const second = await shardReader.getRecords();

    expect(second.type === 'records' && ids(second.records)).toEqual(['b']);
    expect(stream.calls.filter((call) => call.command === 'GetShardIteratorCommand').at(-1)?.input).toMatchObject({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: a });
    expect(events.filter((event) => event.type === 'shard-opened')).toHaveLength(1);
  });

  it('when the checkpointed record was trimmed, says so and starts at the oldest record left', async () => {
    const stream = new FakeDynamoDbStream().addShard('shard-1');
    stream.put('shard-1', 'left');
    const { shardReader, events } = reader(stream.client, { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '000000000000000000001' });

    expect(await shardReader.openIterator()).toBe('opened');
    const read = await shardReader.getRecords();

    expect(read.type === 'records' && ids(read.records)).toEqual(['left']);
    expect(events.map((event) => event.type)).toEqual(['records-trimmed', 'shard-opened']);
    expect(events[0]).toMatchObject({ afterSequenceNumber: '000000000000000000001' });
  });

  it('when GetRecords finds the records trimmed, the next open starts at TRIM_HORIZON and names the last record read', async () => {
    const { client, calls } = scripted(
      { ShardIterator: 'it-1' },
      awsError('TrimmedDataAccessException', 'gone'),
      { ShardIterator: 'it-2' },
    );
    const { shardReader } = reader(client);
    await shardReader.openIterator();
    shardReader.markRead('42');

    expect(await shardReader.getRecords()).toEqual({ type: 'records-trimmed', afterSequenceNumber: '42' });
    await shardReader.openIterator();

    expect(calls.at(-1)?.input).toMatchObject({ ShardIteratorType: 'TRIM_HORIZON' });
  });

  it.each([
    ['a shard no longer in the stream is gone', [awsError('ResourceNotFoundException', 'no shard')], 'gone'],
    ['no iterator at all means the end', [{}], 'end'],
  ])('%s', async (_label, answers, expected) => {
    const { shardReader } = reader(scripted(...answers).client);
    expect(await shardReader.openIterator()).toBe(expected);
  });

  it('reports a shard that vanishes while being read, and passes on errors it cannot handle', async () => {
    const gone = reader(scripted({ ShardIterator: 'it' }, awsError('ResourceNotFoundException', 'no shard')).client).shardReader;
    await gone.openIterator();
    expect(await gone.getRecords()).toEqual({ type: 'gone' });

    const throttled = reader(scripted({ ShardIterator: 'it' }, awsError('LimitExceededException', 'slow down')).client).shardReader;
    await throttled.openIterator();
    await expect(throttled.getRecords()).rejects.toThrow('slow down');
    expect(throttled.hasIterator).toBe(true);
  });

  it('refuses to read without an open iterator', async () => {
    const { shardReader } = reader(scripted().client);
    await expect(shardReader.getRecords()).rejects.toThrow(/needs an open iterator/);
  });
});
