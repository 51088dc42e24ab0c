import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime/local-runtime';
import type { StoredEmail } from '../../local/emulators/ses-v2-local';
import type { PipeRunnerEvent } from '../../local/pipes/pipe-runner-events';
import { devAssembly, eventually, postJson } from './e2e-support';
import { manageTokenFromMail } from './security-support';

/**
 * A booking's whole life on the local runtime, as a patient lives it: booked, moved, cancelled,
 * reminded. One notification per change (never per appointment), each redelivery of a change sends
 * nothing more, the reminder follows the booking and fires once when the Scheduler emulator's
 * clock passes it, and the notifier's own writes never come back through the pipe.
 */
describe('local runtime: the booking lifecycle on the dev assembly', () => {
  let runtime: LocalRuntime;
  const pipeEvents: PipeRunnerEvent[] = [];
  /** Every message body the notifier was invoked with, by message id. */
  const notifierBodies = new Map<string, string>();
  const processed = new Set<string>();

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      assemblyDir: await devAssembly(),
      pipe: { pollIntervalMs: 100, retryBaseDelayMs: 20, retryMaxDelayMs: 100 },
      sqsWaitTimeSeconds: 1,
      schedulerClock: 'manual',
    });
    runtime.onPipeEvent((event) => pipeEvents.push(event));
    runtime.onSqsInvocation((_mapping, event) => {
      for (const record of (event as SQSEvent).Records ?? []) notifierBodies.set(record.messageId, record.body);
    });
    runtime.onSqsOutcome((event) => {
      if (event.type === 'outcome') for (const id of event.messageIds) processed.add(id);
    });
  }, 120_000);

  afterAll(async () => {
    await runtime?.stop();
  });

  const api = (path: string): string => new URL(path, runtime.apiUrl).toString();
  // 2031-03-12 is a Wednesday: in opening hours (London is on GMT in March until the 30th).
  const FIRST_TIME = '2031-03-12T10:00:00+00:00';
  const MOVED_TIME = '2031-03-13T14:30:00+00:00';
  const DAY_MS = 24 * 3600 * 1000;

  async function book(email: string, appointmentDateTime = FIRST_TIME): Promise<{ id: string; token: string }> {
    const response = await postJson(api('appointments'), { patientName: 'Grace Hopper', email, dentist: 'Dr. Lee Jones', appointmentDateTime });
    expect(response.status).toBe(201);
    const id = response.body.id as string;
    return { id, token: await manageTokenFromMail(runtime, id) };
  }

  async function call(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; etag: string | null }> {
    const response = await fetch(api(path), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, etag: response.headers.get('etag') };
  }

  async function mailsOf(id: string): Promise<StoredEmail[]> {
    return (await runtime.emulators.ses.listEmails()).filter((mail) => (mail.text ?? '').includes(`Appointment reference: ${id}`));
  }

  /** Waits for the appointment's `count`-th e-mail, then returns them all. */
  async function waitForMails(id: string, count: number): Promise<StoredEmail[]> {
    return eventually(`e-mail ${count} of ${id}`, async () => {
      const mails = await mailsOf(id);
      return mails.length >= count ? mails : undefined;
    }, 30_000);
  }

  /** The calendar invite of an e-mail, as `NAME` → value (lines unfolded). */
  function inviteOf(mail: StoredEmail): Record<string, string> {
    const attachment = mail.attachments.find((candidate) => candidate.contentType.startsWith('text/calendar'));
    if (!attachment) throw new Error(`e-mail "${mail.subject}" carries no calendar invite`);
    const lines = attachment.content.toString('utf8').replace(/\r\n[ \t]/g, '').split('\r\n');
    const fields: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0 && !(line.slice(0, colon) in fields)) fields[line.slice(0, colon)] = line.slice(colon + 1);
    }
    return fields;
  }

  async function notificationsOf(id: string, token: string): Promise<Array<Record<string, unknown>>> {
    return (await call('GET', `appointments/${id}`, token)).body.notifications as Array<Record<string, unknown>>;
  }

  async function waitForStatus(id: string, token: string, notificationId: string, status: string): Promise<Record<string, unknown>> {
    return eventually(`${notificationId} of ${id} to be ${status}`, async () => (await notificationsOf(id, token)).find((row) => row.notificationId === notificationId && row.status === status), 30_000);
  }

  const reminderOf = (id: string) => runtime.scheduler.list().find((schedule) => schedule.Name === `reminder-${id}`);

  /** Sends a body the notifier already handled to its queue again, as an SQS redelivery or a pipe resend would, and waits until it is processed. */
  async function redeliver(body: string): Promise<void> {
    const queueUrl = runtime.state().pipes?.[0]?.targetQueueUrl;
    if (!queueUrl) throw new Error('the runtime names no pipe target queue');
    const { MessageId } = await runtime.clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    await eventually(`the redelivered message ${MessageId} to be processed`, () => (MessageId && processed.has(MessageId) ? true : undefined), 30_000);
  }

  const bodyOfChange = (id: string, version: number): string => {
    const body = [...notifierBodies.values()].find((candidate) => {
      const parsed = JSON.parse(candidate) as { id?: string; version?: number };
      return parsed.id === id && parsed.version === version;
    });
    if (!body) throw new Error(`the notifier never received version ${version} of ${id}`);
    return body;
  };

  const passedFilter = (id: string): number => pipeEvents.filter((event) => event.type === 'record-filtered-in' && (event.record.keys.id as { S?: string } | undefined)?.S === id).length;

  describe('one appointment, booked, moved, then cancelled', () => {
    const email = `lifecycle.${randomUUID().slice(0, 8)}@example.com`;
    let id: string;
    let token: string;

    it('book: one confirmation with a calendar REQUEST (SEQUENCE 0), the notification sent and the reminder due 24 h before', async () => {
      ({ id, token } = await book(email));
      const [confirmation] = await waitForMails(id, 1);
      expect(confirmation.subject).toMatch(/^Your appointment with Dr\. Lee Jones/);
      const invite = inviteOf(confirmation);
      expect(invite).toMatchObject({ METHOD: 'REQUEST', SEQUENCE: '0', DTSTART: '20310312T100000Z' });
      expect(invite.UID).toMatch(new RegExp(`^${id}@`));

      await waitForStatus(id, token, 'change-1', 'sent');
      const view = await eventually('the reminder to be scheduled', async () => {
        const answer = await call('GET', `appointments/${id}`, token);
        return answer.body.reminderDueAt ? answer : undefined;
      });
      expect(view.etag).toBe('"1"');
      expect(view.body).toMatchObject({ status: 'booked', version: 1, reminderDueAt: '2031-03-11T10:00:00.000Z' });
      expect(reminderOf(id)?.ScheduleExpression).toBe('at(2031-03-11T10:00:00)');
    });

    it('reschedule: one message naming the new time, the invite updated under the same UID, the reminder moved', async () => {
      const answer = await call('PATCH', `appointments/${id}`, token, { appointmentDateTime: MOVED_TIME });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ version: 2, appointmentDateTime: MOVED_TIME, lastChange: { kind: 'rescheduled', previousAppointmentDateTime: FIRST_TIME } });

      const mails = await waitForMails(id, 2);
      const moved = mails[1];
      expect(moved.subject).toMatch(/^Your appointment is changed/);
      expect(moved.text).toContain('14:30');
      const invite = inviteOf(moved);
      expect(invite).toMatchObject({ METHOD: 'REQUEST', SEQUENCE: '1', DTSTART: '20310313T143000Z', UID: inviteOf(mails[0]).UID });

      await waitForStatus(id, token, 'change-2', 'sent');
      await eventually('the reminder to move', () => (reminderOf(id)?.ScheduleExpression === 'at(2031-03-12T14:30:00)' ? true : undefined));
    });

    it('redelivering either change sends nothing more', async () => {
      await redeliver(bodyOfChange(id, 1));
      await redeliver(bodyOfChange(id, 2));
      expect(await mailsOf(id)).toHaveLength(2);
    });

    it('two concurrent changes of one version: one wins, the other gets 409', async () => {
      const results = await Promise.all([
        call('PATCH', `appointments/${id}`, token, { dentist: 'Dr. Priya Shah' }, { 'if-match': '"2"' }),
        call('PATCH', `appointments/${id}`, token, { dentist: 'Dr. Tom Okafor' }, { 'if-match': '"2"' }),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual([200, 409]);
      expect(results.find((result) => result.status === 409)?.body).toMatchObject({ code: 'VersionConflict' });
      await waitForMails(id, 3);
    });

    it('cancel: one cancellation (METHOD:CANCEL, same UID, higher SEQUENCE), no reminder left, and no change after it', async () => {
      const answer = await call('POST', `appointments/${id}/cancel`, token, { reason: 'Moving abroad' });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'cancelled', version: 4 });

      const mails = await waitForMails(id, 4);
      const cancellation = mails[3];
      expect(cancellation.subject).toMatch(/^Cancelled:/);
      expect(cancellation.text).not.toContain('Moving abroad');
      const invite = inviteOf(cancellation);
      expect(invite).toMatchObject({ METHOD: 'CANCEL', SEQUENCE: '3', UID: inviteOf(mails[0]).UID });

      await waitForStatus(id, token, 'change-4', 'sent');
      await eventually('the reminder to be deleted', () => (reminderOf(id) === undefined ? true : undefined));
      const reminder = await waitForStatus(id, token, 'reminder', 'skipped');
      expect(String(reminder.cause)).toMatch(/cancel/i);

      const late = await call('PATCH', `appointments/${id}`, token, { appointmentDateTime: FIRST_TIME });
      expect(late.status).toBe(409);
      expect(late.body).toMatchObject({ code: 'AppointmentCancelled' });
      await redeliver(bodyOfChange(id, 4));
      expect(await mailsOf(id)).toHaveLength(4);
    });

    it("the notifier's own writes never came back through the pipe: one filtered-in record per change", async () => {
      await runtime.idle();
      expect(passedFilter(id)).toBe(4);
    });
  });

  describe('the reminder', () => {
    it('fires exactly once when the clock passes it, and is shown sent', async () => {
      const { id, token } = await book(`reminder.${randomUUID().slice(0, 8)}@example.com`, '2031-04-02T09:00:00+01:00');
      await waitForMails(id, 1);
      await eventually('the reminder to be scheduled', () => reminderOf(id));
      const dueAt = new Date('2031-04-01T08:00:00.000Z');

      await runtime.scheduler.advanceTo(new Date(dueAt.getTime() - 60_000));
      expect(await mailsOf(id)).toHaveLength(1);

      await runtime.scheduler.advanceTo(new Date(dueAt.getTime() + 60_000));
      const mails = await waitForMails(id, 2);
      expect(mails[1].subject).toMatch(/^Reminder:/);
      expect(mails[1].text).toContain('09:00');
      await waitForStatus(id, token, 'reminder', 'sent');
      expect(reminderOf(id)).toBeUndefined();

      await runtime.scheduler.advanceBy(DAY_MS);
      await runtime.idle();
      expect(await mailsOf(id)).toHaveLength(2);
    });
  });
});
