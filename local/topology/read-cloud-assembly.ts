import * as fs from 'node:fs';
import type { AssemblyStack, CfnResource, LoadedAssembly } from './cloud-assembly';
import { loadCloudAssembly } from './cloud-assembly';
import { readStaticSites, STATIC_SITE_RESOURCE_TYPES } from './read-static-sites';
import { InvalidResourceError, MissingAssetError, type TemplateLocation, UnsupportedResourceError } from './errors';
import { localUserPoolClientId, localUserPoolId, qualify, ResourceModel } from './resource-model';
import type {
  ApiRouteSpec,
  AttributeDefinition,
  CognitoAuthorizerSpec,
  GatewayResponseSpec,
  GenerateSecretStringSpec,
  RouteAuthorization,
  IamStatementSpec,
  ScheduleGroupSpec,
  SchedulerRoleSpec,
  SecretSpec,
  UserPoolClientSpec,
  UserPoolGroupSpec,
  UserPoolSpec,
  DynamoDbStreamPipeSourceSpec,
  FunctionSpec,
  GlobalSecondaryIndexSpec,
  HttpMethod,
  KeyAttribute,
  PipeSpec,
  QueueSpec,
  RestApiSpec,
  SqsEventSourceMappingSpec,
  StreamViewType,
  TableSpec,
  TopicSpec,
  Topology,
} from './types';

export interface ReadCloudAssemblyOptions {
  /** Region of local ARNs and URLs; default: the stacks' region in the manifest, else `eu-west-2`. */
  region?: string;
  /** Account of local ARNs and URLs; default `000000000000` (the account fauxqs puts in its ARNs). */
  accountId?: string;
  /**
   * The local SQS endpoint (e.g. fauxqs's `http://127.0.0.1:<port>`): a `Ref`/`QueueUrl` of a queue
   * then resolves to `<endpoint>/<account>/<name>`, the URL the emulator answers to. Without it,
   * queue URLs have AWS's shape (`https://sqs.<region>.amazonaws.com/<account>/<name>`).
   */
  sqsEndpoint?: string;
  /** Recorded in the topology; default: the stacks' common name prefix lower-cased (`Dev-…` → `dev`), else `local`. */
  environment?: string;
}

/** The topology plus what the reader left out, for the runtime to show. */
export interface TopologyWithWarnings extends Topology {
  /** One line per resource the runtime does not emulate (IAM, logs, alarms, custom resources, ...). */
  warnings: string[];
}

export const DEFAULT_LOCAL_ACCOUNT_ID = '000000000000';
export const DEFAULT_LOCAL_REGION = 'eu-west-2';

/** Defaults CloudFormation and the services apply when a property is absent. */
export const RESOURCE_DEFAULTS = {
  lambdaTimeoutSeconds: 3,
  lambdaMemorySizeMb: 128,
  sqsVisibilityTimeoutSeconds: 30,
  sqsMessageRetentionPeriodSeconds: 345_600,
  sqsReceiveMessageWaitTimeSeconds: 0,
  sqsEventSourceBatchSize: 10,
  sqsEventSourceBatchingWindowSeconds: 0,
  /** EventBridge Pipes stream sources: 100 records, no batching window (as the Lambda stream event sources). */
  pipeStreamBatchSize: 100,
  pipeStreamBatchingWindowSeconds: 0,
  /** -1 = retry until the record expires / no age limit (Pipes API reference). */
  pipeStreamMaximumRetryAttempts: -1,
  pipeStreamMaximumRecordAgeSeconds: -1,
  pipeStreamParallelizationFactor: 1,
} as const;

/** Types that only matter in AWS (permissions, observability, deployment plumbing). */
const IGNORED_SILENTLY = new Set([
  'AWS::CDK::Metadata',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Account',
  'AWS::Lambda::Permission',
]);

const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];

/**
 * Reads the synthesized CDK cloud assembly in `assemblyDir` into the local topology: every
 * table, queue, topic, function (with its unpacked code asset), REST API route, SQS event-source
 * mapping and pipe, with every intrinsic resolved to local names.
 */
export function readCloudAssembly(assemblyDir: string, options: ReadCloudAssemblyOptions = {}): TopologyWithWarnings {
  const assembly = loadCloudAssembly(assemblyDir);
  const region = options.region ?? assembly.stacks.find((stack) => stack.region)?.region ?? DEFAULT_LOCAL_REGION;
  const accountId = options.accountId ?? DEFAULT_LOCAL_ACCOUNT_ID;
  const reader = new TopologyReader(assembly, new ResourceModel(assembly.stacks, { region, accountId, ...(options.sqsEndpoint ? { sqsEndpoint: options.sqsEndpoint } : {}) }));
  return reader.read(options.environment ?? inferEnvironment(assembly.stacks), region, accountId);
}

export const SCHEDULER_SERVICE_PRINCIPAL = 'scheduler.amazonaws.com';

/** Whether a role's trust policy (as written: principals are literals) lets `service` assume it. */
function trustsService(resource: CfnResource, service: string): boolean {
  const statements = (resource.Properties?.AssumeRolePolicyDocument as { Statement?: unknown } | undefined)?.Statement;
  return (Array.isArray(statements) ? statements : []).some((statement: Record<string, unknown>) => {
    if (statement.Effect !== 'Allow') return false;
    const principal = (statement.Principal as { Service?: unknown } | undefined)?.Service;
    return ([] as unknown[]).concat(principal ?? []).includes(service);
  });
}

function inferEnvironment(stacks: AssemblyStack[]): string {
  const prefixes = new Set(stacks.map((stack) => stack.stackName.split('-')[0] ?? ''));
  const [only] = [...prefixes];
  return prefixes.size === 1 && only && stacks.every((stack) => stack.stackName.includes('-')) ? only.toLowerCase() : 'local';
}

interface ResourceRef {
  stack: AssemblyStack;
  logicalId: string;
  resource: CfnResource;
}

class TopologyReader {
  private readonly warnings: string[] = [];
  private readonly tables: TableSpec[] = [];
  private readonly queues: QueueSpec[] = [];
  private readonly topics: TopicSpec[] = [];
  private readonly functions: FunctionSpec[] = [];
  private readonly idsByArn = new Map<string, string>();
  private readonly functionIdsByName = new Map<string, string>();
  private readonly tableIdsByStreamArn = new Map<string, string>();

  constructor(
    private readonly assembly: LoadedAssembly,
    private readonly model: ResourceModel,
  ) {}

