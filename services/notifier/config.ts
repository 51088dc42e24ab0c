import { isEmailAddress } from '../../contracts';
import {
  ConfigurationError,
  optionalPositiveInteger,
  readAwsConnection,
  requirePositiveInteger,
  requireString,
  type AwsConnection,
  type Environment,
} from '../common/config-env';

/**
 * 7 days. Must outlive the notifications queue's retention (4 days by default): a message
 * redelivered late must still find its idempotency record, or it would be sent again.
 */
export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = 7 * 24 * 60 * 60;

/** The reminder schedules the notifier makes (EventBridge Scheduler; all from the CDK app). */
export interface ReminderConfig {
  scheduleGroupName: string;
  /** The role Scheduler assumes to send a fired reminder to the notifications queue. */
  schedulerRoleArn: string;
  /** The notifications queue's ARN: a fired reminder comes back to this function. */
  targetArn: string;
  /** Where Scheduler puts a reminder it could not deliver. */
  deadLetterArn: string;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  /** How long before the appointment its reminder is due. */
  leadSeconds: number;
}

export interface NotifierConfig {
  /** Read (GetItem) only: the notifier never writes the appointments table, so never re-triggers the pipe. */
  appointmentsTableName: string;
  /** One row per change's notification and one per reminder: the outcomes GET /appointments/{id} lists. */
  notificationsTableName: string;
  /** Read (GetItem) for a reminder: the patient's channel now. */
  contactsTableName: string;
  /** The notifications queue's maxReceiveCount: the attempt with this receive count is the last, and its failure is `failed`. */
  maxReceiveCount: number;
  reminders: ReminderConfig;
  idempotencyTableName: string;
  recipientQuotaTableName: string;
  /** Notifications to one address or number per rolling 24 h; the rest are suppressed. */
  notificationsPerRecipientPerDay: number;
  /** Country calling codes SMS may go to (digits). */
  smsCountryCallingCodes: string[];
  manageTokenSecretArn: string;
  /** A manage token stays valid this long after the appointment starts. */
  manageTokenValiditySeconds: number;
  /** Origin (and path) of the patient pages, without a trailing slash. */
  siteUrl: string;
  senderEmail: string;
  idempotencyExpirySeconds: number;
  aws: AwsConnection;
}

function parseCallingCodes(raw: string): string[] {
  const codes = raw.split(',').map((code) => code.trim()).filter((code) => code !== '');
  const bad = codes.filter((code) => !/^[1-9]\d{0,2}$/.test(code));
  if (codes.length === 0 || bad.length > 0) throw new ConfigurationError('SMS_COUNTRY_CALLING_CODES', `must be comma-separated country calling codes such as 44,353, got "${raw}"`);
  return codes;
}

function requireArn(env: Environment, name: string): string {
  const value = requireString(env, name);
  if (!/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:\S+$/.test(value)) throw new ConfigurationError(name, `must be an ARN, got "${value}"`);
  return value;
}

export function loadNotifierConfig(env: Environment): NotifierConfig {
  const appointmentsTableName = requireString(env, 'APPOINTMENTS_TABLE_NAME');
  const idempotencyTableName = requireString(env, 'IDEMPOTENCY_TABLE_NAME');
  const senderEmail = requireString(env, 'SENDER_EMAIL');
  // The schemas' e-mail rule, so the sender is checked exactly like any address we accept.
  if (!isEmailAddress(senderEmail.toLowerCase())) {
    throw new ConfigurationError('SENDER_EMAIL', `must be an e-mail address, got "${senderEmail}"`);
  }
  const siteUrl = requireString(env, 'SITE_URL');
  if (!/^https?:\/\/[^\s?#]+[^/\s?#]$/.test(siteUrl)) throw new ConfigurationError('SITE_URL', `must be an http(s) URL without a trailing slash, query or fragment, got "${siteUrl}"`);
  // Scheduler's RetryPolicy allows 0 to 185 retries.
  const rawRetries = requireString(env, 'REMINDER_MAX_RETRY_ATTEMPTS');
  if (!/^\d{1,3}$/.test(rawRetries) || Number(rawRetries) > 185) {
    throw new ConfigurationError('REMINDER_MAX_RETRY_ATTEMPTS', `must be a whole number from 0 to 185, got "${rawRetries}"`);
  }
  const maximumRetryAttempts = Number(rawRetries);
  const maximumEventAgeSeconds = requirePositiveInteger(env, 'REMINDER_MAX_EVENT_AGE_SECONDS');
  // Scheduler's RetryPolicy allows 60 s to 24 h.
  if (maximumEventAgeSeconds < 60 || maximumEventAgeSeconds > 86_400) {
    throw new ConfigurationError('REMINDER_MAX_EVENT_AGE_SECONDS', `must be from 60 to 86400 seconds, got "${maximumEventAgeSeconds}"`);
  }
  return {
    appointmentsTableName,
    notificationsTableName: requireString(env, 'NOTIFICATIONS_TABLE_NAME'),
    contactsTableName: requireString(env, 'CONTACTS_TABLE_NAME'),
    maxReceiveCount: requirePositiveInteger(env, 'MAX_RECEIVE_COUNT'),
    reminders: {
      scheduleGroupName: requireString(env, 'SCHEDULE_GROUP_NAME'),
      schedulerRoleArn: requireArn(env, 'SCHEDULER_ROLE_ARN'),
      targetArn: requireArn(env, 'REMINDER_TARGET_ARN'),
      deadLetterArn: requireArn(env, 'REMINDER_DLQ_ARN'),
      maximumRetryAttempts,
      maximumEventAgeSeconds,
      leadSeconds: requirePositiveInteger(env, 'REMINDER_LEAD_SECONDS'),
    },
    idempotencyTableName,
    recipientQuotaTableName: requireString(env, 'RECIPIENT_QUOTA_TABLE_NAME'),
    notificationsPerRecipientPerDay: optionalPositiveInteger(env, 'NOTIFICATIONS_PER_RECIPIENT_PER_DAY', 10),
    smsCountryCallingCodes: parseCallingCodes(requireString(env, 'SMS_COUNTRY_CALLING_CODES')),
    manageTokenSecretArn: requireString(env, 'MANAGE_TOKEN_SECRET_ARN'),
    manageTokenValiditySeconds: optionalPositiveInteger(env, 'MANAGE_TOKEN_VALIDITY_SECONDS', 30 * 24 * 60 * 60),
    siteUrl,
    senderEmail,
    idempotencyExpirySeconds: optionalPositiveInteger(env, 'IDEMPOTENCY_EXPIRY_SECONDS', DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS),
    aws: readAwsConnection(env),
  };
}

/** Read once, at cold start: a misconfigured function fails its first invocation, naming the variable. */
export const config: NotifierConfig = loadNotifierConfig(process.env);
