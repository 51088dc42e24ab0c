import { CreateScheduleCommand, DeleteScheduleCommand, UpdateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Appointment, ReminderRequest } from '../../../contracts';
import { instantOf } from '../../common/date-time';

/** Where a reminder schedule sends its event, and how Scheduler retries it (all from the CDK app). */
export interface ReminderSchedulerOptions {
  groupName: string;
  /** The role Scheduler assumes to send to the target (the notifier's role may pass only this one). */
  roleArn: string;
  /** The notifications queue: a fired reminder takes the same path as a change's notification. */
  targetArn: string;
  /** Where Scheduler puts an event it could not deliver after its retries. */
  deadLetterArn: string;
  leadSeconds: number;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
}

/** What the appointment's reminder should be now. */
export type ReminderPlan =
  | { action: 'schedule'; dueAt: string; version: number }
  | { action: 'none'; reason: 'cancelled' | 'started' | 'within-lead-time' };

/** One reminder per appointment: its schedule's name is the appointment's (at most 64 characters). */
export const reminderScheduleName = (appointmentId: string): string => `reminder-${appointmentId}`;

/**
 * The reminder rule: due `leadSeconds` before the start, for a booked appointment whose due time is
 * still ahead; none for a cancelled or started appointment, nor when the appointment is already
 * closer than the lead time (a reminder at booking time is noise). Seconds precision, like `at()`.
 */
export function planReminder(appointment: Pick<Appointment, 'status' | 'version' | 'appointmentDateTime'>, now: Date, leadSeconds: number): ReminderPlan {
  if (appointment.status === 'cancelled') return { action: 'none', reason: 'cancelled' };
  const startsAt = instantOf(appointment.appointmentDateTime);
  if (startsAt <= now.getTime()) return { action: 'none', reason: 'started' };
  const dueAt = Math.floor((startsAt - leadSeconds * 1000) / 1000) * 1000;
  if (dueAt <= now.getTime()) return { action: 'none', reason: 'within-lead-time' };
  return { action: 'schedule', dueAt: new Date(dueAt).toISOString(), version: appointment.version };
}

/** `at(2031-03-13T09:30:00)`: Scheduler's one-time expression, read in ScheduleExpressionTimezone (UTC here). */
export const atExpression = (isoInstant: string): string => `at(${isoInstant.slice(0, 19)})`;

export interface ReminderScheduler {
  /**
   * Makes the appointment's reminder schedule match the appointment as it is now: created or moved
   * for a reminder still ahead, deleted otherwise. Idempotent and independent of the order changes
   * arrive in, because it is given the appointment as read now, not the change that triggered it.
   */
  reconcile(appointment: Pick<Appointment, 'id' | 'status' | 'version' | 'appointmentDateTime'>, now: Date): Promise<ReminderPlan>;
}

const nameOf = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);

export function reminderScheduler(client: SchedulerClient, options: ReminderSchedulerOptions): ReminderScheduler {
  return {
    async reconcile(appointment, now) {
      const plan = planReminder(appointment, now, options.leadSeconds);
      const Name = reminderScheduleName(appointment.id);
      if (plan.action === 'none') {
        try {
          await client.send(new DeleteScheduleCommand({ Name, GroupName: options.groupName }));
        } catch (error) {
          if (nameOf(error) !== 'ResourceNotFoundException') throw error;
        }
        return plan;
      }
      const input: ReminderRequest = { reminder: { appointmentId: appointment.id, version: plan.version, dueAt: plan.dueAt } };
      const definition = {
        Name,
        GroupName: options.groupName,
        ScheduleExpression: atExpression(plan.dueAt),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' as const },
        ActionAfterCompletion: 'DELETE' as const,
        State: 'ENABLED' as const,
        Description: `Reminder of appointment version ${plan.version}`,
        Target: {
          Arn: options.targetArn,
          RoleArn: options.roleArn,
          Input: JSON.stringify(input),
          RetryPolicy: { MaximumRetryAttempts: options.maximumRetryAttempts, MaximumEventAgeInSeconds: options.maximumEventAgeSeconds },
          DeadLetterConfig: { Arn: options.deadLetterArn },
        },
      };
      try {
        await client.send(new CreateScheduleCommand(definition));
      } catch (error) {
        // The appointment already has a reminder schedule: UpdateSchedule replaces all of it.
        if (nameOf(error) !== 'ConflictException') throw error;
        await client.send(new UpdateScheduleCommand(definition));
      }
      return plan;
    },
  };
}
