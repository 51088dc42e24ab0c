import { randomUUID } from 'node:crypto';
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime/local-runtime';
import type { SchedulerEvent } from '../../local/emulators';
import { reminderScheduler, reminderScheduleName } from '../../services/notifier/reminders/reminder-scheduler';
import { devAssembly, eventually, removeDirectory, variantAssembly } from './e2e-support';

/**
 * The runtime runs the template's reminders: the Scheduler emulator has the template's schedule
 * group, the notifier's environment names it (with the scheduler role, the target and the DLQ),
 * and a fired schedule reaches the notifications queue only as the template's scheduler role
 * allows. The schedules are made with the real @aws-sdk/client-scheduler, through the notifier's
 * own reconcile, and the emulator's clock is moved instead of waiting.
 */

interface SchedulerEnvironment {
  SCHEDULE_GROUP_NAME: string;
  SCHEDULER_ROLE_ARN: string;
  REMINDER_TARGET_ARN: string;
  REMINDER_DLQ_ARN: string;
  REMINDER_MAX_RETRY_ATTEMPTS: string;
  REMINDER_MAX_EVENT_AGE_SECONDS: string;
  REMINDER_LEAD_SECONDS: string;
}

function notifierEnvironment(runtime: LocalRuntime): SchedulerEnvironment {
  const fn = runtime.topology.functions.find((candidate) => candidate.environment.SCHEDULE_GROUP_NAME !== undefined);
  if (!fn) throw new Error('no function of the assembly has SCHEDULE_GROUP_NAME');
  return fn.environment as unknown as SchedulerEnvironment;
}

