import '../support/test-env';
import { ConfigurationError, readAwsConnection } from '../../../../services/shared/config-env';
import { loadBookingConfig } from '../../../../services/booking/config';
import { loadEnrichmentConfig } from '../../../../services/enrichment/config';
import { loadNotifierConfig, DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS } from '../../../../services/notifier/config';

const NOTIFIER_ENV = {
  APPOINTMENTS_TABLE_NAME: 'appointments',
  IDEMPOTENCY_TABLE_NAME: 'idempotency',
  SENDER_EMAIL: 'appointments@lj-dentists.example',
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
    ['booking', 'APPOINTMENTS_TABLE_NAME', () => loadBookingConfig({ CONTACTS_TABLE_NAME: 'contacts' })],
    ['booking', 'CONTACTS_TABLE_NAME', () => loadBookingConfig({ APPOINTMENTS_TABLE_NAME: 'appointments', CONTACTS_TABLE_NAME: '  ' })],
    ['enrichment', 'CONTACTS_TABLE_NAME', () => loadEnrichmentConfig({})],
    ['notifier', 'IDEMPOTENCY_TABLE_NAME', () => loadNotifierConfig({ ...NOTIFIER_ENV, IDEMPOTENCY_TABLE_NAME: undefined })],
    ['notifier', 'SENDER_EMAIL', () => loadNotifierConfig({ ...NOTIFIER_ENV, SENDER_EMAIL: '' })],
    ['notifier', 'APPOINTMENTS_TABLE_NAME', () => loadNotifierConfig({ ...NOTIFIER_ENV, APPOINTMENTS_TABLE_NAME: undefined })],
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
    });
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
    expect(readAwsConnection({ AWS_REGION: 'eu-west-2', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000', AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:9000' })).toEqual({
      region: 'eu-west-2',
      endpoints: { dynamodb: 'http://127.0.0.1:8000', sns: 'http://127.0.0.1:9000' },
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
