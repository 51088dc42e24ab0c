import { isEmailAddress } from '../../contracts';
import {
  ConfigurationError,
  optionalPositiveInteger,
  readAwsConnection,
  requireString,
  type AwsConnection,
  type Environment,
} from '../common/config-env';

/**
 * 7 days. Must outlive the notifications queue's retention (4 days by default): a message
 * redelivered late must still find its idempotency record, or it would be sent again.
 */
export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = 7 * 24 * 60 * 60;

export interface NotifierConfig {
  appointmentsTableName: string;
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
  return {
    appointmentsTableName,
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
