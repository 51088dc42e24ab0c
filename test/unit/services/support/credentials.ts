import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { signManageToken } from '../../../../services/common/security/manage-token';
import { TEST_ENV } from './test-env';

/**
 * Credentials for the service tests: the manage-token key the mocked Secrets Manager returns, manage
 * tokens signed with it, and the claims API Gateway's Cognito authorizer attaches for staff.
 */
export const MANAGE_TOKEN_KEY = 'unit-test-manage-token-key-0123456789abcdefghij';

/** Mocks every SecretsManagerClient: the manage-token secret (and only it) resolves to MANAGE_TOKEN_KEY. */
export function mockManageTokenSecret(key: string = MANAGE_TOKEN_KEY) {
  const secretsManager = mockClient(SecretsManagerClient);
  const arm = () => {
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error('Secrets Manager cannot find the specified secret.'), { name: 'ResourceNotFoundException' }));
    secretsManager.on(GetSecretValueCommand, { SecretId: TEST_ENV.MANAGE_TOKEN_SECRET_ARN }).resolves({ SecretString: key });
  };
  arm();
  return Object.assign(secretsManager, { arm });
}

/** Seconds since the epoch, a year from now: a token that has not expired. */
export const inAYear = (): number => Math.floor(Date.now() / 1000) + 365 * 24 * 60 * 60;

/** A manage token for a booking, as the notifier e-mails it. */
export function manageToken(appointment: { id: string; email: string }, options: { expiresAt?: number; key?: string; purpose?: string } = {}): string {
  return signManageToken(options.key ?? MANAGE_TOKEN_KEY, {
    appointmentId: appointment.id,
    email: appointment.email,
    expiresAt: options.expiresAt ?? inAYear(),
    ...(options.purpose ? { purpose: options.purpose } : {}),
  });
}

export const bearer = (token: string): Record<string, string> => ({ 'Content-Type': 'application/json', Authorization: `Bearer ${token}` });

/** The claims of a verified staff ID token, as API Gateway REST passes `cognito:groups` (a string). */
export function staffClaims(options: { groups?: string; sub?: string; username?: string } = {}): Record<string, string> {
  return {
    sub: options.sub ?? '7c4a1f2e-0b3d-4e5f-8a6b-9c0d1e2f3a4b',
    'cognito:username': options.username ?? 'reception',
    'cognito:groups': options.groups ?? 'staff',
    token_use: 'id',
  };
}
