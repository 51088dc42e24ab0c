import type { AssemblyStack, CfnResource } from './cloud-assembly';
import { type TemplateLocation, UnresolvableReferenceError, UnsupportedIntrinsicError } from './errors';
import { evaluateCondition, type IntrinsicHooks, resolveValue } from './intrinsics';
import { defaultLocalName, fitName, localApiGatewayId, NAME_RULES, type NameRule, shortHash } from './local-names';

/**
 * What each resource of the assembly is called locally and what its `Ref` and `Fn::GetAtt`
 * attributes resolve to. Names come from the template's own name property when it has one (so a
 * fixed name in CDK is the local name too), else from `<stack>-<LogicalId>`.
 */

export const LOCAL_PARTITION = 'aws';
export const LOCAL_URL_SUFFIX = 'amazonaws.com';
/**
 * Stream ARNs are only known once the local table exists; templates get this deterministic label
 * in their place, and the pipe spec carries the table id so the runtime looks the real stream up.
 */
export const LOCAL_STREAM_LABEL = 'local-stream';

interface NamingInfo {
  property?: string;
  rule: NameRule;
}

const NAMING: Record<string, NamingInfo> = {
  'AWS::DynamoDB::Table': { property: 'TableName', rule: NAME_RULES.table },
  'AWS::DynamoDB::GlobalTable': { property: 'TableName', rule: NAME_RULES.table },
  'AWS::SQS::Queue': { property: 'QueueName', rule: NAME_RULES.queue },
  'AWS::SNS::Topic': { property: 'TopicName', rule: NAME_RULES.topic },
  'AWS::Lambda::Function': { property: 'FunctionName', rule: NAME_RULES.function },
  'AWS::Pipes::Pipe': { property: 'Name', rule: NAME_RULES.pipe },
  'AWS::Logs::LogGroup': { property: 'LogGroupName', rule: { maxLength: 512, allowed: /[A-Za-z0-9_./#-]/ } },
  'AWS::IAM::Role': { property: 'RoleName', rule: NAME_RULES.function },
  'AWS::Cognito::UserPool': { property: 'PoolName', rule: { maxLength: 128, allowed: /[\w\s+=,.@-]/ } },
  'AWS::Cognito::UserPoolClient': { property: 'ClientName', rule: { maxLength: 128, allowed: /[\w\s+=,.@-]/ } },
  'AWS::Cognito::UserPoolGroup': { property: 'GroupName', rule: { maxLength: 128, allowed: /[\w\s+=,.@-]/ } },
  'AWS::SecretsManager::Secret': { property: 'Name', rule: { maxLength: 512, allowed: /[A-Za-z0-9/_+=.@-]/ } },
  'AWS::Scheduler::ScheduleGroup': { property: 'Name', rule: { maxLength: 64, allowed: /[0-9A-Za-z_.-]/ } },
};

/** Cognito user pool ids are `<region>_<9 alphanumerics>`; a hash keeps ours deterministic. */
export function localUserPoolId(region: string, qualifiedId: string): string {
  return `${region}_${shortHash(`userpool:${qualifiedId}`, 9)}`;
}

/** KMS key ids are UUIDs; ours is a deterministic hash in that shape (no local KMS exists: it only names the key). */
export function localKmsKeyId(qualifiedId: string): string {
  const hex = shortHash(`kms:${qualifiedId}`, 32).replace(/[^0-9a-f]/g, '0').padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** App client ids are 26 lower-case alphanumerics. */
export function localUserPoolClientId(qualifiedId: string): string {
  return shortHash(`userpoolclient:${qualifiedId}`, 26);
}

/** Secrets Manager appends `-` and 6 random characters to a secret's name in its ARN. */
export function localSecretArnSuffix(qualifiedId: string): string {
  return shortHash(`secret:${qualifiedId}`, 6);
}

export function qualify(stackName: string, logicalId: string): string {
  return `${stackName}/${logicalId}`;
}

export interface ResourceModelOptions {
  region: string;
  accountId: string;
  /** Origin of the local SQS emulator; queue URLs are `<origin>/<account>/<name>` when given. */
  sqsEndpoint?: string;
}

export class ResourceModel {
  readonly region: string;
  readonly accountId: string;
  private readonly sqsEndpoint: string | undefined;
  private readonly stacks: AssemblyStack[];
  private readonly names = new Map<string, string>();
  private readonly conditionCache = new Map<string, boolean>();
  private readonly exportCache = new Map<string, unknown>();
  /** Guards against a name or export defined in terms of itself. */
  private readonly resolving = new Set<string>();

  constructor(stacks: AssemblyStack[], options: ResourceModelOptions) {
    this.stacks = stacks;
    this.region = options.region;
    this.accountId = options.accountId;
    this.sqsEndpoint = options.sqsEndpoint?.replace(/\/+$/, '');
  }

  /** Resolves a value from a template of `stack` to plain local JSON. */
  resolve(stack: AssemblyStack, value: unknown, location: TemplateLocation): unknown {
    return resolveValue(value, this.hooks(stack), location);
  }

  /** Whether a resource exists locally: its `Condition`, when it has one, holds. */
  isActive(stack: AssemblyStack, logicalId: string, resource: CfnResource): boolean {
    if (resource.Condition === undefined) return true;
    return this.condition(stack, resource.Condition, { stackName: stack.stackName, logicalId, path: 'Condition' });
  }

  physicalName(stack: AssemblyStack, logicalId: string): string {
    const key = qualify(stack.stackName, logicalId);
    const cached = this.names.get(key);
    if (cached !== undefined) return cached;
    const resource = this.resource(stack, logicalId, { stackName: stack.stackName, logicalId, path: '' });
    const naming = NAMING[resource.Type] ?? { rule: NAME_RULES.generic };
    const fifo = resource.Type === 'AWS::SQS::Queue' && this.isFifoQueue(stack, logicalId, resource);
    const rule: NameRule = fifo ? { ...naming.rule, suffix: '.fifo' } : naming.rule;
    let name: string;
    const explicit = naming.property !== undefined ? resource.Properties?.[naming.property] : undefined;
    if (explicit !== undefined) {
      const location = { stackName: stack.stackName, logicalId, path: `Properties.${naming.property}` };
      const resolved = this.guarded(`name:${key}`, location, () => this.resolve(stack, explicit, location));
      if (typeof resolved !== 'string' || resolved === '') {
        throw new UnresolvableReferenceError(location, `the name must resolve to a non-empty string, got ${JSON.stringify(resolved)}`);
      }
      name = resolved;
    } else {
      name = defaultLocalName(stack.stackName, logicalId, rule);
      // Stripping CDK's hash could make two names equal; the full logical id then keeps them apart.
      if ([...this.names.entries()].some(([other, taken]) => other !== key && taken === name)) {
        name = fitName(`${stack.stackName}-${logicalId}`, rule);
      }
    }
    this.names.set(key, name);
    return name;
  }

  isFifoQueue(stack: AssemblyStack, logicalId: string, resource: CfnResource): boolean {
    const fifo = resource.Properties?.FifoQueue;
    if (fifo === undefined) return false;
    const location = { stackName: stack.stackName, logicalId, path: 'Properties.FifoQueue' };
    const resolved = this.resolve(stack, fifo, location);
    return resolved === true || resolved === 'true';
  }

  arn(service: string, resourcePart: string): string {
    return `arn:${LOCAL_PARTITION}:${service}:${this.region}:${this.accountId}:${resourcePart}`;
  }

  queueUrl(queueName: string): string {
    // Emulators such as fauxqs only recognise queue URLs on their own origin.
    if (this.sqsEndpoint) return `${this.sqsEndpoint}/${this.accountId}/${queueName}`;
    return `https://sqs.${this.region}.${LOCAL_URL_SUFFIX}/${this.accountId}/${queueName}`;
  }

  userPoolArn(userPoolId: string): string {
    return this.arn('cognito-idp', `userpool/${userPoolId}`);
  }

  secretArn(stack: AssemblyStack, logicalId: string): string {
    return this.arn('secretsmanager', `secret:${this.physicalName(stack, logicalId)}-${localSecretArnSuffix(qualify(stack.stackName, logicalId))}`);
  }

  tableStreamArn(tableName: string): string {
    return this.arn('dynamodb', `table/${tableName}/stream/${LOCAL_STREAM_LABEL}`);
  }

  private resource(stack: AssemblyStack, logicalId: string, location: TemplateLocation): CfnResource {
    const resource = stack.template.Resources?.[logicalId];
    if (!resource) throw new UnresolvableReferenceError(location, `stack ${stack.stackName} has no resource ${logicalId}`);
    return resource;
  }

  private guarded<T>(key: string, location: TemplateLocation, work: () => T): T {
    if (this.resolving.has(key)) throw new UnresolvableReferenceError(location, `circular reference while resolving ${key}`);
    this.resolving.add(key);
    try {
      return work();
    } finally {
      this.resolving.delete(key);
    }
  }

  private hooks(stack: AssemblyStack): IntrinsicHooks {
    return {
      ref: (name, location) => this.ref(stack, name, location),
      getAtt: (logicalId, attribute, location) => this.getAtt(stack, logicalId, attribute, location),
      importValue: (exportName, location) => this.importValue(exportName, location),
      condition: (name, location) => this.condition(stack, name, location),
      findInMap: (mapName, topKey, secondKey, location) => {
        const value = stack.template.Mappings?.[mapName]?.[topKey]?.[secondKey];
        if (value === undefined) {
          throw new UnresolvableReferenceError(location, `Fn::FindInMap: mapping ${mapName}.${topKey}.${secondKey} does not exist in ${stack.stackName}`);
        }
        return value;
      },
    };
  }

  private ref(stack: AssemblyStack, name: string, location: TemplateLocation): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::Partition':
        return LOCAL_PARTITION;
      case 'AWS::URLSuffix':
        return LOCAL_URL_SUFFIX;
      case 'AWS::StackName':
        return stack.stackName;
      case 'AWS::StackId':
        return this.arn('cloudformation', `stack/${stack.stackName}/${shortHash(stack.stackName, 8)}`);
      case 'AWS::NotificationARNs':
        return [];
      default:
        break;
    }
    const parameter = stack.template.Parameters?.[name];
    if (parameter) {
      if (parameter.Type?.startsWith('AWS::SSM::Parameter')) {
        throw new UnresolvableReferenceError(location, `parameter ${name} is read from SSM Parameter Store at deploy time, which the local runtime cannot do`);
      }
      if (parameter.Default === undefined) throw new UnresolvableReferenceError(location, `parameter ${name} has no Default, so it has no local value`);
      return parameter.Type === 'CommaDelimitedList' && typeof parameter.Default === 'string' ? parameter.Default.split(',') : parameter.Default;
    }
    const resource = stack.template.Resources?.[name];
    if (!resource) throw new UnresolvableReferenceError(location, `Ref ${name}: no resource, parameter or pseudo parameter of that name in ${stack.stackName}`);
    const qualified = qualify(stack.stackName, name);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return this.queueUrl(this.physicalName(stack, name));
      case 'AWS::SNS::Topic':
        return this.arn('sns', this.physicalName(stack, name));
      case 'AWS::ApiGateway::RestApi':
        return localApiGatewayId(qualified);
      case 'AWS::ApiGateway::Resource':
        return `res-${shortHash(qualified, 10)}`;
      case 'AWS::ApiGateway::Deployment':
        return `dep-${shortHash(qualified, 10)}`;
      case 'AWS::ApiGateway::Authorizer':
        return shortHash(`authorizer:${qualified}`, 6);
      case 'AWS::Cognito::UserPool':
        return localUserPoolId(this.region, qualified);
      case 'AWS::Cognito::UserPoolClient':
        return localUserPoolClientId(qualified);
      case 'AWS::SecretsManager::Secret':
        return this.secretArn(stack, name);
      case 'AWS::KMS::Key':
        return localKmsKeyId(qualified);
      case 'AWS::ApiGateway::Stage': {
        const stageName = resource.Properties?.StageName;
        return stageName === undefined ? this.physicalName(stack, name) : this.resolve(stack, stageName, { stackName: stack.stackName, logicalId: name, path: 'Properties.StageName' });
      }
      default:
        return this.physicalName(stack, name);
    }
  }

  private getAtt(stack: AssemblyStack, logicalId: string, attribute: string, location: TemplateLocation): unknown {
    const resource = this.resource(stack, logicalId, location);
    const qualified = qualify(stack.stackName, logicalId);
    const unsupported = (): never => {
      throw new UnsupportedIntrinsicError('Fn::GetAtt', location, `attribute ${attribute} of ${resource.Type} ${logicalId} has no local value`);
    };
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable': {
        const tableName = this.physicalName(stack, logicalId);
        if (attribute === 'Arn') return this.arn('dynamodb', `table/${tableName}`);
        if (attribute === 'StreamArn') return this.tableStreamArn(tableName);
        if (attribute === 'TableId') return shortHash(qualified, 32);
        return unsupported();
      }
      case 'AWS::SQS::Queue': {
        const queueName = this.physicalName(stack, logicalId);
        if (attribute === 'Arn') return this.arn('sqs', queueName);
        if (attribute === 'QueueName') return queueName;
        if (attribute === 'QueueUrl') return this.queueUrl(queueName);
        return unsupported();
      }
      case 'AWS::SNS::Topic': {
        const topicName = this.physicalName(stack, logicalId);
        if (attribute === 'TopicArn') return this.arn('sns', topicName);
        if (attribute === 'TopicName') return topicName;
        return unsupported();
      }
      case 'AWS::Lambda::Function':
        if (attribute === 'Arn') return this.arn('lambda', `function:${this.physicalName(stack, logicalId)}`);
        return unsupported();
      case 'AWS::ApiGateway::RestApi':
        if (attribute === 'RootResourceId') return `root-${shortHash(qualified, 10)}`;
        if (attribute === 'RestApiId') return localApiGatewayId(qualified);
        return unsupported();
      case 'AWS::Pipes::Pipe':
        if (attribute === 'Arn') return this.arn('pipes', `pipe/${this.physicalName(stack, logicalId)}`);
        if (attribute === 'Name') return this.physicalName(stack, logicalId);
        return unsupported();
      case 'AWS::Cognito::UserPool': {
        const userPoolId = localUserPoolId(this.region, qualified);
        if (attribute === 'Arn') return this.userPoolArn(userPoolId);
        if (attribute === 'UserPoolId') return userPoolId;
        if (attribute === 'ProviderName') return `cognito-idp.${this.region}.${LOCAL_URL_SUFFIX}/${userPoolId}`;
        if (attribute === 'ProviderURL') return `https://cognito-idp.${this.region}.${LOCAL_URL_SUFFIX}/${userPoolId}`;
        return unsupported();
      }
      case 'AWS::Cognito::UserPoolClient':
        if (attribute === 'ClientId') return localUserPoolClientId(qualified);
        if (attribute === 'Name') return this.physicalName(stack, logicalId);
        return unsupported();
      case 'AWS::SecretsManager::Secret':
        if (attribute === 'Id') return this.secretArn(stack, logicalId);
        return unsupported();
      case 'AWS::ApiGateway::Authorizer':
        if (attribute === 'AuthorizerId') return shortHash(`authorizer:${qualified}`, 6);
        return unsupported();
      case 'AWS::Logs::LogGroup':
        if (attribute === 'Arn') return this.arn('logs', `log-group:${this.physicalName(stack, logicalId)}:*`);
        return unsupported();
      case 'AWS::KMS::Key':
        if (attribute === 'Arn') return this.arn('kms', `key/${localKmsKeyId(qualified)}`);
        if (attribute === 'KeyId') return localKmsKeyId(qualified);
        return unsupported();
      case 'AWS::Scheduler::ScheduleGroup':
        if (attribute === 'Arn') return this.arn('scheduler', `schedule-group/${this.physicalName(stack, logicalId)}`);
        return unsupported();
      case 'AWS::IAM::Role':
        if (attribute === 'Arn') return `arn:${LOCAL_PARTITION}:iam::${this.accountId}:role/${this.physicalName(stack, logicalId)}`;
        return unsupported();
      default:
        return unsupported();
    }
  }

  private importValue(exportName: string, location: TemplateLocation): unknown {
    if (this.exportCache.has(exportName)) return this.exportCache.get(exportName);
    for (const stack of this.stacks) {
      for (const [outputId, output] of Object.entries(stack.template.Outputs ?? {})) {
        if (output.Export?.Name === undefined) continue;
        const outputLocation = { stackName: stack.stackName, logicalId: outputId, path: 'Export.Name' };
        const name = this.resolve(stack, output.Export.Name, outputLocation);
        if (name !== exportName) continue;
        const value = this.guarded(`export:${exportName}`, location, () =>
          this.resolve(stack, output.Value, { stackName: stack.stackName, logicalId: outputId, path: 'Value' }),
        );
        this.exportCache.set(exportName, value);
        return value;
      }
    }
    throw new UnresolvableReferenceError(location, `Fn::ImportValue: no stack in the assembly exports ${JSON.stringify(exportName)}`);
  }

  private condition(stack: AssemblyStack, name: string, location: TemplateLocation): boolean {
    const key = `${stack.stackName}/${name}`;
    const cached = this.conditionCache.get(key);
    if (cached !== undefined) return cached;
    const expression = stack.template.Conditions?.[name];
    if (expression === undefined) throw new UnresolvableReferenceError(location, `condition ${name} is not defined in ${stack.stackName}`);
    const value = this.guarded(`condition:${key}`, location, () =>
      evaluateCondition(expression, this.hooks(stack), { stackName: stack.stackName, path: `Conditions.${name}` }),
    );
    this.conditionCache.set(key, value);
    return value;
  }
}
