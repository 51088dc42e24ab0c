import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { randomInt, randomUUID } from 'node:crypto';
import type { BookingStageEvent } from '../../../local-app/booking-progress';
import { attachBookingProgress } from '../../../local-app/attach-booking-progress';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime/local-runtime';
import { peekMessages } from '../../../ops/dlq/peek-messages';
import { withRedrivenQueueVisibilityTimeout } from '../../../harness/assembly-variant';
import { KILLED_INVOCATION } from '../../../harness/outcome-accounting';
import { devAssembly, eventually, futureDateTime, postJson, removeDirectory } from '../../e2e/e2e-support';
import { putContactAsStaff } from '../../e2e/identity-support';

type Preference = 'email' | 'sms' | 'none';

interface Booking {
  id: string;
  preference: Preference;
  email: string;
  phoneNumber?: string;
}

const BOOKINGS = 36;
const RATE = 0.3;

/**
 * Every fault at once, at a high rate, with a compute restart in the middle: the flow still ends
 * every booking notified, skipped or dead-lettered, and notifies nobody twice unless the process
 * was killed in the middle of that very send (the one window idempotency cannot close).
 *
 * The variant assembly makes redeliveries happen in seconds: the notifications queue's visibility
 * timeout is 2 s, and so is the notifier's timeout (Lambda requires the visibility timeout to be at
 * least the function timeout; Powertools idempotency keeps an interrupted send's record "in
 * progress" for the invocation's remaining time, which must pass before a redelivery may retry).
 */