  read(environment: string, region: string, accountId: string): TopologyWithWarnings {
    const all = this.activeResources();
    const ofType = (...types: string[]): ResourceRef[] => all.filter((entry) => types.includes(entry.resource.Type));

    for (const entry of ofType('AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable')) this.tables.push(this.table(entry));
    for (const entry of ofType('AWS::SQS::Queue')) this.queues.push(this.queue(entry));
    for (const entry of ofType('AWS::SNS::Topic')) this.topics.push(this.topic(entry));
    // CDK's BucketDeployment provider copies its source assets into a bucket: the local site server
    // serves those assets itself, so the provider function is not run (and not reported as missing).
    const deploymentProviders = new Set(
      ofType('Custom::CDKBucketDeployment').flatMap((entry) => {
        const token = entry.resource.Properties?.ServiceToken as { 'Fn::GetAtt'?: unknown } | undefined;
        const target = Array.isArray(token?.['Fn::GetAtt']) ? token['Fn::GetAtt'][0] : undefined;
        return typeof target === 'string' ? [`${entry.stack.stackName}/${target}`] : [];
      }),
    );
    for (const entry of ofType('AWS::Lambda::Function')) {
      if (deploymentProviders.has(`${entry.stack.stackName}/${entry.logicalId}`)) continue;
      const spec = this.function(entry);
      if (spec) this.functions.push(spec);
    }
    // Redrive policies name their DLQ by ARN; resolved once every queue has one.
    for (const entry of ofType('AWS::SQS::Queue')) this.redrive(entry);
    const userPools = ofType('AWS::Cognito::UserPool').map((entry) => this.userPool(entry));
    const userPoolClients = ofType('AWS::Cognito::UserPoolClient').map((entry) => this.userPoolClient(entry));
    const userPoolGroups = ofType('AWS::Cognito::UserPoolGroup').map((entry) => this.userPoolGroup(entry));
    const secrets = ofType('AWS::SecretsManager::Secret').map((entry) => this.secret(entry));
    const scheduleGroups = ofType('AWS::Scheduler::ScheduleGroup').map((entry) => this.scheduleGroup(entry));
    const policies = ofType('AWS::IAM::Policy');
    const schedulerRoles = ofType('AWS::IAM::Role')
      .filter((entry) => trustsService(entry.resource, SCHEDULER_SERVICE_PRINCIPAL))
      .map((entry) => this.schedulerRole(entry, policies));

    const restApis = this.restApis(all);
    const sqsEventSourceMappings = ofType('AWS::Lambda::EventSourceMapping')
      .map((entry) => this.eventSourceMapping(entry))
      .filter((spec): spec is SqsEventSourceMappingSpec => spec !== undefined);
    const pipes = ofType('AWS::Pipes::Pipe').map((entry) => this.pipe(entry));
    const sites = readStaticSites(all, this.assembly, this.model, this.warnings);

    const handled = new Set([
      'AWS::DynamoDB::Table',
      'AWS::DynamoDB::GlobalTable',
      'AWS::SQS::Queue',
      'AWS::SNS::Topic',
      'AWS::Lambda::Function',
      'AWS::Lambda::EventSourceMapping',
      'AWS::Pipes::Pipe',
      'AWS::ApiGateway::RestApi',
      'AWS::ApiGateway::Resource',
      'AWS::ApiGateway::Method',
      'AWS::ApiGateway::Stage',
      'AWS::ApiGateway::Authorizer',
      'AWS::ApiGateway::GatewayResponse',
      'AWS::Cognito::UserPool',
      'AWS::Cognito::UserPoolClient',
      'AWS::Cognito::UserPoolGroup',
      'AWS::SecretsManager::Secret',
      'AWS::Scheduler::ScheduleGroup',
      ...STATIC_SITE_RESOURCE_TYPES,
    ]);
    const ignored = new Map<string, string[]>();
    for (const entry of all) {
      if (handled.has(entry.resource.Type) || IGNORED_SILENTLY.has(entry.resource.Type)) continue;
      const list = ignored.get(entry.resource.Type) ?? [];
      list.push(qualify(entry.stack.stackName, entry.logicalId));
      ignored.set(entry.resource.Type, list);
    }
    for (const [type, ids] of [...ignored.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      this.warnings.push(`not emulated locally: ${type} (${ids.length}): ${ids.join(', ')}`);
    }

    return {
      environment,
      region,
      accountId,
      tables: this.tables,
      queues: this.queues,
      topics: this.topics,
      functions: this.functions,
      restApis,
      sqsEventSourceMappings,
      pipes,
      userPools,
      userPoolClients,
      userPoolGroups,
      secrets,
      scheduleGroups,
      schedulerRoles,
      sites,
      warnings: this.warnings,
    };
  }

  private activeResources(): ResourceRef[] {
    const result: ResourceRef[] = [];
    for (const stack of this.assembly.stacks) {
      for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
        if (!resource || typeof resource.Type !== 'string') {
          throw new InvalidResourceError({ stackName: stack.stackName, logicalId, path: 'Type' }, 'the resource has no Type');
        }
        if (this.model.isActive(stack, logicalId, resource)) result.push({ stack, logicalId, resource });
      }
    }
    return result;
  }

  // ---- property helpers -------------------------------------------------------------------

  private location(entry: ResourceRef, path: string): TemplateLocation {
    return { stackName: entry.stack.stackName, logicalId: entry.logicalId, path };
  }

