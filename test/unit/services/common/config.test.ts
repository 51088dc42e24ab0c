import '../support/test-env';
import { ConfigurationError, readAwsConnection } from '../../../../services/common/config-env';
import { loadBookingConfig } from '../../../../services/booking/config';
import { loadEnrichmentConfig } from '../../../../services/enrichment/config';
import { loadNotifierConfig, DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS } from '../../../../services/notifier/config';

const NOTIFIER_ENV = {
  APPOINTMENTS_TABLE_NAME: 'appointments',
  IDEMPOTENCY_TABLE_NAME: 'idempotency',
  RECIPIENT_QUOTA_TABLE_NAME: 'recipient-quota',
  SMS_COUNTRY_CALLING_CODES: '44, 353',
  MANAGE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:manage-token-key-AbCdEf',
  SITE_URL: 'https://book.lj-dentists.example',
  SENDER_EMAIL: 'appointments@lj-dentists.example',
  NOTIFICATIONS_TABLE_NAME: 'notifications',
  CONTACTS_TABLE_NAME: 'contacts',
  MAX_RECEIVE_COUNT: '3',
  SCHEDULE_GROUP_NAME: 'reminders',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/reminder-scheduler',
  REMINDER_TARGET_ARN: 'arn:aws:sqs:eu-west-2:123456789012:notifications',
  REMINDER_DLQ_ARN: 'arn:aws:sqs:eu-west-2:123456789012:reminders-dlq',
  REMINDER_MAX_RETRY_ATTEMPTS: '3',
  REMINDER_MAX_EVENT_AGE_SECONDS: '3600',
  REMINDER_LEAD_SECONDS: '86400',
};

const BOOKING_ENV = {
  APPOINTMENTS_TABLE_NAME: 'appointments',
  APPOINTMENTS_BY_DATE_INDEX_NAME: 'byAppointmentDate',
  CONTACTS_TABLE_NAME: 'contacts',
  MANAGE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:manage-token-key-AbCdEf',
  DENTISTS: JSON.stringify([{ id: 'lopez', name: 'Dr Lopez' }]),
  NOTIFICATIONS_TABLE_NAME: 'notifications',
  OPENING_HOURS: JSON.stringify({ timeZone: 'Europe/London', weekly: { 1: { opens: '08:00', closes: '18:00' } } }),
};

