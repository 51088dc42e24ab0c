import { type Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createDeadLetterQueue } from './dead-letter-queue';
import type { ServiceFunction } from './service-function';

/** Prefix of every reminder schedule's name (`reminder-<appointmentId>`): the notifier may manage only these. */
export const REMINDER_SCHEDULE_PREFIX = 'reminder-';
export const SCHEDULER_SERVICE_PRINCIPAL = 'scheduler.amazonaws.com';

export interface ReminderSchedulingProps {
  /** The stateful stack's group the reminder schedules live in. */
  scheduleGroup: scheduler.IScheduleGroup;
  /** Where a fired reminder goes: the notifications queue, so it takes a change's path to the notifier. */
  targetQueue: sqs.IQueue;
  deadLetterRetention: Duration;
  maximumRetryAttempts: number;
  maximumEventAge: Duration;
}

/**
 * What one-time reminder schedules need besides their group: the role EventBridge Scheduler assumes
 * to send a reminder (trusted only by Scheduler, for this account and this group; allowed only
 * sqs:SendMessage on the notifications queue and the reminders DLQ), and the reminders DLQ, where
 * Scheduler puts a reminder it could not deliver after its retries. The KMS key use the encrypted
 * target needs is granted by the stack that owns the key (`allowKeyUse`).
 */
export class ReminderScheduling extends Construct {
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  private readonly props: ReminderSchedulingProps;

  constructor(scope: Construct, id: string, props: ReminderSchedulingProps) {
    super(scope, id);
    this.props = props;
    const stack = Stack.of(this);

    // The DLQ holds reminder requests ({appointmentId, version, dueAt}), no personal data: SQS-managed keys.
    this.deadLetterQueue = createDeadLetterQueue(this, 'DeadLetterQueue', {
      retentionPeriod: props.deadLetterRetention,
      purpose: 'the dead-letter queue of the reminder schedules (EventBridge Scheduler delivers there what it could not send)',
    });

    // Confused-deputy guard as Scheduler's documentation gives it: the account, and the schedule group's ARN.
    this.role = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler sends reminders to the notifications queue (and failures to the reminders DLQ)',
      assumedBy: new iam.ServicePrincipal(SCHEDULER_SERVICE_PRINCIPAL, {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': props.scheduleGroup.scheduleGroupArn,
          },
        },
      }),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.targetQueue.queueArn, this.deadLetterQueue.queueArn] }),
    );
  }

  /** `arn:…:schedule/<group>/reminder-*`: the schedules the notifier may create, move and delete. */
  get reminderSchedulesArn(): string {
    return Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.props.scheduleGroup.scheduleGroupName}/${REMINDER_SCHEDULE_PREFIX}*`,
    });
  }

  /** The environment the notifier's reminder scheduler reads. */
  get environment(): Record<string, string> {
    return {
      SCHEDULE_GROUP_NAME: this.props.scheduleGroup.scheduleGroupName,
      SCHEDULER_ROLE_ARN: this.role.roleArn,
      REMINDER_TARGET_ARN: this.props.targetQueue.queueArn,
      REMINDER_DLQ_ARN: this.deadLetterQueue.queueArn,
      REMINDER_MAX_RETRY_ATTEMPTS: String(this.props.maximumRetryAttempts),
      REMINDER_MAX_EVENT_AGE_SECONDS: String(this.props.maximumEventAge.toSeconds()),
    };
  }

  /**
   * Lets `fn` manage the reminder schedules (and nothing else of Scheduler's) and pass the scheduler
   * role to Scheduler only; sets the environment it reads.
   */
  allowToManageReminders(fn: ServiceFunction): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
        resources: [this.reminderSchedulesArn],
      }),
    );
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': SCHEDULER_SERVICE_PRINCIPAL } },
      }),
    );
    for (const [name, value] of Object.entries(this.environment)) fn.function.addEnvironment(name, value);
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceName(Stack.of(this).resolve(this.reminderSchedulesArn))}]`,
      reason: `One schedule per appointment (reminder-<appointmentId>): the notifier may manage only schedules named ${REMINDER_SCHEDULE_PREFIX}* in the reminders' schedule group.`,
    });
  }

  /** The scheduler role as a principal of the target queue's key policy (the stack that owns the key adds it). */
  keyUseStatement(sid: string): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid,
      principals: [new iam.ArnPrincipal(this.role.roleArn)],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
    });
  }
}

/** A resolved ARN as cdk-nag names it in a finding: pseudo parameters as `<AWS::AccountId>`. */
function nagResourceName(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`cannot name ${JSON.stringify(resolved)} as cdk-nag does`);
  return join[1].map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`)).join(join[0]);
}
