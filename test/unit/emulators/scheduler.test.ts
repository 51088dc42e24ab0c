import { createManualClock } from '../../../local/emulators/scheduler-clock';
import { parseAtExpression } from '../../../local/emulators/scheduler-expression';
import {
  SchedulerApiError,
  SchedulerCore,
  type DeliveryContext,
  type ScheduleDefinitionInput,
  type SchedulerEvent,
} from '../../../local/emulators/scheduler';

const START = Date.UTC(2026, 11, 1, 9, 0, 0);
const TARGET_ARN = 'arn:aws:sqs:us-east-1:000000000000:reminders';
const DLQ_ARN = 'arn:aws:sqs:us-east-1:000000000000:reminders-dlq';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/scheduler-role';

interface Delivery {
  arn: string;
  input: string;
  scheduleName: string;
  context: DeliveryContext;
  atMs: number;
}

function setUp(options: { failures?: number; groups?: string[]; pastAt?: 'fire' | 'reject' } = {}) {
  const clock = createManualClock(START);
  const deliveries: Delivery[] = [];
  const events: SchedulerEvent[] = [];
  let failuresLeft = options.failures ?? 0;
  const core = new SchedulerCore({
    clock,
    groups: options.groups ?? ['reminders'],
    ...(options.pastAt !== undefined ? { pastAt: options.pastAt } : {}),
    onEvent: (event) => events.push(event),
    deliver: (target, input, scheduleName, context) => {
      deliveries.push({ arn: target.Arn, input, scheduleName, context, atMs: clock.now() });
      if (context.kind === 'target' && failuresLeft > 0) {
        failuresLeft -= 1;
        const error = new Error('queue unavailable');
        error.name = 'QueueUnavailable';
        throw error;
      }
    },
  });
  return { clock, core, deliveries, events };
}

function schedule(name: string, at: string, extra: Partial<ScheduleDefinitionInput> = {}): ScheduleDefinitionInput {
  return {
    Name: name,
    GroupName: 'reminders',
    ScheduleExpression: `at(${at})`,
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: TARGET_ARN, RoleArn: ROLE_ARN, Input: JSON.stringify({ booking: name }) },
    ...extra,
  };
}

function apiError(run: () => unknown): SchedulerApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof SchedulerApiError) return error;
    throw error;
  }
  throw new Error('expected a SchedulerApiError');
}

describe('manual clock', () => {
  it('runs due timers in time order, each at its own time, and refuses to go back', async () => {
    const clock = createManualClock(1000);
    const seen: Array<[string, number]> = [];
    clock.setTimer(3000, async () => void seen.push(['c', clock.now()]));
    clock.setTimer(2000, async () => void seen.push(['a', clock.now()]));
    clock.setTimer(2000, async () => void seen.push(['b', clock.now()]));
    clock.setTimer(9000, async () => void seen.push(['late', clock.now()]));
    await clock.advanceBy(1500);
    expect(seen).toEqual([['a', 2000], ['b', 2000]]);
    expect(clock.now()).toBe(2500);
    await clock.advanceTo(3000 + 1000);
    expect(seen.map(([name]) => name)).toEqual(['a', 'b', 'c']);
    expect(clock.pendingTimers()).toBe(1);
    await expect(clock.advanceTo(10)).rejects.toThrow(/cannot go back/);
    await expect(clock.advanceBy(-1)).rejects.toThrow(/non-negative/);
  });

  it('a cancelled timer never runs', async () => {
    const clock = createManualClock(0);
    let ran = false;
    const cancel = clock.setTimer(10, async () => void (ran = true));
    cancel();
    await clock.advanceBy(100);
    expect(ran).toBe(false);
  });
});

