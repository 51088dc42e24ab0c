import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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
    ['opening hours in an unknown time zone', (c: EnvironmentConfig) => ({ ...c, lifecycle: { ...c.lifecycle, openingHours: { ...c.lifecycle.openingHours, timeZone: 'Europe/Atlantis' } } }), /lifecycle\.openingHours\.timeZone is not an IANA time zone: Europe\/Atlantis/],
    ['a day that closes before it opens', (c: EnvironmentConfig) => ({ ...c, lifecycle: { ...c.lifecycle, openingHours: { ...c.lifecycle.openingHours, weekly: { 1: { opens: '18:00', closes: '08:00' } } } } }), /lifecycle\.openingHours\.weekly\[1\] must be HH:MM opens before closes/],
    ['a reminder lead time of a month', (c: EnvironmentConfig) => ({ ...c, lifecycle: { ...c.lifecycle, reminderLeadTime: Duration.days(30) } }), /lifecycle\.reminderLeadTime must be 60 s\.\.7 days, got 2592000s/],
    ['a reminder retry beyond Scheduler\'s limit', (c: EnvironmentConfig) => ({ ...c, lifecycle: { ...c.lifecycle, reminderRetry: { ...c.lifecycle.reminderRetry, maximumRetryAttempts: 186 } } }), /lifecycle\.reminderRetry\.maximumRetryAttempts must be an integer 0\.\.185/],
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

describe('per-deployment context overrides', () => {
  it('takes the sender, its SES identity and the ops e-mail from -c context', () => {
    // Arrange
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-overrides-'));
    try {
      const app = buildApp({
        stage: 'staging',
        outdir,
        context: { senderEmail: 'appointments@clinic.example.org', opsAlarmEmail: 'oncall@clinic.example.org' },
      });

      // Act
      const template = Template.fromStack(app.node.findChild('Staging-Stateless') as Stack);

      // Assert
      const notifier = Object.values(template.findResources('AWS::Lambda::Function')).find(
        (fn) => (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables.SENDER_EMAIL !== undefined,
      ) as { Properties: { Environment: { Variables: Record<string, unknown> } } };
      expect(notifier.Properties.Environment.Variables.SENDER_EMAIL).toBe('appointments@clinic.example.org');
      // Without -c sesIdentity, the sender's domain is the identity SES must have verified.
      expect(JSON.stringify(template.toJSON())).toContain(':identity/clinic.example.org');
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@clinic.example.org' });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('validates overridden values like the configured ones', () => {
    expect(() => buildApp({ stage: 'dev', context: { senderEmail: 'bookings@a.example', sesIdentity: 'b.example' } })).toThrow(
      /ses\.identity \(b\.example\) must be ses\.senderEmail or its domain \(a\.example\)/,
    );
  });
});
