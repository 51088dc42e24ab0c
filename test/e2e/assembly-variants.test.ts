import { randomUUID } from 'node:crypto';
import type { BookingStageEvent } from '../../local-app/booking-progress';
import { attachBookingProgress } from '../../local-app/attach-booking-progress';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime/local-runtime';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { devAssembly, eventually, futureDateTime, notificationsTableName, postJson, removeDirectory, setEmailBehindTheApi, resourcesOfType, variantAssembly } from './e2e-support';
import { putContactAsStaff } from './identity-support';

/**
 * The runtime reads the assembly; it does not know the product. A variant assembly, as a changed
 * `cdk synth` would write it, changes what happens locally with no change to the runtime:
 * - the pipe's filter also admits MODIFY records whose lastChange still says booked (writes that
 *   are no patient-visible change, which the synthesized filter drops), so such an update notifies
 *   again, on the channel of the address it now names;
 * - the notifications queue's visibility timeout is 2 s instead of 181 s, so SQS's redrive of a
 *   message the notifier keeps failing can be watched in seconds.
 */
describe('local runtime: a variant assembly changes behaviour with no runtime change', () => {
  let runtime: LocalRuntime;
  let assembly: string;
  const stages: BookingStageEvent[] = [];
  // Added to the synthesized filters: any MODIFY of a booked appointment. The notifier writes only
  // its notifications table, so its outcomes still cannot loop back through the pipe.
  const EVERY_MODIFY_FILTER = { eventName: ['MODIFY'], dynamodb: { NewImage: { lastChange: { M: { kind: { S: ['booked'] } } } } } };

  beforeAll(async () => {
    assembly = variantAssembly(await devAssembly(), (template) => {
      for (const pipe of resourcesOfType(template, 'AWS::Pipes::Pipe')) {
        const source = pipe.Properties.SourceParameters as { FilterCriteria: { Filters: Array<{ Pattern: string }> } };
        source.FilterCriteria.Filters = [...source.FilterCriteria.Filters, { Pattern: JSON.stringify(EVERY_MODIFY_FILTER) }];
      }
      for (const queue of resourcesOfType(template, 'AWS::SQS::Queue')) {
        if (queue.Properties.RedrivePolicy) queue.Properties.VisibilityTimeout = 2;
      }
    });
    runtime = await startLocalRuntime({ assemblyDir: assembly, pipe: { pollIntervalMs: 100 }, sqsWaitTimeSeconds: 1 });
    attachBookingProgress(runtime).onStage((event) => stages.push(event));
  }, 120_000);

  afterAll(async () => {
    await runtime?.stop();
    removeDirectory(assembly);
  });

  const api = (path: string): URL => new URL(path, runtime.apiUrl);
  const uniqueEmail = (tag: string): string => `${tag}.${randomUUID().slice(0, 8)}@example.com`;
  const reached = (id: string, stage: BookingStageEvent['stage']) =>
    eventually(`booking ${id} ${stage}`, () => stages.find((e) => e.appointmentId === id && e.stage === stage), 30_000);

  async function book(email: string): Promise<string> {
    const response = await postJson(api('appointments'), {
      patientName: 'Dorothy Hodgkin',
      email,
      dentist: 'Dr. Lee Jones',
      appointmentDateTime: futureDateTime(),
    });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }

  it('notifies again when an update passes the filter (parity with the synthesized filter)', async () => {
    const email = uniqueEmail('parity');
    const smsEmail = uniqueEmail('parity-sms');
    expect((await putContactAsStaff(runtime, email, { preferredMethod: 'email' })).status).toBe(200);
    expect((await putContactAsStaff(runtime, smsEmail, { preferredMethod: 'sms', phoneNumber: '+447700900301' })).status).toBe(200);
    const id = await book(email);
    await reached(id, 'emailed');

    await setEmailBehindTheApi(runtime, id, smsEmail);

    await reached(id, 'sms');
    const texts = (await runtime.emulators.sms.listMessages()).filter((sms) => sms.phoneNumber === '+447700900301');
    expect(texts).toHaveLength(1);
    // The notifier's outcome rows are in their own table: no loop, one e-mail.
    await runtime.idle();
    expect((await runtime.emulators.ses.listEmails()).filter((mail) => mail.to.includes(email))).toHaveLength(1);
  }, 60_000);

  it('moves a message the notifier keeps failing to the notifications DLQ after maxReceiveCount', async () => {
    const email = uniqueEmail('failing-sms');
    const phoneNumber = '+447700900399';
    runtime.emulators.sms.setFaultHook((request) => (request.phoneNumber === phoneNumber ? { code: 'InternalError' } : undefined));
    expect((await putContactAsStaff(runtime, email, { preferredMethod: 'sms', phoneNumber })).status).toBe(200);

    const id = await book(email);

    await reached(id, 'failed');
    const deadLettered = await reached(id, 'dead-lettered');
    expect(deadLettered.detail).toContain('receive 3 of 3');
    const dlq = runtime.state().deadLetterQueues.find((queue) => queue.kind === 'sqs-redrive');
    const { peekMessages } = await import('../../ops/dlq/peek-messages');
    const messages = await eventually('the message in the notifications DLQ', async () => {
      const found = (await peekMessages(runtime.clients.sqs, dlq?.queue.url as string, { max: 10, holdSeconds: 1 })).filter((m) => m.body.includes(id));
      return found.length > 0 ? found : undefined;
    }, 30_000);
    expect(messages).toHaveLength(1);
    expect(await runtime.emulators.sms.listMessages()).not.toContainEqual(expect.objectContaining({ phoneNumber }));
    // The last allowed attempt marked the notification failed, with its cause, where
    // `npm run dlq -- list` and GET /appointments/{id} read it.
    const { Items } = await runtime.clients.dynamodb.send(
      new QueryCommand({ TableName: notificationsTableName(runtime), KeyConditionExpression: 'appointmentId = :id', ExpressionAttributeValues: { ':id': { S: id } }, ConsistentRead: true }),
    );
    const row = (Items ?? []).map((item) => unmarshall(item)).find((candidate) => candidate.notificationId === 'change-1');
    expect(row).toMatchObject({ kind: 'booked', version: 1, status: 'failed', attempts: 3 });
    expect(String(row?.cause)).toMatch(/Internal/);
  }, 90_000);
});