describe('at() expressions', () => {
  it('reads the wall clock in the schedule time zone', () => {
    expect(parseAtExpression('at(2031-03-14T09:30:00)', 'UTC')).toBe(Date.UTC(2031, 2, 14, 9, 30));
    // London is on GMT in January and BST (UTC+1) in July.
    expect(parseAtExpression('at(2031-01-10T09:00:00)', 'Europe/London')).toBe(Date.UTC(2031, 0, 10, 9, 0));
    expect(parseAtExpression('at(2031-07-10T09:00:00)', 'Europe/London')).toBe(Date.UTC(2031, 6, 10, 8, 0));
    expect(parseAtExpression('at(2031-07-10T09:00:00)', 'America/New_York')).toBe(Date.UTC(2031, 6, 10, 13, 0));
    expect(parseAtExpression('at(2031-07-10T09:00:00)', 'Asia/Kolkata')).toBe(Date.UTC(2031, 6, 10, 3, 30));
  });

  it('resolves daylight-saving gaps forward and repeats to the first occurrence', () => {
    // 2031-03-30 01:30 does not exist in London (clocks go 01:00 → 02:00).
    expect(parseAtExpression('at(2031-03-30T01:30:00)', 'Europe/London')).toBe(Date.UTC(2031, 2, 30, 1, 30));
    // 2031-10-26 01:30 happens twice in London; the first is BST (00:30 UTC).
    expect(parseAtExpression('at(2031-10-26T01:30:00)', 'Europe/London')).toBe(Date.UTC(2031, 9, 26, 0, 30));
  });

  it('refuses what is not a real at() time', () => {
    expect(() => parseAtExpression('at(2031-02-30T09:00:00)', 'UTC')).toThrow(/not a real date/);
    expect(() => parseAtExpression('at(2031-02-03 09:00:00)', 'UTC')).toThrow(/expected at\(yyyy-mm-ddThh:mm:ss\)/);
    expect(() => parseAtExpression('rate(5 minutes)', 'UTC')).toThrow(/one-time at\(yyyy-mm-ddThh:mm:ss\) schedules only/);
    expect(() => parseAtExpression('cron(0 9 * * ? *)', 'UTC')).toThrow(/not rate\(\) or cron\(\)/);
  });
});

