import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments';
import { DEAD_LETTER_RETENTION } from '../config/environments';
import { AppointmentPipe } from '../constructs/appointment-pipe';
import { BookingApi } from '../constructs/booking-api';
import { FlowDashboard } from '../constructs/flow-dashboard';
import { NotificationQueue } from '../constructs/notification-queue';
import { OpsAlarms } from '../constructs/ops-alarms';
import { ReminderScheduling } from '../constructs/reminder-scheduling';
import { PatientSite } from '../constructs/patient-site';
import { ServiceFunction } from '../constructs/service-function';
import { STATELESS_OUTPUTS } from '../../contracts/system-facts';
import { APPOINTMENTS_BY_DATE_INDEX } from './stateful-stack';

/** Output keys a user (and `ops/dlq`) reads after a deploy: the shared facts. */
export { STATELESS_OUTPUTS };

export interface StatelessStackProps extends StackProps {
  config: EnvironmentConfig;
  appointmentsTable: dynamodb.ITable;
  contactsTable: dynamodb.ITable;
  idempotencyTable: dynamodb.ITable;
  recipientQuotaTable: dynamodb.ITable;
  notificationsTable: dynamodb.ITable;
  staffUserPool: cognito.IUserPool;
  manageTokenKey: secretsmanager.ISecret;
  /** The stateful stack's schedule group of the reminders. */
  reminderScheduleGroup: scheduler.IScheduleGroup;
}

