import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { PATIENT_VISIBLE_CHANGE_FILTER_PATTERNS } from '../../../cdk/constructs/appointment-pipe';
import { parseEnrichedAppointment, type Appointment } from '../../../contracts';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/emulators/dynamodb-local';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import { writeRuntimeState } from '../../../local/runtime/runtime-state';
import { peekMessages } from '../../../ops/dlq/peek-messages';
import { replayPipeDeadLetters, type PipeReplayTarget } from '../../../ops/dlq/pipe-replay';
import { loadFixture } from '../../fixtures/load-fixture';

const run = promisify(execFile);
const region = 'eu-west-2';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('npm run dlq -- replay on DynamoDB Local and fauxqs', () => {
  let dynamodbLocal: RunningDynamoDbLocal;
  let fauxqs: RunningFauxqs;
  let dynamodb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let sqs: SQSClient;
  let dir: string;

  beforeAll(async () => {
    [dynamodbLocal, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs({ region })]);
    dynamodb = new DynamoDBClient({ endpoint: dynamodbLocal.endpoint, region, credentials });
    streams = new DynamoDBStreamsClient({ endpoint: dynamodbLocal.endpoint, region, credentials });
    sqs = new SQSClient({ endpoint: fauxqs.endpoint, region, credentials });
    dir = await mkdtemp(join(tmpdir(), 'pipe-replay-'));
  }, 120_000);

  afterAll(async () => {
    [dynamodb, streams, sqs].forEach((client) => client?.destroy());
    await Promise.allSettled([dynamodbLocal?.stop(), fauxqs?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  interface World {
    target: PipeReplayTarget;
    streamArn: string;
  }

  /** An appointments table with its stream, a contacts table, the pipe's target queue and its DLQ. */
  async function world(): Promise<World> {
    const suffix = randomUUID().slice(0, 8);
    const appointmentsTableName = `appointments-${suffix}`;
    const contactsTableName = `contacts-${suffix}`;
    const key = { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }] };
    await dynamodb.send(
      new CreateTableCommand({ TableName: appointmentsTableName, BillingMode: 'PAY_PER_REQUEST', ...key, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }),
    );
    await dynamodb.send(new CreateTableCommand({ TableName: contactsTableName, BillingMode: 'PAY_PER_REQUEST', ...key }));
    const notificationsTableName = `notifications-${suffix}`;
    await dynamodb.send(
      new CreateTableCommand({
        TableName: notificationsTableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'appointmentId', KeyType: 'HASH' }, { AttributeName: 'notificationId', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'appointmentId', AttributeType: 'S' }, { AttributeName: 'notificationId', AttributeType: 'S' }],
      }),
    );
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: appointmentsTableName }));
    const targetQueue = await sqs.send(new CreateQueueCommand({ QueueName: `notifications-${suffix}` }));
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `pipe-dlq-${suffix}` }));
    return {
      streamArn: Table?.LatestStreamArn as string,
      target: {
        label: 'pipe',
        deadLetterQueue: { url: dlq.QueueUrl as string, arn: fauxqs.queueArn(`pipe-dlq-${suffix}`) },
        targetQueueUrl: targetQueue.QueueUrl as string,
        filterPatterns: PATIENT_VISIBLE_CHANGE_FILTER_PATTERNS.map((pattern) => JSON.stringify(pattern)),
        contactsTableName,
        appointmentsTableName,
        notificationsTableName,
      },
    };
  }

  function appointment(overrides: Partial<Appointment> = {}): Appointment {
    return { ...loadFixture<Appointment>('appointment', 'lifecycle-booked'), id: randomUUID(), email: `${randomUUID().slice(0, 8)}@example.com`, ...overrides };
  }

  async function store(w: World, item: object): Promise<void> {
    await dynamodb.send(new PutItemCommand({ TableName: w.target.appointmentsTableName, Item: marshall(item, { removeUndefinedValues: true }) }));
  }

  /** The booking's notification completed (its row in the notifications table), and a later write that is no change (a MODIFY the filter drops). */
  async function markSent(w: World, id: string): Promise<void> {
    await dynamodb.send(
      new PutItemCommand({
        TableName: w.target.notificationsTableName,
        Item: marshall({ appointmentId: id, notificationId: 'change-1', kind: 'booked', version: 1, status: 'sent', channel: 'email', updatedAt: new Date().toISOString() }),
      }),
    );
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: w.target.appointmentsTableName,
        Key: { id: { S: id } },
        UpdateExpression: 'SET notes = :notes',
        ExpressionAttributeValues: { ':notes': { S: 'Staff note.' } },
      }),
    );
  }

  /** Every record of the table's stream so far, with the shard it is in. */
  async function streamRecords(w: World): Promise<{ shardId: string; sequenceNumbers: string[] }> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: w.streamArn }));
    const shardId = StreamDescription?.Shards?.[0]?.ShardId as string;
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: w.streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
    return { shardId, sequenceNumbers: (page.Records ?? []).map((record) => record.dynamodb?.SequenceNumber as string) };
  }

  /** A pipe DLQ message as Pipes writes it for a DynamoDB stream batch. */
  async function deadLetter(w: World, shardId: string, first: string, last: string, firstArrival = new Date()): Promise<void> {
    const body = {
      context: { partnerResourceArn: `arn:aws:pipes:${region}:000000000000:pipe/test`, condition: 'RetryAttemptsExhausted' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first,
        endSequenceNumber: last,
        approximateArrivalOfFirstRecord: firstArrival.toISOString(),
        approximateArrivalOfLastRecord: new Date().toISOString(),
        batchSize: 1,
        streamArn: w.streamArn,
      },
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: w.target.deadLetterQueue.url, MessageBody: JSON.stringify(body) }));
  }

  const bodies = async (url: string) => (await peekMessages(sqs, url, { max: 50, holdSeconds: 2 })).map((message) => JSON.parse(message.body) as unknown);

  it('sends the range\'s pending changes, enriched, to the target; drops MODIFYs that are no change and changes notified since; deletes the DLQ message', async () => {
    const w = await world();
    const bySms = appointment();
    const noContact = appointment();
    const handled = appointment();
    await dynamodb.send(
      new PutItemCommand({
        TableName: w.target.contactsTableName,
        Item: marshall({ id: bySms.email, preferredMethod: 'sms', phoneNumber: '+447700900999', updatedAt: '2030-01-01T00:00:00.000Z' }),
      }),
    );
    await store(w, bySms);
    await store(w, noContact);
    await store(w, handled);
    await markSent(w, handled.id); // a MODIFY inside the range, and a booking handled since
    const { shardId, sequenceNumbers } = await streamRecords(w);
    expect(sequenceNumbers).toHaveLength(4);
    await deadLetter(w, shardId, sequenceNumbers[0], sequenceNumbers[3]);

    const dry = await replayPipeDeadLetters({ sqs, streams, dynamodb }, w.target, { dryRun: true });
    expect(dry).toHaveLength(1);
    expect(dry[0]).toMatchObject({ status: 'would-replay', records: 4, filteredOut: 1 });
    expect(dry[0].replayed.map((booking) => booking.appointmentId)).toEqual([bySms.id, noContact.id]);
    expect(dry[0].skipped).toEqual([{ appointmentId: handled.id, reason: expect.stringContaining('sent') }]);
    expect(await bodies(w.target.targetQueueUrl)).toEqual([]);
    expect(await bodies(w.target.deadLetterQueue.url)).toHaveLength(1);

    const done = await replayPipeDeadLetters({ sqs, streams, dynamodb }, w.target);
    expect(done[0]).toMatchObject({ status: 'replayed' });
    const sent = (await bodies(w.target.targetQueueUrl)).map((body) => parseEnrichedAppointment(body));
    expect(sent.map(({ id, preferredMethod, contactPhoneNumber }) => ({ id, preferredMethod, contactPhoneNumber })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [
        { id: bySms.id, preferredMethod: 'sms', contactPhoneNumber: '+447700900999' },
        { id: noContact.id, preferredMethod: 'email', contactPhoneNumber: undefined },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(await bodies(w.target.deadLetterQueue.url)).toEqual([]);
  }, 60_000);

  it('keeps a range the enrichment still refuses, and one whose records expired, saying why; sends nothing', async () => {
    const w = await world();
    const poison = { ...appointment(), email: undefined };
    await store(w, poison);
    const { shardId, sequenceNumbers } = await streamRecords(w);
    await deadLetter(w, shardId, sequenceNumbers[0], sequenceNumbers[0]);
    await deadLetter(w, shardId, sequenceNumbers[0], sequenceNumbers[0], new Date(Date.now() - 25 * 60 * 60 * 1000));
    await deadLetter(w, 'shardId-00000000000000000000-00000000', sequenceNumbers[0], sequenceNumbers[0]);
    await sqs.send(new SendMessageCommand({ QueueUrl: w.target.deadLetterQueue.url, MessageBody: '{"not":"a batch"}' }));

    const outcomes = await replayPipeDeadLetters({ sqs, streams, dynamodb }, w.target);

    const codes = outcomes.map((outcome) => [outcome.status, outcome.error?.code]).sort();
    expect(codes).toEqual([
      ['failed', 'EnrichmentFailed'],
      ['failed', 'NotAStreamBatch'],
      ['failed', 'RecordsExpired'],
      ['failed', 'RecordsExpired'],
    ]);
    const enrichment = outcomes.find((outcome) => outcome.error?.code === 'EnrichmentFailed');
    expect(enrichment?.error?.message).toContain('email');
    for (const expired of outcomes.filter((outcome) => outcome.error?.code === 'RecordsExpired')) {
      expect(expired.error?.message).toContain("24 h retention");
    }
    expect(await bodies(w.target.targetQueueUrl)).toEqual([]);
    expect(await bodies(w.target.deadLetterQueue.url)).toHaveLength(4);
  }, 60_000);

  it('the CLI replays through the local runtime state file (dry run first), and exits non-zero when a message is kept', async () => {
    const w = await world();
    const booking = appointment();
    await store(w, booking);
    const { shardId, sequenceNumbers } = await streamRecords(w);
    await deadLetter(w, shardId, sequenceNumbers[0], sequenceNumbers[0]);
    const stateFile = join(dir, `runtime-${randomUUID().slice(0, 8)}.json`);
    await writeRuntimeState(stateFile, {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      stage: 'dev',
      region,
      apiUrl: 'http://127.0.0.1:1/dev',
      emailViewerUrl: 'http://127.0.0.1:9/', // unused by the tool, but a runtime always writes one
      smsOutboxUrl: 'http://127.0.0.1:9/',
      endpoints: { dynamodb: dynamodbLocal.endpoint, sqs: fauxqs.endpoint, sesv2: 'http://127.0.0.1:9', sns: 'http://127.0.0.1:9' },
      deadLetterQueues: [{ label: 'pipe', kind: 'pipe', queue: w.target.deadLetterQueue }],
      pipes: [
        {
          label: 'pipe',
          name: 'test-pipe',
          sourceTableName: w.target.appointmentsTableName,
          filterPatterns: w.target.filterPatterns,
          targetQueueUrl: w.target.targetQueueUrl,
          hasInputTemplate: false,
          enrichmentEnvironment: { CONTACTS_TABLE_NAME: w.target.contactsTableName },
        },
      ],
    });
    const cli = (args: string[]) => run('npx', ['tsx', 'ops/dlq.ts', 'replay', ...args, '--runtime-file', stateFile], { cwd: process.cwd() });

    const dry = await cli(['--dry-run']);
    expect(dry.stdout).toContain(`would send booking ${booking.id} (email)`);
    expect(dry.stdout).toContain('would replay 1 booking(s) in local');
    expect(await bodies(w.target.targetQueueUrl)).toEqual([]);

    const replayed = await cli([]);
    expect(replayed.stdout).toContain(`sent booking ${booking.id} (email)`);
    expect((await bodies(w.target.targetQueueUrl)).map((body) => (body as { id: string }).id)).toEqual([booking.id]);
    expect(await bodies(w.target.deadLetterQueue.url)).toEqual([]);

    await deadLetter(w, shardId, sequenceNumbers[0], sequenceNumbers[0], new Date(Date.now() - 48 * 60 * 60 * 1000));
    await expect(cli([])).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('kept in the DLQ: RecordsExpired') });
    await expect(cli(['--dry-run', '--queue', 'nope'])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('known: pipe') });
  }, 90_000);
});
