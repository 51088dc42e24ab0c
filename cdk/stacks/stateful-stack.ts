import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { STAFF_GROUP } from '../../contracts/api-routes';
import { STATEFUL_OUTPUTS } from '../../contracts/system-facts';
import type { Construct } from 'constructs';

/** The appointments table's index by day (`appointmentDate` = the date in the appointment's own offset). */
export const APPOINTMENTS_BY_DATE_INDEX = 'byAppointmentDate';

/**
 * Logical ids of the tables. They are pinned because CloudFormation replaces a resource whose
 * logical id changes, and replacing a table deletes its data; a test holds them fixed.
 */
export const STATEFUL_LOGICAL_IDS = {
  appointmentsTable: 'AppointmentsTable',
  contactsTable: 'ContactsTable',
  idempotencyTable: 'IdempotencyTable',
  recipientQuotaTable: 'RecipientQuotaTable',
  notificationsTable: 'NotificationsTable',
  staffUserPool: 'StaffUserPool',
  manageTokenKey: 'ManageTokenKey',
  reminderScheduleGroup: 'ReminderScheduleGroup',
} as const;

export interface StatefulStackProps extends StackProps {
  removalPolicy: RemovalPolicy;
  pointInTimeRecovery: boolean;
  /** DynamoDB deletion protection on every table (termination protection is a stack prop). */
  deletionProtection: boolean;
  /** Prefix of the user pool's name (a name staff see in the console, not a physical resource name). */
  resourcePrefix: string;
  staffMfa: 'ON' | 'OPTIONAL';
  /** Allow USER_PASSWORD_AUTH on the staff app client (dev only: the local identity provider's flow). */
  staffPasswordAuthFlow: boolean;
}

/**
 * The data that outlives deployments: appointments (with their stream), contacts, idempotency
 * records, per-recipient notification quotas, the staff user pool and the manage-token key (a new
 * key would invalidate every manage link already e-mailed).
 */
export class StatefulStack extends Stack {
  readonly appointmentsTable: dynamodb.Table;
  readonly contactsTable: dynamodb.Table;
  readonly idempotencyTable: dynamodb.Table;
  readonly recipientQuotaTable: dynamodb.Table;
  readonly notificationsTable: dynamodb.Table;
  readonly staffUserPool: cognito.UserPool;
  readonly staffClient: cognito.UserPoolClient;
  readonly manageTokenKey: secretsmanager.Secret;
  /** Each schedule in it is one patient's pending reminder: state that outlives a deploy of the stateless stack. */
  readonly reminderScheduleGroup: scheduler.ScheduleGroup;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    const common = {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    };

