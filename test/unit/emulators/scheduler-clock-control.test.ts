import { createManualClock, createShiftableRealClock, isAdvanceableClock, parseDuration, startSchedulerEmulator, createRealClock, type RunningScheduler } from '../../../local/emulators';

async function until(description: string, probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('parseDuration', () => {
  it('reads units, combinations, a leading + and plain milliseconds', () => {
    expect(parseDuration('25h')).toBe(25 * 3_600_000);
    expect(parseDuration('+90m')).toBe(90 * 60_000);
    expect(parseDuration('1d2h')).toBe(26 * 3_600_000);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration(2000)).toBe(2000);
  });

  it('refuses anything else, naming the forms it takes', () => {
    for (const bad of ['', 'h', '25 hours', '-1h', '1.5h', '1w']) expect(() => parseDuration(bad)).toThrow(/not a duration: use e\.g\. 25h/);
    expect(() => parseDuration(-5)).toThrow(RangeError);
    expect(() => parseDuration(Number.NaN)).toThrow(RangeError);
  });
});

describe('shiftable real clock', () => {
  it('starts at the wall clock and only moves forward, running what an advance passes, in time order', async () => {
    const clock = createShiftableRealClock();
    expect(isAdvanceableClock(clock)).toBe(true);
    expect(isAdvanceableClock(createRealClock())).toBe(false);
    const before = Date.now();
    expect(clock.now()).toBeGreaterThanOrEqual(before);
    const ran: string[] = [];
    const base = clock.now();
    clock.setTimer(base + 2 * 3_600_000, async () => void ran.push('2h'));
    clock.setTimer(base + 3_600_000, async () => void ran.push('1h'));
    const cancel = clock.setTimer(base + 3_600_000, async () => void ran.push('cancelled'));
    clock.setTimer(base + 10 * 3_600_000, async () => void ran.push('10h'));
    cancel();

    await clock.advanceBy(parseDuration('3h'));

    expect(ran).toEqual(['1h', '2h']);
    expect(clock.offsetMs()).toBeGreaterThanOrEqual(3 * 3_600_000);
    expect(clock.now()).toBeGreaterThanOrEqual(base + 3 * 3_600_000);
    expect(clock.pendingTimers()).toBe(1);
    await expect(clock.advanceTo(base)).rejects.toThrow(/cannot go back/);
    await expect(clock.advanceBy(-1)).rejects.toThrow(RangeError);
    await clock.advanceTo(base + 10 * 3_600_000);
    expect(ran).toEqual(['1h', '2h', '10h']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs a timer that is due as real time passes', async () => {
    const clock = createShiftableRealClock();
    let ran = false;
    clock.setTimer(clock.now() + 20, async () => {
      ran = true;
    });
    await until('the timer', () => ran);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('the Scheduler emulator clock route (not AWS)', () => {
  let emulator: RunningScheduler;
  const delivered: string[] = [];
  const start = Date.parse('2031-03-10T12:00:00Z');

  beforeAll(async () => {
    emulator = await startSchedulerEmulator({ clock: createManualClock(start), groups: ['reminders'], deliver: (_target, input) => void delivered.push(input) });
    emulator.core.createSchedule({
      Name: 'reminder-x',
      GroupName: 'reminders',
      ScheduleExpression: 'at(2031-03-11T12:00:00)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: 'arn:aws:sqs:us-east-1:000000000000:q', RoleArn: 'arn:aws:iam::000000000000:role/r', Input: '{"n":1}' },
    });
  });
  afterAll(() => emulator.stop());

  const post = async (body: unknown) => {
    const response = await fetch(`${emulator.endpoint}/_clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: (await response.json()) as Record<string, unknown> };
  };

  it('answers the time and the schedules', async () => {
    const response = await fetch(`${emulator.endpoint}/_clock`);
    expect(await response.json()).toEqual({
      now: '2031-03-10T12:00:00.000Z',
      movable: true,
      schedules: [{ name: 'reminder-x', groupName: 'reminders', state: 'ENABLED', dueAt: '2031-03-11T12:00:00.000Z', targetArn: 'arn:aws:sqs:us-east-1:000000000000:q' }],
    });
  });

  it('moves the clock forward and answers once what fell due was delivered', async () => {
    const moved = await post({ advanceBy: '25h' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ now: '2031-03-11T13:00:00.000Z', schedules: [] });
    expect(delivered).toEqual(['{"n":1}']);
    const to = await post({ advanceTo: '2031-03-12T00:00:00Z' });
    expect(to.body.now).toBe('2031-03-12T00:00:00.000Z');
  });

  it('refuses bad bodies and going back with a ValidationException naming the problem', async () => {
    for (const [body, message] of [
      [{}, /exactly one of/],
      [{ advanceBy: '1h', advanceTo: '2031-03-13T00:00:00Z' }, /exactly one of/],
      [{ advanceBy: 'soon' }, /not a duration/],
      [{ advanceBy: true }, /advanceBy must be a duration/],
      [{ advanceTo: 'tomorrow' }, /ISO 8601 instant/],
      [{ advanceTo: '2031-03-01T00:00:00Z' }, /only moves forward/],
    ] as const) {
      const answer = await post(body);
      expect([answer.status, answer.errorType]).toEqual([400, 'ValidationException']);
      expect(String(answer.body.Message)).toMatch(message);
    }
  });

  it('says so when its clock cannot be moved', async () => {
    const fixed = await startSchedulerEmulator({ clock: createRealClock(), deliver: () => undefined });
    try {
      const response = await fetch(`${fixed.endpoint}/_clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advanceBy":"1h"}' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { Message: string }).Message).toMatch(/cannot be moved/);
    } finally {
      await fixed.stop();
    }
  });
});
