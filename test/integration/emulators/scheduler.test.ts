import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { createManualClock, createRealClock } from '../../../local/emulators/scheduler-clock';
import { startSchedulerEmulator, type DeliveryContext, type RunningScheduler } from '../../../local/emulators/scheduler';
import { pollUntil } from './poll-until';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const START = Date.UTC(2026, 11, 1, 9, 0, 0);
const TARGET_ARN = 'arn:aws:sqs:eu-west-2:000000000000:reminders';
const DLQ_ARN = 'arn:aws:sqs:eu-west-2:000000000000:reminders-dlq';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/scheduler-role';

interface Delivery {
  arn: string;
  input: string;
  scheduleName: string;
  context: DeliveryContext;
  atMs: number;
}

function reminder(name: string, at: string, extra: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput {
  return {
    Name: name,
    GroupName: 'reminders',
    ScheduleExpression: `at(${at})`,
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: TARGET_ARN, RoleArn: ROLE_ARN, Input: JSON.stringify({ appointmentId: name }) },
    ActionAfterCompletion: 'NONE',
    ...extra,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('Scheduler emulator over HTTP with @aws-sdk/client-scheduler', () => {
  const clock = createManualClock(START);
  const deliveries: Delivery[] = [];
  let failTarget = false;
  let scheduler: RunningScheduler;
  let client: SchedulerClient;

  beforeAll(async () => {
    scheduler = await startSchedulerEmulator({
      clock,
      region: 'eu-west-2',
      groups: ['reminders'],
      deliver: (target, input, scheduleName, context) => {
        deliveries.push({ arn: target.Arn, input, scheduleName, context, atMs: clock.now() });
        if (failTarget && context.kind === 'target') throw new Error('target refused');
      },
    });
    client = new SchedulerClient({ endpoint: scheduler.endpoint, region: 'eu-west-2', credentials, maxAttempts: 1 });
  });

  afterAll(async () => {
    client?.destroy();
    await scheduler?.stop();
  });

  beforeEach(() => {
    deliveries.length = 0;
    failTarget = false;
  });

  it('listens on the loopback interface', () => {
    expect(scheduler.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(scheduler.port).toBeGreaterThan(0);
  });

  it('creates, gets, updates and deletes a schedule', async () => {
    const created = await client.send(new CreateScheduleCommand(reminder('crud', '2031-05-01T10:00:00', { Description: 'first' })));
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:eu-west-2:000000000000:schedule/reminders/crud');
    const got = await client.send(new GetScheduleCommand({ Name: 'crud', GroupName: 'reminders' }));
    expect(got).toMatchObject({ Name: 'crud', GroupName: 'reminders', State: 'ENABLED', Description: 'first', ScheduleExpressionTimezone: 'UTC', Target: { Arn: TARGET_ARN, RoleArn: ROLE_ARN } });
    expect(got.CreationDate).toEqual(new Date(START));
    await client.send(new UpdateScheduleCommand(reminder('crud', '2031-06-01T10:00:00', { State: 'DISABLED' })));
    const updated = await client.send(new GetScheduleCommand({ Name: 'crud', GroupName: 'reminders' }));
    expect(updated).toMatchObject({ ScheduleExpression: 'at(2031-06-01T10:00:00)', State: 'DISABLED' });
    expect(updated.Description).toBeUndefined();
    const listed = await client.send(new ListSchedulesCommand({ GroupName: 'reminders', NamePrefix: 'cr', State: 'DISABLED' }));
    expect(listed.Schedules?.map((s) => s.Name)).toEqual(['crud']);
    await client.send(new DeleteScheduleCommand({ Name: 'crud', GroupName: 'reminders' }));
    const gone = await rejection(client.send(new GetScheduleCommand({ Name: 'crud', GroupName: 'reminders' })));
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone.message).toBe('Schedule crud does not exist.');
    expect(gone.$metadata?.httpStatusCode).toBe(404);
  });

  it('answers every error in the shape the SDK parses', async () => {
    await client.send(new CreateScheduleCommand(reminder('taken', '2031-05-01T10:00:00')));
    const duplicate = await rejection(client.send(new CreateScheduleCommand(reminder('taken', '2031-05-01T10:00:00'))));
    expect(duplicate).toBeInstanceOf(ConflictException);
    expect(duplicate.$metadata?.httpStatusCode).toBe(409);

    const missingUpdate = await rejection(client.send(new UpdateScheduleCommand(reminder('nothing', '2031-05-01T10:00:00'))));
    expect(missingUpdate).toBeInstanceOf(ResourceNotFoundException);
    const missingDelete = await rejection(client.send(new DeleteScheduleCommand({ Name: 'nothing' })));
    expect(missingDelete).toBeInstanceOf(ResourceNotFoundException);
    const missingGroup = await rejection(client.send(new CreateScheduleCommand(reminder('x', '2031-05-01T10:00:00', { GroupName: 'nope' }))));
    expect(missingGroup).toBeInstanceOf(ResourceNotFoundException);
    expect(missingGroup.message).toBe('Schedule group nope does not exist.');

    const invalid: Array<[Partial<CreateScheduleCommandInput>, RegExp]> = [
      [{ ScheduleExpression: 'rate(5 minutes)' }, /one-time at\(yyyy-mm-ddThh:mm:ss\) schedules only/],
      [{ ScheduleExpression: 'at(2031-02-30T10:00:00)' }, /Invalid Schedule Expression/],
      [{ ScheduleExpressionTimezone: 'Europe/Atlantis' }, /ScheduleExpressionTimezone Europe\/Atlantis/],
      [{ FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }, /MaximumWindowInMinutes is required/],
      [{ Target: { Arn: TARGET_ARN, RoleArn: 'not-a-role' } }, /'target.roleArn'/],
      [{ Target: { Arn: TARGET_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumRetryAttempts: 500 } } }, /'target.retryPolicy.maximumRetryAttempts'/],
      [{ State: 'PAUSED' as never }, /'state'/],
    ];
    for (const [override, message] of invalid) {
      const error = await rejection(client.send(new CreateScheduleCommand(reminder('invalid', '2031-05-01T10:00:00', override))));
      expect(error).toBeInstanceOf(ValidationException);
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(error.message).toMatch(message);
    }
  });

  it('puts the error type in x-amzn-errortype and the message in the JSON body', async () => {
    const missing = await fetch(`${scheduler.endpoint}/schedules/absent?groupName=reminders`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await missing.json()).toEqual({ Message: 'Schedule absent does not exist.' });
    const notJson = await fetch(`${scheduler.endpoint}/schedules/broken`, { method: 'POST', body: '{oops', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('x-amzn-errortype')).toBe('ValidationException');
    const unknown = await fetch(`${scheduler.endpoint}/tags/arn`, { method: 'GET' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(((await unknown.json()) as { Message: string }).Message).toMatch(/no operation GET \/tags\/arn/);
  });

  it('manages schedule groups', async () => {
    await client.send(new CreateScheduleGroupCommand({ Name: 'extra' }));
    expect((await client.send(new GetScheduleGroupCommand({ Name: 'extra' }))).State).toBe('ACTIVE');
    expect(await rejection(client.send(new CreateScheduleGroupCommand({ Name: 'extra' })))).toBeInstanceOf(ConflictException);
    await client.send(new DeleteScheduleGroupCommand({ Name: 'extra' }));
    expect(await rejection(client.send(new GetScheduleGroupCommand({ Name: 'extra' })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('fires a 2031 reminder once on advance; an update moves it; a delete cancels it', async () => {
    await client.send(new CreateScheduleCommand(reminder('booking-1', '2031-03-14T09:30:00', { ScheduleExpressionTimezone: 'Europe/London' })));
    await client.send(new CreateScheduleCommand(reminder('booking-2', '2031-03-14T09:30:00')));
    await client.send(new CreateScheduleCommand(reminder('booking-3', '2031-03-14T09:30:00')));
    await client.send(new UpdateScheduleCommand(reminder('booking-2', '2031-07-14T09:30:00', { ScheduleExpressionTimezone: 'Europe/London' })));
    await client.send(new DeleteScheduleCommand({ Name: 'booking-3', GroupName: 'reminders' }));

    // Only this test's schedules (the error test left one in 2031 too).
    const bookings = (): Delivery[] => deliveries.filter((d) => d.scheduleName.startsWith('booking-'));
    await clock.advanceTo(Date.UTC(2031, 2, 15));
    // London is on GMT in March: 09:30 there is 09:30 UTC.
    expect(bookings().map((d) => [d.scheduleName, new Date(d.atMs).toISOString(), d.input])).toEqual([
      ['booking-1', '2031-03-14T09:30:00.000Z', JSON.stringify({ appointmentId: 'booking-1' })],
    ]);
    await clock.advanceTo(Date.UTC(2031, 11, 31));
    // July is BST: 09:30 in London is 08:30 UTC. booking-1 does not fire again; booking-3 never.
    expect(bookings().map((d) => [d.scheduleName, new Date(d.atMs).toISOString()])).toEqual([
      ['booking-1', '2031-03-14T09:30:00.000Z'],
      ['booking-2', '2031-07-14T08:30:00.000Z'],
    ]);
    expect((await client.send(new GetScheduleCommand({ Name: 'booking-1', GroupName: 'reminders' }))).State).toBe('ENABLED');
  });

  it('retries a failing target, dead-letters it, then deletes the schedule (ActionAfterCompletion DELETE)', async () => {
    failTarget = true;
    const base = clock.now();
    const at = new Date(base + 3_600_000).toISOString().slice(0, 19);
    await client.send(
      new CreateScheduleCommand(
        reminder('failing', at, {
          ActionAfterCompletion: 'DELETE',
          Target: { Arn: TARGET_ARN, RoleArn: ROLE_ARN, Input: '{"appointmentId":"failing"}', RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: DLQ_ARN } },
        }),
      ),
    );
    await clock.advanceBy(2 * 3_600_000);
    expect(deliveries.map((d) => [d.arn, d.context.attempt])).toEqual([
      [TARGET_ARN, 1],
      [TARGET_ARN, 2],
      [TARGET_ARN, 3],
      [TARGET_ARN, 4],
      [DLQ_ARN, 4],
    ]);
    expect(deliveries[4].context.error).toEqual({ code: 'Error', message: 'target refused' });
    expect(await rejection(client.send(new GetScheduleCommand({ Name: 'failing', GroupName: 'reminders' })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('fires at once a schedule created with a time already past', async () => {
    await client.send(new CreateScheduleCommand(reminder('overdue', '2020-01-01T00:00:00')));
    await pollUntil('the overdue schedule to fire', () => (deliveries.length > 0 ? true : undefined), 5000);
    expect(deliveries.map((d) => [d.scheduleName, d.atMs])).toEqual([['overdue', clock.now()]]);
  });
});

describe('Scheduler emulator on the real clock', () => {
  jest.setTimeout(20_000);

  it('fires a schedule due now without any clock being moved', async () => {
    const fired: string[] = [];
    const scheduler = await startSchedulerEmulator({ clock: createRealClock(), deliver: (_target, _input, name) => void fired.push(name) });
    const client = new SchedulerClient({ endpoint: scheduler.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const at = new Date(Date.now() + 1000).toISOString().slice(0, 19);
      await client.send(new CreateScheduleCommand({ ...reminder('soon', at), GroupName: undefined }));
      await pollUntil('the schedule due in a second to fire', () => (fired.length > 0 ? true : undefined), 10_000);
      expect(fired).toEqual(['soon']);
    } finally {
      client.destroy();
      await scheduler.stop();
    }
  });
});
