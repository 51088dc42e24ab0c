import { isEmailAddress } from '../../contracts';
import {
  ConfigurationError,
  optionalPositiveInteger,
  readAwsConnection,
  requireString,
  type AwsConnection,
  type Environment,
} from '../shared/config-env';

/**
 * 7 days. Must outlive the notifications queue's retention (4 days by default): a message
 * redelivered late must still find its idempotency record, or it would be sent again.
 */
export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = 7 * 24 * 60 * 60;

export interface NotifierConfig {
  appointmentsTableName: string;
  idempotencyTableName: string;
  senderEmail: string;
  idempotencyExpirySeconds: number;
  aws: AwsConnection;
}

export function loadNotifierConfig(env: Environment): NotifierConfig {
  const appointmentsTableName = requireString(env, 'APPOINTMENTS_TABLE_NAME');
  const idempotencyTableName = requireString(env, 'IDEMPOTENCY_TABLE_NAME');
  const senderEmail = requireString(env, 'SENDER_EMAIL');
  // The schemas' e-mail rule, so the sender is checked exactly like any address we accept.
  if (!isEmailAddress(senderEmail.toLowerCase())) {
    throw new ConfigurationError('SENDER_EMAIL', `must be an e-mail address, got "${senderEmail}"`);
  }
  return {
    appointmentsTableName,
    idempotencyTableName,
    senderEmail,
    idempotencyExpirySeconds: optionalPositiveInteger(env, 'IDEMPOTENCY_EXPIRY_SECONDS', DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS),
    aws: readAwsConnection(env),
  };
}

/** Read once, at cold start: a misconfigured function fails its first invocation, naming the variable. */
export const config: NotifierConfig = loadNotifierConfig(process.env);