  /** The resolved value of a property (dotted path under Properties), or undefined. */
  private prop(entry: ResourceRef, path: string): unknown {
    let value: unknown = entry.resource.Properties;
    for (const segment of path.split('.')) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[segment];
    }
    return value === undefined ? undefined : this.model.resolve(entry.stack, value, this.location(entry, `Properties.${path}`));
  }

  private stringProp(entry: ResourceRef, path: string, required: true): string;
  private stringProp(entry: ResourceRef, path: string, required?: false): string | undefined;
  private stringProp(entry: ResourceRef, path: string, required = false): string | undefined {
    const value = this.prop(entry, path);
    if (value === undefined) {
      if (required) throw new InvalidResourceError(this.location(entry, `Properties.${path}`), `${entry.resource.Type} needs ${path}`);
      return undefined;
    }
    if (typeof value !== 'string') {
      throw new InvalidResourceError(this.location(entry, `Properties.${path}`), `expected a string, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  private intProp(entry: ResourceRef, path: string, fallback: number, range?: [number, number]): number {
    const value = this.prop(entry, path);
    if (value === undefined) return fallback;
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number)) {
      throw new InvalidResourceError(this.location(entry, `Properties.${path}`), `expected an integer, got ${JSON.stringify(value)}`);
    }
    if (range && (number < range[0] || number > range[1])) {
      throw new InvalidResourceError(this.location(entry, `Properties.${path}`), `${number} is outside ${range[0]}..${range[1]}`);
    }
    return number;
  }

  private boolProp(entry: ResourceRef, path: string, fallback: boolean): boolean {
    const value = this.prop(entry, path);
    if (value === undefined) return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new InvalidResourceError(this.location(entry, `Properties.${path}`), `expected a boolean, got ${JSON.stringify(value)}`);
  }

  private idOf(entry: ResourceRef): string {
    return qualify(entry.stack.stackName, entry.logicalId);
  }

  // ---- resources --------------------------------------------------------------------------

  private table(entry: ResourceRef): TableSpec {
    const id = this.idOf(entry);
    const tableName = this.model.physicalName(entry.stack, entry.logicalId);
    const keySchema = this.keySchema(entry, 'KeySchema', this.prop(entry, 'KeySchema'));
    const definitions = this.prop(entry, 'AttributeDefinitions');
    if (!Array.isArray(definitions) || definitions.length === 0) {
      throw new InvalidResourceError(this.location(entry, 'Properties.AttributeDefinitions'), 'a table needs AttributeDefinitions');
    }
    const attributeDefinitions = definitions.map((definition: Record<string, unknown>, index): AttributeDefinition => {
      const type = definition.AttributeType;
      if (typeof definition.AttributeName !== 'string' || (type !== 'S' && type !== 'N' && type !== 'B')) {
        throw new InvalidResourceError(this.location(entry, `Properties.AttributeDefinitions.${index}`), 'expected {AttributeName, AttributeType: S|N|B}');
      }
      return { attributeName: definition.AttributeName, attributeType: type };
    });
    const indexes = this.prop(entry, 'GlobalSecondaryIndexes');
    const globalSecondaryIndexes = (Array.isArray(indexes) ? indexes : []).map((index: Record<string, unknown>, position): GlobalSecondaryIndexSpec => {
      const path = `Properties.GlobalSecondaryIndexes.${position}`;
      const projection = (index.Projection ?? {}) as Record<string, unknown>;
      const projectionType = (projection.ProjectionType ?? 'ALL') as GlobalSecondaryIndexSpec['projectionType'];
      if (typeof index.IndexName !== 'string' || !['ALL', 'KEYS_ONLY', 'INCLUDE'].includes(projectionType)) {
        throw new InvalidResourceError(this.location(entry, path), 'expected IndexName and Projection.ProjectionType ALL|KEYS_ONLY|INCLUDE');
      }
      return {
        indexName: index.IndexName,
        keySchema: this.keySchema(entry, `${path}.KeySchema`, index.KeySchema),
        projectionType,
        ...(Array.isArray(projection.NonKeyAttributes) ? { nonKeyAttributes: projection.NonKeyAttributes as string[] } : {}),
      };
    });
    const streamViewType = this.prop(entry, 'StreamSpecification.StreamViewType') as StreamViewType | undefined;
    if (streamViewType !== undefined && !['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY'].includes(streamViewType)) {
      throw new InvalidResourceError(this.location(entry, 'Properties.StreamSpecification.StreamViewType'), `unknown stream view type ${JSON.stringify(streamViewType)}`);
    }
    const ttlEnabled = this.boolProp(entry, 'TimeToLiveSpecification.Enabled', false);
    const ttlAttribute = this.stringProp(entry, 'TimeToLiveSpecification.AttributeName');
    const arn = this.model.arn('dynamodb', `table/${tableName}`);
    this.idsByArn.set(arn, id);
    this.tableIdsByStreamArn.set(this.model.tableStreamArn(tableName), id);
    return {
      id,
      tableName,
      arn,
      keySchema,
      attributeDefinitions,
      globalSecondaryIndexes,
      ...(streamViewType ? { streamViewType } : {}),
      ...(ttlEnabled && ttlAttribute ? { timeToLiveAttribute: ttlAttribute } : {}),
    };
  }

  private keySchema(entry: ResourceRef, path: string, value: unknown): KeyAttribute[] {
    if (!Array.isArray(value) || value.length === 0) throw new InvalidResourceError(this.location(entry, path), 'expected a non-empty KeySchema');
    return value.map((key: Record<string, unknown>, index) => {
      if (typeof key.AttributeName !== 'string' || (key.KeyType !== 'HASH' && key.KeyType !== 'RANGE')) {
        throw new InvalidResourceError(this.location(entry, `${path}.${index}`), 'expected {AttributeName, KeyType: HASH|RANGE}');
      }
      return { attributeName: key.AttributeName, keyType: key.KeyType };
    });
  }

  private queue(entry: ResourceRef): QueueSpec {
    const id = this.idOf(entry);
    const queueName = this.model.physicalName(entry.stack, entry.logicalId);
    const fifo = this.model.isFifoQueue(entry.stack, entry.logicalId, entry.resource);
    if (fifo !== queueName.endsWith('.fifo')) {
      throw new InvalidResourceError(this.location(entry, 'Properties.QueueName'), `a ${fifo ? 'FIFO' : 'standard'} queue's name ${fifo ? 'must' : 'must not'} end in .fifo: ${queueName}`);
    }
    const arn = this.model.arn('sqs', queueName);
    this.idsByArn.set(arn, id);
    const kmsMasterKeyId = this.stringProp(entry, 'KmsMasterKeyId');
    return {
      ...(kmsMasterKeyId !== undefined ? { kmsMasterKeyId } : {}),
      id,
      queueName,
      arn,
      fifo,
      visibilityTimeoutSeconds: this.intProp(entry, 'VisibilityTimeout', RESOURCE_DEFAULTS.sqsVisibilityTimeoutSeconds, [0, 43_200]),
      messageRetentionPeriodSeconds: this.intProp(entry, 'MessageRetentionPeriod', RESOURCE_DEFAULTS.sqsMessageRetentionPeriodSeconds, [60, 1_209_600]),
      receiveMessageWaitTimeSeconds: this.intProp(entry, 'ReceiveMessageWaitTimeSeconds', RESOURCE_DEFAULTS.sqsReceiveMessageWaitTimeSeconds, [0, 20]),
    };
  }

  private scheduleGroup(entry: ResourceRef): ScheduleGroupSpec {
    const name = this.model.physicalName(entry.stack, entry.logicalId);
    if (!/^[0-9a-zA-Z\-_.]{1,64}$/.test(name)) throw new InvalidResourceError(this.location(entry, 'Properties.Name'), `a schedule group name is 1..64 of [0-9a-zA-Z-_.], got ${JSON.stringify(name)}`);
    return { id: this.idOf(entry), name, arn: this.model.arn('scheduler', `schedule-group/${name}`) };
  }

  /** A Scheduler execution role: its inline policies and the stack's AWS::IAM::Policy resources attached to it. */
  private schedulerRole(entry: ResourceRef, policies: ResourceRef[]): SchedulerRoleSpec {
    const roleName = this.model.physicalName(entry.stack, entry.logicalId);
    const statements: IamStatementSpec[] = [];
    const inline = this.prop(entry, 'Policies');
    (Array.isArray(inline) ? inline : []).forEach((policy: Record<string, unknown>, index) => {
      statements.push(...this.statements(entry, `Properties.Policies.${index}.PolicyDocument`, policy.PolicyDocument));
    });
    for (const policy of policies) {
      if (policy.stack !== entry.stack) continue;
      const roles = policy.resource.Properties?.Roles;
      if (!Array.isArray(roles) || !roles.some((role) => (role as { Ref?: unknown })?.Ref === entry.logicalId)) continue;
      statements.push(...this.statements(policy, 'Properties.PolicyDocument', this.prop(policy, 'PolicyDocument')));
    }
    return { id: this.idOf(entry), roleName, arn: `arn:aws:iam::${this.model.accountId}:role/${roleName}`, statements };
  }

  private statements(entry: ResourceRef, path: string, document: unknown): IamStatementSpec[] {
    const raw = (document as { Statement?: unknown } | undefined)?.Statement;
    const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    const strings = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);
    return list.flatMap((statement: Record<string, unknown>, index): IamStatementSpec[] => {
      if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
        throw new InvalidResourceError(this.location(entry, `${path}.Statement.${index}.Effect`), `expected Allow or Deny, got ${JSON.stringify(statement.Effect)}`);
      }
      if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
        this.warnings.push(`not emulated locally: NotAction/NotResource in ${this.idOf(entry)} (${path}.Statement.${index}); the statement is ignored by the local Scheduler's permission check`);
        return [];
      }
      return [{ effect: statement.Effect, actions: strings(statement.Action), resources: strings(statement.Resource), conditional: statement.Condition !== undefined }];
    });
  }

  private redrive(entry: ResourceRef): void {
    let policy = this.prop(entry, 'RedrivePolicy');
    if (policy === undefined) return;
    const location = this.location(entry, 'Properties.RedrivePolicy');
    if (typeof policy === 'string') {
      try {
        policy = JSON.parse(policy) as unknown;
      } catch {
        throw new InvalidResourceError(location, 'RedrivePolicy is a string but not JSON');
      }
    }
    const { deadLetterTargetArn, maxReceiveCount } = (policy ?? {}) as Record<string, unknown>;
    const deadLetterQueueId = typeof deadLetterTargetArn === 'string' ? this.idsByArn.get(deadLetterTargetArn) : undefined;
    if (!deadLetterQueueId) {
      throw new InvalidResourceError(location, `deadLetterTargetArn ${JSON.stringify(deadLetterTargetArn)} is not a queue of this assembly`);
    }
    const count = Number(maxReceiveCount);
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw new InvalidResourceError(location, `maxReceiveCount must be 1..1000, got ${JSON.stringify(maxReceiveCount)}`);
    const spec = this.queues.find((queue) => queue.id === this.idOf(entry));
    if (spec) spec.redrivePolicy = { deadLetterQueueId, maxReceiveCount: count };
  }

  private topic(entry: ResourceRef): TopicSpec {
    const topicName = this.model.physicalName(entry.stack, entry.logicalId);
    const arn = this.model.arn('sns', topicName);
    this.idsByArn.set(arn, this.idOf(entry));
    return { id: this.idOf(entry), topicName, arn };
  }

  private function(entry: ResourceRef): FunctionSpec | undefined {
    const id = this.idOf(entry);
    const functionName = this.model.physicalName(entry.stack, entry.logicalId);
    const runtime = this.stringProp(entry, 'Runtime');
    if (this.prop(entry, 'PackageType') === 'Image' || runtime === undefined) {
      this.warnings.push(`not emulated locally: ${id} is a container-image function; only Node.js zip functions run locally`);
      return undefined;
    }
    if (!runtime.startsWith('nodejs')) {
      this.warnings.push(`not emulated locally: ${id} uses runtime ${runtime}; only Node.js functions run locally`);
      return undefined;
    }
    const s3Key = this.prop(entry, 'Code.S3Key');
    if (s3Key === undefined) {
      this.warnings.push(`not emulated locally: ${id} has inline code (Code.ZipFile) or no code asset`);
      return undefined;
    }
    const codeLocation = this.location(entry, 'Properties.Code.S3Key');
    const asset = typeof s3Key === 'string' ? this.assembly.assetsByObjectKey.get(s3Key) : undefined;
    if (!asset) throw new MissingAssetError(codeLocation, `no file asset in the assembly's asset manifests is published as ${JSON.stringify(s3Key)}`);
    if (!fs.existsSync(asset.sourcePath) || !fs.statSync(asset.sourcePath).isDirectory()) {
      throw new MissingAssetError(codeLocation, `code asset ${asset.sourcePath} is not an unpacked directory in the assembly`);
    }
    const handler = this.stringProp(entry, 'Handler', true);
    const architectures = this.prop(entry, 'Architectures');
    const architecture = Array.isArray(architectures) && architectures[0] === 'arm64' ? 'arm64' : 'x86_64';
    const variables = this.prop(entry, 'Environment.Variables');
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries((variables ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'object' && value !== null) {
        throw new InvalidResourceError(this.location(entry, `Properties.Environment.Variables.${name}`), `must resolve to a string, got ${JSON.stringify(value)}`);
      }
      environment[name] = String(value);
    }
    const arn = this.model.arn('lambda', `function:${functionName}`);
    this.idsByArn.set(arn, id);
    this.functionIdsByName.set(functionName, id);
    return {
      id,
      functionName,
      arn,
      codeDirectory: asset.sourcePath,
      handler,
      runtime,
      architecture,
      timeoutSeconds: this.intProp(entry, 'Timeout', RESOURCE_DEFAULTS.lambdaTimeoutSeconds, [1, 900]),
      memorySizeMb: this.intProp(entry, 'MemorySize', RESOURCE_DEFAULTS.lambdaMemorySizeMb, [128, 10_240]),
      environment,
    };
  }

  /** A function named by name, ARN, or qualified ARN (`:alias`/`:version` is ignored locally). */
  private functionIdFor(reference: unknown): string | undefined {
    if (typeof reference !== 'string') return undefined;
    const direct = this.functionIdsByName.get(reference) ?? this.idsByArn.get(reference);
    if (direct) return direct;
    const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(:.+)?$/.exec(reference);
    return match ? this.functionIdsByName.get(match[1] as string) : undefined;
  }

  private stringList(entry: ResourceRef, path: string): string[] {
    const value = this.prop(entry, path);
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      throw new InvalidResourceError(this.location(entry, `Properties.${path}`), `expected a list of strings, got ${JSON.stringify(value)}`);
    }
    return value as string[];
  }

  private optionalInt(entry: ResourceRef, path: string, range: [number, number]): number | undefined {
    return this.prop(entry, path) === undefined ? undefined : this.intProp(entry, path, 0, range);
  }

  /** Qualified ids of the user pools, by every value a reference to one resolves to (id and ARN). */
  private readonly userPoolIdsByReference = new Map<string, string>();

  private userPool(entry: ResourceRef): UserPoolSpec {
    const id = this.idOf(entry);
    const userPoolId = localUserPoolId(this.model.region, id);
    const arn = this.model.userPoolArn(userPoolId);
    this.userPoolIdsByReference.set(userPoolId, id);
    this.userPoolIdsByReference.set(arn, id);
    const mfa = this.stringProp(entry, 'MfaConfiguration') ?? 'OFF';
    if (mfa !== 'OFF' && mfa !== 'OPTIONAL' && mfa !== 'ON') {
      throw new InvalidResourceError(this.location(entry, 'Properties.MfaConfiguration'), `expected OFF, OPTIONAL or ON, got ${mfa}`);
    }
    const passwordPolicy = this.prop(entry, 'Policies.PasswordPolicy');
    return {
      id,
      poolName: this.model.physicalName(entry.stack, entry.logicalId),
      userPoolId,
      arn,
      mfaConfiguration: mfa,
      allowAdminCreateUserOnly: this.boolProp(entry, 'AdminCreateUserConfig.AllowAdminCreateUserOnly', false),
      usernameAttributes: this.stringList(entry, 'UsernameAttributes'),
      autoVerifiedAttributes: this.stringList(entry, 'AutoVerifiedAttributes'),
      ...(passwordPolicy !== undefined && typeof passwordPolicy === 'object' ? { passwordPolicy: passwordPolicy as Record<string, unknown> } : {}),
    };
  }

  private poolOf(entry: ResourceRef): string {
    const reference = this.stringProp(entry, 'UserPoolId', true);
    const poolId = this.userPoolIdsByReference.get(reference);
    if (!poolId) throw new InvalidResourceError(this.location(entry, 'Properties.UserPoolId'), `${reference} is not a user pool of this assembly`);
    return poolId;
  }

  private userPoolClient(entry: ResourceRef): UserPoolClientSpec {
    const id = this.idOf(entry);
    const units = this.prop(entry, 'TokenValidityUnits');
    const accessTokenValidity = this.optionalInt(entry, 'AccessTokenValidity', [1, 86_400]);
    const idTokenValidity = this.optionalInt(entry, 'IdTokenValidity', [1, 86_400]);
    const refreshTokenValidity = this.optionalInt(entry, 'RefreshTokenValidity', [1, 315_360_000]);
    return {
      id,
      userPoolId: this.poolOf(entry),
      clientName: this.model.physicalName(entry.stack, entry.logicalId),
      clientId: localUserPoolClientId(id),
      generateSecret: this.boolProp(entry, 'GenerateSecret', false),
      explicitAuthFlows: this.stringList(entry, 'ExplicitAuthFlows'),
      allowedOAuthScopes: this.stringList(entry, 'AllowedOAuthScopes'),
      ...(accessTokenValidity !== undefined ? { accessTokenValidity } : {}),
      ...(idTokenValidity !== undefined ? { idTokenValidity } : {}),
      ...(refreshTokenValidity !== undefined ? { refreshTokenValidity } : {}),
      ...(units !== undefined && typeof units === 'object' ? { tokenValidityUnits: units as UserPoolClientSpec['tokenValidityUnits'] } : {}),
    };
  }

  private userPoolGroup(entry: ResourceRef): UserPoolGroupSpec {
    const description = this.stringProp(entry, 'Description');
    const precedence = this.optionalInt(entry, 'Precedence', [0, 2_147_483_647]);
    return {
      id: this.idOf(entry),
      userPoolId: this.poolOf(entry),
      groupName: this.model.physicalName(entry.stack, entry.logicalId),
      ...(description !== undefined ? { description } : {}),
      ...(precedence !== undefined ? { precedence } : {}),
    };
  }

  private secret(entry: ResourceRef): SecretSpec {
    const id = this.idOf(entry);
    const description = this.stringProp(entry, 'Description');
    const secretString = this.stringProp(entry, 'SecretString');
    const generate = this.prop(entry, 'GenerateSecretString');
    const base = {
      id,
      name: this.model.physicalName(entry.stack, entry.logicalId),
      arn: this.model.secretArn(entry.stack, entry.logicalId),
      ...(description !== undefined ? { description } : {}),
    };
    if (secretString !== undefined && generate !== undefined) {
      throw new InvalidResourceError(this.location(entry, 'Properties'), 'a secret has either SecretString or GenerateSecretString, not both');
    }
    if (secretString !== undefined) return { ...base, secretString };
    const p = 'GenerateSecretString';
    const template = this.stringProp(entry, `${p}.SecretStringTemplate`);
    const key = this.stringProp(entry, `${p}.GenerateStringKey`);
    if ((template === undefined) !== (key === undefined)) {
      throw new InvalidResourceError(this.location(entry, `Properties.${p}`), 'SecretStringTemplate and GenerateStringKey go together');
    }
    if (template !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(template);
      } catch {
        throw new InvalidResourceError(this.location(entry, `Properties.${p}.SecretStringTemplate`), 'SecretStringTemplate must be a JSON object');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new InvalidResourceError(this.location(entry, `Properties.${p}.SecretStringTemplate`), 'SecretStringTemplate must be a JSON object');
      }
    }
    // CloudFormation's defaults (AWS::SecretsManager::Secret GenerateSecretString): 32 characters,
    // every character class, no space, each included type required.
    const spec: GenerateSecretStringSpec = {
      passwordLength: this.intProp(entry, `${p}.PasswordLength`, 32, [1, 4096]),
      excludeCharacters: this.stringProp(entry, `${p}.ExcludeCharacters`) ?? '',
      excludeNumbers: this.boolProp(entry, `${p}.ExcludeNumbers`, false),
      excludePunctuation: this.boolProp(entry, `${p}.ExcludePunctuation`, false),
      excludeUppercase: this.boolProp(entry, `${p}.ExcludeUppercase`, false),
      excludeLowercase: this.boolProp(entry, `${p}.ExcludeLowercase`, false),
      includeSpace: this.boolProp(entry, `${p}.IncludeSpace`, false),
      requireEachIncludedType: this.boolProp(entry, `${p}.RequireEachIncludedType`, true),
      ...(template !== undefined && key !== undefined ? { secretStringTemplate: template, generateStringKey: key } : {}),
    };
    return { ...base, generate: spec };
  }

  private authorizer(entry: ResourceRef): CognitoAuthorizerSpec | undefined {
    const id = this.idOf(entry);
    const type = this.stringProp(entry, 'Type', true);
    if (type !== 'COGNITO_USER_POOLS') {
      this.warnings.push(`not emulated locally: authorizer ${id} is of type ${type}; only COGNITO_USER_POOLS authorizers run locally (methods using it are not served)`);
      return undefined;
    }
    const source = this.stringProp(entry, 'IdentitySource', true);
    const header = /^method\.request\.header\.([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/.exec(source.trim())?.[1];
    if (!header) {
      throw new InvalidResourceError(this.location(entry, 'Properties.IdentitySource'), `a COGNITO_USER_POOLS authorizer reads a header: method.request.header.<Name>, got ${JSON.stringify(source)}`);
    }
    const providers = this.stringList(entry, 'ProviderARNs');
    if (providers.length === 0) throw new InvalidResourceError(this.location(entry, 'Properties.ProviderARNs'), 'a COGNITO_USER_POOLS authorizer needs ProviderARNs');
    const userPoolIds = providers.map((arn, index) => {
      const poolId = this.userPoolIdsByReference.get(arn);
      if (!poolId) throw new UnsupportedResourceError(this.location(entry, `Properties.ProviderARNs.${index}`), `${arn} is not a user pool of this assembly`);
      return poolId;
    });
    const expression = this.stringProp(entry, 'IdentityValidationExpression');
    if (expression !== undefined) {
      try {
        new RegExp(expression);
      } catch (error) {
        throw new InvalidResourceError(this.location(entry, 'Properties.IdentityValidationExpression'), `not a regular expression: ${(error as Error).message}`);
      }
    }
    return {
      id,
      name: this.stringProp(entry, 'Name') ?? entry.logicalId,
      type: 'COGNITO_USER_POOLS',
      identityHeader: header,
      ...(expression !== undefined ? { identityValidationExpression: expression } : {}),
      userPoolIds,
    };
  }

  private gatewayResponse(entry: ResourceRef): GatewayResponseSpec {
    const responseType = this.stringProp(entry, 'ResponseType', true);
    const status = this.prop(entry, 'StatusCode');
    let statusCode: number | undefined;
    if (status !== undefined) {
      statusCode = Number(status);
      if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
        throw new InvalidResourceError(this.location(entry, 'Properties.StatusCode'), `expected an HTTP status, got ${JSON.stringify(status)}`);
      }
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries((this.prop(entry, 'ResponseParameters') ?? {}) as Record<string, unknown>)) {
      const name = /^gatewayresponse\.header\.(.+)$/.exec(key)?.[1];
      if (!name || typeof value !== 'string') {
        throw new InvalidResourceError(this.location(entry, `Properties.ResponseParameters.${key}`), 'expected gatewayresponse.header.<Name>: <string>');
      }
      headers[name] = value;
    }
    const templates: Record<string, string> = {};
    for (const [contentType, template] of Object.entries((this.prop(entry, 'ResponseTemplates') ?? {}) as Record<string, unknown>)) {
      if (typeof template !== 'string') throw new InvalidResourceError(this.location(entry, `Properties.ResponseTemplates.${contentType}`), 'a response template is a string');
      templates[contentType] = template;
    }
    return { responseType, ...(statusCode !== undefined ? { statusCode } : {}), headers, templates };
  }

  private restApis(all: ResourceRef[]): RestApiSpec[] {
    const apis = all.filter((entry) => entry.resource.Type === 'AWS::ApiGateway::RestApi');
    const specs: RestApiSpec[] = [];
    for (const api of apis) {
      const apiId = this.model.resolve(api.stack, { Ref: api.logicalId }, this.location(api, 'Ref'));
      const rootId = this.model.resolve(api.stack, { 'Fn::GetAtt': [api.logicalId, 'RootResourceId'] }, this.location(api, 'RootResourceId'));
      const belongs = (entry: ResourceRef): boolean => this.prop(entry, 'RestApiId') === apiId;

      const resources = all.filter((entry) => entry.resource.Type === 'AWS::ApiGateway::Resource' && belongs(entry));
      const parents = new Map<string, { parentId: string; pathPart: string; entry: ResourceRef }>();
      for (const entry of resources) {
        const resourceId = this.model.resolve(entry.stack, { Ref: entry.logicalId }, this.location(entry, 'Ref')) as string;
        parents.set(resourceId, { parentId: this.stringProp(entry, 'ParentId', true), pathPart: this.stringProp(entry, 'PathPart', true), entry });
      }
      const pathOf = (resourceId: string, location: TemplateLocation, seen = new Set<string>()): string => {
        if (resourceId === rootId) return '/';
        const node = parents.get(resourceId);
        if (!node) throw new InvalidResourceError(location, `resource id ${resourceId} is not a resource of REST API ${this.idOf(api)}`);
        if (seen.has(resourceId)) throw new InvalidResourceError(location, 'the API resource tree has a cycle');
        seen.add(resourceId);
        const parentPath = pathOf(node.parentId, this.location(node.entry, 'Properties.ParentId'), seen);
        return `${parentPath === '/' ? '' : parentPath}/${node.pathPart}`;
      };

      // Authorizers by the value `AuthorizerId: {Ref: <authorizer>}` resolves to.
      const authorizers: CognitoAuthorizerSpec[] = [];
      const authorizersByRef = new Map<string, CognitoAuthorizerSpec | undefined>();
      for (const entry of all.filter((candidate) => candidate.resource.Type === 'AWS::ApiGateway::Authorizer' && belongs(candidate))) {
        const spec = this.authorizer(entry);
        if (spec) authorizers.push(spec);
        authorizersByRef.set(this.model.resolve(entry.stack, { Ref: entry.logicalId }, this.location(entry, 'Ref')) as string, spec);
      }
      const gatewayResponses = all
        .filter((entry) => entry.resource.Type === 'AWS::ApiGateway::GatewayResponse' && belongs(entry))
        .map((entry) => this.gatewayResponse(entry));

      const routes: ApiRouteSpec[] = [];
      for (const method of all.filter((entry) => entry.resource.Type === 'AWS::ApiGateway::Method' && belongs(entry))) {
        const httpMethod = this.stringProp(method, 'HttpMethod', true).toUpperCase() as HttpMethod;
        if (!HTTP_METHODS.includes(httpMethod)) throw new InvalidResourceError(this.location(method, 'Properties.HttpMethod'), `unknown HTTP method ${httpMethod}`);
        const resourcePath = pathOf(this.stringProp(method, 'ResourceId', true), this.location(method, 'Properties.ResourceId'));
        const integrationType = this.stringProp(method, 'Integration.Type');
        if (integrationType !== 'AWS_PROXY') {
          this.warnings.push(`not emulated locally: ${httpMethod} ${resourcePath} of ${this.idOf(api)} (${this.idOf(method)}) has a ${integrationType ?? 'missing'} integration; only Lambda proxy (AWS_PROXY) routes run locally`);
          continue;
        }
        const uri = this.stringProp(method, 'Integration.Uri', true);
        const functionArn = /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
        const functionId = this.functionIdFor(functionArn);
        if (!functionId) {
          throw new UnsupportedResourceError(this.location(method, 'Properties.Integration.Uri'), `the integration URI ${uri} does not invoke a function of this assembly`);
        }
        const authorization = this.routeAuthorization(method, authorizersByRef, `${httpMethod} ${resourcePath}`);
        if (authorization === undefined) continue;
        routes.push({ method: httpMethod, resourcePath, functionId, ...(authorization.type === 'NONE' ? {} : { authorization }) });
      }

      const stages = all.filter((entry) => entry.resource.Type === 'AWS::ApiGateway::Stage' && belongs(entry));
      const stageNames = stages.map((stage) => this.stringProp(stage, 'StageName', true));
      if (stageNames.length === 0) {
        const deployment = all.find((entry) => entry.resource.Type === 'AWS::ApiGateway::Deployment' && belongs(entry) && this.prop(entry, 'StageName') !== undefined);
        if (deployment) stageNames.push(this.stringProp(deployment, 'StageName', true));
      }
      const stageName = stageNames[0];
      if (!stageName) {
        this.warnings.push(`not emulated locally: REST API ${this.idOf(api)} has no stage, so it is not deployed`);
        continue;
      }
      if (stageNames.length > 1) this.warnings.push(`REST API ${this.idOf(api)} has stages ${stageNames.join(', ')}; the local API serves ${stageName}`);
      specs.push({
        id: this.idOf(api),
        name: this.stringProp(api, 'Name') ?? api.logicalId,
        stageName,
        routes: routes.sort((a, b) => a.resourcePath.localeCompare(b.resourcePath) || a.method.localeCompare(b.method)),
        ...(authorizers.length > 0 ? { authorizers } : {}),
        ...(gatewayResponses.length > 0 ? { gatewayResponses } : {}),
      });
    }
    return specs;
  }

  /** The method's authorization; undefined (with a warning) when it is of a kind not emulated locally. */
  private routeAuthorization(method: ResourceRef, authorizersByRef: Map<string, CognitoAuthorizerSpec | undefined>, route: string): RouteAuthorization | undefined {
    const type = this.stringProp(method, 'AuthorizationType') ?? 'NONE';
    if (type === 'NONE') return { type: 'NONE' };
    if (type !== 'COGNITO_USER_POOLS') {
      this.warnings.push(`not emulated locally: ${route} (${this.idOf(method)}) uses ${type} authorization; only NONE and COGNITO_USER_POOLS run locally, so the route is not served`);
      return undefined;
    }
    const reference = this.stringProp(method, 'AuthorizerId', true);
    if (!authorizersByRef.has(reference)) {
      throw new InvalidResourceError(this.location(method, 'Properties.AuthorizerId'), `${reference} is not an authorizer of this REST API`);
    }
    const authorizer = authorizersByRef.get(reference);
    if (!authorizer) {
      this.warnings.push(`not emulated locally: ${route} (${this.idOf(method)}) uses an authorizer of a kind not emulated, so the route is not served`);
      return undefined;
    }
    return { type: 'COGNITO_USER_POOLS', authorizerId: authorizer.id, authorizationScopes: this.stringList(method, 'AuthorizationScopes') };
  }

  private eventSourceMapping(entry: ResourceRef): SqsEventSourceMappingSpec | undefined {
    const id = this.idOf(entry);
    const sourceArn = this.stringProp(entry, 'EventSourceArn');
    const queueId = sourceArn ? this.idsByArn.get(sourceArn) : undefined;
    if (!queueId || !this.queues.some((queue) => queue.id === queueId)) {
      this.warnings.push(`not emulated locally: event source mapping ${id} reads ${sourceArn ?? 'an unnamed source'}; only SQS queues of this assembly are polled locally`);
      return undefined;
    }
    const functionReference = this.stringProp(entry, 'FunctionName', true);
    const functionId = this.functionIdFor(functionReference);
    if (!functionId) {
      throw new InvalidResourceError(this.location(entry, 'Properties.FunctionName'), `${functionReference} is not a function of this assembly`);
    }
    const responseTypes = this.prop(entry, 'FunctionResponseTypes');
    const maximumConcurrency = this.prop(entry, 'ScalingConfig.MaximumConcurrency');
    const batchSize = this.intProp(entry, 'BatchSize', RESOURCE_DEFAULTS.sqsEventSourceBatchSize, [1, 10_000]);
    const window = this.intProp(entry, 'MaximumBatchingWindowInSeconds', RESOURCE_DEFAULTS.sqsEventSourceBatchingWindowSeconds, [0, 300]);
    if (batchSize > 10 && window < 1) {
      throw new InvalidResourceError(this.location(entry, 'Properties.BatchSize'), 'Lambda requires MaximumBatchingWindowInSeconds of at least 1 when an SQS BatchSize is over 10');
    }
    return {
      id,
      functionId,
      queueId,
      batchSize,
      maximumBatchingWindowInSeconds: window,
      reportBatchItemFailures: Array.isArray(responseTypes) && responseTypes.includes('ReportBatchItemFailures'),
      ...(maximumConcurrency !== undefined ? { maximumConcurrency: this.intProp(entry, 'ScalingConfig.MaximumConcurrency', 2, [2, 1000]) } : {}),
      enabled: this.boolProp(entry, 'Enabled', true),
    };
  }

  private pipe(entry: ResourceRef): PipeSpec {
    const id = this.idOf(entry);
    const sourceArn = this.stringProp(entry, 'Source', true);
    const tableId = this.tableIdsByStreamArn.get(sourceArn);
    if (!tableId) {
      throw new UnsupportedResourceError(this.location(entry, 'Properties.Source'), `the pipe source ${sourceArn} is not the stream of a table in this assembly; only DynamoDB stream sources run locally`);
    }
    if (!this.tables.find((table) => table.id === tableId)?.streamViewType) {
      throw new InvalidResourceError(this.location(entry, 'Properties.Source'), `table ${tableId} has no stream`);
    }
    const p = 'SourceParameters.DynamoDBStreamParameters';
    const startingPosition = this.stringProp(entry, `${p}.StartingPosition`, true);
    if (startingPosition !== 'TRIM_HORIZON' && startingPosition !== 'LATEST') {
      throw new InvalidResourceError(this.location(entry, `Properties.${p}.StartingPosition`), `expected TRIM_HORIZON or LATEST, got ${startingPosition}`);
    }
    const bisect = this.stringProp(entry, `${p}.OnPartialBatchItemFailure`);
    if (bisect !== undefined && bisect !== 'AUTOMATIC_BISECT') {
      throw new InvalidResourceError(this.location(entry, `Properties.${p}.OnPartialBatchItemFailure`), `expected AUTOMATIC_BISECT, got ${bisect}`);
    }
    const deadLetterArn = this.stringProp(entry, `${p}.DeadLetterConfig.Arn`);
    const deadLetterQueueId = deadLetterArn === undefined ? undefined : this.idsByArn.get(deadLetterArn);
    if (deadLetterArn !== undefined && !deadLetterQueueId) {
      throw new UnsupportedResourceError(this.location(entry, `Properties.${p}.DeadLetterConfig.Arn`), `${deadLetterArn} is not a queue of this assembly`);
    }
    const source: DynamoDbStreamPipeSourceSpec = {
      kind: 'dynamodb-stream',
      tableId,
      startingPosition,
      batchSize: this.intProp(entry, `${p}.BatchSize`, RESOURCE_DEFAULTS.pipeStreamBatchSize, [1, 10_000]),
      maximumBatchingWindowInSeconds: this.intProp(entry, `${p}.MaximumBatchingWindowInSeconds`, RESOURCE_DEFAULTS.pipeStreamBatchingWindowSeconds, [0, 300]),
      maximumRetryAttempts: this.intProp(entry, `${p}.MaximumRetryAttempts`, RESOURCE_DEFAULTS.pipeStreamMaximumRetryAttempts, [-1, 10_000]),
      maximumRecordAgeInSeconds: this.intProp(entry, `${p}.MaximumRecordAgeInSeconds`, RESOURCE_DEFAULTS.pipeStreamMaximumRecordAgeSeconds, [-1, 604_800]),
      parallelizationFactor: this.intProp(entry, `${p}.ParallelizationFactor`, RESOURCE_DEFAULTS.pipeStreamParallelizationFactor, [1, 10]),
      ...(bisect ? { onPartialBatchItemFailure: 'AUTOMATIC_BISECT' as const } : {}),
      ...(deadLetterQueueId ? { deadLetterQueueId } : {}),
    };

    const filters = this.prop(entry, 'SourceParameters.FilterCriteria.Filters');
    const filterPatterns = (Array.isArray(filters) ? filters : []).map((filter: Record<string, unknown>, index) => {
      if (typeof filter.Pattern !== 'string') {
        throw new InvalidResourceError(this.location(entry, `Properties.SourceParameters.FilterCriteria.Filters.${index}.Pattern`), 'a filter pattern must be a JSON string');
      }
      return filter.Pattern;
    });
    if (filterPatterns.length > 5) throw new InvalidResourceError(this.location(entry, 'Properties.SourceParameters.FilterCriteria.Filters'), `at most 5 filters, got ${filterPatterns.length}`);

    const enrichmentArn = this.stringProp(entry, 'Enrichment');
    const enrichmentFunctionId = enrichmentArn === undefined ? undefined : this.functionIdFor(enrichmentArn);
    if (enrichmentArn !== undefined && !enrichmentFunctionId) {
      throw new UnsupportedResourceError(this.location(entry, 'Properties.Enrichment'), `${enrichmentArn} is not a function of this assembly; only Lambda enrichments run locally`);
    }
    const targetArn = this.stringProp(entry, 'Target', true);
    const targetQueueId = this.idsByArn.get(targetArn);
    if (!targetQueueId || !this.queues.some((queue) => queue.id === targetQueueId)) {
      throw new UnsupportedResourceError(this.location(entry, 'Properties.Target'), `${targetArn} is not a queue of this assembly; only SQS targets run locally`);
    }
    const enrichmentInputTemplate = this.stringProp(entry, 'EnrichmentParameters.InputTemplate');
    const inputTemplate = this.stringProp(entry, 'TargetParameters.InputTemplate');
    const messageGroupId = this.stringProp(entry, 'TargetParameters.SqsQueueParameters.MessageGroupId');
    const messageDeduplicationId = this.stringProp(entry, 'TargetParameters.SqsQueueParameters.MessageDeduplicationId');
    const desiredState = this.stringProp(entry, 'DesiredState') ?? 'RUNNING';
    if (desiredState !== 'RUNNING' && desiredState !== 'STOPPED') {
      throw new InvalidResourceError(this.location(entry, 'Properties.DesiredState'), `expected RUNNING or STOPPED, got ${desiredState}`);
    }
    return {
      id,
      name: this.model.physicalName(entry.stack, entry.logicalId),
      desiredState,
      source,
      filterPatterns,
      ...(enrichmentFunctionId ? { enrichmentFunctionId } : {}),
      ...(enrichmentInputTemplate !== undefined ? { enrichmentInputTemplate } : {}),
      target: {
        kind: 'sqs',
        queueId: targetQueueId,
        ...(inputTemplate !== undefined ? { inputTemplate } : {}),
        ...(messageGroupId !== undefined ? { messageGroupId } : {}),
        ...(messageDeduplicationId !== undefined ? { messageDeduplicationId } : {}),
      },
    };
  }
}
