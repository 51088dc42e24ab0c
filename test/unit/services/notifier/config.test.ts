import '../support/test-env';
import { ConfigurationError } from '../../../../services/common/config-env';
import { loadNotifierConfig } from '../../../../services/notifier/config';
import { TEST_ENV } from '../support/test-env';

function configurationError(load: () => unknown): ConfigurationError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('notifier configuration: the notifications table, the receive count, the reminders', () => {
  it('reads them', () => {
    expect(loadNotifierConfig(TEST_ENV)).toMatchObject({
      notificationsTableName: 'test-notifications',
      contactsTableName: 'test-contacts',
      maxReceiveCount: 3,
      reminders: {
        scheduleGroupName: 'test-reminders',
        schedulerRoleArn: TEST_ENV.SCHEDULER_ROLE_ARN,
        targetArn: TEST_ENV.REMINDER_TARGET_ARN,
        deadLetterArn: TEST_ENV.REMINDER_DLQ_ARN,
        maximumRetryAttempts: 3,
        maximumEventAgeSeconds: 3600,
        leadSeconds: 86_400,
      },
    });
  });

  it.each([
    'NOTIFICATIONS_TABLE_NAME',
    'CONTACTS_TABLE_NAME',
    'MAX_RECEIVE_COUNT',
    'SCHEDULE_GROUP_NAME',
    'SCHEDULER_ROLE_ARN',
    'REMINDER_TARGET_ARN',
    'REMINDER_DLQ_ARN',
    'REMINDER_MAX_RETRY_ATTEMPTS',
    'REMINDER_MAX_EVENT_AGE_SECONDS',
    'REMINDER_LEAD_SECONDS',
  ])('refuses to start without %s, naming it', (variable) => {
    const error = configurationError(() => loadNotifierConfig({ ...TEST_ENV, [variable]: undefined }));
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(`environment variable ${variable} is required but not set`);
  });

  it.each([
    ['MAX_RECEIVE_COUNT', '0'],
    ['MAX_RECEIVE_COUNT', 'three'],
    ['MAX_RECEIVE_COUNT', '2.5'],
    ['REMINDER_LEAD_SECONDS', '-60'],
    ['REMINDER_MAX_RETRY_ATTEMPTS', '186'],
    ['REMINDER_MAX_RETRY_ATTEMPTS', '-1'],
    ['REMINDER_MAX_EVENT_AGE_SECONDS', '59'],
    ['REMINDER_MAX_EVENT_AGE_SECONDS', '86401'],
    ['SCHEDULER_ROLE_ARN', 'reminder-scheduler'],
    ['REMINDER_TARGET_ARN', 'https://sqs.eu-west-2.amazonaws.com/123456789012/notifications'],
    ['REMINDER_DLQ_ARN', 'arn:aws:sqs:eu-west-2:123:short-account'],
  ])('refuses %s=%s with a ConfigurationError naming it', (variable, value) => {
    const error = configurationError(() => loadNotifierConfig({ ...TEST_ENV, [variable]: value }));
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(`"${value}"`);
  });

  it('allows no Scheduler retries (0)', () => {
    expect(loadNotifierConfig({ ...TEST_ENV, REMINDER_MAX_RETRY_ATTEMPTS: '0' }).reminders.maximumRetryAttempts).toBe(0);
  });
});
