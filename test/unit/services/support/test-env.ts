/**
 * Imported first by every service test: the services read their configuration once, at module
 * load, so the environment must be in place before a handler is imported. Dummy credentials and a
 * localhost endpoint make sure nothing can reach real AWS even if a mock were missing.
 */
export const TEST_ENV = {
  APPOINTMENTS_TABLE_NAME: 'test-appointments',
  CONTACTS_TABLE_NAME: 'test-contacts',
  IDEMPOTENCY_TABLE_NAME: 'test-idempotency',
  SENDER_EMAIL: 'appointments@lj-dentists.example',
  IDEMPOTENCY_EXPIRY_SECONDS: '604800',
  POWERTOOLS_SERVICE_NAME: 'unit-test',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_METRICS_NAMESPACE: 'UnitTest',
  AWS_REGION: 'eu-west-2',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
  AWS_ENDPOINT_URL_SESV2: 'http://127.0.0.1:1',
  AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:1',
} as const;

Object.assign(process.env, TEST_ENV);