function schedulerClient(runtime: LocalRuntime): SchedulerClient {
  return new SchedulerClient({ region: runtime.topology.region, endpoint: runtime.scheduler.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
}

function remindersOf(runtime: LocalRuntime, client: SchedulerClient) {
  const env = notifierEnvironment(runtime);
  return reminderScheduler(client, {
    groupName: env.SCHEDULE_GROUP_NAME,
    roleArn: env.SCHEDULER_ROLE_ARN,
    targetArn: env.REMINDER_TARGET_ARN,
    deadLetterArn: env.REMINDER_DLQ_ARN,
    leadSeconds: Number(env.REMINDER_LEAD_SECONDS),
    maximumRetryAttempts: Number(env.REMINDER_MAX_RETRY_ATTEMPTS),
    maximumEventAgeSeconds: Number(env.REMINDER_MAX_EVENT_AGE_SECONDS),
  });
}

/** The notifications-queue messages the notifier was invoked with, by message id, for one appointment. */
function watchNotifierMessages(runtime: LocalRuntime): (appointmentId: string) => Map<string, string> {
  const seen = new Map<string, Map<string, string>>();
  runtime.onSqsInvocation((_mapping, event) => {
    for (const record of (event as { Records: Array<{ messageId: string; body: string }> }).Records) {
      const id = (JSON.parse(record.body) as { reminder?: { appointmentId?: string } }).reminder?.appointmentId;
      if (id === undefined) continue;
      const messages = seen.get(id) ?? new Map<string, string>();
      messages.set(record.messageId, record.body);
      seen.set(id, messages);
    }
  });
  return (appointmentId) => seen.get(appointmentId) ?? new Map();
}

function dlqUrl(runtime: LocalRuntime): string {
  const arn = notifierEnvironment(runtime).REMINDER_DLQ_ARN;
  const queue = Object.values(runtime.provisioned.queues).find((candidate) => candidate.queueArn === arn);
  if (!queue) throw new Error(`the reminders DLQ ${arn} was not provisioned`);
  return queue.queueUrl;
}

async function receiveAll(runtime: LocalRuntime, queueUrl: string, appointmentId: string) {
  const found = [];
  for (let round = 0; round < 3; round++) {
    const { Messages = [] } = await runtime.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    found.push(...Messages.filter((message) => message.Body?.includes(appointmentId)));
  }
  return found;
}

const appointment = (dateTime = '2031-03-13T09:30:00+00:00') => ({ id: randomUUID(), status: 'booked' as const, version: 1, appointmentDateTime: dateTime });

describe('local runtime: reminders on the Scheduler emulator, as the template wires them', () => {
  let runtime: LocalRuntime;
  let client: SchedulerClient;
  let messagesOf: (appointmentId: string) => Map<string, string>;
  const events: SchedulerEvent[] = [];

  beforeAll(async () => {
    runtime = await startLocalRuntime({ assemblyDir: await devAssembly(), schedulerClock: 'manual', pipe: { pollIntervalMs: 100 }, sqsWaitTimeSeconds: 1 });
    client = schedulerClient(runtime);
    messagesOf = watchNotifierMessages(runtime);
    runtime.scheduler.onEvent((event) => events.push(event));
  }, 120_000);

  afterAll(async () => {
    client?.destroy();
    await runtime?.stop();
  });

  it("creates the template's schedule group and gives the functions the Scheduler endpoint", () => {
    expect(runtime.scheduler.groups()).toContain(notifierEnvironment(runtime).SCHEDULE_GROUP_NAME);
    expect(runtime.state().endpoints.scheduler).toBe(runtime.scheduler.endpoint);
    expect(runtime.scheduler.clockMode).toBe('manual');
  });

  it('delivers a reminder to the notifications queue exactly once when the clock reaches it, then deletes the schedule', async () => {
    const booked = appointment();
    const plan = await remindersOf(runtime, client).reconcile(booked, runtime.scheduler.now());
    expect(plan).toEqual({ action: 'schedule', dueAt: '2031-03-12T09:30:00.000Z', version: 1 });
    const env = notifierEnvironment(runtime);
    const schedule = await client.send(new GetScheduleCommand({ Name: reminderScheduleName(booked.id), GroupName: env.SCHEDULE_GROUP_NAME }));
    expect(schedule.Target).toMatchObject({ Arn: env.REMINDER_TARGET_ARN, RoleArn: env.SCHEDULER_ROLE_ARN, DeadLetterConfig: { Arn: env.REMINDER_DLQ_ARN } });

    await runtime.scheduler.advanceTo('2031-03-12T09:29:59Z');
    expect(events.filter((event) => event.scheduleName === reminderScheduleName(booked.id))).toEqual([]);

    await runtime.scheduler.advanceBy('1s');

    const mine = () => events.filter((event) => event.scheduleName === reminderScheduleName(booked.id));
    expect(mine().map((event) => event.type)).toEqual(['delivered', 'deleted-after-completion']);
    const messages = await eventually('the reminder at the notifier', () => (messagesOf(booked.id).size > 0 ? messagesOf(booked.id) : undefined), 30_000);
    expect([...messages.values()].map((body) => JSON.parse(body))).toEqual([{ reminder: { appointmentId: booked.id, version: 1, dueAt: '2031-03-12T09:30:00.000Z' } }]);
    await expect(client.send(new GetScheduleCommand({ Name: reminderScheduleName(booked.id), GroupName: env.SCHEDULE_GROUP_NAME }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    // Moving on fires nothing more: the schedule is gone.
    await runtime.scheduler.advanceBy('2d');
    await runtime.idle();
    expect(mine().filter((event) => event.type === 'delivered')).toHaveLength(1);
    expect(messagesOf(booked.id).size).toBe(1);
  }, 60_000);

  it('answers ResourceNotFoundException for a group the template lacks', async () => {
    const env = notifierEnvironment(runtime);
    await expect(
      client.send(
        new CreateScheduleCommand({
          Name: 'reminder-elsewhere',
          GroupName: 'not-in-the-template',
          ScheduleExpression: 'at(2031-03-12T09:30:00)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: env.REMINDER_TARGET_ARN, RoleArn: env.SCHEDULER_ROLE_ARN, Input: '{}' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('never delivers as a role the template does not define (not even to the DLQ)', async () => {
    const env = notifierEnvironment(runtime);
    const id = randomUUID();
    await client.send(
      new CreateScheduleCommand({
        Name: `reminder-${id}`,
        GroupName: env.SCHEDULE_GROUP_NAME,
        ScheduleExpression: 'at(2032-01-01T00:00:00)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: env.REMINDER_TARGET_ARN,
          RoleArn: `arn:aws:iam::${runtime.topology.accountId}:role/not-in-the-template`,
          Input: JSON.stringify({ reminder: { appointmentId: id, version: 1, dueAt: '2032-01-01T00:00:00.000Z' } }),
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: env.REMINDER_DLQ_ARN },
        },
      }),
    );

    await runtime.scheduler.advanceTo('2032-01-01T00:01:00Z');

    const mine = events.filter((event) => event.scheduleName === `reminder-${id}`);
    expect(mine.map((event) => event.type)).toEqual(['delivery-failed', 'delivery-failed', 'delivery-failed', 'dropped', 'deleted-after-completion']);
    expect(mine[0]).toMatchObject({ error: expect.stringContaining('is not a scheduler execution role of the template') });
    expect(messagesOf(id).size).toBe(0);
    expect(await receiveAll(runtime, dlqUrl(runtime), id)).toEqual([]);
  }, 60_000);
});

describe('local runtime: a scheduler role without SendMessage on the notifications queue dead-letters the reminder', () => {
  let runtime: LocalRuntime;
  let assembly: string;
  let client: SchedulerClient;
  let messagesOf: (appointmentId: string) => Map<string, string>;
  const events: SchedulerEvent[] = [];

  beforeAll(async () => {
    // The variant: the scheduler role's policy keeps SendMessage on the reminders DLQ only.
    assembly = variantAssembly(await devAssembly(), (template) => {
      const schedulerRoles = Object.entries(template.Resources)
        .filter(([, resource]) => resource.Type === 'AWS::IAM::Role' && JSON.stringify(resource.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'))
        .map(([logicalId]) => logicalId);
      for (const resource of Object.values(template.Resources)) {
        if (resource.Type !== 'AWS::IAM::Policy') continue;
        if (!(resource.Properties.Roles as Array<{ Ref: string }>).some((role) => schedulerRoles.includes(role.Ref))) continue;
        for (const statement of (resource.Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown[] }> }).Statement) {
          if (statement.Action !== 'sqs:SendMessage') continue;
          statement.Resource = statement.Resource.filter((arn) => JSON.stringify(arn).includes('RemindersDeadLetterQueue'));
          expect(statement.Resource).toHaveLength(1);
        }
      }
    });
    runtime = await startLocalRuntime({ assemblyDir: assembly, schedulerClock: 'manual', pipe: { pollIntervalMs: 100 }, sqsWaitTimeSeconds: 1 });
    client = schedulerClient(runtime);
    messagesOf = watchNotifierMessages(runtime);
    runtime.scheduler.onEvent((event) => events.push(event));
  }, 120_000);

  afterAll(async () => {
    client?.destroy();
    await runtime?.stop();
    removeDirectory(assembly);
  });

  it('retries per the retry policy, then puts the reminder in the reminders DLQ instead of the notifications queue', async () => {
    const booked = appointment('2031-06-02T10:00:00+01:00');
    const plan = await remindersOf(runtime, client).reconcile(booked, runtime.scheduler.now());
    expect(plan).toMatchObject({ action: 'schedule', dueAt: '2031-06-01T09:00:00.000Z' });

    await runtime.scheduler.advanceTo('2031-06-01T12:00:00Z');

    const mine = events.filter((event) => event.scheduleName === reminderScheduleName(booked.id));
    const retries = Number(notifierEnvironment(runtime).REMINDER_MAX_RETRY_ATTEMPTS);
    expect(mine.filter((event) => event.type === 'delivery-failed')).toHaveLength(retries + 1);
    expect(mine.find((event) => event.type === 'delivery-failed')).toMatchObject({ error: expect.stringContaining('not allowed sqs:SendMessage') });
    expect(mine.slice(-2).map((event) => event.type)).toEqual(['dead-lettered', 'deleted-after-completion']);
    const dead = await receiveAll(runtime, dlqUrl(runtime), booked.id);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]?.Body ?? '{}')).toEqual({ reminder: { appointmentId: booked.id, version: 1, dueAt: '2031-06-01T09:00:00.000Z' } });
    expect(dead[0]?.MessageAttributes?.ERROR_CODE?.StringValue).toBe('AccessDeniedException');
    await runtime.idle();
    expect(messagesOf(booked.id).size).toBe(0);
  }, 60_000);
});