    this.appointmentsTable = new dynamodb.Table(this, 'Appointments', {
      ...common,
      // NEW_IMAGE is all the pipe needs: it only forwards INSERTs, whose old image is empty.
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    this.contactsTable = new dynamodb.Table(this, 'Contacts', common);
    // Powertools idempotency's defaults: partition key `id`, expiry attribute `expiration`.
    this.idempotencyTable = new dynamodb.Table(this, 'Idempotency', { ...common, timeToLiveAttribute: 'expiration' });
    // One item per recipient (keyed by a hash of the address or number, never the raw value): the
    // times of its notifications in the last 24 h. TTL removes recipients idle for a day.
    this.recipientQuotaTable = new dynamodb.Table(this, 'RecipientQuota', { ...common, timeToLiveAttribute: 'expiresAt' });
    // One item per notification of an appointment (each change's, and its reminder): kept apart from
    // the appointments table so that recording an outcome never writes to the pipe's source stream.
    this.notificationsTable = new dynamodb.Table(this, 'Notifications', {
      ...common,
      partitionKey: { name: 'appointmentId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'notificationId', type: dynamodb.AttributeType.STRING },
    });
    // Staff list a day's appointments: the day (in the appointment's own offset) and its start time.
    this.appointmentsTable.addGlobalSecondaryIndex({
      indexName: APPOINTMENTS_BY_DATE_INDEX,
      partitionKey: { name: 'appointmentDate', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'appointmentDateTime', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.staffUserPool = new cognito.UserPool(this, 'StaffUsers', {
      userPoolName: `${props.resourcePrefix}-staff`,
      // Staff accounts are created by an administrator; nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      mfa: props.staffMfa === 'ON' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      passwordPolicy: { minLength: 14, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      removalPolicy: props.removalPolicy,
      deletionProtection: props.deletionProtection,
    });
    new cognito.CfnUserPoolGroup(this, 'StaffGroup', {
      userPoolId: this.staffUserPool.userPoolId,
      groupName: STAFF_GROUP,
      description: 'Clinic staff: may read any appointment, list a day, and read and change any contact preference',
    });
    this.staffClient = this.staffUserPool.addClient('StaffApp', {
      generateSecret: false,
      // No hosted UI or OAuth flows: staff sign in through the API (SRP), never via a redirect.
      disableOAuth: true,
      authFlows: { userSrp: true, userPassword: props.staffPasswordAuthFlow },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });

    this.manageTokenKey = new secretsmanager.Secret(this, 'ManageTokenKeySecret', {
      description: "HMAC-SHA256 key of patients' manage tokens (rotating it invalidates every manage link sent)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: props.removalPolicy,
    });

    // The reminders' schedules live in their own group (so the notifier's rights and the scheduler
    // role's trust can be scoped to it); deleting the group deletes every pending reminder in it.
    this.reminderScheduleGroup = new scheduler.ScheduleGroup(this, 'ReminderSchedules', { removalPolicy: props.removalPolicy });

    pinLogicalId(this.appointmentsTable, STATEFUL_LOGICAL_IDS.appointmentsTable);
    pinLogicalId(this.contactsTable, STATEFUL_LOGICAL_IDS.contactsTable);
    pinLogicalId(this.idempotencyTable, STATEFUL_LOGICAL_IDS.idempotencyTable);
    pinLogicalId(this.recipientQuotaTable, STATEFUL_LOGICAL_IDS.recipientQuotaTable);
    pinLogicalId(this.notificationsTable, STATEFUL_LOGICAL_IDS.notificationsTable);
    (this.staffUserPool.node.defaultChild as cognito.CfnUserPool).overrideLogicalId(STATEFUL_LOGICAL_IDS.staffUserPool);
    (this.manageTokenKey.node.defaultChild as secretsmanager.CfnSecret).overrideLogicalId(STATEFUL_LOGICAL_IDS.manageTokenKey);
    (this.reminderScheduleGroup.node.defaultChild as scheduler.CfnScheduleGroup).overrideLogicalId(STATEFUL_LOGICAL_IDS.reminderScheduleGroup);

    Validations.of(this.manageTokenKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the manage-token key would invalidate every manage link already e-mailed to patients; it is rotated deliberately, by replacing the secret value, with a notice to patients.',
    });
    Validations.of(this.staffUserPool).acknowledge(
      {
        id: 'AwsSolutions-COG3',
        reason: 'Advanced security (threat protection) needs the Plus feature plan; a handful of staff accounts created by an administrator, with MFA (required in prod), no self sign-up and a strong password policy, do not justify it.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason: 'The Essentials plan covers what staff sign-in needs (MFA, groups, admin-created users); the Plus plan only adds threat protection, see COG3.',
      },
    );
    if (props.staffMfa !== 'ON') {
      Validations.of(this.staffUserPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason: 'MFA is optional only in this non-production environment, which holds no patient data; prod requires it.',
      });
    }

    if (!props.pointInTimeRecovery) {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: 'Point-in-time recovery is off only in this environment, which holds disposable test data; staging and prod enable it.',
      });
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-DDB4',
      reason: 'Point-in-time recovery (35 days, in staging and prod) is the backup mechanism; no separate AWS Backup plan.',
    });

    new CfnOutput(this, STATEFUL_OUTPUTS.appointmentsTableName, { value: this.appointmentsTable.tableName, description: 'Appointments table' });
    new CfnOutput(this, STATEFUL_OUTPUTS.contactsTableName, { value: this.contactsTable.tableName, description: 'Contacts table (id = lower-cased e-mail address)' });
    new CfnOutput(this, STATEFUL_OUTPUTS.recipientQuotaTableName, { value: this.recipientQuotaTable.tableName, description: 'Notifications per recipient in the last 24 h' });
    new CfnOutput(this, STATEFUL_OUTPUTS.notificationsTableName, { value: this.notificationsTable.tableName, description: 'Each notification of each appointment, with its status' });
    new CfnOutput(this, STATEFUL_OUTPUTS.staffUserPoolId, { value: this.staffUserPool.userPoolId, description: 'Staff user pool (add staff with admin-create-user, then admin-add-user-to-group staff)' });
    new CfnOutput(this, STATEFUL_OUTPUTS.staffUserPoolClientId, { value: this.staffClient.userPoolClientId, description: 'App client staff sign in with' });
    new CfnOutput(this, STATEFUL_OUTPUTS.reminderScheduleGroupName, { value: this.reminderScheduleGroup.scheduleGroupName, description: "EventBridge Scheduler group of the appointments' reminders (one schedule per pending reminder)" });
    new CfnOutput(this, STATEFUL_OUTPUTS.idempotencyTableName, { value: this.idempotencyTable.tableName, description: "Notifier's idempotency records" });
  }
}

function pinLogicalId(table: dynamodb.Table, logicalId: string): void {
  (table.node.defaultChild as dynamodb.CfnTable).overrideLogicalId(logicalId);
}
