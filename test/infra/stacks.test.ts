import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BOOKING_ROUTES } from '../../cdk/constructs/booking-api';
import { INSERT_ONLY_FILTER_PATTERN, PIPE_FAILURE_METRICS } from '../../cdk/constructs/appointment-pipe';
import { VISIBILITY_TIMEOUT_FACTOR } from '../../cdk/constructs/notification-queue';
import { DEAD_LETTER_RETENTION, ENVIRONMENTS, STAGES, type Stage } from '../../cdk/config/environments';
import { STATEFUL_LOGICAL_IDS } from '../../cdk/stacks/stateful-stack';
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
    const match = /:ExportsOutputFnGetAtt(.+?)(Arn|StreamArn)[0-9A-F]{8}$/.exec(name);
    if (!match) throw new Error(`unexpected import in an IAM policy: ${name}`);
    return `Stateful:${match[1]}.${match[2]}`;
  }
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => (typeof part === 'string' ? part : `\${${(part as { Ref: string }).Ref}}`)).join(separator);
  }
  throw new Error(`unexpected IAM resource ${JSON.stringify(resource)}`);
}

/** Every `action on resource` grant of the role, across all of its policies. */
function grantsOfRole(stage: Stage, roleLogicalId: string): string[] {
  const template = templateJson(get(stage).statelessTemplate);
  const grants: string[] = [];
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = resource.Properties?.Roles as Array<{ Ref: string }>;
    if (!roles.some((role) => role.Ref === roleLogicalId)) continue;
    const document = resource.Properties?.PolicyDocument as { Statement: Array<{ Effect: string; Action: string | string[]; Resource: unknown }> };
    for (const statement of document.Statement) {
      expect(statement.Effect).toBe('Allow');
      const actions = ([] as string[]).concat(statement.Action);
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      for (const action of actions) for (const res of resources) grants.push(`${action} on ${describeResource(res)}`);
    }
  }
  return grants.sort();
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
    it('holds exactly the three tables and nothing else of substance', () => {
      const template = get(stage).statefulTemplate;
      template.resourceCountIs('AWS::DynamoDB::Table', 3);
      const types = Object.values(templateJson(template).Resources).map((resource) => resource.Type);
      expect(types.filter((type) => type !== 'AWS::CDK::Metadata').sort()).toEqual(Array(3).fill('AWS::DynamoDB::Table'));
    });

    it('keeps the tables at their pinned logical ids (renaming one would replace a table holding data)', () => {
      const { stateful, statefulTemplate } = get(stage);
      const resources = templateJson(statefulTemplate).Resources;
      expect(Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::DynamoDB::Table').sort()).toEqual(
        ['AppointmentsTable', 'ContactsTable', 'IdempotencyTable'],
      );
      expect(logicalId(stateful.appointmentsTable)).toBe(STATEFUL_LOGICAL_IDS.appointmentsTable);
      expect(logicalId(stateful.contactsTable)).toBe(STATEFUL_LOGICAL_IDS.contactsTable);
      expect(logicalId(stateful.idempotencyTable)).toBe(STATEFUL_LOGICAL_IDS.idempotencyTable);
    });

    it('keys every table by the string id, on demand, encrypted with the AWS-managed KMS key', () => {
      const resources = templateJson(get(stage).statefulTemplate).Resources;
      for (const id of Object.values(STATEFUL_LOGICAL_IDS)) {
        const properties = resources[id]?.Properties;
        expect(properties?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
        expect(properties?.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
        expect(properties?.BillingMode).toBe('PAY_PER_REQUEST');
        // SSEEnabled without a key id is KMS with the AWS-managed aws/dynamodb key.
        expect(properties?.SSESpecification).toEqual({ SSEEnabled: true });
      }
    });

    it('streams NEW_IMAGE from appointments only, and expires idempotency records on `expiration`', () => {
      const resources = templateJson(get(stage).statefulTemplate).Resources;
      expect(resources.AppointmentsTable?.Properties?.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
      expect(resources.ContactsTable?.Properties?.StreamSpecification).toBeUndefined();
      expect(resources.IdempotencyTable?.Properties?.StreamSpecification).toBeUndefined();
      expect(resources.IdempotencyTable?.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
    });

    it('applies the configured point-in-time recovery, deletion protection and removal policy to every table', () => {
      const resources = templateJson(get(stage).statefulTemplate).Resources;
      const expectedPolicy = stage === 'prod' ? 'Retain' : 'Delete';
      for (const id of Object.values(STATEFUL_LOGICAL_IDS)) {
        const table = resources[id];
        expect(table?.Properties?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: config.pointInTimeRecovery });
        expect(table?.Properties?.DeletionProtectionEnabled).toBe(config.protectStatefulResources);
        expect(table?.DeletionPolicy).toBe(expectedPolicy);
        expect(table?.UpdateReplacePolicy).toBe(expectedPolicy);
      }
      if (stage === 'prod') {
        expect(config.pointInTimeRecovery && config.protectStatefulResources).toBe(true);
      }
    });

    it('outputs the table names', () => {
      const outputs = templateJson(get(stage).statefulTemplate).Outputs ?? {};
      expect(outputs.AppointmentsTableName?.Value).toEqual({ Ref: 'AppointmentsTable' });
      expect(outputs.ContactsTableName?.Value).toEqual({ Ref: 'ContactsTable' });
      expect(outputs.IdempotencyTableName?.Value).toEqual({ Ref: 'IdempotencyTable' });
    });
  });

  describe('stateless stack', () => {
    it('has the expected resources, in the expected numbers', () => {
      const template = get(stage).statelessTemplate;
      const counts: Record<string, number> = {
        'AWS::Lambda::Function': 3,
        'AWS::Lambda::EventSourceMapping': 1,
        'AWS::SQS::Queue': 3,
        'AWS::Pipes::Pipe': 1,
        'AWS::ApiGateway::RestApi': 1,
        'AWS::ApiGateway::Stage': 1,
        'AWS::ApiGateway::Method': BOOKING_ROUTES.length,
        'AWS::SNS::Topic': 1,
        'AWS::SNS::Subscription': 1,
        // Two DLQs, three functions, four pipe failure metrics.
        'AWS::CloudWatch::Alarm': 2 + 3 + PIPE_FAILURE_METRICS.length,
        'AWS::CloudWatch::Dashboard': 1,
        // Three functions, the API's access logs, the pipe.
        'AWS::Logs::LogGroup': 5,
        'AWS::IAM::Role': 4,
        'AWS::DynamoDB::Table': 0,
      };
      for (const [type, count] of Object.entries(counts)) template.resourceCountIs(type, count);
    });

    describe('functions', () => {
      const expectedEnvironment = {
        booking: ['APPOINTMENTS_TABLE_NAME', 'CONTACTS_TABLE_NAME'],
        enrichment: ['CONTACTS_TABLE_NAME'],
        notifier: ['APPOINTMENTS_TABLE_NAME', 'IDEMPOTENCY_TABLE_NAME', 'SENDER_EMAIL', 'IDEMPOTENCY_EXPIRY_SECONDS'],
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
      it('booking: put/get appointments and contacts, write its own logs, trace', () => {
        const { stateless } = get(stage);
        expect(grantsOfRole(stage, logicalId(stateless.booking.role))).toEqual(
          [
            ...grants(['dynamodb:GetItem', 'dynamodb:PutItem'], ['Stateful:AppointmentsTable.Arn', 'Stateful:ContactsTable.Arn']),
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

      it('notifier: record the status, idempotency records, send e-mail from the sender identity, SMS, consume the queue', () => {
        const { stateless } = get(stage);
        const region = stateless.region;
        expect(grantsOfRole(stage, logicalId(stateless.notifier.role))).toEqual(
          [
            'dynamodb:UpdateItem on Stateful:AppointmentsTable.Arn',
            ...grants(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], ['Stateful:IdempotencyTable.Arn']),
            `ses:SendEmail on arn:aws:ses:${region}:\${AWS::AccountId}:identity/${config.ses.identity}`,
            // SMS publishes go to a phone number, which has no ARN: AWS requires "*".
            'sns:Publish on *',
            ...grants(
              ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
              [`${logicalId(stateless.notifications.queue)}.Arn`],
            ),
            ...grants(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${logicalId(stateless.notifier.logGroup)}.Arn`]),
            ...grants(['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']),
          ].sort(),
        );
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
            ...grants(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${logicalId(pipe.logGroup)}.Arn`]),
          ].sort(),
        );
      });

      it('grants "*" only for the actions AWS gives no resource-level permissions', () => {
        const template = templateJson(get(stage).statelessTemplate);
        const wildcardActions = new Set<string>();
        for (const resource of Object.values(template.Resources)) {
          if (resource.Type !== 'AWS::IAM::Policy') continue;
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

      it('passes only INSERT records, with exactly the pattern {"eventName":["INSERT"]}', () => {
        const filters = ((pipeProperties().SourceParameters as Record<string, unknown>).FilterCriteria as { Filters: Array<{ Pattern: string }> }).Filters;
        expect(filters).toEqual([{ Pattern: '{"eventName":["INSERT"]}' }]);
        expect(JSON.parse(filters[0]?.Pattern ?? '')).toEqual(INSERT_ONLY_FILTER_PATTERN);
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

      it(`logs errors to its log group${stage === 'prod' ? ', without execution data (PII) in prod' : ', with execution data outside prod'}`, () => {
        const { stateless } = get(stage);
        expect(pipeProperties().LogConfiguration).toEqual({
          Level: 'ERROR',
          CloudwatchLogsLogDestination: { LogGroupArn: { 'Fn::GetAtt': [logicalId(stateless.pipe.logGroup), 'Arn'] } },
          ...(stage === 'prod' ? {} : { IncludeExecutionData: ['ALL'] }),
        });
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

      it('encrypts every queue with SQS-managed keys and denies non-TLS access', () => {
        const { statelessTemplate } = get(stage);
        const resources = templateJson(statelessTemplate).Resources;
        const queueIds = Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::SQS::Queue');
        expect(queueIds).toHaveLength(3);
        for (const id of queueIds) {
          expect(resources[id]?.Properties?.SqsManagedSseEnabled).toBe(true);
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
      it('routes exactly the four contract routes to the booking function by proxy integration', () => {
        const { stateless, statelessTemplate } = get(stage);
        const resources = templateJson(statelessTemplate).Resources;
        const pathOf = (reference: unknown): string => {
          const ref = reference as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
          if (ref['Fn::GetAtt']?.[1] === 'RootResourceId') return '';
          const resource = resources[ref.Ref ?? '']?.Properties as { ParentId: unknown; PathPart: string };
          return `${pathOf(resource.ParentId)}/${resource.PathPart}`;
        };
        const bookingArn = { 'Fn::GetAtt': [logicalId(stateless.booking.function), 'Arn'] };
        const routes = Object.values(resources)
          .filter((resource) => resource.Type === 'AWS::ApiGateway::Method')
          .map((method) => {
            const properties = method.Properties as { HttpMethod: string; ResourceId: unknown; AuthorizationType: string; Integration: { Type: string; IntegrationHttpMethod: string; Uri: { 'Fn::Join': [string, unknown[]] } } };
            expect(properties.Integration.Type).toBe('AWS_PROXY');
            expect(properties.Integration.IntegrationHttpMethod).toBe('POST');
            expect(properties.Integration.Uri['Fn::Join'][1]).toContainEqual(bookingArn);
            expect(properties.AuthorizationType).toBe('NONE');
            return `${properties.HttpMethod} ${pathOf(properties.ResourceId)}`;
          });
        expect(routes.sort()).toEqual(BOOKING_ROUTES.map((route) => `${route.method} ${route.path}`).sort());
        expect(BOOKING_ROUTES.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
          ['GET /appointments/{id}', 'GET /contacts/{email}', 'POST /appointments', 'PUT /contacts/{email}'],
        );
      });

      it('deploys a stage named after the environment, throttled from config, with access logs', () => {
        const { stateless, statelessTemplate } = get(stage);
        statelessTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
          StageName: stage,
          TracingEnabled: true,
          MethodSettings: [
            Match.objectLike({
              HttpMethod: '*',
              ResourcePath: '/*',
              ThrottlingRateLimit: config.api.throttlingRateLimit,
              ThrottlingBurstLimit: config.api.throttlingBurstLimit,
            }),
          ],
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
          .map((resource) => resource.Properties as Record<string, unknown>);
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
