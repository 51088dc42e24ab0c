import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime/local-runtime';
import type { BookingStageEvent } from '../../local-app/booking-progress';
import { attachBookingProgress } from '../../local-app/attach-booking-progress';
import type { PipeStreamDeadLetterMessage } from '../../local/pipes/dead-letter';
import type { PipeRunnerEvent } from '../../local/pipes/pipe-runner-events';
import { putContactAsStaff, staffIdToken } from './identity-support';
import { appointmentsTableName, devAssembly, eventually, futureDateTime, postJson, setEmailBehindTheApi } from './e2e-support';

/**
 * The journeys a person takes on `npm start`, on the real emulators and the functions bundled by
 * the CDK app: a booking ends e-mailed, texted, or skipped by preference, its outcome shown as the
 * view's notification change-1; a write that is no patient-visible change sends nothing more, a
 * reschedule sends one more; a booking the enrichment cannot read ends in the pipe's dead-letter
 * queue while the rest flow on.
 */
describe('local runtime: booking journeys on the dev assembly', () => {
  let runtime: LocalRuntime;
  const stages: BookingStageEvent[] = [];
  const pipeEvents: PipeRunnerEvent[] = [];
  const functionLogs: Array<{ name: string; line: string }> = [];

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      assemblyDir: await devAssembly(),
      pipe: { pollIntervalMs: 100, retryBaseDelayMs: 20, retryMaxDelayMs: 100 },
      sqsWaitTimeSeconds: 1,
      onFunctionLog: (name, line) => functionLogs.push({ name, line }),
    });
    attachBookingProgress(runtime).onStage((event) => stages.push(event));
    runtime.onPipeEvent((event) => pipeEvents.push(event));
  }, 120_000);

  afterAll(async () => {
    streams?.destroy();
    await runtime?.stop();
  });

  let streams: DynamoDBStreamsClient | undefined;

  interface StreamPosition {
    streamArn: string;
    shardId: string;
    sequenceNumber: string;
  }

  /** Where DynamoDB Streams itself holds the record of the item whose key is `id` (read from every shard's start). */
  async function streamPositionOf(id: string): Promise<StreamPosition | undefined> {
    const env = runtime.emulators.environment;
    streams ??= new DynamoDBStreamsClient({
      region: runtime.topology.region,
      endpoint: env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
    const table = await runtime.clients.dynamodb.send(new DescribeTableCommand({ TableName: appointmentsTableName(runtime) }));
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) throw new Error('the appointments table has no stream');
    let exclusiveStartShardId: string | undefined;
    do {
      const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }));
      for (const shard of described.StreamDescription?.Shards ?? []) {
        const shardId = shard.ShardId as string;
        let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
        while (iterator) {
          const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
          const record = page.Records?.find((candidate) => candidate.dynamodb?.Keys?.id?.S === id);
          const sequenceNumber = record?.dynamodb?.SequenceNumber;
          if (sequenceNumber !== undefined) return { streamArn, shardId, sequenceNumber };
          // An open shard answers an empty page at its end.
          if ((page.Records ?? []).length === 0) break;
          iterator = page.NextShardIterator;
        }
      }
      exclusiveStartShardId = described.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return undefined;
  }

  /** Whether a pipe DLQ message (batch metadata) names the stream position: same stream and shard, sequence number in its range. */
  function deadLetterCovers(body: string | undefined, position: StreamPosition): boolean {
    let message: Partial<PipeStreamDeadLetterMessage> | null;
    try {
      message = JSON.parse(body ?? '') as Partial<PipeStreamDeadLetterMessage> | null;
    } catch {
      return false;
    }
    const info = typeof message === 'object' && message !== null ? message.DDBStreamBatchInfo : undefined;
    if (!info || info.streamArn !== position.streamArn || info.shardId !== position.shardId) return false;
    const sequence = BigInt(position.sequenceNumber);
    return BigInt(info.startSequenceNumber) <= sequence && sequence <= BigInt(info.endSequenceNumber);
  }

  const api = (path: string): URL => new URL(path, runtime.apiUrl);
  const uniqueEmail = (tag: string): string => `${tag}.${randomUUID().slice(0, 8)}@example.com`;

  async function setContact(email: string, preference: Record<string, string>): Promise<void> {
    const response = await putContactAsStaff(runtime, email, preference);
    expect(response.status).toBe(200);
  }

  async function book(email: string, patientName: string): Promise<string> {
    const response = await postJson(api('appointments'), {
      patientName,
      email,
      dentist: 'Dr. Lee Jones',
      clinic: 'LJ Dentists, High Street',
      appointmentDateTime: futureDateTime(),
    });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }

  const finalStage = (id: string) =>
    eventually(`a final stage for booking ${id}`, () => stages.find((e) => e.appointmentId === id && ['emailed', 'sms', 'skipped', 'dead-lettered'].includes(e.stage)));

  async function getAppointment(id: string): Promise<Record<string, unknown>> {
    const response = await fetch(api(`staff/appointments/${id}`), { headers: { authorization: `Bearer ${await staffIdToken(runtime.identity)}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  /** The notification row `notificationId` of the appointment's view, once it has `status`. */
  const notificationRow = (id: string, notificationId: string, status: string) =>
    eventually(`${notificationId} of ${id} to be ${status}`, async () =>
      ((await getAppointment(id)).notifications as Array<Record<string, unknown>> | undefined)?.find((row) => row.notificationId === notificationId && row.status === status),
    );

  it('e-mails a patient who prefers e-mail, exactly once, with the appointment in it', async () => {
    const email = uniqueEmail('mail');
    await setContact(email, { preferredMethod: 'email' });

    const id = await book(email, 'Grace Hopper');

    expect((await finalStage(id)).stage).toBe('emailed');
    await eventually('the e-mail', async () => ((await runtime.emulators.ses.listEmails()).some((mail) => mail.to.includes(email)) ? true : undefined));
    // Count only once nothing is in flight: a second send would otherwise go unseen.
    await runtime.idle();
    const mails = (await runtime.emulators.ses.listEmails()).filter((mail) => mail.to.includes(email));
    expect(mails).toHaveLength(1);
    expect(`${mails[0].subject} ${mails[0].text ?? ''}`).toContain('Dr. Lee Jones');
    expect(mails[0].text ?? '').toContain('Grace Hopper');
    expect(await notificationRow(id, 'change-1', 'sent')).toMatchObject({ kind: 'booked', version: 1, channel: 'email' });
  }, 60_000);

  it('texts a patient who prefers SMS, exactly once, to the contact number', async () => {
    const email = uniqueEmail('sms');
    await setContact(email, { preferredMethod: 'sms', phoneNumber: '+447700900201' });

    const id = await book(email, 'Alan Turing');

    expect((await finalStage(id)).stage).toBe('sms');
    await runtime.idle();
    const texts = (await runtime.emulators.sms.listMessages()).filter((sms) => sms.phoneNumber === '+447700900201');
    expect(texts).toHaveLength(1);
    expect(texts[0].message).toContain('Dr. Lee Jones');
    expect((await runtime.emulators.ses.listEmails()).filter((mail) => mail.to.includes(email))).toHaveLength(0);
  }, 60_000);

  it('skips patients who prefer no notifications; e-mails a new patient with no contact record (the manage link)', async () => {
    const none = uniqueEmail('none');
    const newcomer = uniqueEmail('newcomer');
    await setContact(none, { preferredMethod: 'none' });
    const smsBefore = (await runtime.emulators.sms.listMessages()).length;

    const skippedId = await book(none, 'Nobody Please');
    const newId = await book(newcomer, 'First Visit');

    expect((await finalStage(skippedId)).stage).toBe('skipped');
    expect(String((await notificationRow(skippedId, 'change-1', 'skipped')).cause)).toMatch(/no notifications/);
    expect((await finalStage(newId)).stage).toBe('emailed');
    await runtime.idle();
    const mails = await runtime.emulators.ses.listEmails();
    expect(mails.filter((mail) => mail.to.includes(none))).toHaveLength(0);
    const welcome = mails.filter((mail) => mail.to.includes(newcomer));
    expect(welcome).toHaveLength(1);
    expect(welcome[0]?.text ?? '').toContain(`/manage?appointment=${newId}#token=`);
    expect(await runtime.emulators.sms.listMessages()).toHaveLength(smsBefore);
  }, 60_000);

  it('sends nothing more for a write that is no patient-visible change (MODIFY, lastChange still booked); a reschedule sends one', async () => {
    const email = uniqueEmail('modify');
    const smsEmail = uniqueEmail('modify-sms');
    await setContact(email, { preferredMethod: 'email' });
    await setContact(smsEmail, { preferredMethod: 'sms', phoneNumber: '+447700900202' });
    const id = await book(email, 'Ada Lovelace');
    await finalStage(id);

    await setEmailBehindTheApi(runtime, id, smsEmail);

    const dropped = await eventually('the pipe to drop the MODIFY record', () =>
      pipeEvents.find((e) => e.type === 'record-filtered-out' && e.record.eventName === 'MODIFY' && e.record.newImage?.email && 'S' in e.record.newImage.email && e.record.newImage.email.S === smsEmail),
    );
    expect(dropped.type === 'record-filtered-out' ? dropped.record.newImage?.lastChange : undefined).toMatchObject({ M: { kind: { S: 'booked' } } });
    await runtime.idle();
    expect((await runtime.emulators.sms.listMessages()).filter((sms) => sms.phoneNumber === '+447700900202')).toHaveLength(0);
    expect((await runtime.emulators.ses.listEmails()).filter((mail) => mail.to.includes(email))).toHaveLength(1);
    expect(stages.filter((e) => e.appointmentId === id && e.stage === 'queued')).toHaveLength(1);
    const changeRows = (view: Record<string, unknown>) => (view.notifications as Array<{ notificationId: string }>).map((row) => row.notificationId).filter((name) => name.startsWith('change-'));
    expect(changeRows(await getAppointment(id))).toEqual(['change-1']);

    // A reschedule is a patient-visible change: the PATCH route, one more notification (version 2),
    // by the channel of the address the appointment has now.
    const moved = await fetch(api(`staff/appointments/${id}`), {
      method: 'PATCH',
      headers: { authorization: `Bearer ${await staffIdToken(runtime.identity)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ appointmentDateTime: futureDateTime(12) }),
    });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ version: 2, lastChange: { kind: 'rescheduled', by: 'staff' } });
    expect(await notificationRow(id, 'change-2', 'sent')).toMatchObject({ kind: 'rescheduled', channel: 'sms' });
    await runtime.idle();
    expect((await runtime.emulators.sms.listMessages()).filter((sms) => sms.phoneNumber === '+447700900202')).toHaveLength(1);
    expect((await runtime.emulators.ses.listEmails()).filter((mail) => mail.to.includes(email))).toHaveLength(1);
    expect(stages.filter((e) => e.appointmentId === id && e.stage === 'queued')).toHaveLength(2);
    expect(changeRows(await getAppointment(id))).toEqual(['change-1', 'change-2']);
  }, 60_000);

  it('dead-letters a stored item the enrichment cannot read, and the bookings after it still flow', async () => {
    const table = appointmentsTableName(runtime);
    const poisonId = randomUUID();
    const email = uniqueEmail('after-poison');
    await setContact(email, { preferredMethod: 'email' });

    // A booking's INSERT as far as the filter looks (lastChange.kind booked), so it reaches the
    // enrichment, which cannot read it (no e-mail, a number for a name).
    await runtime.clients.dynamodb.send(
      new PutItemCommand({ TableName: table, Item: { id: { S: poisonId }, patientName: { N: '42' }, lastChange: { M: { kind: { S: 'booked' } } } } }),
    );
    const after = await book(email, 'Katherine Johnson');

    expect((await finalStage(after)).stage).toBe('emailed');
    const poison = await eventually('the poison record in the stream', () => streamPositionOf(poisonId));
    const pipeDlq = runtime.state().deadLetterQueues.find((queue) => queue.kind === 'pipe');
    expect(pipeDlq).toBeDefined();
    const message = await eventually('the pipe DLQ message naming the poison record', async () => {
      const received = await runtime.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: pipeDlq?.queue.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      return received.Messages?.find((m) => deadLetterCovers(m.Body, poison));
    }, 30_000);
    const afterPosition = await streamPositionOf(after);
    expect(afterPosition).toBeDefined();
    expect(deadLetterCovers(message.Body, afterPosition as StreamPosition)).toBe(false);
    expect(pipeEvents.some((e) => e.type === 'record-filtered-in' && (e.record.keys.id as { S?: string } | undefined)?.S === poisonId)).toBe(true);
    expect(stages.some((e) => e.appointmentId === poisonId && e.stage === 'dead-lettered')).toBe(true);
  }, 60_000);

  it('logs one correlation id (the appointment id) from the API through the pipe to the notifier, with no raw PII', async () => {
    const email = uniqueEmail('trace');
    await setContact(email, { preferredMethod: 'sms', phoneNumber: '+447700900209' });

    const id = await book(email, 'Correlated Patient');
    await finalStage(id);

    const correlated = await eventually('a correlated line from every function', () => {
      const names = new Set(functionLogs.filter(({ line }) => line.includes(`"correlation_id":"${id}"`)).map(({ name }) => name));
      return ['booking', 'enrichment', 'notifier'].every((name) => names.has(name)) ? names : undefined;
    });
    expect([...correlated].sort()).toEqual(['booking', 'enrichment', 'notifier']);
    const everything = functionLogs.map(({ line }) => line).join('\n');
    expect(everything).not.toContain(email);
    expect(everything).not.toContain('+447700900209');
  }, 60_000);
});