/** Everything that can be replaced without losing data: API, functions, pipe, queues, alarms, dashboard. */
export class StatelessStack extends Stack {
  readonly api: BookingApi;
  readonly booking: ServiceFunction;
  readonly enrichment: ServiceFunction;
  readonly notifier: ServiceFunction;
  readonly notifications: NotificationQueue;
  readonly queueKey: kms.Key;
  readonly pipe: AppointmentPipe;
  readonly reminders: ReminderScheduling;
  readonly ops: OpsAlarms;
  readonly dashboard: FlowDashboard;
  readonly site: PatientSite;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, appointmentsTable, contactsTable, idempotencyTable, recipientQuotaTable, notificationsTable, manageTokenKey } = props;
    // Logs are operational data, not the system of record: even prod's go with the stack.
    const logRemovalPolicy = RemovalPolicy.DESTROY;
    const functionDefaults = {
      logRetention: config.logRetention,
      logRemovalPolicy,
      logLevel: config.powertoolsLogLevel,
      metricsNamespace: config.metricsNamespace,
    };

    this.booking = new ServiceFunction(this, 'Booking', {
      ...functionDefaults,
      entry: 'services/booking/handler.ts',
      description: 'Booking API: book, reschedule, cancel and read appointments, set and read contacts',
      serviceName: 'booking',
      memorySizeMb: config.functions.booking.memorySizeMb,
      timeout: config.functions.booking.timeout,
      environment: {
        APPOINTMENTS_TABLE_NAME: appointmentsTable.tableName,
        APPOINTMENTS_BY_DATE_INDEX_NAME: APPOINTMENTS_BY_DATE_INDEX,
        CONTACTS_TABLE_NAME: contactsTable.tableName,
        MANAGE_TOKEN_SECRET_ARN: manageTokenKey.secretArn,
        DENTISTS: JSON.stringify(config.dentists),
        NOTIFICATIONS_TABLE_NAME: notificationsTable.tableName,
        OPENING_HOURS: JSON.stringify(config.lifecycle.openingHours),
        REMINDER_LEAD_SECONDS: String(config.lifecycle.reminderLeadTime.toSeconds()),
      },
    });
    // A booking and each change are one TransactWriteItems: it needs the per-item actions (Put, Update).
    allow(this.booking, ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'], [appointmentsTable.tableArn]);
    allow(this.booking, ['dynamodb:PutItem', 'dynamodb:GetItem'], [contactsTable.tableArn]);
    allow(this.booking, ['dynamodb:Query'], [`${appointmentsTable.tableArn}/index/${APPOINTMENTS_BY_DATE_INDEX}`]);
    // The change rows written with each change, and the rows read back for GET (Query by appointmentId).
    allow(this.booking, ['dynamodb:PutItem', 'dynamodb:Query'], [notificationsTable.tableArn]);
    allow(this.booking, ['secretsmanager:GetSecretValue'], [manageTokenKey.secretArn]);

    this.enrichment = new ServiceFunction(this, 'Enrichment', {
      ...functionDefaults,
      entry: 'services/enrichment/handler.ts',
      description: "Pipe enrichment: adds each appointment's preferred contact method from the contacts table",
      serviceName: 'enrichment',
      memorySizeMb: config.functions.enrichment.memorySizeMb,
      timeout: config.functions.enrichment.timeout,
      environment: { CONTACTS_TABLE_NAME: contactsTable.tableName },
    });
    allow(this.enrichment, ['dynamodb:BatchGetItem'], [contactsTable.tableArn]);

    const senderIdentityArn = this.formatArn({ service: 'ses', resource: 'identity', resourceName: config.ses.identity });
    this.notifier = new ServiceFunction(this, 'Notifier', {
      ...functionDefaults,
      entry: 'services/notifier/handler.ts',
      description: 'Notifier: sends each enriched appointment by e-mail or SMS, or skips it, exactly once',
      serviceName: 'notifier',
      memorySizeMb: config.functions.notifier.memorySizeMb,
      timeout: config.functions.notifier.timeout,
      environment: {
        APPOINTMENTS_TABLE_NAME: appointmentsTable.tableName,
        IDEMPOTENCY_TABLE_NAME: idempotencyTable.tableName,
        SENDER_EMAIL: config.ses.senderEmail,
        IDEMPOTENCY_EXPIRY_SECONDS: String(config.notifier.idempotencyExpiry.toSeconds()),
        RECIPIENT_QUOTA_TABLE_NAME: recipientQuotaTable.tableName,
        NOTIFICATIONS_PER_RECIPIENT_PER_DAY: String(config.security.notificationsPerRecipientPerDay),
        SMS_COUNTRY_CALLING_CODES: config.security.smsCountryCallingCodes.join(','),
        MANAGE_TOKEN_SECRET_ARN: manageTokenKey.secretArn,
        MANAGE_TOKEN_VALIDITY_SECONDS: String(config.security.manageTokenValidityAfterAppointment.toSeconds()),
        SITE_URL: config.security.siteUrl,
        NOTIFICATIONS_TABLE_NAME: notificationsTable.tableName,
        CONTACTS_TABLE_NAME: contactsTable.tableName,
        // The queue's redrive maxReceiveCount: the attempt that fails with this receive count is the
        // last, so the notifier records the notification as failed before SQS dead-letters it.
        MAX_RECEIVE_COUNT: String(config.notificationsQueue.maxReceiveCount),
        REMINDER_LEAD_SECONDS: String(config.lifecycle.reminderLeadTime.toSeconds()),
      },
    });
    // Reads only: the appointment as it is now (reminders). Its outcomes go to the notifications
    // table, so the notifier's writes can never reach the appointments stream and the pipe.
    allow(this.notifier, ['dynamodb:GetItem'], [appointmentsTable.tableArn]);
    allow(this.notifier, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [notificationsTable.tableArn]);
    allow(this.notifier, ['dynamodb:GetItem'], [contactsTable.tableArn]);
    allow(
      this.notifier,
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [idempotencyTable.tableArn],
    );
    allow(this.notifier, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [recipientQuotaTable.tableArn]);
    allow(this.notifier, ['secretsmanager:GetSecretValue'], [manageTokenKey.secretArn]);
    // Only from the configured sender: the identity ARN alone would allow any address of its domain.
    this.notifier.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [senderIdentityArn],
        conditions: { StringEquals: { 'ses:FromAddress': config.ses.senderEmail } },
      }),
    );
    // SMS goes to a phone number, not a topic: SNS authorizes PhoneNumber publishes only on "*".
    // The Deny keeps that "*" from reaching any topic, in this account or another.
    allow(this.notifier, ['sns:Publish'], ['*']);
    this.notifier.role.addToPolicy(
      new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['sns:Publish'], resources: ['arn:aws:sns:*:*:*'] }),
    );

    Validations.of(this.notifier.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'sns:Publish to a PhoneNumber (SMS) has no resource ARN: AWS requires "*" for it (as do the X-Ray tracing actions every function has).',
    });

    this.api = new BookingApi(this, 'Api', {
      restApiName: `${config.resourcePrefix}-booking-api`,
      stageName: config.stage,
      bookingFunction: this.booking.function,
      staffUserPool: props.staffUserPool,
      throttlingRateLimit: config.api.throttlingRateLimit,
      throttlingBurstLimit: config.api.throttlingBurstLimit,
      bookingThrottle: config.security.bookingThrottle,
      ...(config.security.waf.enabled
        ? { waf: { requestsPerFiveMinutesPerIp: config.security.waf.requestsPerFiveMinutesPerIp, namePrefix: config.resourcePrefix } }
        : {}),
      logRetention: config.logRetention,
      logRemovalPolicy,
    });

    // The patient pages, with the API on the same origin; the manage links use config.security.siteUrl.
    this.site = new PatientSite(this, 'PatientSite', {
      restApi: this.api.restApi,
      stageName: config.stage,
      comment: `${config.resourcePrefix} patient pages`,
      ...(config.security.siteCertificateArn
        ? { domain: { names: [new URL(config.security.siteUrl).hostname], certificateArn: config.security.siteCertificateArn } }
        : {}),
    });

    // The notifications queues hold enriched appointments (personal data) for days: their key lets
    // only the pipe (sender) and the notifier (consumer) use it; the account may administer the key
    // (no kms:CreateGrant, no crypto operations) but not decrypt with it, so sqs:ReceiveMessage alone
    // reads nothing. An administrator could still rewrite the key policy (PutKeyPolicy must stay,
    // or the key becomes unmanageable): a deliberate change that CloudTrail records.
    this.queueKey = new kms.Key(this, 'NotificationsKey', {
      description: `${config.resourcePrefix}: notifications queue and its DLQ (patient personal data)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersTheKey',
            principals: [new iam.AccountRootPrincipal()],
            actions: [
              'kms:CreateAlias', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*',
              'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion',
            ],
            resources: ['*'],
          }),
        ],
      }),
    });
    this.notifications = new NotificationQueue(this, 'Notifications', {
      encryptionKey: this.queueKey,
      consumerTimeout: config.functions.notifier.timeout,
      consumerBatchingWindow: config.notifier.maxBatchingWindow,
      maxReceiveCount: config.notificationsQueue.maxReceiveCount,
      retentionPeriod: config.notificationsQueue.retentionPeriod,
      deadLetterRetention: DEAD_LETTER_RETENTION,
    });
    this.notifier.function.addEventSource(
      new SqsEventSource(this.notifications.queue, {
        batchSize: config.notifier.batchSize,
        ...(config.notifier.maxBatchingWindow.toSeconds() > 0 ? { maxBatchingWindow: config.notifier.maxBatchingWindow } : {}),
        // One failed notification is redelivered alone; the rest of its batch is deleted.
        reportBatchItemFailures: true,
        maxConcurrency: config.notifier.maxConcurrency,
      }),
    );

    this.pipe = new AppointmentPipe(this, 'AppointmentPipe', {
      sourceTable: appointmentsTable,
      enrichmentFunction: this.enrichment.function,
      targetQueue: this.notifications.queue,
      batchSize: config.pipe.batchSize,
      maximumBatchingWindow: config.pipe.maximumBatchingWindow,
      maximumRetryAttempts: config.pipe.maximumRetryAttempts,
      maximumRecordAge: config.pipe.maximumRecordAge,
      logRetention: config.logRetention,
      logRemovalPolicy,
      deadLetterRetention: DEAD_LETTER_RETENTION,
    });
    // Key users: the pipe sends (a data key to encrypt), the notifier receives (decrypt) and, when a
    // message exceeds maxReceiveCount, SQS moves it to the DLQ under the same key.
    this.queueKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PipeSendsToTheNotificationsQueue',
        principals: [new iam.ArnPrincipal(this.pipe.role.roleArn)],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    this.queueKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'NotifierReceivesFromTheNotificationsQueue',
        principals: [new iam.ArnPrincipal(this.notifier.role.roleArn)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    allow(this.notifier, ['kms:Decrypt', 'kms:GenerateDataKey'], [this.queueKey.keyArn]);
    this.pipe.role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.queueKey.keyArn] }));

    // Reminders: one-time schedules in the stateful stack's group; Scheduler sends each to the
    // notifications queue (under the same key) as the scheduler role, which nothing else may use.
    this.reminders = new ReminderScheduling(this, 'Reminders', {
      scheduleGroup: props.reminderScheduleGroup,
      targetQueue: this.notifications.queue,
      deadLetterRetention: DEAD_LETTER_RETENTION,
      maximumRetryAttempts: config.lifecycle.reminderRetry.maximumRetryAttempts,
      maximumEventAge: config.lifecycle.reminderRetry.maximumEventAge,
    });
    this.queueKey.addToResourcePolicy(this.reminders.keyUseStatement('SchedulerSendsRemindersToTheNotificationsQueue'));
    this.reminders.role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.queueKey.keyArn] }));
    this.reminders.allowToManageReminders(this.notifier);

    const functions = { Booking: this.booking.function, Enrichment: this.enrichment.function, Notifier: this.notifier.function };
    const deadLetterQueues = { Notifications: this.notifications.deadLetterQueue, Pipe: this.pipe.deadLetterQueue, Reminders: this.reminders.deadLetterQueue };
    this.ops = new OpsAlarms(this, 'Ops', {
      topicDisplayName: `${config.resourcePrefix} booking notifications ops`,
      alarmEmail: config.opsAlarmEmail,
      deadLetterQueues,
      functions,
      pipeName: this.pipe.pipeName,
      notifier: this.notifier,
      suppressedNotificationsPerHour: config.security.suppressedNotificationsAlarmPerHour,
    });
    this.dashboard = new FlowDashboard(this, 'Dashboard', {
      dashboardName: `${config.resourcePrefix}-booking-notifications`,
      restApi: this.api.restApi,
      functions,
      pipeName: this.pipe.pipeName,
      notificationsQueue: this.notifications.queue,
      deadLetterQueues,
      alarms: this.ops.alarms,
      businessMetrics: { booking: this.booking, enrichment: this.enrichment, notifier: this.notifier },
    });

    const output = (key: keyof typeof STATELESS_OUTPUTS, value: string, description: string): void => {
      new CfnOutput(this, STATELESS_OUTPUTS[key], { value, description });
    };
    output('apiUrl', this.api.url, 'Booking API base URL (routes and who may call each: docs/security.md)');
    output('notificationsQueueUrl', this.notifications.queue.queueUrl, 'Notifications queue');
    output('notificationsDeadLetterQueueUrl', this.notifications.deadLetterQueue.queueUrl, 'Notifications dead-letter queue');
    output('pipeDeadLetterQueueUrl', this.pipe.deadLetterQueue.queueUrl, "Appointment pipe's dead-letter queue");
    output('pipeName', this.pipe.pipeName, 'Appointment pipe');
    output('opsTopicArn', this.ops.topic.topicArn, 'Ops alarm topic');
    output('dashboardName', this.dashboard.dashboard.dashboardName, 'CloudWatch dashboard');
    new CfnOutput(this, 'SiteDistributionUrl', { value: this.site.distributionUrl, description: 'The patient pages (CloudFront); a deployed dev sets -c siteUrl= to this' });
    new CfnOutput(this, 'SiteUrl', { value: config.security.siteUrl, description: 'Where the manage links e-mailed to patients point' });
  }
}

function allow(fn: ServiceFunction, actions: string[], resources: string[]): void {
  fn.role.addToPolicy(new iam.PolicyStatement({ actions, resources }));
}
