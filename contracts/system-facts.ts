/**
 * The system's shared facts: the names that the CDK app, the services, the local-app and the ops
 * tools must agree on (stages, stack names, output keys, routes, event names, log keys, metrics). No CDK or SDK dependency, so every part imports it; each fact is written
 * here once (the API's routes are in ./api-routes.ts, the message contracts in ./index.ts).
 */
export { API_ROUTES, STAFF_GROUP, MANAGE_TOKEN_PURPOSE, routeKey, type ApiRoute, type RouteAccess, type RouteKey } from './api-routes';

export { BUSINESS_METRICS } from './metrics';

/** The only DynamoDB stream event the pipe lets through today (its filter is `{"eventName":["INSERT"]}`). */
export const APPOINTMENT_INSERT_EVENT_NAME = 'INSERT';
/** Message of the notifier's one structured log line per outcome. */
export const NOTIFICATION_OUTCOME_LOG_MESSAGE = 'notification outcome';
/** Key of that log line holding a `notification-result`. */
export const NOTIFICATION_RESULT_LOG_KEY = 'notificationResult';
/** The log key every line about a booking carries (the appointment id), end to end. */
export const CORRELATION_ID_LOG_KEY = 'correlation_id';

/** The deployable environments, in promotion order. */
export const STAGES = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

/** The two stacks of an environment: data that outlives deployments, and everything replaceable. */
export type StackKind = 'Stateful' | 'Stateless';

/** `Dev`, `Staging`, `Prod`: the stack name prefix of a stage. */
export function stackPrefix(stage: Stage): string {
  return stage.charAt(0).toUpperCase() + stage.slice(1);
}

/** `Dev-Stateful`, `Prod-Stateless`, …: the CloudFormation stack names. */
export function stackName(stage: Stage, kind: StackKind): string {
  return `${stackPrefix(stage)}-${kind}`;
}

/** Output keys of `<Stage>-Stateful` that a user and the ops tools read after a deploy. */
export const STATEFUL_OUTPUTS = {
  appointmentsTableName: 'AppointmentsTableName',
  contactsTableName: 'ContactsTableName',
  idempotencyTableName: 'IdempotencyTableName',
  recipientQuotaTableName: 'RecipientQuotaTableName',
  notificationsTableName: 'NotificationsTableName',
  reminderScheduleGroupName: 'ReminderScheduleGroupName',
  staffUserPoolId: 'StaffUserPoolId',
  staffUserPoolClientId: 'StaffUserPoolClientId',
} as const;

/** Output keys of `<Stage>-Stateless`. */
export const STATELESS_OUTPUTS = {
  apiUrl: 'ApiUrl',
  notificationsQueueUrl: 'NotificationsQueueUrl',
  notificationsDeadLetterQueueUrl: 'NotificationsDeadLetterQueueUrl',
  pipeDeadLetterQueueUrl: 'PipeDeadLetterQueueUrl',
  pipeName: 'PipeName',
  opsTopicArn: 'OpsTopicArn',
  dashboardName: 'DashboardName',
} as const;