describe('local runtime under injected faults and a compute restart', () => {
  let runtime: LocalRuntime;
  let assembly: string;
  const stages: BookingStageEvent[] = [];

  beforeAll(async () => {
    assembly = withRedrivenQueueVisibilityTimeout(await devAssembly(), 2).assemblyDir;
    runtime = await startLocalRuntime({
      assemblyDir: assembly,
      pipe: { pollIntervalMs: 100, retryBaseDelayMs: 20, retryMaxDelayMs: 100 },
      sqsWaitTimeSeconds: 1,
      faults: { sesErrorRate: RATE, snsErrorRate: RATE, enrichmentErrorRate: RATE, notifierCrashRate: RATE, seed: 42 },
    });
    attachBookingProgress(runtime).onStage((event) => stages.push(event));
  }, 180_000);

  afterAll(async () => {
    await runtime?.stop();
    removeDirectory(assembly);
  });

  const api = (path: string): URL => new URL(path, runtime.apiUrl);
  const reachedStage = (id: string, stage: BookingStageEvent['stage']): boolean => stages.some((event) => event.appointmentId === id && event.stage === stage);

  async function book(preference: Preference): Promise<Booking> {
    const email = `faults.${preference}.${randomUUID().slice(0, 8)}@example.com`;
    // A number per booking, so SMS can be counted per booking (the SMS text carries no id).
    const phoneNumber = preference === 'sms' ? `+4477009${String(randomInt(0, 100_000)).padStart(5, '0')}` : undefined;
    const contact = await putContactAsStaff(runtime, email, { preferredMethod: preference, ...(phoneNumber ? { phoneNumber } : {}) });
    expect(contact.status).toBe(200);
    const created = await postJson(api('appointments'), { patientName: 'Grace Hopper', email, dentist: 'Dr. Lee Jones', appointmentDateTime: futureDateTime() });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, preference, email, ...(phoneNumber ? { phoneNumber } : {}) };
  }

  const preferences: Preference[] = ['email', 'sms', 'none'];
  const bookAll = (from: number, to: number): Promise<Booking[]> => Promise.all(Array.from({ length: to - from }, (_, index) => book(preferences[(from + index) % 3])));

  async function queueDepth(queueUrl: string): Promise<number> {
    const { Attributes = {} } = await runtime.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
  }

  it('ends every booking notified, skipped or dead-lettered, sends twice only after a kill mid-send, and counts the faults it survived', async () => {
    const queues = runtime.state().deadLetterQueues;
    const notifications = queues.find((queue) => queue.kind === 'sqs-redrive');
    const pipeDlq = queues.find((queue) => queue.kind === 'pipe');
    if (!notifications?.source) throw new Error('the assembly has no notifications queue with a DLQ');

    const firstHalf = await bookAll(0, BOOKINGS / 2);
    // Restart while the first half is in flight: some notified, the rest in the pipe or the queue.
    await eventually('a few first-half bookings notified', () => (firstHalf.filter((b) => ['emailed', 'sms', 'skipped'].some((s) => reachedStage(b.id, s as BookingStageEvent['stage']))).length >= 3 ? true : undefined), 60_000);
    await runtime.restartCompute();
    const secondHalf = await bookAll(BOOKINGS / 2, BOOKINGS);
    const bookings = [...firstHalf, ...secondHalf];

    // Settled: every booking reached the queue or the pipe's DLQ, and the queue has drained.
    const pipeDeadLettered = (booking: Booking): boolean =>
      stages.some((event) => event.appointmentId === booking.id && event.stage === 'dead-lettered' && (event.detail ?? '').startsWith('pipe gave up'));
    await eventually(
      'every booking through the pipe and the notifications queue drained',
      async () => {
        if (!bookings.every((booking) => reachedStage(booking.id, 'queued') || pipeDeadLettered(booking))) return undefined;
        await runtime.idle();
        return (await queueDepth(notifications.source?.url as string)) === 0 ? true : undefined;
      },
      150_000,
    );

    const emails = await runtime.emulators.ses.listEmails();
    const texts = runtime.emulators.sms.listMessages();
    const dlqBodies = (await peekMessages(runtime.clients.sqs, notifications.queue.url, { max: 1000, holdSeconds: 1 })).map((message) => message.body);
    const resentAfterKill: string[] = [];
    const outcomes = bookings.map((booking) => {
      const emailed = emails.filter((email) => (email.text ?? '').includes(booking.id)).length;
      const sms = booking.phoneNumber ? texts.filter((text) => text.phoneNumber === booking.phoneNumber).length : 0;
      const skipped = reachedStage(booking.id, 'skipped');
      const queueDeadLettered = dlqBodies.some((body) => body.includes(booking.id));
      return { booking, emailed, sms, skipped, deadLettered: queueDeadLettered || pipeDeadLettered(booking) };
    });

    for (const { booking, emailed, sms, skipped, deadLettered } of outcomes) {
      const delivered = booking.preference === 'email' ? emailed > 0 : booking.preference === 'sms' ? sms > 0 : skipped;
      // The booking's stages are in the object so a failure says where it stopped.
      const journey = stages.filter((event) => event.appointmentId === booking.id).map((event) => `${event.stage}${event.detail ? ` (${event.detail})` : ''}`);
      expect({ id: booking.id, preference: booking.preference, ended: delivered || deadLettered, journey }).toEqual({ id: booking.id, preference: booking.preference, ended: true, journey });
      // Never twice, and never on a channel the patient did not choose.
      expect({ id: booking.id, emailed, sms }).toEqual({
        id: booking.id,
        emailed: booking.preference === 'email' ? expect.any(Number) : 0,
        sms: booking.preference === 'sms' ? expect.any(Number) : 0,
      });
      // Idempotency stops every resend except one: a process killed after the provider accepted
      // the send but before the idempotency record was completed. Its record stays "in progress"
      // only for the killed invocation's remaining time, so the redelivery sends again (as in
      // Lambda). So each kill of an invocation carrying the booking allows at most one more send,
      // and a booking that was never killed is sent at most once.
      const kills = journey.filter((line) => line.includes(KILLED_INVOCATION)).length;
      const sentTwice = emailed > 1 || sms > 1;
      if (sentTwice) resentAfterKill.push(booking.id);
      expect({ id: booking.id, atMostOncePlusKills: emailed <= 1 + kills && sms <= 1 + kills, journey }).toEqual({ id: booking.id, atMostOncePlusKills: true, journey });
    }

    // What the pipe gave up on is in its DLQ (one message per dead-lettered batch).
    const pipeDlqMessages = pipeDlq ? await queueDepth(pipeDlq.queue.url) : 0;
    if (bookings.some(pipeDeadLettered)) expect(pipeDlqMessages).toBeGreaterThan(0);
    const stats = runtime.faultStats();
    const deadLettered = outcomes.filter((outcome) => outcome.deadLettered).length;
    // A figure for the reader, not an assertion on timing.
    process.stdout.write(
      `faults survived: ${JSON.stringify(stats)}; ${bookings.length} bookings, ${deadLettered} dead-lettered ` +
        `(${dlqBodies.length} in the notifications DLQ, ${pipeDlqMessages} batches in the pipe DLQ), ${emails.length} e-mails, ${texts.length} SMS, ` +
        `${resentAfterKill.length} sent twice after a kill mid-send\n`,
    );
    expect(stats.total).toBeGreaterThan(0);
    expect(stats.computeRestarts).toBe(1);
    expect(stats.enrichmentError).toBeGreaterThan(0);
    expect(stats.sesThrottling + stats.sesServerError).toBeGreaterThan(0);
    expect(stats.smsThrottling + stats.smsServerError).toBeGreaterThan(0);
    expect(stats.notifierCrash).toBeGreaterThan(0);
    // Most bookings get through: 0.3 per attempt, three receives and the SDK's own retries.
    expect(deadLettered).toBeLessThan(bookings.length / 2);
  }, 300_000);
});