describe('SchedulerCore API', () => {
  it('creates, gets, updates (replacing) and deletes a schedule', () => {
    const { core } = setUp();
    const { ScheduleArn } = core.createSchedule(schedule('r1', '2031-05-01T10:00:00', { Description: 'reminder', ActionAfterCompletion: 'DELETE' }));
    expect(ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/reminders/r1');
    const got = core.getSchedule('r1', 'reminders');
    expect(got).toMatchObject({ Name: 'r1', GroupName: 'reminders', State: 'ENABLED', ScheduleExpressionTimezone: 'UTC', Description: 'reminder', ActionAfterCompletion: 'DELETE', CreationDate: START / 1000 });
    core.updateSchedule(schedule('r1', '2031-06-01T10:00:00'));
    const updated = core.getSchedule('r1', 'reminders');
    expect(updated.ScheduleExpression).toBe('at(2031-06-01T10:00:00)');
    // Update replaces: the fields not given are back to their defaults.
    expect(updated.Description).toBeUndefined();
    expect(updated.ActionAfterCompletion).toBe('NONE');
    core.deleteSchedule('r1', 'reminders');
    expect(apiError(() => core.getSchedule('r1', 'reminders'))).toMatchObject({ code: 'ResourceNotFoundException', status: 404, message: 'Schedule r1 does not exist.' });
  });

  it('answers with Scheduler error shapes', () => {
    const { core } = setUp();
    core.createSchedule(schedule('r1', '2031-05-01T10:00:00'));
    expect(apiError(() => core.createSchedule(schedule('r1', '2031-05-01T10:00:00')))).toMatchObject({ code: 'ConflictException', status: 409 });
    expect(apiError(() => core.updateSchedule(schedule('nope', '2031-05-01T10:00:00')))).toMatchObject({ code: 'ResourceNotFoundException', status: 404 });
    expect(apiError(() => core.deleteSchedule('nope', 'reminders'))).toMatchObject({ code: 'ResourceNotFoundException' });
    expect(apiError(() => core.createSchedule(schedule('r2', '2031-05-01T10:00:00', { GroupName: 'missing' })))).toMatchObject({ code: 'ResourceNotFoundException', message: 'Schedule group missing does not exist.' });
    const cases: Array<[Partial<ScheduleDefinitionInput>, RegExp]> = [
      [{ Name: 'bad name!' }, /'name'/],
      [{ ScheduleExpression: 'rate(1 hour)' }, /at\(yyyy-mm-ddThh:mm:ss\) schedules only/],
      [{ ScheduleExpression: 'at(2031-13-01T10:00:00)' }, /Invalid Schedule Expression/],
      [{ ScheduleExpression: undefined }, /'scheduleExpression'.*must not be null/],
      [{ ScheduleExpressionTimezone: 'Mars/Olympus' }, /ScheduleExpressionTimezone Mars\/Olympus/],
      [{ FlexibleTimeWindow: { Mode: 'SOMETIMES' } }, /'flexibleTimeWindow.mode'/],
      [{ FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }, /MaximumWindowInMinutes is required/],
      [{ FlexibleTimeWindow: undefined }, /'flexibleTimeWindow'.*must not be null/],
      [{ Target: { Arn: TARGET_ARN } }, /'target.roleArn'/],
      [{ Target: { Arn: 'not-an-arn', RoleArn: ROLE_ARN } }, /'target.arn'/],
      [{ Target: { Arn: TARGET_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumRetryAttempts: 186 } } }, /'target.retryPolicy.maximumRetryAttempts'.*less than or equal to 185/],
      [{ Target: { Arn: TARGET_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumEventAgeInSeconds: 10 } } }, /'target.retryPolicy.maximumEventAgeInSeconds'.*greater than or equal to 60/],
      [{ Target: { Arn: TARGET_ARN, RoleArn: ROLE_ARN, DeadLetterConfig: { Arn: 'arn:aws:sns:us-east-1:000000000000:t' } } }, /'target.deadLetterConfig.arn'/],
      [{ State: 'PAUSED' }, /'state'/],
      [{ ActionAfterCompletion: 'ARCHIVE' }, /'actionAfterCompletion'/],
    ];
    for (const [override, message] of cases) {
      const error = apiError(() => core.createSchedule(schedule('r3', '2031-05-01T10:00:00', override)));
      expect({ code: error.code, status: error.status }).toEqual({ code: 'ValidationException', status: 400 });
      expect(error.message).toMatch(message);
    }
  });

  it('makes a repeated create with the same ClientToken idempotent', () => {
    const { core } = setUp();
    const first = core.createSchedule(schedule('r1', '2031-05-01T10:00:00', { ClientToken: 'token-1' }));
    expect(core.createSchedule(schedule('r1', '2031-05-01T10:00:00', { ClientToken: 'token-1' }))).toEqual(first);
    expect(apiError(() => core.createSchedule(schedule('r1', '2031-05-01T10:00:00', { ClientToken: 'token-2' }))).code).toBe('ConflictException');
  });

  it('lists with group, prefix and state filters, in pages', () => {
    const { core } = setUp();
    core.createSchedule(schedule('a-1', '2031-05-01T10:00:00'));
    core.createSchedule(schedule('a-2', '2031-05-01T10:00:00', { State: 'DISABLED' }));
    core.createSchedule(schedule('b-1', '2031-05-01T10:00:00', { GroupName: 'default' }));
    expect(core.listSchedules({ GroupName: 'reminders' }).Schedules.map((s) => s.Name)).toEqual(['a-1', 'a-2']);
    expect(core.listSchedules({ NamePrefix: 'b' }).Schedules.map((s) => `${s.GroupName}/${s.Name}`)).toEqual(['default/b-1']);
    expect(core.listSchedules({ State: 'DISABLED' }).Schedules.map((s) => s.Name)).toEqual(['a-2']);
    const page1 = core.listSchedules({ MaxResults: 2 });
    expect(page1.Schedules).toHaveLength(2);
    const page2 = core.listSchedules({ MaxResults: 2, NextToken: page1.NextToken });
    expect(page2.Schedules.map((s) => s.Name)).toEqual(['a-2']);
    expect(page2.NextToken).toBeUndefined();
  });

  it('manages schedule groups; deleting one deletes its schedules', () => {
    const { core } = setUp({ groups: [] });
    core.createScheduleGroup({ Name: 'reminders' });
    expect(core.getScheduleGroup('reminders')).toMatchObject({ Name: 'reminders', State: 'ACTIVE', Arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule-group/reminders' });
    expect(apiError(() => core.createScheduleGroup({ Name: 'reminders' })).code).toBe('ConflictException');
    core.createSchedule(schedule('r1', '2031-05-01T10:00:00'));
    core.deleteScheduleGroup('reminders');
    expect(apiError(() => core.getScheduleGroup('reminders')).code).toBe('ResourceNotFoundException');
    expect(core.listSchedules().Schedules).toEqual([]);
    expect(apiError(() => core.deleteScheduleGroup('default')).code).toBe('ValidationException');
  });
});

describe('SchedulerCore firing', () => {
  it('fires a 2031 schedule once when the clock passes its time, and keeps it', async () => {
    const { clock, core, deliveries } = setUp();
    core.createSchedule(schedule('r1', '2031-05-01T10:00:00'));
    await clock.advanceTo(Date.UTC(2031, 4, 1, 9, 59, 59));
    expect(deliveries).toEqual([]);
    await clock.advanceTo(Date.UTC(2031, 4, 1, 10, 0, 0));
    expect(deliveries).toEqual([
      expect.objectContaining({ arn: TARGET_ARN, input: JSON.stringify({ booking: 'r1' }), scheduleName: 'r1', atMs: Date.UTC(2031, 4, 1, 10), context: expect.objectContaining({ kind: 'target', attempt: 1 }) }),
    ]);
    await clock.advanceTo(Date.UTC(2032, 0, 1));
    expect(deliveries).toHaveLength(1);
    expect(core.getSchedule('r1', 'reminders').State).toBe('ENABLED');
  });

  it('fires everything due in time order on one advance', async () => {
    const { clock, core, deliveries } = setUp();
    core.createSchedule(schedule('late', '2031-05-03T10:00:00'));
    core.createSchedule(schedule('early', '2031-05-01T10:00:00'));
    core.createSchedule(schedule('ny', '2031-05-02T05:00:00', { ScheduleExpressionTimezone: 'America/New_York' }));
    await clock.advanceTo(Date.UTC(2031, 5, 1));
    expect(deliveries.map((d) => [d.scheduleName, new Date(d.atMs).toISOString()])).toEqual([
      ['early', '2031-05-01T10:00:00.000Z'],
      ['ny', '2031-05-02T09:00:00.000Z'],
      ['late', '2031-05-03T10:00:00.000Z'],
    ]);
  });

  it('an update moves the time; a delete cancels; a disabled schedule never fires', async () => {
    const { clock, core, deliveries } = setUp();
    core.createSchedule(schedule('moved', '2031-05-01T10:00:00'));
    core.createSchedule(schedule('gone', '2031-05-01T10:00:00'));
    core.createSchedule(schedule('off', '2031-05-01T10:00:00', { State: 'DISABLED' }));
    core.updateSchedule(schedule('moved', '2031-05-02T10:00:00'));
    core.deleteSchedule('gone', 'reminders');
    await clock.advanceTo(Date.UTC(2031, 4, 1, 23));
    expect(deliveries).toEqual([]);
    await clock.advanceTo(Date.UTC(2031, 4, 3));
    expect(deliveries.map((d) => [d.scheduleName, d.atMs])).toEqual([['moved', Date.UTC(2031, 4, 2, 10)]]);
  });

  it('fires a schedule whose time is already past at once', async () => {
    const { clock, core, deliveries } = setUp();
    core.createSchedule(schedule('past', '2020-01-01T00:00:00'));
    await clock.settle();
    await core.whenIdle();
    expect(deliveries.map((d) => [d.scheduleName, d.atMs])).toEqual([['past', START]]);
    await clock.advanceBy(86_400_000);
    expect(deliveries).toHaveLength(1);
  });

  it("with pastAt 'reject', refuses an enabled at() in the past and fires nothing", async () => {
    const { clock, core, deliveries } = setUp({ pastAt: 'reject' });
    const error = apiError(() => core.createSchedule(schedule('past', '2020-01-01T00:00:00')));
    expect(error).toMatchObject({ code: 'ValidationException', status: 400 });
    expect(error.message).toMatch(/in the past/);
    core.createSchedule(schedule('past-off', '2020-01-01T00:00:00', { State: 'DISABLED' }));
    await clock.settle();
    expect(deliveries).toEqual([]);
    expect(() => new SchedulerCore({ clock, deliver: () => undefined, pastAt: 'maybe' as never })).toThrow(/pastAt/);
  });

  it('fires a FLEXIBLE schedule at the start of its window', async () => {
    const { clock, core, deliveries } = setUp();
    core.createSchedule(schedule('flex', '2031-05-01T10:00:00', { FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 } }));
    await clock.advanceTo(Date.UTC(2031, 4, 2));
    expect(deliveries.map((d) => d.atMs)).toEqual([Date.UTC(2031, 4, 1, 10)]);
  });

  it('deletes a schedule with ActionAfterCompletion DELETE after it fired', async () => {
    const { clock, core, deliveries, events } = setUp();
    core.createSchedule(schedule('once', '2031-05-01T10:00:00', { ActionAfterCompletion: 'DELETE' }));
    await clock.advanceTo(Date.UTC(2031, 4, 2));
    expect(deliveries).toHaveLength(1);
    expect(apiError(() => core.getSchedule('once', 'reminders')).code).toBe('ResourceNotFoundException');
    expect(events.map((e) => e.type)).toEqual(['delivered', 'deleted-after-completion']);
  });

  it('retries a failed delivery on the clock, then succeeds', async () => {
    const { clock, core, deliveries } = setUp({ failures: 2 });
    core.createSchedule(schedule('r1', '2031-05-01T10:00:00'));
    await clock.advanceTo(Date.UTC(2031, 4, 1, 10, 0, 0));
    expect(deliveries.map((d) => d.context.attempt)).toEqual([1]);
    await clock.advanceTo(Date.UTC(2031, 4, 1, 11));
    const due = Date.UTC(2031, 4, 1, 10);
    expect(deliveries.map((d) => [d.context.attempt, d.atMs - due])).toEqual([[1, 0], [2, 1000], [3, 3000]]);
  });

  it('dead-letters after MaximumRetryAttempts with the error, then deletes if asked', async () => {
    const { clock, core, deliveries, events } = setUp({ failures: 100 });
    core.createSchedule(
      schedule('r1', '2031-05-01T10:00:00', {
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: TARGET_ARN, RoleArn: ROLE_ARN, Input: '{"b":1}', RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: DLQ_ARN } },
      }),
    );
    await clock.advanceTo(Date.UTC(2031, 4, 2));
    expect(deliveries.map((d) => [d.arn, d.context.kind, d.context.attempt])).toEqual([
      [TARGET_ARN, 'target', 1],
      [TARGET_ARN, 'target', 2],
      [TARGET_ARN, 'target', 3],
      [DLQ_ARN, 'dead-letter', 3],
    ]);
    expect(deliveries[3]).toMatchObject({ input: '{"b":1}', context: { error: { code: 'QueueUnavailable', message: 'queue unavailable' }, failedTargetArn: TARGET_ARN } });
    expect(events.map((e) => e.type)).toEqual(['delivery-failed', 'delivery-failed', 'delivery-failed', 'dead-lettered', 'deleted-after-completion']);
  });

  it('stops retrying once MaximumEventAgeInSeconds would be passed', async () => {
    const { clock, core, deliveries } = setUp({ failures: 1000 });
    core.createSchedule(
      schedule('r1', '2031-05-01T10:00:00', {
        Target: { Arn: TARGET_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: DLQ_ARN } },
      }),
    );
    await clock.advanceTo(Date.UTC(2031, 4, 2));
    // Backoff 1, 2, 4, 8, 16 s (31 s in all); the next, 32 s later, would be past 60 s.
    const targetAttempts = deliveries.filter((d) => d.context.kind === 'target');
    expect(targetAttempts).toHaveLength(6);
    expect(deliveries.filter((d) => d.context.kind === 'dead-letter')).toHaveLength(1);
  });

  it('drops the event, with a reason, when retries run out and there is no DLQ', async () => {
    const { clock, core, events } = setUp({ failures: 10 });
    core.createSchedule(schedule('r1', '2031-05-01T10:00:00', { Target: { Arn: TARGET_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumRetryAttempts: 0 } } }));
    await clock.advanceTo(Date.UTC(2031, 4, 2));
    expect(events).toEqual([
      expect.objectContaining({ type: 'delivery-failed', willRetry: false }),
      expect.objectContaining({ type: 'dropped', reason: expect.stringMatching(/no DeadLetterConfig; last error QueueUnavailable: queue unavailable/) }),
    ]);
  });
});