function configurationError(load: () => unknown): ConfigurationError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('service configuration', () => {
  it.each([
    ['booking', 'APPOINTMENTS_TABLE_NAME', () => loadBookingConfig({ ...BOOKING_ENV, APPOINTMENTS_TABLE_NAME: undefined })],
    ['booking', 'CONTACTS_TABLE_NAME', () => loadBookingConfig({ ...BOOKING_ENV, CONTACTS_TABLE_NAME: '  ' })],
    ['booking', 'APPOINTMENTS_BY_DATE_INDEX_NAME', () => loadBookingConfig({ ...BOOKING_ENV, APPOINTMENTS_BY_DATE_INDEX_NAME: undefined })],
    ['booking', 'MANAGE_TOKEN_SECRET_ARN', () => loadBookingConfig({ ...BOOKING_ENV, MANAGE_TOKEN_SECRET_ARN: undefined })],
    ['booking', 'DENTISTS', () => loadBookingConfig({ ...BOOKING_ENV, DENTISTS: undefined })],
    ['enrichment', 'CONTACTS_TABLE_NAME', () => loadEnrichmentConfig({})],
    ['notifier', 'IDEMPOTENCY_TABLE_NAME', () => loadNotifierConfig({ ...NOTIFIER_ENV, IDEMPOTENCY_TABLE_NAME: undefined })],
    ['notifier', 'SENDER_EMAIL', () => loadNotifierConfig({ ...NOTIFIER_ENV, SENDER_EMAIL: '' })],
    ['notifier', 'APPOINTMENTS_TABLE_NAME', () => loadNotifierConfig({ ...NOTIFIER_ENV, APPOINTMENTS_TABLE_NAME: undefined })],
    ['notifier', 'RECIPIENT_QUOTA_TABLE_NAME', () => loadNotifierConfig({ ...NOTIFIER_ENV, RECIPIENT_QUOTA_TABLE_NAME: undefined })],
    ['notifier', 'SMS_COUNTRY_CALLING_CODES', () => loadNotifierConfig({ ...NOTIFIER_ENV, SMS_COUNTRY_CALLING_CODES: undefined })],
    ['notifier', 'MANAGE_TOKEN_SECRET_ARN', () => loadNotifierConfig({ ...NOTIFIER_ENV, MANAGE_TOKEN_SECRET_ARN: undefined })],
    ['notifier', 'SITE_URL', () => loadNotifierConfig({ ...NOTIFIER_ENV, SITE_URL: ' ' })],
  ])('%s names the missing %s', (_service, variable, load) => {
    const error = configurationError(load);

    expect(error.code).toBe('ConfigurationError');
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(`environment variable ${variable} is required but not set`);
  });

  it('reads the notifier configuration with the default idempotency expiry of 7 days', () => {
    const config = loadNotifierConfig(NOTIFIER_ENV);

    expect(DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS).toBe(7 * 24 * 60 * 60);
    expect(config).toMatchObject({
      appointmentsTableName: 'appointments',
      idempotencyTableName: 'idempotency',
      senderEmail: 'appointments@lj-dentists.example',
      idempotencyExpirySeconds: DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
      recipientQuotaTableName: 'recipient-quota',
      notificationsPerRecipientPerDay: 10,
      smsCountryCallingCodes: ['44', '353'],
      manageTokenSecretArn: NOTIFIER_ENV.MANAGE_TOKEN_SECRET_ARN,
      manageTokenValiditySeconds: 30 * 24 * 60 * 60,
      siteUrl: 'https://book.lj-dentists.example',
    });
  });

  it.each(['', ' , ', '+44', '044', '44,abc', '1234'])('rejects SMS_COUNTRY_CALLING_CODES=%j', (value) => {
    const error = configurationError(() => loadNotifierConfig({ ...NOTIFIER_ENV, SMS_COUNTRY_CALLING_CODES: value }));

    expect(error.variable).toBe('SMS_COUNTRY_CALLING_CODES');
  });

  it.each(['book.lj-dentists.example', 'https://book.lj-dentists.example/', 'https://book.lj-dentists.example/?a=1', 'https://book.lj-dentists.example#x', 'ftp://book.lj-dentists.example'])(
    'rejects SITE_URL=%s',
    (value) => {
      expect(configurationError(() => loadNotifierConfig({ ...NOTIFIER_ENV, SITE_URL: value })).variable).toBe('SITE_URL');
    },
  );

  it.each(['NOTIFICATIONS_PER_RECIPIENT_PER_DAY', 'MANAGE_TOKEN_VALIDITY_SECONDS'])('rejects a non-positive %s', (variable) => {
    expect(configurationError(() => loadNotifierConfig({ ...NOTIFIER_ENV, [variable]: '0' })).variable).toBe(variable);
  });

  it('reads the booking configuration with its dentists', () => {
    expect(loadBookingConfig(BOOKING_ENV)).toMatchObject({
      appointmentsTableName: 'appointments',
      appointmentsByDateIndexName: 'byAppointmentDate',
      contactsTableName: 'contacts',
      manageTokenSecretArn: BOOKING_ENV.MANAGE_TOKEN_SECRET_ARN,
      dentists: [{ id: 'lopez', name: 'Dr Lopez' }],
    });
  });

  it.each([
    ['not JSON', 'Dr Lopez'],
    ['an empty list', '[]'],
    ['an object', '{"id":"lopez","name":"Dr Lopez"}'],
    ['an entry without a name', '[{"id":"lopez"}]'],
    ['an entry with an empty id', '[{"id":"","name":"Dr Lopez"}]'],
  ])('rejects DENTISTS that is %s', (_case, value) => {
    const error = configurationError(() => loadBookingConfig({ ...BOOKING_ENV, DENTISTS: value }));

    expect(error.variable).toBe('DENTISTS');
  });

  it.each(['0', '-5', '1.5', 'week', '99999999999999999999'])('rejects IDEMPOTENCY_EXPIRY_SECONDS=%s', (value) => {
    const error = configurationError(() => loadNotifierConfig({ ...NOTIFIER_ENV, IDEMPOTENCY_EXPIRY_SECONDS: value }));

    expect(error.message).toBe(`environment variable IDEMPOTENCY_EXPIRY_SECONDS must be a positive integer, got "${value}"`);
  });

  it('rejects a SENDER_EMAIL that is not an e-mail address', () => {
    const error = configurationError(() => loadNotifierConfig({ ...NOTIFIER_ENV, SENDER_EMAIL: 'appointments' }));

    expect(error.variable).toBe('SENDER_EMAIL');
  });

  it('passes endpoint overrides through and rejects malformed ones', () => {
    expect(
      readAwsConnection({
        AWS_REGION: 'eu-west-2',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
        AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:9000',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:4566',
      }),
    ).toEqual({
      region: 'eu-west-2',
      endpoints: { dynamodb: 'http://127.0.0.1:8000', sns: 'http://127.0.0.1:9000', secretsManager: 'http://127.0.0.1:4566' },
    });
    expect(readAwsConnection({})).toEqual({ endpoints: {} });
    expect(configurationError(() => readAwsConnection({ AWS_ENDPOINT_URL_SESV2: 'localhost:8005' })).variable).toBe('AWS_ENDPOINT_URL_SESV2');
  });

  it('a function without its configuration fails at cold start, naming the variable', () => {
    const saved = process.env.CONTACTS_TABLE_NAME;
    delete process.env.CONTACTS_TABLE_NAME;
    try {
      expect(() => jest.isolateModules(() => require('../../../../services/enrichment/handler'))).toThrow(
        'environment variable CONTACTS_TABLE_NAME is required but not set',
      );
    } finally {
      process.env.CONTACTS_TABLE_NAME = saved;
    }
  });
});
