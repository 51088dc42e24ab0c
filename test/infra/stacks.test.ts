import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { API_ROUTES, STAFF_GROUP, routeKey } from '../../contracts/api-routes';
import { validateErrorResponse } from '../../contracts';
import { PATIENT_VISIBLE_CHANGE_FILTER_PATTERNS, PIPE_FAILURE_METRICS } from '../../cdk/constructs/appointment-pipe';
import { VISIBILITY_TIMEOUT_FACTOR } from '../../cdk/constructs/notification-queue';
import { REMINDER_SCHEDULE_PREFIX } from '../../cdk/constructs/reminder-scheduling';
import { DEAD_LETTER_RETENTION, ENVIRONMENTS, STAGES, type Stage } from '../../cdk/config/environments';
import { APPOINTMENTS_BY_DATE_INDEX, STATEFUL_LOGICAL_IDS } from '../../cdk/stacks/stateful-stack';
import { STATELESS_OUTPUTS } from '../../cdk/stacks/stateless-stack';
import { DEPLOYED_OUTPUTS } from '../../ops/dlq/resolve-queues';
import { removeSynthesizedOutput, synthesizeStage, templateJson, type SynthesizedStage } from './support/synthesize';

const synthesized = new Map<Stage, SynthesizedStage>();
beforeAll(() => {
  for (const stage of STAGES) synthesized.set(stage, synthesizeStage(stage));
});
afterAll(removeSynthesizedOutput);

function get(stage: Stage): SynthesizedStage {
  const result = synthesized.get(stage);
  if (!result) throw new Error(`stage ${stage} was not synthesized`);
  return result;
}

/** The logical id a construct's CloudFormation resource has in its stack. */
function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  // Resolving (not getLogicalId) honours overrideLogicalId, as synthesis does.
  return Stack.of(element).resolve(element.logicalId) as string;
}

/**
 * A readable name for an IAM resource: `*`, `<LogicalId>.Arn` for a same-stack GetAtt,
 * `Stateful:<LogicalId>.<Attribute>` for a value imported from the stateful stack, or the joined
 * string of an ARN built with Fn::Join.
 */
function describeResource(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const value = resource as Record<string, unknown>;
  if ('Fn::GetAtt' in value) {
    const [id, attribute] = value['Fn::GetAtt'] as [string, string];
    return `${id}.${attribute}`;
  }
  if ('Fn::ImportValue' in value) {
    const name = String(value['Fn::ImportValue']);
    const getAtt = /:ExportsOutputFnGetAtt(.+?)(Arn|StreamArn)[0-9A-F]{8}$/.exec(name);
    if (getAtt) return `Stateful:${getAtt[1]}.${getAtt[2]}`;
    // A Ref export: for a secret, its ARN.
    const ref = /:ExportsOutputRef(.+?)[0-9A-F]{8}$/.exec(name);
    if (ref) return `Stateful:${ref[1]}.Ref`;
    throw new Error(`unexpected import in an IAM policy: ${name}`);
  }
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => (typeof part === 'string' ? part : 'Ref' in (part as object) ? `\${${(part as { Ref: string }).Ref}}` : describeResource(part))).join(separator);
  }
  throw new Error(`unexpected IAM resource ${JSON.stringify(resource)}`);
}

interface PolicyStatementJson {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
  Sid?: string;
}

/** Every statement of the role's policies. */
function statementsOfRole(stage: Stage, roleLogicalId: string): PolicyStatementJson[] {
  const template = templateJson(get(stage).statelessTemplate);
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy' && (resource.Properties?.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleLogicalId))
    .flatMap((resource) => (resource.Properties?.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement);
}

/** Every `action on resource` the role's policies allow (or deny), across all of them. */
function grantsOfRole(stage: Stage, roleLogicalId: string, effect: 'Allow' | 'Deny' = 'Allow'): string[] {
  const grants: string[] = [];
  for (const statement of statementsOfRole(stage, roleLogicalId)) {
    expect(['Allow', 'Deny']).toContain(statement.Effect);
    if (statement.Effect !== effect) continue;
    const actions = ([] as string[]).concat(statement.Action);
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const action of actions) for (const res of resources) grants.push(`${action} on ${describeResource(res)}`);
  }
  return grants.sort();
}

/** Whether an IAM action pattern (`kms:Get*`, `kms:*`, `*`) covers an action, as IAM matches them. */
function actionCovers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(action);
}

/** The path of an API Gateway resource (`/appointments/{id}`) from its logical id. */
function resourcePathOf(resources: Record<string, { Properties?: Record<string, unknown> }>, reference: unknown): string {
  const ref = reference as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (ref['Fn::GetAtt']?.[1] === 'RootResourceId') return '';
  const resource = resources[ref.Ref ?? '']?.Properties as { ParentId: unknown; PathPart: string };
  return `${resourcePathOf(resources, resource.ParentId)}/${resource.PathPart}`;
}

function grants(actions: string[], resources: string[]): string[] {
  return actions.flatMap((action) => resources.map((resource) => `${action} on ${resource}`));
}

