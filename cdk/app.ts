import * as cdk from 'aws-cdk-lib';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ENVIRONMENTS,
  InvalidEnvironmentError,
  type EnvironmentConfig,
  type Stage,
  STAGES,
  validateEnvironmentConfig,
} from './config/environments';
import { stackName, stackPrefix } from '../contracts/system-facts';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';

export const DEFAULT_REGION = 'eu-west-2';

export interface BuildAppOptions {
  stage: Stage;
  /** Where the cloud assembly is written; the CLI's `CDK_OUTDIR` (or a temp directory) otherwise. */
  outdir?: string;
  /** Extra context, as `-c key=value` would give. */
  context?: Record<string, unknown>;
}

/**
 * Context keys that override the environment's configuration at synthesis, for the per-account
 * facts a deployer must supply: `-c senderEmail=… -c sesIdentity=… -c opsAlarmEmail=… -c siteUrl=…
 * -c siteCertificateArn=…` (the last gives the site's distribution the host of siteUrl as its alias).
 */
export const CONFIG_CONTEXT_KEYS = ['senderEmail', 'sesIdentity', 'opsAlarmEmail', 'siteUrl', 'siteCertificateArn'] as const;

export { stackPrefix };

/**
 * Builds (without synthesizing) the CDK app of one environment: `<Stage>-Stateful` and
 * `<Stage>-Stateless`. This is the app's entry point: the only reader of the environment
 * configuration and of `CDK_DEFAULT_ACCOUNT` / `CDK_DEFAULT_REGION`.
 */
export function buildApp(options: BuildAppOptions): cdk.App {
  if (!(STAGES as readonly string[]).includes(options.stage)) {
    throw new InvalidEnvironmentError(`unknown environment ${JSON.stringify(options.stage)}: use one of ${STAGES.join(', ')}`);
  }
  const app = new cdk.App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    // cdk.json's feature flags first, so tests and the local runtime synthesize exactly what
    // `cdk synth` does; the CLI's own context (-c) still overrides both.
    context: { ...cdkJsonContext(), ...(options.context ?? {}) },
  });
  const config = withContextOverrides(ENVIRONMENTS[options.stage], app);
  validateEnvironmentConfig(config);

  const env: cdk.Environment = {
    // Undefined account leaves the stacks account-agnostic, so synthesis needs no credentials.
    account: process.env.CDK_DEFAULT_ACCOUNT || undefined,
    region: process.env.CDK_DEFAULT_REGION || DEFAULT_REGION,
  };
  const tags = { project: 'lj-dentists-booking-notifications', environment: config.stage };

  const stateful = new StatefulStack(app, stackName(config.stage, 'Stateful'), {
    env,
    description: `LJ Dentists booking notifications (${config.stage}): tables`,
    terminationProtection: config.protectStatefulResources,
    removalPolicy: config.removalPolicy,
    pointInTimeRecovery: config.pointInTimeRecovery,
    deletionProtection: config.protectStatefulResources,
    resourcePrefix: config.resourcePrefix,
    staffMfa: config.security.staffMfa,
    staffPasswordAuthFlow: config.security.staffPasswordAuthFlow,
    tags,
  });
  new StatelessStack(app, stackName(config.stage, 'Stateless'), {
    env,
    description: `LJ Dentists booking notifications (${config.stage}): API, functions, pipe, queues, alarms`,
    config,
    appointmentsTable: stateful.appointmentsTable,
    contactsTable: stateful.contactsTable,
    idempotencyTable: stateful.idempotencyTable,
    recipientQuotaTable: stateful.recipientQuotaTable,
    notificationsTable: stateful.notificationsTable,
    staffUserPool: stateful.staffUserPool,
    manageTokenKey: stateful.manageTokenKey,
    reminderScheduleGroup: stateful.reminderScheduleGroup,
    tags,
  });
  return app;
}

function withContextOverrides(config: EnvironmentConfig, app: cdk.App): EnvironmentConfig {
  const read = (key: (typeof CONFIG_CONTEXT_KEYS)[number]): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      throw new InvalidEnvironmentError(`context ${key} must be a non-empty string, got ${JSON.stringify(value)}`);
    }
    return value.trim();
  };
  const senderEmail = read('senderEmail');
  const sesIdentity = read('sesIdentity');
  const opsAlarmEmail = read('opsAlarmEmail');
  const siteUrl = read('siteUrl');
  const siteCertificateArn = read('siteCertificateArn');
  const sender = senderEmail ?? config.ses.senderEmail;
  return {
    ...config,
    // A new sender without a new identity is verified by its own domain.
    ses: { senderEmail: sender, identity: sesIdentity ?? (senderEmail ? sender.split('@')[1] ?? sender : config.ses.identity) },
    opsAlarmEmail: opsAlarmEmail ?? config.opsAlarmEmail,
    security: {
      ...config.security,
      siteUrl: siteUrl ?? config.security.siteUrl,
      ...(siteCertificateArn ? { siteCertificateArn } : {}),
    },
  };
}

/** The `context` of the root cdk.json (the feature flags), which the CLI passes but `new App()` alone does not read. */
function cdkJsonContext(): Record<string, unknown> {
  const file = path.resolve(__dirname, '..', 'cdk.json');
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}
