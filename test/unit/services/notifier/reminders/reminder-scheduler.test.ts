import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { createManualClock, startSchedulerEmulator, type RunningScheduler } from '../../../../../local/emulators';
import { atExpression, planReminder, reminderScheduleName, reminderScheduler, type ReminderSchedulerOptions } from '../../../../../services/notifier/reminders/reminder-scheduler';

const LEAD = 24 * 3600;
const OPTIONS: ReminderSchedulerOptions = {
  groupName: 'reminders',
  roleArn: 'arn:aws:iam::000000000000:role/scheduler',
  targetArn: 'arn:aws:sqs:eu-west-2:000000000000:notifications',
  deadLetterArn: 'arn:aws:sqs:eu-west-2:000000000000:reminders-dlq',
  leadSeconds: LEAD,
  maximumRetryAttempts: 10,
  maximumEventAgeSeconds: 7200,
};
const NOW = new Date('2031-03-10T12:00:00.000Z');
const booked = (appointmentDateTime: string, version = 1) => ({ id: 'a1b2c3', status: 'booked' as const, version, appointmentDateTime });

describe('planReminder', () => {
  it('schedules the reminder the lead time before the start, for the appointment version', () => {
    expect(planReminder(booked('2031-03-13T09:30:00+00:00', 3), NOW, LEAD)).toEqual({ action: 'schedule', dueAt: '2031-03-12T09:30:00.000Z', version: 3 });
  });

  it('none for a cancelled appointment, even one far ahead', () => {
    expect(planReminder({ ...booked('2031-03-20T09:30:00+00:00'), status: 'cancelled' }, NOW, LEAD)).toEqual({ action: 'none', reason: 'cancelled' });
  });

  it('none once the appointment has started (at its start and after)', () => {
    expect(planReminder(booked('2031-03-10T12:00:00+00:00'), NOW, LEAD)).toEqual({ action: 'none', reason: 'started' });
    expect(planReminder(booked('2031-03-09T09:30:00+00:00'), NOW, LEAD)).toEqual({ action: 'none', reason: 'started' });
  });

  it('none when the appointment is already inside the lead time', () => {
    expect(planReminder(booked('2031-03-11T11:00:00+00:00'), NOW, LEAD)).toEqual({ action: 'none', reason: 'within-lead-time' });
  });

  it('at the boundary: due exactly now is too late, one second later is scheduled', () => {
    expect(planReminder(booked('2031-03-11T12:00:00+00:00'), NOW, LEAD)).toEqual({ action: 'none', reason: 'within-lead-time' });
    expect(planReminder(booked('2031-03-11T12:00:01+00:00'), NOW, LEAD)).toEqual({ action: 'schedule', dueAt: '2031-03-10T12:00:01.000Z', version: 1 });
  });

  it('reads the offset as written and counts the lead time in absolute time across a DST change', () => {
    // London moves to BST at 01:00 UTC on 30 March 2031: 24 h before 09:30 BST is 08:30 UTC the day before.
    expect(planReminder(booked('2031-03-30T09:30:00+01:00'), NOW, LEAD)).toEqual({ action: 'schedule', dueAt: '2031-03-29T08:30:00.000Z', version: 1 });
    expect(planReminder(booked('2031-03-13T04:30:00-05:00'), NOW, LEAD)).toEqual({ action: 'schedule', dueAt: '2031-03-12T09:30:00.000Z', version: 1 });
  });

  it('works at seconds precision, like at()', () => {
    expect(planReminder(booked('2031-03-13T09:30:00.750+00:00'), NOW, LEAD)).toMatchObject({ dueAt: '2031-03-12T09:30:00.000Z' });
    expect(atExpression('2031-03-12T09:30:00.000Z')).toBe('at(2031-03-12T09:30:00)');
  });
});

