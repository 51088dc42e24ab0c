import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { buildApp } from '../../cdk/app';
import {
  DEAD_LETTER_RETENTION,
  ENVIRONMENTS,
  type EnvironmentConfig,
  InvalidEnvironmentError,
  parseStage,
  STAGES,
  validateEnvironmentConfig,
} from '../../cdk/config/environments';

/** The config as plain data: durations in seconds, so the snapshot reads as the values that deploy. */
function plain(value: unknown): unknown {
  if (value instanceof Duration) return `${value.toSeconds()}s`;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
  }
  return value;
}

function withChange(stage: keyof typeof ENVIRONMENTS, change: (config: EnvironmentConfig) => EnvironmentConfig): EnvironmentConfig {
  return change(ENVIRONMENTS[stage]);
}

describe('environment configuration', () => {
  it('matches the reviewed snapshot for every stage', () => {
    // Arrange
    const configs = Object.fromEntries(STAGES.map((stage) => [stage, plain(ENVIRONMENTS[stage])]));

    // Act / Assert
    expect(configs).toMatchSnapshot();
  });

  it.each(STAGES)('%s passes its own validation and is keyed by its own stage', (stage) => {
    expect(ENVIRONMENTS[stage].stage).toBe(stage);
    expect(() => validateEnvironmentConfig(ENVIRONMENTS[stage])).not.toThrow();
  });

  it('retains and protects prod data, and only prod', () => {
    expect(ENVIRONMENTS.prod.removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(ENVIRONMENTS.prod.protectStatefulResources).toBe(true);
    expect(ENVIRONMENTS.prod.pointInTimeRecovery).toBe(true);
    expect(ENVIRONMENTS.staging.pointInTimeRecovery).toBe(true);
    expect(ENVIRONMENTS.dev.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(ENVIRONMENTS.dev.protectStatefulResources).toBe(false);
  });

  it.each(STAGES)('%s keeps idempotency records longer than any message can be redelivered', (stage) => {
    const config = ENVIRONMENTS[stage];
    expect(config.notifier.idempotencyExpiry.toSeconds()).toBeGreaterThan(config.notificationsQueue.retentionPeriod.toSeconds());
    expect(config.notifier.idempotencyExpiry.toSeconds()).toBeGreaterThan(DEAD_LETTER_RETENTION.toSeconds());
  });

  it.each([
    ['a pipe batch above the SQS target limit', (c: EnvironmentConfig) => ({ ...c, pipe: { ...c.pipe, batchSize: 11 } }), /pipe\.batchSize must be an integer 1\.\.10/],
    ['an idempotency expiry within the queue retention', (c: EnvironmentConfig) => ({ ...c, notifier: { ...c.notifier, idempotencyExpiry: Duration.days(4) } }), /idempotencyExpiry \(345600s\) must be longer than the queues' retention \(1209600s\)/],
    ['a max concurrency below the SQS event-source minimum', (c: EnvironmentConfig) => ({ ...c, notifier: { ...c.notifier, maxConcurrency: 1 } }), /notifier\.maxConcurrency must be an integer 2\.\.1000, got 1/],
    ['a record age outside the Pipes range', (c: EnvironmentConfig) => ({ ...c, pipe: { ...c.pipe, maximumRecordAge: Duration.seconds(30) } }), /pipe\.maximumRecordAge must be 60\.\.604800 seconds, got 30/],
    ['a sender outside the SES identity', (c: EnvironmentConfig) => ({ ...c, ses: { identity: 'other.example', senderEmail: 'bookings@ljdentists.example' } }), /ses\.identity \(other\.example\) must be ses\.senderEmail or its domain \(ljdentists\.example\)/],
    ['an alarm e-mail that is not an address', (c: EnvironmentConfig) => ({ ...c, opsAlarmEmail: 'ops' }), /opsAlarmEmail is not an e-mail address: ops/],
  ])('rejects %s, naming the setting', (_name, change, message) => {
    // Arrange
    const config = withChange('prod', change);

    // Act / Assert
    expect(() => validateEnvironmentConfig(config)).toThrow(InvalidEnvironmentError);
    expect(() => validateEnvironmentConfig(config)).toThrow(message);
  });

  it('lists every problem at once', () => {
    const config = withChange('dev', (c) => ({ ...c, opsAlarmEmail: 'nope', pipe: { ...c.pipe, batchSize: 0 } }));
    expect(() => validateEnvironmentConfig(config)).toThrow(/environment dev is misconfigured:\n {2}- pipe\.batchSize[^\n]*\n {2}- opsAlarmEmail/);
  });
});

describe('stage selection', () => {
  it('defaults to dev when no env context is given', () => {
    expect(parseStage(undefined)).toBe('dev');
    expect(parseStage('')).toBe('dev');
  });

  it.each(STAGES)('accepts %s', (stage) => {
    expect(parseStage(stage)).toBe(stage);
  });

  it.each(['qa', 'Prod', 'production', 42])('rejects %p, listing the valid environments', (value) => {
    expect(() => parseStage(value)).toThrow(InvalidEnvironmentError);
    expect(() => parseStage(value)).toThrow(/use -c env=<dev\|staging\|prod>/);
  });

  it('refuses to build an app for an unknown stage', () => {
    expect(() => buildApp({ stage: 'qa' as never })).toThrow(/unknown environment "qa": use one of dev, staging, prod/);
  });

  it('refuses an empty context override instead of deploying a blank sender', () => {
    expect(() => buildApp({ stage: 'dev', context: { senderEmail: ' ' } })).toThrow(/context senderEmail must be a non-empty string/);
  });
});