describe.each(STAGES)('%s environment', (stage) => {
  const config = ENVIRONMENTS[stage];
  const prefix = stage.charAt(0).toUpperCase() + stage.slice(1);

  describe('stacks', () => {
    it('are named <Stage>-Stateful and <Stage>-Stateless, in the configured region', () => {
      const { stateful, stateless } = get(stage);
      expect(stateful.stackName).toBe(`${prefix}-Stateful`);
      expect(stateless.stackName).toBe(`${prefix}-Stateless`);
      expect(stateless.dependencies).toContain(stateful);
    });

    it('protects the stateful stack from termination only in prod', () => {
      expect(get(stage).stateful.terminationProtection).toBe(stage === 'prod');
      expect(get(stage).stateless.terminationProtection).toBe(false);
    });
  });

  describe('stateful stack', () => {
    const TABLE_IDS = [STATEFUL_LOGICAL_IDS.appointmentsTable, STATEFUL_LOGICAL_IDS.contactsTable, STATEFUL_LOGICAL_IDS.idempotencyTable, STATEFUL_LOGICAL_IDS.recipientQuotaTable];
    const resourcesOf = () => templateJson(get(stage).statefulTemplate).Resources;

    it('holds exactly the five tables, the staff user pool (client, group), the manage-token key and the reminders\' schedule group, and nothing else of substance', () => {
      const template = get(stage).statefulTemplate;
      template.resourceCountIs('AWS::DynamoDB::Table', 5);
      const types = Object.values(templateJson(template).Resources).map((resource) => resource.Type);
      expect(types.filter((type) => type !== 'AWS::CDK::Metadata').sort()).toEqual(
        [...Array<string>(5).fill('AWS::DynamoDB::Table'), 'AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolClient', 'AWS::Cognito::UserPoolGroup', 'AWS::SecretsManager::Secret', 'AWS::Scheduler::ScheduleGroup'].sort(),
      );
    });

    it('keeps the tables, the user pool and the key at their pinned logical ids (renaming one would replace it and lose its data)', () => {
      const { stateful } = get(stage);
      const resources = resourcesOf();
      expect(Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::DynamoDB::Table').sort()).toEqual(
        ['AppointmentsTable', 'ContactsTable', 'IdempotencyTable', 'NotificationsTable', 'RecipientQuotaTable'],
      );
      expect(logicalId(stateful.appointmentsTable)).toBe(STATEFUL_LOGICAL_IDS.appointmentsTable);
      expect(logicalId(stateful.contactsTable)).toBe(STATEFUL_LOGICAL_IDS.contactsTable);
      expect(logicalId(stateful.idempotencyTable)).toBe(STATEFUL_LOGICAL_IDS.idempotencyTable);
      expect(logicalId(stateful.recipientQuotaTable)).toBe(STATEFUL_LOGICAL_IDS.recipientQuotaTable);
      expect(logicalId(stateful.staffUserPool)).toBe(STATEFUL_LOGICAL_IDS.staffUserPool);
      expect(logicalId(stateful.manageTokenKey)).toBe(STATEFUL_LOGICAL_IDS.manageTokenKey);
      expect(logicalId(stateful.notificationsTable)).toBe(STATEFUL_LOGICAL_IDS.notificationsTable);
      expect(logicalId(stateful.reminderScheduleGroup)).toBe(STATEFUL_LOGICAL_IDS.reminderScheduleGroup);
      expect(resources.ReminderScheduleGroup?.Type).toBe('AWS::Scheduler::ScheduleGroup');
      expect(resources.StaffUserPool?.Type).toBe('AWS::Cognito::UserPool');
      expect(resources.ManageTokenKey?.Type).toBe('AWS::SecretsManager::Secret');
    });

    it('keys every table by the string id, on demand, encrypted with the AWS-managed KMS key', () => {
      const resources = resourcesOf();
      for (const id of TABLE_IDS) {
        const properties = resources[id]?.Properties;
        expect(properties?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
        expect(properties?.AttributeDefinitions).toContainEqual({ AttributeName: 'id', AttributeType: 'S' });
        expect(properties?.BillingMode).toBe('PAY_PER_REQUEST');
        // SSEEnabled without a key id is KMS with the AWS-managed aws/dynamodb key.
        expect(properties?.SSESpecification).toEqual({ SSEEnabled: true });
      }
      for (const id of TABLE_IDS.filter((table) => table !== 'AppointmentsTable')) {
        expect(resources[id]?.Properties?.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
        expect(resources[id]?.Properties?.GlobalSecondaryIndexes).toBeUndefined();
      }
    });

    it('indexes appointments by day and start time (all attributes), for the staff day list', () => {
      const properties = resourcesOf().AppointmentsTable?.Properties;
      expect(properties?.GlobalSecondaryIndexes).toEqual([
        {
          IndexName: APPOINTMENTS_BY_DATE_INDEX,
          KeySchema: [
            { AttributeName: 'appointmentDate', KeyType: 'HASH' },
            { AttributeName: 'appointmentDateTime', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ]);
      expect((properties?.AttributeDefinitions as unknown[]).slice().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
        { AttributeName: 'appointmentDate', AttributeType: 'S' },
        { AttributeName: 'appointmentDateTime', AttributeType: 'S' },
        { AttributeName: 'id', AttributeType: 'S' },
      ]);
    });

    it('streams NEW_IMAGE from appointments only, and expires idempotency records on `expiration` and quota items on `expiresAt`', () => {
      const resources = resourcesOf();
      expect(resources.AppointmentsTable?.Properties?.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
      expect(resources.ContactsTable?.Properties?.StreamSpecification).toBeUndefined();
      expect(resources.IdempotencyTable?.Properties?.StreamSpecification).toBeUndefined();
      expect(resources.RecipientQuotaTable?.Properties?.StreamSpecification).toBeUndefined();
      expect(resources.IdempotencyTable?.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
      expect(resources.RecipientQuotaTable?.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    });

    it('applies the configured point-in-time recovery, deletion protection and removal policy to every table, the user pool and the key', () => {
      const resources = resourcesOf();
      const expectedPolicy = stage === 'prod' ? 'Retain' : 'Delete';
      for (const id of TABLE_IDS) {
        const table = resources[id];
        expect(table?.Properties?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: config.pointInTimeRecovery });
        expect(table?.Properties?.DeletionProtectionEnabled).toBe(config.protectStatefulResources);
        expect(table?.DeletionPolicy).toBe(expectedPolicy);
        expect(table?.UpdateReplacePolicy).toBe(expectedPolicy);
      }
      for (const id of [STATEFUL_LOGICAL_IDS.staffUserPool, STATEFUL_LOGICAL_IDS.manageTokenKey]) {
        expect([id, resources[id]?.DeletionPolicy]).toEqual([id, expectedPolicy]);
      }
      expect(resources.StaffUserPool?.Properties?.DeletionProtection).toBe(stage === 'prod' ? 'ACTIVE' : 'INACTIVE');
      if (stage === 'prod') {
        expect(config.pointInTimeRecovery && config.protectStatefulResources).toBe(true);
      }
    });

    it(`lets only administrators create staff accounts, with a strong password policy and MFA ${stage === 'prod' ? 'required' : 'optional'}`, () => {
      const properties = resourcesOf().StaffUserPool?.Properties;
      expect(properties?.AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
      expect(properties?.MfaConfiguration).toBe(stage === 'prod' ? 'ON' : 'OPTIONAL');
      // TOTP only: SMS codes are the weaker factor (and would cost SNS spend).
      expect(properties?.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
      expect(properties?.UsernameAttributes).toEqual(['email']);
      expect(properties?.UsernameConfiguration).toEqual({ CaseSensitive: false });
      expect(properties?.Policies).toEqual({
        PasswordPolicy: { MinimumLength: 14, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true, RequireUppercase: true, TemporaryPasswordValidityDays: 3 },
      });
      expect(properties?.AccountRecoverySetting).toEqual({ RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] });
    });

    it(`has the staff group and a public (secretless) app client with SRP sign-in${stage === 'dev' ? ' and, in dev only, the password flow' : ''}`, () => {
      const resources = resourcesOf();
      const pool = { Ref: STATEFUL_LOGICAL_IDS.staffUserPool };
      const groups = Object.values(resources).filter((resource) => resource.Type === 'AWS::Cognito::UserPoolGroup');
      expect(groups.map((group) => group.Properties)).toEqual([expect.objectContaining({ GroupName: STAFF_GROUP, UserPoolId: pool })]);
      const clients = Object.values(resources).filter((resource) => resource.Type === 'AWS::Cognito::UserPoolClient');
      expect(clients).toHaveLength(1);
      const client = clients[0]!.Properties!;
      expect(client.UserPoolId).toEqual(pool);
      expect(client.GenerateSecret).toBe(false);
      expect(client.PreventUserExistenceErrors).toBe('ENABLED');
      expect(client.EnableTokenRevocation).toBe(true);
      expect((client.ExplicitAuthFlows as string[]).slice().sort()).toEqual(
        ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', ...(config.security.staffPasswordAuthFlow ? ['ALLOW_USER_PASSWORD_AUTH'] : [])].sort(),
      );
      expect(config.security.staffPasswordAuthFlow).toBe(stage === 'dev');
      // ID tokens (what the authorizer checks) live an hour.
      expect([client.IdTokenValidity, (client.TokenValidityUnits as Record<string, string>).IdToken]).toEqual([60, 'minutes']);
    });

    it('generates the manage-token key in Secrets Manager: 64 characters, no punctuation or spaces (the services need 32 or more)', () => {
      const properties = resourcesOf().ManageTokenKey?.Properties;
      expect(properties?.GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false });
      expect(properties?.GenerateSecretString).not.toHaveProperty('SecretStringTemplate');
      expect(properties?.SecretString).toBeUndefined();
      expect((properties?.GenerateSecretString as { PasswordLength: number }).PasswordLength).toBeGreaterThanOrEqual(32);
    });

    it('outputs the table names and the staff pool and client ids', () => {
      const outputs = templateJson(get(stage).statefulTemplate).Outputs ?? {};
      expect(outputs.AppointmentsTableName?.Value).toEqual({ Ref: 'AppointmentsTable' });
      expect(outputs.ContactsTableName?.Value).toEqual({ Ref: 'ContactsTable' });
      expect(outputs.IdempotencyTableName?.Value).toEqual({ Ref: 'IdempotencyTable' });
      expect(outputs.RecipientQuotaTableName?.Value).toEqual({ Ref: 'RecipientQuotaTable' });
      expect(outputs.StaffUserPoolId?.Value).toEqual({ Ref: 'StaffUserPool' });
      expect(outputs.StaffUserPoolClientId?.Value).toEqual({ Ref: logicalId(get(stage).stateful.staffClient) });
      // The key's value is never an output.
      expect(JSON.stringify(outputs)).not.toMatch(/SecretString|GetSecretValue/);
    });
  });

  describe('stateless stack', () => {
    it('has the expected resources, in the expected numbers', () => {
      const template = get(stage).statelessTemplate;
      const counts: Record<string, number> = {
        // The three service functions and CDK's BucketDeployment provider (the patient site's upload).
        'AWS::Lambda::Function': 4,
        'AWS::Lambda::EventSourceMapping': 1,
        'AWS::SQS::Queue': 4,
        'AWS::Pipes::Pipe': 1,
        'AWS::ApiGateway::RestApi': 1,
        'AWS::ApiGateway::Stage': 1,
        'AWS::ApiGateway::Method': API_ROUTES.length,
        'AWS::ApiGateway::Authorizer': 1,
        'AWS::ApiGateway::GatewayResponse': 8,
        'AWS::WAFv2::WebACL': config.security.waf.enabled ? 1 : 0,
        'AWS::WAFv2::WebACLAssociation': config.security.waf.enabled ? 1 : 0,
        'AWS::KMS::Key': 1,
        'AWS::SNS::Topic': 1,
        'AWS::SNS::Subscription': 1,
        // Three DLQs, three functions, four pipe failure metrics, two business metrics (observability.test.ts).
        'AWS::CloudWatch::Alarm': 3 + 3 + PIPE_FAILURE_METRICS.length + 2,
        'AWS::CloudWatch::Dashboard': 1,
        // Three functions, the API's access logs, the pipe, the BucketDeployment provider.
        'AWS::Logs::LogGroup': 6,
        // Three functions, the pipe, the scheduler's, the BucketDeployment provider.
        'AWS::IAM::Role': 6,
        'AWS::S3::Bucket': 1,
        'AWS::CloudFront::Distribution': 1,
        'AWS::CloudFront::ResponseHeadersPolicy': 1,
        'Custom::CDKBucketDeployment': 2,
        'AWS::DynamoDB::Table': 0,
      };
      for (const [type, count] of Object.entries(counts)) template.resourceCountIs(type, count);
    });

    describe('functions', () => {
      const expectedEnvironment = {
        booking: ['APPOINTMENTS_TABLE_NAME', 'APPOINTMENTS_BY_DATE_INDEX_NAME', 'CONTACTS_TABLE_NAME', 'MANAGE_TOKEN_SECRET_ARN', 'DENTISTS', 'NOTIFICATIONS_TABLE_NAME', 'OPENING_HOURS', 'REMINDER_LEAD_SECONDS'],
        enrichment: ['CONTACTS_TABLE_NAME'],
        notifier: [
          'APPOINTMENTS_TABLE_NAME',
          'IDEMPOTENCY_TABLE_NAME',
          'SENDER_EMAIL',
          'IDEMPOTENCY_EXPIRY_SECONDS',
          'RECIPIENT_QUOTA_TABLE_NAME',
          'NOTIFICATIONS_PER_RECIPIENT_PER_DAY',
          'SMS_COUNTRY_CALLING_CODES',
          'MANAGE_TOKEN_SECRET_ARN',
          'MANAGE_TOKEN_VALIDITY_SECONDS',
          'SITE_URL',
          // The lifecycle: its rows, the contact a reminder reads, the last attempt, the lead time.
          'NOTIFICATIONS_TABLE_NAME',
          'CONTACTS_TABLE_NAME',
          'MAX_RECEIVE_COUNT',
          'REMINDER_LEAD_SECONDS',
          'SCHEDULE_GROUP_NAME',
          'SCHEDULER_ROLE_ARN',
          'REMINDER_TARGET_ARN',
          'REMINDER_DLQ_ARN',
          'REMINDER_MAX_RETRY_ATTEMPTS',
          'REMINDER_MAX_EVENT_AGE_SECONDS',
        ],
      } as const;

      it.each(['booking', 'enrichment', 'notifier'] as const)('%s runs nodejs22.x on arm64 with its configured memory, timeout, tracing and log group', (name) => {
        const { stateless, statelessTemplate } = get(stage);
        const fn = stateless[name];
        statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
          FunctionName: Match.absent(),
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          MemorySize: config.functions[name].memorySizeMb,
          Timeout: config.functions[name].timeout.toSeconds(),
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogGroup: { Ref: logicalId(fn.logGroup) } },
          Role: { 'Fn::GetAtt': [logicalId(fn.role), 'Arn'] },
        });
        statelessTemplate.hasResourceProperties('AWS::Logs::LogGroup', {
          RetentionInDays: config.logRetention,
        });
      });

      it.each(['booking', 'enrichment', 'notifier'] as const)('%s gets exactly the contract environment variables and the Powertools settings', (name) => {
        const { stateless, statelessTemplate } = get(stage);
        const resource = templateJson(statelessTemplate).Resources[logicalId(stateless[name].function)];
        const variables = (resource?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(Object.keys(variables).sort()).toEqual(
          [...expectedEnvironment[name], 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'NODE_OPTIONS'].sort(),
        );
        expect(variables.POWERTOOLS_SERVICE_NAME).toBe(name);
        expect(variables.POWERTOOLS_LOG_LEVEL).toBe(config.powertoolsLogLevel);
        expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe(config.metricsNamespace);
        expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
        // No endpoint override ever deploys: those are the local runtime's alone.
        expect(Object.keys(variables).filter((key) => key.startsWith('AWS_'))).toEqual([]);
      });

      it('wires the table names and notifier settings from the stateful stack and config', () => {
        const { stateless, statelessTemplate } = get(stage);
        const resources = templateJson(statelessTemplate).Resources;
        const variablesOf = (name: 'booking' | 'enrichment' | 'notifier'): Record<string, unknown> =>
          (resources[logicalId(stateless[name].function)]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
        const importOf = (tableLogicalId: string) => ({ 'Fn::ImportValue': Match.stringLikeRegexp(`^${prefix}-Stateful:ExportsOutputRef${tableLogicalId}[0-9A-F]{8}$`) });
        expect(Match.objectLike({ APPOINTMENTS_TABLE_NAME: importOf('AppointmentsTable'), CONTACTS_TABLE_NAME: importOf('ContactsTable') }).test(variablesOf('booking')).hasFailed()).toBe(false);
        expect(Match.objectLike({ CONTACTS_TABLE_NAME: importOf('ContactsTable') }).test(variablesOf('enrichment')).hasFailed()).toBe(false);
        const notifier = variablesOf('notifier');
        expect(Match.objectLike({ APPOINTMENTS_TABLE_NAME: importOf('AppointmentsTable'), IDEMPOTENCY_TABLE_NAME: importOf('IdempotencyTable') }).test(notifier).hasFailed()).toBe(false);
        expect(notifier.SENDER_EMAIL).toBe(config.ses.senderEmail);
        expect(notifier.IDEMPOTENCY_EXPIRY_SECONDS).toBe(String(config.notifier.idempotencyExpiry.toSeconds()));
        expect(Match.objectLike({ RECIPIENT_QUOTA_TABLE_NAME: importOf('RecipientQuotaTable') }).test(notifier).hasFailed()).toBe(false);
        expect(notifier.NOTIFICATIONS_PER_RECIPIENT_PER_DAY).toBe(String(config.security.notificationsPerRecipientPerDay));
        expect(notifier.SMS_COUNTRY_CALLING_CODES).toBe(config.security.smsCountryCallingCodes.join(','));
        expect(notifier.MANAGE_TOKEN_VALIDITY_SECONDS).toBe(String(config.security.manageTokenValidityAfterAppointment.toSeconds()));
        expect(notifier.SITE_URL).toBe(config.security.siteUrl);
        const booking = variablesOf('booking');
        expect(JSON.parse(String(booking.DENTISTS))).toEqual(config.dentists);
        // The index the function queries is the one the stateful stack defines.
        const indexes = templateJson(get(stage).statefulTemplate).Resources.AppointmentsTable?.Properties?.GlobalSecondaryIndexes as Array<{ IndexName: string }>;
        expect(indexes.map((index) => index.IndexName)).toEqual([booking.APPOINTMENTS_BY_DATE_INDEX_NAME]);
        // One key: the booking function verifies what the notifier signs. Ref of a secret is its ARN.
        const secretImport = { 'Fn::ImportValue': `${prefix}-Stateful:ExportsOutputRef${STATEFUL_LOGICAL_IDS.manageTokenKey}${(/[0-9A-F]{8}$/.exec(String((booking.MANAGE_TOKEN_SECRET_ARN as { 'Fn::ImportValue': string })['Fn::ImportValue'])) ?? [''])[0]}` };
        expect(booking.MANAGE_TOKEN_SECRET_ARN).toEqual(secretImport);
        expect(notifier.MANAGE_TOKEN_SECRET_ARN).toEqual(secretImport);
        const exports = templateJson(get(stage).statefulTemplate).Outputs ?? {};
        const exported = Object.values(exports).find((output) => (output.Export as { Name?: string } | undefined)?.Name === secretImport['Fn::ImportValue']);
        expect(exported?.Value).toEqual({ Ref: STATEFUL_LOGICAL_IDS.manageTokenKey });
      });

      it.each([
        ['booking', 'services/booking/handler.ts'],
        ['enrichment', 'services/enrichment/handler.ts'],
        ['notifier', 'services/notifier/handler.ts'],
      ] as const)('%s deploys a self-contained bundle of %s with its source map', (name, handlerPath) => {
        const { stateless, statelessTemplate, outdir } = get(stage);
        const code = templateJson(statelessTemplate).Resources[logicalId(stateless[name].function)]?.Properties?.Code as { S3Key: string };
        const assetDirectory = path.join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
        const bundle = fs.readFileSync(path.join(assetDirectory, 'index.mjs'), 'utf8');
        const sourceMap = JSON.parse(fs.readFileSync(path.join(assetDirectory, 'index.mjs.map'), 'utf8')) as { sources: string[] };

        expect(bundle.length).toBeGreaterThan(0);
        expect(bundle).toMatch(/handler/);
        expect(sourceMap.sources.some((source) => source.endsWith(handlerPath))).toBe(true);
        // externalModules: [] — nothing, not even the AWS SDK, is left for the runtime to provide.
        // The one exception is the SDK's optional CRT signer, which it requires inside a try/catch
        // only for SigV4a (multi-region access points), which this project never uses.
        // esbuild writes code requires with double quotes; the SDK's error text quotes with single ones.
        expect(bundle).not.toMatch(/require\("@aws-sdk\/(?!signature-v4-crt")/);
        expect(bundle).not.toMatch(/require\("@aws-lambda-powertools\//);
      });
    });

    describe('IAM: each role can do exactly its job', () => {
      it('booking: put/get/update appointments (transactions need the per-item actions), put/get contacts, put and query notification rows, query the by-date index, read the manage-token key, write its own logs, trace', () => {
        const { stateless } = get(stage);
        expect(grantsOfRole(stage, logicalId(stateless.booking.role))).toEqual(
          [
            ...grants(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], ['Stateful:AppointmentsTable.Arn']),
            ...grants(['dynamodb:GetItem', 'dynamodb:PutItem'], ['Stateful:ContactsTable.Arn']),
            ...grants(['dynamodb:PutItem', 'dynamodb:Query'], ['Stateful:NotificationsTable.Arn']),
            `dynamodb:Query on Stateful:AppointmentsTable.Arn/index/${APPOINTMENTS_BY_DATE_INDEX}`,
            'secretsmanager:GetSecretValue on Stateful:ManageTokenKey.Ref',
            ...grants(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${logicalId(stateless.booking.logGroup)}.Arn`]),
            ...grants(['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']),
          ].sort(),
        );
      });

      it('enrichment: one BatchGetItem on contacts, write its own logs, trace', () => {
        const { stateless } = get(stage);
        expect(grantsOfRole(stage, logicalId(stateless.enrichment.role))).toEqual(
          [
            'dynamodb:BatchGetItem on Stateful:ContactsTable.Arn',
            ...grants(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${logicalId(stateless.enrichment.logGroup)}.Arn`]),
            ...grants(['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']),
          ].sort(),
        );
      });

      it('notifier: read the appointment and contact, record the notification rows, idempotency records, the recipient quota, the manage-token key, send e-mail from the sender identity, SMS, consume the (encrypted) queue', () => {
        const { stateless } = get(stage);
        const region = stateless.region;
        expect(grantsOfRole(stage, logicalId(stateless.notifier.role))).toEqual(
          [
            // Never a write to the appointments table: its stream feeds the pipe.
            'dynamodb:GetItem on Stateful:AppointmentsTable.Arn',
            'dynamodb:GetItem on Stateful:ContactsTable.Arn',
            ...grants(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], ['Stateful:NotificationsTable.Arn']),
            ...grants(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], ['Stateful:IdempotencyTable.Arn']),
            ...grants(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], ['Stateful:RecipientQuotaTable.Arn']),
            'secretsmanager:GetSecretValue on Stateful:ManageTokenKey.Ref',
            ...grants(['kms:Decrypt', 'kms:GenerateDataKey'], [`${logicalId(stateless.queueKey)}.Arn`]),
            `ses:SendEmail on arn:aws:ses:${region}:\${AWS::AccountId}:identity/${config.ses.identity}`,
            // SMS publishes go to a phone number, which has no ARN: AWS requires "*".
            'sns:Publish on *',
            ...grants(
              ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule'],
              [`arn:aws:scheduler:${region}:\${AWS::AccountId}:schedule/${get(stage).stateful.reminderScheduleGroup.scheduleGroupName}/${REMINDER_SCHEDULE_PREFIX}*`],
            ),
            `iam:PassRole on ${logicalId(stateless.reminders.role)}.Arn`,
            ...grants(
              ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
              [`${logicalId(stateless.notifications.queue)}.Arn`],
            ),
            ...grants(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${logicalId(stateless.notifier.logGroup)}.Arn`]),
            ...grants(['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']),
          ].sort(),
        );
      });

      it('notifier: sends e-mail only From the configured sender, and may publish SMS but never to a topic', () => {
        const { stateless } = get(stage);
        const statements = statementsOfRole(stage, logicalId(stateless.notifier.role));
        const ses = statements.filter((statement) => ([] as string[]).concat(statement.Action).some((action) => action.startsWith('ses:')));
        expect(ses).toHaveLength(1);
        expect(ses[0]).toMatchObject({ Effect: 'Allow', Action: 'ses:SendEmail', Condition: { StringEquals: { 'ses:FromAddress': config.ses.senderEmail } } });
        // The only Deny anywhere: SNS publish to any topic ARN (the Allow on "*" is for phone numbers).
        expect(grantsOfRole(stage, logicalId(stateless.notifier.role), 'Deny')).toEqual(['sns:Publish on arn:aws:sns:*:*:*']);
        expect(statements.find((statement) => statement.Effect === 'Deny')?.Condition).toBeUndefined();
        for (const role of [stateless.booking.role, stateless.enrichment.role, stateless.pipe.role]) {
          expect(grantsOfRole(stage, logicalId(role), 'Deny')).toEqual([]);
          expect(grantsOfRole(stage, logicalId(role)).filter((grant) => /^(ses|sns):/.test(grant))).toEqual([]);
        }
      });

      it('pipe: read the appointments stream, invoke the enrichment, send to the target and its DLQ, write its logs', () => {
        const { stateless } = get(stage);
        const { pipe } = stateless;
        expect(grantsOfRole(stage, logicalId(pipe.role))).toEqual(
          [
            ...grants(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], ['Stateful:AppointmentsTable.StreamArn']),
            // Listed as required by the Pipes documentation; ListStreams has no resource-level permissions.
            'dynamodb:ListStreams on *',
            `lambda:InvokeFunction on ${logicalId(stateless.enrichment.function)}.Arn`,
            ...grants(['sqs:SendMessage'], [`${logicalId(stateless.notifications.queue)}.Arn`, `${logicalId(pipe.deadLetterQueue)}.Arn`]),
            ...grants(['kms:Decrypt', 'kms:GenerateDataKey'], [`${logicalId(stateless.queueKey)}.Arn`]),
            ...grants(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${logicalId(pipe.logGroup)}.Arn`]),
          ].sort(),
        );
      });

      it('grants "*" only for the actions AWS gives no resource-level permissions', () => {
        const template = templateJson(get(stage).statelessTemplate);
        const wildcardActions = new Set<string>();
        for (const [id, resource] of Object.entries(template.Resources)) {
          if (resource.Type !== 'AWS::IAM::Policy') continue;
          // CDK's BucketDeployment provider (patient site upload): its own grants, checked in patient-site.test.ts.
          if (id.startsWith('CustomCDKBucketDeployment')) continue;
          for (const statement of (resource.Properties?.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement) {
            const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
            if (resources.includes('*')) for (const action of ([] as string[]).concat(statement.Action)) wildcardActions.add(action);
            for (const action of ([] as string[]).concat(statement.Action)) expect(action).not.toMatch(/\*/);
          }
        }
        expect([...wildcardActions].sort()).toEqual(['dynamodb:ListStreams', 'sns:Publish', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      });

      it('lets only pipes.amazonaws.com assume the pipe role and only lambda.amazonaws.com the function roles', () => {
        const { stateless, statelessTemplate } = get(stage);
        const resources = templateJson(statelessTemplate).Resources;
        const principalOf = (id: string): unknown =>
          (resources[id]?.Properties?.AssumeRolePolicyDocument as { Statement: Array<{ Principal: unknown }> }).Statement.map((s) => s.Principal);
        expect(principalOf(logicalId(stateless.pipe.role))).toEqual([{ Service: 'pipes.amazonaws.com' }]);
        for (const fn of [stateless.booking, stateless.enrichment, stateless.notifier]) {
          expect(principalOf(logicalId(fn.role))).toEqual([{ Service: 'lambda.amazonaws.com' }]);
          expect(resources[logicalId(fn.role)]?.Properties?.ManagedPolicyArns).toBeUndefined();
        }
      });
    });

    describe('the notifications key (KMS)', () => {
      const USE_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];
      const keyStatements = (): PolicyStatementJson[] => {
        const { stateless, statelessTemplate } = get(stage);
        const key = templateJson(statelessTemplate).Resources[logicalId(stateless.queueKey)];
        expect(key?.Type).toBe('AWS::KMS::Key');
        expect(key?.Properties?.EnableKeyRotation).toBe(true);
        return (key?.Properties?.KeyPolicy as { Statement: PolicyStatementJson[] }).Statement;
      };
      const principalOf = (statement: PolicyStatementJson): string => {
        const aws = (statement.Principal as { AWS?: unknown }).AWS;
        if (typeof aws === 'string') return aws;
        const value = aws as { 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
        if (value['Fn::GetAtt']) return `${value['Fn::GetAtt'][0]}.${value['Fn::GetAtt'][1]}`;
        if (value['Fn::Join']) return value['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : `\${${(part as { Ref: string }).Ref}}`)).join(value['Fn::Join'][0]);
        throw new Error(`unexpected key policy principal ${JSON.stringify(statement.Principal)}`);
      };

      it('lets exactly the pipe role and the notifier role use the key, for the data-key operations SQS needs', () => {
        const { stateless } = get(stage);
        const users = keyStatements()
          .filter((statement) => ([] as string[]).concat(statement.Action).some((action) => USE_ACTIONS.some((use) => actionCovers(action, use))))
          .map((statement) => ({ effect: statement.Effect, principal: principalOf(statement), actions: ([] as string[]).concat(statement.Action).sort(), resource: statement.Resource, condition: statement.Condition }));
        expect(users.sort((a, b) => a.principal.localeCompare(b.principal))).toEqual(
          [
            { effect: 'Allow', principal: `${logicalId(stateless.pipe.role)}.Arn`, actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resource: '*', condition: undefined },
            { effect: 'Allow', principal: `${logicalId(stateless.notifier.role)}.Arn`, actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resource: '*', condition: undefined },
            { effect: 'Allow', principal: `${logicalId(stateless.reminders.role)}.Arn`, actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resource: '*', condition: undefined },
          ].sort((a, b) => a.principal.localeCompare(b.principal)),
        );
      });

      it('lets the account administer the key but not encrypt or decrypt with it, and names no one else', () => {
        const { stateless } = get(stage);
        const statements = keyStatements();
        const rootStatements = statements.filter((statement) => /:root$/.test(principalOf(statement)));
        expect(rootStatements).toHaveLength(1);
        const rootActions = ([] as string[]).concat(rootStatements[0]!.Action);
        for (const use of USE_ACTIONS) expect([use, rootActions.filter((action) => actionCovers(action, use))]).toEqual([use, []]);
        expect(rootActions).not.toContain('kms:*');
        // Administration stays possible (key policy lockout safety): the policy can be changed.
        expect(rootActions.some((action) => actionCovers(action, 'kms:PutKeyPolicy'))).toBe(true);
        expect(principalOf(rootStatements[0]!)).toBe('arn:aws:iam::${AWS::AccountId}:root');
        // No wildcard principal, no service principal, no other account.
        const principals = new Set(statements.map(principalOf));
        expect([...principals].sort()).toEqual(['arn:aws:iam::${AWS::AccountId}:root', `${logicalId(stateless.pipe.role)}.Arn`, `${logicalId(stateless.notifier.role)}.Arn`, `${logicalId(stateless.reminders.role)}.Arn`].sort());
        for (const statement of statements) expect(statement.Effect).toBe('Allow');
      });
    });

    describe('reminders (EventBridge Scheduler)', () => {
      const resources = () => templateJson(get(stage).statelessTemplate).Resources;

      it('keeps the schedule group in the stateful stack, with the stage removal policy, and outputs its name', () => {
        const { stateful, statefulTemplate } = get(stage);
        const group = templateJson(statefulTemplate).Resources[STATEFUL_LOGICAL_IDS.reminderScheduleGroup];
        expect(group?.Type).toBe('AWS::Scheduler::ScheduleGroup');
        expect(group?.Properties?.Name).toBe(stateful.reminderScheduleGroup.scheduleGroupName);
        expect(group?.DeletionPolicy).toBe(stage === 'prod' ? 'Retain' : 'Delete');
        expect(templateJson(statefulTemplate).Outputs?.ReminderScheduleGroupName?.Value).toBe(stateful.reminderScheduleGroup.scheduleGroupName);
      });

      it('lets only scheduler.amazonaws.com assume the scheduler role, for this account and the reminders group only', () => {
        const { stateless } = get(stage);
        const trust = resources()[logicalId(stateless.reminders.role)]?.Properties?.AssumeRolePolicyDocument as { Statement: PolicyStatementJson[] };
        expect(trust.Statement).toHaveLength(1);
        const statement = trust.Statement[0]!;
        expect(statement).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'scheduler.amazonaws.com' } });
        expect(statement.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
        // The group's ARN (Scheduler's documented scope: a group, never a schedule name prefix).
        expect(describeResource(statement.Condition?.StringEquals?.['aws:SourceArn'])).toBe(`Stateful:${STATEFUL_LOGICAL_IDS.reminderScheduleGroup}.Arn`);
        expect(resources()[logicalId(stateless.reminders.role)]?.Properties?.ManagedPolicyArns).toBeUndefined();
      });

      it('lets the scheduler role only send to the notifications queue and the reminders DLQ, with the queue key', () => {
        const { stateless } = get(stage);
        expect(grantsOfRole(stage, logicalId(stateless.reminders.role))).toEqual(
          [
            ...grants(['sqs:SendMessage'], [`${logicalId(stateless.notifications.queue)}.Arn`, `${logicalId(stateless.reminders.deadLetterQueue)}.Arn`]),
            ...grants(['kms:Decrypt', 'kms:GenerateDataKey'], [`${logicalId(stateless.queueKey)}.Arn`]),
          ].sort(),
        );
        expect(grantsOfRole(stage, logicalId(stateless.reminders.role), 'Deny')).toEqual([]);
      });

      it('lets the notifier pass the scheduler role to Scheduler only, and no other role', () => {
        const { stateless } = get(stage);
        const passRole = statementsOfRole(stage, logicalId(stateless.notifier.role)).filter((statement) => ([] as string[]).concat(statement.Action).includes('iam:PassRole'));
        expect(passRole).toHaveLength(1);
        expect(passRole[0]).toMatchObject({
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [logicalId(stateless.reminders.role), 'Arn'] },
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        });
        for (const role of [stateless.booking.role, stateless.enrichment.role, stateless.pipe.role, stateless.reminders.role]) {
          expect(grantsOfRole(stage, logicalId(role)).filter((grant) => /^(iam|scheduler):/.test(grant))).toEqual([]);
        }
      });

      it("gives the notifier the group, role, target, DLQ and retry policy its reminder schedules use", () => {
        const { stateful, stateless } = get(stage);
        const variables = (resources()[logicalId(stateless.notifier.function)]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(variables).toMatchObject({
          SCHEDULE_GROUP_NAME: stateful.reminderScheduleGroup.scheduleGroupName,
          SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [logicalId(stateless.reminders.role), 'Arn'] },
          REMINDER_TARGET_ARN: { 'Fn::GetAtt': [logicalId(stateless.notifications.queue), 'Arn'] },
          REMINDER_DLQ_ARN: { 'Fn::GetAtt': [logicalId(stateless.reminders.deadLetterQueue), 'Arn'] },
          REMINDER_MAX_RETRY_ATTEMPTS: String(config.lifecycle.reminderRetry.maximumRetryAttempts),
          REMINDER_MAX_EVENT_AGE_SECONDS: String(config.lifecycle.reminderRetry.maximumEventAge.toSeconds()),
        });
      });

      it('keeps the reminders DLQ 14 days, with no DLQ of its own, HTTPS only', () => {
        const { stateless, statelessTemplate } = get(stage);
        const dlq = resources()[logicalId(stateless.reminders.deadLetterQueue)]?.Properties;
        expect(dlq?.MessageRetentionPeriod).toBe(DEAD_LETTER_RETENTION.toSeconds());
        expect(dlq?.RedrivePolicy).toBeUndefined();
        statelessTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: logicalId(stateless.reminders.deadLetterQueue) }],
          PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
        });
      });
    });

    describe('the pipe', () => {
      function pipeProperties(): Record<string, unknown> {
        const { stateless, statelessTemplate } = get(stage);
        return templateJson(statelessTemplate).Resources[logicalId(stateless.pipe.pipe)]?.Properties ?? {};
      }

      it('reads the appointments stream from the oldest record, with the configured batching, retries and age', () => {
        const properties = pipeProperties();
        expect(properties.Source).toEqual({ 'Fn::ImportValue': expect.stringMatching(new RegExp(`^${prefix}-Stateful:ExportsOutputFnGetAttAppointmentsTableStreamArn[0-9A-F]{8}$`)) });
        expect(properties.DesiredState).toBe('RUNNING');
        const { stateless } = get(stage);
        expect((properties.SourceParameters as Record<string, unknown>).DynamoDBStreamParameters).toEqual({
          StartingPosition: 'TRIM_HORIZON',
          BatchSize: config.pipe.batchSize,
          MaximumBatchingWindowInSeconds: config.pipe.maximumBatchingWindow.toSeconds(),
          MaximumRetryAttempts: config.pipe.maximumRetryAttempts,
          MaximumRecordAgeInSeconds: config.pipe.maximumRecordAge.toSeconds(),
          OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stateless.pipe.deadLetterQueue), 'Arn'] } },
        });
        expect(config.pipe.batchSize).toBeLessThanOrEqual(10);
      });

      it("passes only patient-visible changes: a booking's INSERT, a reschedule's or cancellation's MODIFY", () => {
        const filters = ((pipeProperties().SourceParameters as Record<string, unknown>).FilterCriteria as { Filters: Array<{ Pattern: string }> }).Filters;
        expect(filters).toEqual([
          { Pattern: '{"eventName":["INSERT"],"dynamodb":{"NewImage":{"lastChange":{"M":{"kind":{"S":["booked"]}}}}}}' },
          { Pattern: '{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"lastChange":{"M":{"kind":{"S":["rescheduled","cancelled"]}}}}}}' },
        ]);
        expect(filters.map((filter) => JSON.parse(filter.Pattern))).toEqual(PATIENT_VISIBLE_CHANGE_FILTER_PATTERNS);
      });

      it('enriches with the enrichment function and targets the notifications queue', () => {
        const { stateless } = get(stage);
        const properties = pipeProperties();
        expect(properties.Enrichment).toEqual({ 'Fn::GetAtt': [logicalId(stateless.enrichment.function), 'Arn'] });
        expect(properties.Target).toEqual({ 'Fn::GetAtt': [logicalId(stateless.notifications.queue), 'Arn'] });
        expect(properties.RoleArn).toEqual({ 'Fn::GetAtt': [logicalId(stateless.pipe.role), 'Arn'] });
        expect(properties.Name).toBeUndefined();
      });

      it('is created after its role policy, so Pipes can validate the role', () => {
        const { stateless, statelessTemplate } = get(stage);
        const dependsOn = templateJson(statelessTemplate).Resources[logicalId(stateless.pipe.pipe)]?.DependsOn ?? [];
        expect(dependsOn).toEqual(expect.arrayContaining([logicalId(stateless.pipe.role), expect.stringMatching(/^AppointmentPipeRoleDefaultPolicy/)]));
      });

      it('logs errors to its log group, never with execution data (the records are patients\' bookings)', () => {
        const { stateless } = get(stage);
        expect(pipeProperties().LogConfiguration).toEqual({
          Level: 'ERROR',
          CloudwatchLogsLogDestination: { LogGroupArn: { 'Fn::GetAtt': [logicalId(stateless.pipe.logGroup), 'Arn'] } },
        });
        expect(pipeProperties().LogConfiguration).not.toHaveProperty('IncludeExecutionData');
      });
    });

    describe('queues', () => {
      it('redrives notifications to their DLQ after the configured receive count; the DLQ keeps messages 14 days', () => {
        const { stateless, statelessTemplate } = get(stage);
        const resources = templateJson(statelessTemplate).Resources;
        const queue = resources[logicalId(stateless.notifications.queue)]?.Properties;
        const dlq = resources[logicalId(stateless.notifications.deadLetterQueue)]?.Properties;
        expect(queue?.RedrivePolicy).toEqual({
          deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stateless.notifications.deadLetterQueue), 'Arn'] },
          maxReceiveCount: config.notificationsQueue.maxReceiveCount,
        });
        expect(queue?.MessageRetentionPeriod).toBe(config.notificationsQueue.retentionPeriod.toSeconds());
        expect(dlq?.MessageRetentionPeriod).toBe(DEAD_LETTER_RETENTION.toSeconds());
        expect(DEAD_LETTER_RETENTION.toDays()).toBe(14);
        expect(dlq?.RedrivePolicy).toBeUndefined();
      });

      it('keeps a message invisible for at least six times the notifier timeout', () => {
        const { stateless, statelessTemplate } = get(stage);
        const resources = templateJson(statelessTemplate).Resources;
        const visibility = resources[logicalId(stateless.notifications.queue)]?.Properties?.VisibilityTimeout as number;
        const notifierTimeout = resources[logicalId(stateless.notifier.function)]?.Properties?.Timeout as number;
        expect(VISIBILITY_TIMEOUT_FACTOR).toBe(6);
        expect(visibility).toBeGreaterThanOrEqual(6 * notifierTimeout);
      });

      it('encrypts the notifications queue and its DLQ (personal data) with the notifications key, the pipe DLQ (metadata) with SQS-managed keys, and denies non-TLS access', () => {
        const { stateless, statelessTemplate } = get(stage);
        const resources = templateJson(statelessTemplate).Resources;
        const queueIds = Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::SQS::Queue');
        expect(queueIds).toHaveLength(4);
        const key = { 'Fn::GetAtt': [logicalId(stateless.queueKey), 'Arn'] };
        for (const queue of [stateless.notifications.queue, stateless.notifications.deadLetterQueue]) {
          const properties = resources[logicalId(queue)]?.Properties;
          expect(properties?.KmsMasterKeyId).toEqual(key);
          expect(properties?.SqsManagedSseEnabled).toBeUndefined();
        }
        expect(resources[logicalId(stateless.notifications.queue)]?.Properties?.KmsDataKeyReusePeriodSeconds).toBe(300);
        expect(resources[logicalId(stateless.pipe.deadLetterQueue)]?.Properties?.SqsManagedSseEnabled).toBe(true);
        expect(resources[logicalId(stateless.pipe.deadLetterQueue)]?.Properties?.KmsMasterKeyId).toBeUndefined();
        // The reminders DLQ holds reminder requests (appointment id, version, due time): no personal data.
        expect(resources[logicalId(stateless.reminders.deadLetterQueue)]?.Properties?.SqsManagedSseEnabled).toBe(true);
        expect(resources[logicalId(stateless.reminders.deadLetterQueue)]?.Properties?.KmsMasterKeyId).toBeUndefined();
        for (const id of queueIds) {
          statelessTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
            Queues: [{ Ref: id }],
            PolicyDocument: {
              Statement: Match.arrayWith([
                Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
              ]),
            },
          });
        }
      });

      it('feeds the notifier in configured batches, reporting partial failures, with bounded concurrency', () => {
        const { stateless, statelessTemplate } = get(stage);
        statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: { 'Fn::GetAtt': [logicalId(stateless.notifications.queue), 'Arn'] },
          FunctionName: { Ref: logicalId(stateless.notifier.function) },
          BatchSize: config.notifier.batchSize,
          // CDK leaves a zero window out of the template (0 is also Lambda's default).
          MaximumBatchingWindowInSeconds: config.notifier.maxBatchingWindow.toSeconds() || Match.absent(),
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: config.notifier.maxConcurrency },
        });
      });
    });

    describe('the API', () => {
      it('routes exactly the routes of the shared definition to the booking function by proxy integration', () => {
        const { stateless, statelessTemplate } = get(stage);
        const resources = templateJson(statelessTemplate).Resources;
        const pathOf = (reference: unknown): string => resourcePathOf(resources, reference);
        const bookingArn = { 'Fn::GetAtt': [logicalId(stateless.booking.function), 'Arn'] };
        const routes = Object.values(resources)
          .filter((resource) => resource.Type === 'AWS::ApiGateway::Method')
          .map((method) => {
            const properties = method.Properties as { HttpMethod: string; ResourceId: unknown; AuthorizationType: string; AuthorizerId?: unknown; Integration: { Type: string; IntegrationHttpMethod: string; Uri: { 'Fn::Join': [string, unknown[]] } } };
            expect(properties.Integration.Type).toBe('AWS_PROXY');
            expect(properties.Integration.IntegrationHttpMethod).toBe('POST');
            expect(properties.Integration.Uri['Fn::Join'][1]).toContainEqual(bookingArn);
            return `${properties.HttpMethod} ${pathOf(properties.ResourceId)}`;
          });
        expect(routes.sort()).toEqual(API_ROUTES.map((route) => `${route.method} ${route.path}`).sort());
      });

      it('puts the Cognito authorizer of the staff user pool on exactly the staff routes, and no authorization on the others', () => {
        const { stateless, statelessTemplate } = get(stage);
        const resources = templateJson(statelessTemplate).Resources;
        const authorizers = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::ApiGateway::Authorizer');
        expect(authorizers).toHaveLength(1);
        const [authorizerId, authorizer] = authorizers[0]!;
        expect(authorizer.Properties).toMatchObject({
          Type: 'COGNITO_USER_POOLS',
          IdentitySource: 'method.request.header.Authorization',
          RestApiId: { Ref: logicalId(stateless.api.restApi) },
          // The staff pool of this environment's stateful stack, and only it.
          ProviderARNs: [{ 'Fn::ImportValue': expect.stringMatching(new RegExp(`^${prefix}-Stateful:ExportsOutputFnGetAtt${STATEFUL_LOGICAL_IDS.staffUserPool}Arn[0-9A-F]{8}$`)) }],
        });
        const exported = Object.values(templateJson(get(stage).statefulTemplate).Outputs ?? {}).find(
          (output) => (output.Export as { Name?: string } | undefined)?.Name === ((authorizer.Properties?.ProviderARNs as Array<{ 'Fn::ImportValue': string }>)[0]!)['Fn::ImportValue'],
        );
        expect(exported?.Value).toEqual({ 'Fn::GetAtt': [STATEFUL_LOGICAL_IDS.staffUserPool, 'Arn'] });

        const byRoute = Object.fromEntries(
          Object.values(resources)
            .filter((resource) => resource.Type === 'AWS::ApiGateway::Method')
            .map((method) => {
              const properties = method.Properties as { HttpMethod: string; ResourceId: unknown; AuthorizationType: string; AuthorizerId?: unknown };
              return [`${properties.HttpMethod} ${resourcePathOf(resources, properties.ResourceId)}`, { type: properties.AuthorizationType, authorizer: properties.AuthorizerId }];
            }),
        );
        const staffRoutes = API_ROUTES.filter((route) => route.access === 'staff').map(routeKey);
        expect(staffRoutes.length).toBeGreaterThan(0);
        for (const route of API_ROUTES) {
          const expected = route.access === 'staff' ? { type: 'COGNITO_USER_POOLS', authorizer: { Ref: authorizerId } } : { type: 'NONE', authorizer: undefined };
          expect([routeKey(route), byRoute[routeKey(route)]]).toEqual([routeKey(route), expected]);
        }
        expect(Object.entries(byRoute).filter(([, method]) => method.type !== 'NONE').map(([route]) => route).sort()).toEqual(staffRoutes.sort());
      });

      it("answers API Gateway's own errors (401, 403, 404, 413, 429, WAF, 4xx, 5xx) as error-response JSON", () => {
        const { stateless, statelessTemplate } = get(stage);
        const responses = Object.values(templateJson(statelessTemplate).Resources)
          .filter((resource) => resource.Type === 'AWS::ApiGateway::GatewayResponse')
          .map((resource) => resource.Properties as { ResponseType: string; RestApiId: unknown; ResponseParameters: Record<string, string>; ResponseTemplates: Record<string, string>; StatusCode?: string });
        expect(responses.map((response) => response.ResponseType).sort()).toEqual(
          ['ACCESS_DENIED', 'DEFAULT_4XX', 'DEFAULT_5XX', 'MISSING_AUTHENTICATION_TOKEN', 'REQUEST_TOO_LARGE', 'THROTTLED', 'UNAUTHORIZED', 'WAF_FILTERED'],
        );
        const codes: Record<string, string> = {};
        for (const response of responses) {
          expect(response.RestApiId).toEqual({ Ref: logicalId(stateless.api.restApi) });
          expect(response.ResponseParameters).toEqual({ 'gatewayresponse.header.content-type': "'application/json'", 'gatewayresponse.header.cache-control': "'no-store'" });
          expect(Object.keys(response.ResponseTemplates)).toEqual(['application/json']);
          const body = JSON.parse(response.ResponseTemplates['application/json']!) as { code: string; requestId: string };
          expect([response.ResponseType, validateErrorResponse(body)]).toEqual([response.ResponseType, []]);
          expect(body.requestId).toBe('$context.requestId');
          codes[response.ResponseType] = body.code;
        }
        // The same codes the booking function answers with, so a client handles one set.
        expect(codes).toMatchObject({ UNAUTHORIZED: 'Unauthorized', ACCESS_DENIED: 'Forbidden', MISSING_AUTHENTICATION_TOKEN: 'RouteNotFound', REQUEST_TOO_LARGE: 'PayloadTooLarge' });
      });

      it('throttles the booking route (POST /appointments) tighter than the stage, by method settings', () => {
        const { statelessTemplate } = get(stage);
        const stageResource = Object.values(templateJson(statelessTemplate).Resources).find((resource) => resource.Type === 'AWS::ApiGateway::Stage');
        const settings = stageResource?.Properties?.MethodSettings as Array<{ HttpMethod: string; ResourcePath: string; ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
        const stageWide = settings.find((setting) => setting.HttpMethod === '*' && setting.ResourcePath === '/*')!;
        // API Gateway escapes "/" in a method setting's resource path as "~1".
        const throttled = API_ROUTES.filter((route) => 'throttle' in route && route.throttle === 'booking').map((route) => `${route.method} ${route.path.replace(/\//g, '~1')}`);
        expect(throttled).toEqual(['POST ~1appointments']);
        const perMethod = settings.filter((setting) => setting !== stageWide);
        expect(perMethod.map((setting) => `${setting.HttpMethod} ${setting.ResourcePath}`)).toEqual(throttled.map((route) => route.replace(' ', ' /')));
        for (const setting of perMethod) {
          expect(setting).toMatchObject({ ThrottlingRateLimit: config.security.bookingThrottle.rateLimit, ThrottlingBurstLimit: config.security.bookingThrottle.burstLimit });
          expect(setting.ThrottlingRateLimit).toBeLessThan(stageWide.ThrottlingRateLimit);
          expect(setting.ThrottlingBurstLimit).toBeLessThan(stageWide.ThrottlingBurstLimit);
        }
      });

      it(stage === 'dev' ? 'has no WAF in dev' : `puts a WAF web ACL (per-IP rate rule, AWS common rules) on the ${stage} stage`, () => {
        const { stateless, statelessTemplate } = get(stage);
        const resources = templateJson(statelessTemplate).Resources;
        const acls = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::WAFv2::WebACL');
        const associations = Object.values(resources).filter((resource) => resource.Type === 'AWS::WAFv2::WebACLAssociation');
        if (stage === 'dev') {
          expect([acls.length, associations.length]).toEqual([0, 0]);
          return;
        }
        expect(acls).toHaveLength(1);
        const [aclId, acl] = acls[0]!;
        expect(acl.Properties).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
        const rules = acl.Properties?.Rules as Array<{ Name: string; Priority: number; Action?: unknown; OverrideAction?: unknown; Statement: Record<string, unknown> }>;
        expect(rules.map((rule) => rule.Name)).toEqual(['RatePerSourceIp', 'AwsManagedCommonRules']);
        expect(rules[0]).toMatchObject({ Action: { Block: {} }, Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: expect.any(Number) } } });
        expect((rules[0]!.Statement.RateBasedStatement as { Limit: number }).Limit).toBeGreaterThanOrEqual(10);
        expect(rules[1]).toMatchObject({ OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } } });
        expect(associations).toHaveLength(1);
        const stageId = Object.keys(resources).find((id) => resources[id]?.Type === 'AWS::ApiGateway::Stage')!;
        expect(associations[0]!.Properties).toEqual({
          WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
          ResourceArn: { 'Fn::Join': ['', [expect.stringMatching(/^arn:aws:apigateway:[a-z0-9-]+::\/restapis\/$/), { Ref: logicalId(stateless.api.restApi) }, '/stages/', { Ref: stageId }]] },
        });
      });

      it('deploys a stage named after the environment, throttled from config, with access logs', () => {
        const { stateless, statelessTemplate } = get(stage);
        statelessTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
          StageName: stage,
          TracingEnabled: true,
          MethodSettings: Match.arrayWith([
            Match.objectLike({
              HttpMethod: '*',
              ResourcePath: '/*',
              ThrottlingRateLimit: config.api.throttlingRateLimit,
              ThrottlingBurstLimit: config.api.throttlingBurstLimit,
            }),
          ]),
        });
        const stageResource = Object.values(templateJson(statelessTemplate).Resources).find((resource) => resource.Type === 'AWS::ApiGateway::Stage');
        const accessLogs = stageResource?.Properties?.AccessLogSetting as { DestinationArn: unknown; Format: string };
        expect(JSON.stringify(accessLogs.DestinationArn)).toContain(`"${logicalId(stateless.api.accessLogGroup)}"`);
        expect(JSON.parse(accessLogs.Format)).toEqual(expect.objectContaining({ requestId: '$context.requestId', status: '$context.status' }));
        statelessTemplate.hasResourceProperties('AWS::ApiGateway::RestApi', {
          Name: `${config.resourcePrefix}-booking-api`,
          EndpointConfiguration: { Types: ['REGIONAL'] },
        });
      });
    });

    describe('ops', () => {
      it('subscribes the configured ops e-mail to the ops topic', () => {
        const { stateless, statelessTemplate } = get(stage);
        statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', {
          Protocol: 'email',
          Endpoint: config.opsAlarmEmail,
          TopicArn: { Ref: logicalId(stateless.ops.topic) },
        });
      });

      it('alarms on any message in either DLQ, any function error and every pipe failure metric, each notifying the ops topic', () => {
        const { stateless, statelessTemplate } = get(stage);
        const topic = { Ref: logicalId(stateless.ops.topic) };
        const alarms = Object.values(templateJson(statelessTemplate).Resources)
          .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
          .map((resource) => resource.Properties as Record<string, unknown>)
          // The alarms on the functions' business metrics are asserted in observability.test.ts.
          .filter((alarm) => alarm.Namespace !== config.metricsNamespace && alarm.Metrics === undefined);
        for (const alarm of alarms) {
          expect(alarm.AlarmActions).toEqual([topic]);
          expect(alarm.Threshold).toBe(0);
          expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
          expect(alarm.EvaluationPeriods).toBe(1);
          expect(alarm.TreatMissingData).toBe('notBreaching');
        }
        const watched = alarms.map((alarm) => {
          const dimension = (alarm.Dimensions as Array<{ Name: string; Value: unknown }>)[0];
          return `${String(alarm.Namespace)} ${String(alarm.MetricName)} ${JSON.stringify(dimension?.Value)}`;
        });
        const ref = (construct: IConstruct): string => JSON.stringify({ Ref: logicalId(construct) });
        const queueName = (construct: IConstruct): string => JSON.stringify({ 'Fn::GetAtt': [logicalId(construct), 'QueueName'] });
        expect(watched.sort()).toEqual(
          [
            `AWS/SQS ApproximateNumberOfMessagesVisible ${queueName(stateless.notifications.deadLetterQueue)}`,
            `AWS/SQS ApproximateNumberOfMessagesVisible ${queueName(stateless.pipe.deadLetterQueue)}`,
            `AWS/SQS ApproximateNumberOfMessagesVisible ${queueName(stateless.reminders.deadLetterQueue)}`,
            `AWS/Lambda Errors ${ref(stateless.booking.function)}`,
            `AWS/Lambda Errors ${ref(stateless.enrichment.function)}`,
            `AWS/Lambda Errors ${ref(stateless.notifier.function)}`,
            ...PIPE_FAILURE_METRICS.map((metric) => `AWS/EventBridge/Pipes ${metric} ${ref(stateless.pipe.pipe)}`),
          ].sort(),
        );
        expect([...PIPE_FAILURE_METRICS].sort()).toEqual(['EnrichmentStageFailed', 'ExecutionFailed', 'ExecutionTimeout', 'TargetStageFailed']);
      });

      it('has a dashboard of the flow named after the environment', () => {
        const { statelessTemplate } = get(stage);
        statelessTemplate.hasResourceProperties('AWS::CloudWatch::Dashboard', {
          DashboardName: `${config.resourcePrefix}-booking-notifications`,
        });
        const body = JSON.stringify(templateJson(statelessTemplate).Resources);
        for (const metric of ['ExecutionFailed', 'EnrichmentStageFailed', 'TargetStageFailed', 'ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage', '5XXError']) {
          expect(body).toContain(metric);
        }
      });
    });

    it('outputs what a user needs after deploy, under the keys ops/dlq reads', () => {
      const { stateless, statelessTemplate } = get(stage);
      const outputs = templateJson(statelessTemplate).Outputs ?? {};
      expect(outputs[STATELESS_OUTPUTS.notificationsQueueUrl]?.Value).toEqual({ Ref: logicalId(stateless.notifications.queue) });
      expect(outputs[STATELESS_OUTPUTS.notificationsDeadLetterQueueUrl]?.Value).toEqual({ Ref: logicalId(stateless.notifications.deadLetterQueue) });
      expect(outputs[STATELESS_OUTPUTS.pipeDeadLetterQueueUrl]?.Value).toEqual({ Ref: logicalId(stateless.pipe.deadLetterQueue) });
      expect(outputs[STATELESS_OUTPUTS.pipeName]?.Value).toEqual({ Ref: logicalId(stateless.pipe.pipe) });
      expect(outputs[STATELESS_OUTPUTS.opsTopicArn]?.Value).toEqual({ Ref: logicalId(stateless.ops.topic) });
      expect(JSON.stringify(outputs[STATELESS_OUTPUTS.apiUrl]?.Value)).toContain(logicalId(stateless.api.restApi));
      expect(outputs[STATELESS_OUTPUTS.dashboardName]).toBeDefined();
      for (const key of Object.values(DEPLOYED_OUTPUTS)) expect(Object.values(STATELESS_OUTPUTS)).toContain(key);
    });
  });
});

describe('across environments', () => {
  it('gives each environment its own names, so all three can share one account', () => {
    const names = STAGES.map((stage) => ENVIRONMENTS[stage].resourcePrefix);
    expect(new Set(names).size).toBe(STAGES.length);
  });
});