describe('reminderScheduler.reconcile (mocked client)', () => {
  const mock = mockClient(SchedulerClient);
  const client = new SchedulerClient({ region: 'eu-west-2' });
  const scheduler = reminderScheduler(client, OPTIONS);
  beforeEach(() => mock.reset());
  // mockClient patches every SchedulerClient: the emulator tests below need the real one.
  afterAll(() => mock.restore());

  const definition = {
    Name: 'reminder-a1b2c3',
    GroupName: 'reminders',
    ScheduleExpression: 'at(2031-03-12T09:30:00)',
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    Target: {
      Arn: OPTIONS.targetArn,
      RoleArn: OPTIONS.roleArn,
      Input: JSON.stringify({ reminder: { appointmentId: 'a1b2c3', version: 2, dueAt: '2031-03-12T09:30:00.000Z' } }),
      RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 },
      DeadLetterConfig: { Arn: OPTIONS.deadLetterArn },
    },
  };

  it('creates the one-time schedule: at() in UTC, deleted after completion, retry policy and DLQ, the reminder request as input', async () => {
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await scheduler.reconcile(booked('2031-03-13T09:30:00+00:00', 2), NOW);
    expect(mock.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input)).toEqual([expect.objectContaining(definition)]);
    expect(mock.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('on ConflictException (a schedule exists) replaces it with UpdateSchedule', async () => {
    mock.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', $metadata: {} } as never));
    mock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await scheduler.reconcile(booked('2031-03-13T09:30:00+00:00', 2), NOW);
    expect(mock.commandCalls(UpdateScheduleCommand).map((call) => call.args[0].input)).toEqual([expect.objectContaining(definition)]);
  });

  it('passes any other create error on, without updating', async () => {
    mock.on(CreateScheduleCommand).rejects(new ValidationException({ message: 'bad', $metadata: {} } as never));
    await expect(scheduler.reconcile(booked('2031-03-13T09:30:00+00:00'), NOW)).rejects.toMatchObject({ name: 'ValidationException' });
    expect(mock.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('deletes the schedule when there should be none, and a missing one is fine', async () => {
    mock.on(DeleteScheduleCommand).rejectsOnce(new ResourceNotFoundException({ message: 'gone', $metadata: {} } as never)).resolves({});
    await expect(scheduler.reconcile({ ...booked('2031-03-13T09:30:00+00:00'), status: 'cancelled' }, NOW)).resolves.toEqual({ action: 'none', reason: 'cancelled' });
    await expect(scheduler.reconcile(booked('2031-03-11T09:30:00+00:00'), NOW)).resolves.toEqual({ action: 'none', reason: 'within-lead-time' });
    expect(mock.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input)).toEqual([
      { Name: 'reminder-a1b2c3', GroupName: 'reminders' },
      { Name: 'reminder-a1b2c3', GroupName: 'reminders' },
    ]);
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('passes any other delete error on', async () => {
    mock.on(DeleteScheduleCommand).rejects(new ValidationException({ message: 'throttled?', $metadata: {} } as never));
    await expect(scheduler.reconcile({ ...booked('2031-03-13T09:30:00+00:00'), status: 'cancelled' }, NOW)).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('reminderScheduler.reconcile against the Scheduler emulator', () => {
  let emulator: RunningScheduler;
  let client: SchedulerClient;
  const delivered: string[] = [];

  beforeAll(async () => {
    emulator = await startSchedulerEmulator({ clock: createManualClock(NOW.getTime()), groups: ['reminders'], region: 'eu-west-2', deliver: (_target, input) => void delivered.push(input) });
    client = new SchedulerClient({ region: 'eu-west-2', endpoint: emulator.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  it('creates, moves (Conflict then Update), fires once, and deletes', async () => {
    const scheduler = reminderScheduler(client, OPTIONS);
    const name = reminderScheduleName('a1b2c3');
    await scheduler.reconcile(booked('2031-03-13T09:30:00+00:00', 1), NOW);
    // A reschedule: same schedule name, so Create conflicts and the Update moves it.
    await scheduler.reconcile(booked('2031-03-14T10:00:00+00:00', 2), NOW);
    const moved = await client.send(new GetScheduleCommand({ Name: name, GroupName: 'reminders' }));
    expect(moved.ScheduleExpression).toBe('at(2031-03-13T10:00:00)');
    expect(JSON.parse(moved.Target?.Input ?? '{}')).toEqual({ reminder: { appointmentId: 'a1b2c3', version: 2, dueAt: '2031-03-13T10:00:00.000Z' } });

    await (emulator.clock as ReturnType<typeof createManualClock>).advanceTo(Date.parse('2031-03-13T09:30:00Z'));
    expect(delivered).toEqual([]);
    await (emulator.clock as ReturnType<typeof createManualClock>).advanceTo(Date.parse('2031-03-13T10:00:00Z'));
    expect(delivered.map((input) => JSON.parse(input))).toEqual([{ reminder: { appointmentId: 'a1b2c3', version: 2, dueAt: '2031-03-13T10:00:00.000Z' } }]);
    await expect(client.send(new GetScheduleCommand({ Name: name, GroupName: 'reminders' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // Cancelling now: nothing to delete, and that is fine.
    await expect(scheduler.reconcile({ ...booked('2031-03-14T10:00:00+00:00', 3), status: 'cancelled' }, NOW)).resolves.toEqual({ action: 'none', reason: 'cancelled' });
  });
});
