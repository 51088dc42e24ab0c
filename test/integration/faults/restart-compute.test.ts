import { randomUUID } from 'node:crypto';
import type { BookingStageEvent } from '../../../local-app/booking-progress';
import { attachBookingProgress } from '../../../local-app/attach-booking-progress';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime/local-runtime';
import { withRedrivenQueueVisibilityTimeout } from '../../../harness/assembly-variant';
import { devAssembly, eventually, futureDateTime, postJson, removeDirectory } from '../../e2e/e2e-support';
import { putContactAsStaff } from '../../e2e/identity-support';

/** restartCompute() with fault injection off: the compute is replaced, the state stays, the API waits. */
describe('local runtime: restartCompute', () => {
  let runtime: LocalRuntime;
  let assembly: string;
  const stages: BookingStageEvent[] = [];

  beforeAll(async () => {
    // Redeliveries in seconds, should the restart interrupt a notifier invocation.
    assembly = withRedrivenQueueVisibilityTimeout(await devAssembly(), 2).assemblyDir;
    runtime = await startLocalRuntime({ assemblyDir: assembly, pipe: { pollIntervalMs: 100, retryBaseDelayMs: 20, retryMaxDelayMs: 100 }, sqsWaitTimeSeconds: 1 });
    attachBookingProgress(runtime).onStage((event) => stages.push(event));
  }, 180_000);

  afterAll(async () => {
    await runtime?.stop();
    removeDirectory(assembly);
  });

  const api = (path: string): URL => new URL(path, runtime.apiUrl);

  async function emailContact(): Promise<string> {
    const email = `restart.${randomUUID().slice(0, 8)}@example.com`;
    expect((await putContactAsStaff(runtime, email, { preferredMethod: 'email' })).status).toBe(200);
    return email;
  }
  const book = (email: string) => postJson(api('appointments'), { patientName: 'Mary Somerville', email, dentist: 'Dr. Lee Jones', appointmentDateTime: futureDateTime() });
  const emailsFor = async (id: string): Promise<number> => (await runtime.emulators.ses.listEmails()).filter((mail) => (mail.text ?? '').includes(id)).length;

  it('replaces the function host and runners, keeps emulator state and checkpoints, and serves API calls made during the restart', async () => {
    expect(runtime.faults).toBeUndefined();
    const before = await book(await emailContact());
    expect(before.status).toBe(201);
    const beforeId = before.body.id as string;
    await eventually('the first booking e-mailed', () => (stages.some((e) => e.appointmentId === beforeId && e.stage === 'emailed') ? true : undefined), 30_000);
    const oldHost = runtime.functions;
    const secondEmail = await emailContact();

    const [, during] = await Promise.all([runtime.restartCompute(), book(secondEmail)]);

    expect(during.status).toBe(201);
    expect(runtime.functions).not.toBe(oldHost);
    const duringId = during.body.id as string;
    await eventually('the booking made during the restart e-mailed', async () => ((await emailsFor(duringId)) === 1 ? true : undefined), 30_000);
    await runtime.idle();
    // The pipe resumed after its checkpoint: the first booking's record was not read and sent again.
    expect(await emailsFor(beforeId)).toBe(1);
    expect(stages.filter((e) => e.appointmentId === beforeId && e.stage === 'queued')).toHaveLength(1);
    expect(runtime.faultStats()).toMatchObject({ total: 0, computeRestarts: 1, notifierCrash: 0 });
  }, 90_000);
});
