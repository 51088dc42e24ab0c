/**
 * Imported first by every service test: the services read their configuration once, at module
 * load, so the environment must be in place before a handler is imported. Dummy credentials and a
 * localhost endpoint make sure nothing can reach real AWS even if a mock were missing.
 */
export const TEST_ENV = {
  APPOINTMENTS_TABLE_NAME: 'test-appointments',
  APPOINTMENTS_BY_DATE_INDEX_NAME: 'byAppointmentDate',
  CONTACTS_TABLE_NAME: 'test-contacts',
  RECIPIENT_QUOTA_TABLE_NAME: 'test-recipient-quota',
  NOTIFICATIONS_PER_RECIPIENT_PER_DAY: '10',
  SMS_COUNTRY_CALLING_CODES: '44,1',
  MANAGE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:test-manage-token-key-AbCdEf',
  MANAGE_TOKEN_VALIDITY_SECONDS: '2592000',
  SITE_URL: 'https://book.lj-dentists.example',
  // The names the unit tests' bookings use, as the CDK config would list the practice's dentists.
  DENTISTS: JSON.stringify([
    { id: 'lee-jones', name: 'Dr. Lee Jones' },
    { id: 'lopez', name: 'Dr Lopez' },
    { id: 'jones', name: 'Dr Jones' },
  ]),
  NOTIFICATIONS_TABLE_NAME: 'test-notifications',
  // The practice's opening hours as the CDK config passes them (Europe/London, Mon-Fri 08-18, Sat 09-13).
  OPENING_HOURS: JSON.stringify({
    timeZone: 'Europe/London',
    weekly: { 1: { opens: '08:00', closes: '18:00' }, 2: { opens: '08:00', closes: '18:00' }, 3: { opens: '08:00', closes: '18:00' }, 4: { opens: '08:00', closes: '18:00' }, 5: { opens: '08:00', closes: '18:00' }, 6: { opens: '09:00', closes: '13:00' } },
  }),
  IDEMPOTENCY_TABLE_NAME: 'test-idempotency',
  MAX_RECEIVE_COUNT: '3',
  REMINDER_LEAD_SECONDS: '86400',
  SCHEDULE_GROUP_NAME: 'test-reminders',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/test-reminder-scheduler',
  REMINDER_TARGET_ARN: 'arn:aws:sqs:eu-west-2:123456789012:notifications',
  REMINDER_DLQ_ARN: 'arn:aws:sqs:eu-west-2:123456789012:reminders-dlq',
  REMINDER_MAX_RETRY_ATTEMPTS: '3',
  REMINDER_MAX_EVENT_AGE_SECONDS: '3600',
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
  AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:1',
  AWS_ENDPOINT_URL_SCHEDULER: 'http://127.0.0.1:1',
} as const;

Object.assign(process.env, TEST_ENV);
