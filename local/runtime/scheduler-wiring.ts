import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import {
  createManualClock,
  createShiftableRealClock,
  parseDuration,
  startSchedulerEmulator,
  type AdvanceableClock,
  type DeliverFunction,
  type RunningScheduler,
  type ScheduleDescription,
  type SchedulerEvent,
} from '../emulators';
import type { ProvisionedResources } from '../provision/provision-resources';
import type { QueueSpec, SchedulerRoleSpec, Topology } from '../topology';
import { statementsAllow } from './iam-policy';

/**
 * `manual`: the clock stands still until told to move (tests); it starts at the wall-clock time.
 * `real` (default): the wall clock, which can still be moved forward (`npm run clock -- +25h`).
 */
export type SchedulerClockMode = 'real' | 'manual';

/** The local EventBridge Scheduler as the runtime exposes it. */
export interface RuntimeScheduler {
  endpoint: string;
  clockMode: SchedulerClockMode;
  /** The Scheduler emulator's time (ahead of the wall clock once moved; see docs/architecture.md, Reminders). */
  now(): Date;
  /** Moves the emulator's clock forward (milliseconds, or `25h`, `90m`, `1d2h`) and resolves once what fell due was delivered. */
  advanceBy(duration: number | string): Promise<void>;
  advanceTo(instant: Date | string): Promise<void>;
  /** Every schedule, with the instant it is due. */
  list(): Array<ScheduleDescription & { dueAt: string }>;
  /** The schedule groups (the template's and `default`). */
  groups(): string[];
  /** Every delivery, failure, dead letter and deletion; returns the unsubscribe function. */
  onEvent(listener: (event: SchedulerEvent) => void): () => void;
  /** Resolves once every delivery in flight has settled. */
  idle(): Promise<void>;
  emulator: RunningScheduler;
  stop(): Promise<void>;
}

export interface SchedulerWiringOptions {
  topology: Topology;
  provisioned: ProvisionedResources;
  sqs: SQSClient;
  clock?: SchedulerClockMode;
  port?: number;
  write?: (line: string) => void;
}

/** A failed delivery, named as Scheduler's target errors are. */
class DeliveryError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * Starts the Scheduler emulator with the template's schedule groups and delivers what fires the way
 * the template allows: as one of its scheduler roles (RoleArn), only where that role's policies
 * allow sqs:SendMessage (and, for a KMS-encrypted queue, kms:GenerateDataKey on its key), only to
 * the template's SQS queues. Anything else is a failed delivery, retried and dead-lettered as in AWS.
 */
export async function startRuntimeScheduler(options: SchedulerWiringOptions): Promise<RuntimeScheduler> {
  const { topology, provisioned, sqs } = options;
  const clockMode = options.clock ?? 'real';
  if (clockMode !== 'real' && clockMode !== 'manual') throw new TypeError(`schedulerClock must be 'real' or 'manual', got ${JSON.stringify(clockMode)}`);
  const clock: AdvanceableClock = clockMode === 'manual' ? createManualClock(Date.now()) : createShiftableRealClock();
  const roles = new Map<string, SchedulerRoleSpec>((topology.schedulerRoles ?? []).map((role) => [role.arn, role]));
  const queues = new Map<string, { spec: QueueSpec; url: string }>();
  for (const spec of topology.queues) {
    const queue = provisioned.queues[spec.id];
    if (!queue) continue;
    queues.set(spec.arn, { spec, url: queue.queueUrl });
    queues.set(queue.queueArn, { spec, url: queue.queueUrl });
  }
  const listeners = new Set<(event: SchedulerEvent) => void>();

  const deliver: DeliverFunction = async (target, input, scheduleName, context) => {
    const what = context.kind === 'dead-letter' ? 'dead-letter queue' : 'target';
    const role = roles.get(context.roleArn);
    if (!role) {
      throw new DeliveryError('AccessDeniedException', `${context.roleArn} is not a scheduler execution role of the template (no AWS::IAM::Role that scheduler.amazonaws.com may assume has that ARN)`);
    }
    const queue = queues.get(target.Arn);
    if (!queue) throw new DeliveryError('ResourceNotFoundException', `the ${what} ${target.Arn} is not an SQS queue of the template (the local Scheduler delivers only to those)`);
    if (!statementsAllow(role.statements, 'sqs:SendMessage', queue.spec.arn)) {
      throw new DeliveryError('AccessDeniedException', `the role ${role.roleName} is not allowed sqs:SendMessage on the ${what} ${queue.spec.arn}`);
    }
    const key = queue.spec.kmsMasterKeyId;
    if (key?.startsWith('arn:') && !statementsAllow(role.statements, 'kms:GenerateDataKey', key)) {
      throw new DeliveryError('KMS.AccessDeniedException', `the role ${role.roleName} is not allowed kms:GenerateDataKey on ${key}, the key of ${queue.spec.queueName}`);
    }
    const attributes: Record<string, MessageAttributeValue> | undefined =
      context.kind === 'dead-letter'
        ? {
            ERROR_CODE: { DataType: 'String', StringValue: context.error?.code ?? 'Unknown' },
            ERROR_MESSAGE: { DataType: 'String', StringValue: (context.error?.message ?? '').slice(0, 1024) || 'none' },
            RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(Math.max(0, context.attempt - 1)) },
            SCHEDULE_ARN: { DataType: 'String', StringValue: context.scheduleArn },
            TARGET_ARN: { DataType: 'String', StringValue: context.failedTargetArn ?? 'unknown' },
          }
        : undefined;
    const groupId = (target as { SqsParameters?: { MessageGroupId?: string } }).SqsParameters?.MessageGroupId;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: input,
        ...(attributes ? { MessageAttributes: attributes } : {}),
        ...(queue.spec.fifo ? { MessageGroupId: groupId ?? scheduleName, MessageDeduplicationId: `${context.scheduleArn}:${context.scheduledTimeMs}:${context.kind}` } : {}),
      }),
    );
  };

  const write = options.write ?? (() => undefined);
  const emulator = await startSchedulerEmulator({
    region: topology.region,
    accountId: topology.accountId,
    groups: (topology.scheduleGroups ?? []).map((group) => group.name),
    clock,
    deliver,
    ...(options.port !== undefined ? { port: options.port } : {}),
    onEvent: (event) => {
      if (event.type === 'dead-lettered') write(`scheduler: ${event.groupName}/${event.scheduleName} dead-lettered to ${event.deadLetterArn} after ${event.attempts} attempts`);
      if (event.type === 'dropped') write(`scheduler: ${event.groupName}/${event.scheduleName} dropped: ${event.reason}`);
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          // An observer's failure is not the schedule's.
        }
      }
    },
  });
  const core = emulator.core;
  return {
    endpoint: emulator.endpoint,
    clockMode,
    now: () => new Date(clock.now()),
    async advanceBy(duration) {
      await clock.advanceBy(parseDuration(duration));
      await core.whenIdle();
    },
    async advanceTo(instant) {
      const ms = instant instanceof Date ? instant.getTime() : Date.parse(instant);
      if (Number.isNaN(ms)) throw new RangeError(`advanceTo needs a Date or an ISO 8601 instant, got ${String(instant)}`);
      await clock.advanceTo(ms);
      await core.whenIdle();
    },
    list: () => core.describeAll(),
    groups: () => core.listScheduleGroups().ScheduleGroups.map((group) => group.Name),
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    idle: () => core.whenIdle(),
    emulator,
    stop: () => emulator.stop(),
  };
}
