/**
 * The resolved topology of the system, as read from the synthesized CDK cloud assembly.
 *
 * This is the one contract between the topology reader (`local/topology/`), which turns
 * CloudFormation templates into these values, and the local runners (emulator setup, function
 * host, API server, pipe runner, SQS event-source poller), which only ever see these values and
 * never read a template themselves. Every intrinsic (`Ref`, `Fn::GetAtt`, `Fn::ImportValue`,
 * `Fn::Join`, `Fn::Sub`) is already resolved to local names, ARNs and URLs here.
 *
 * Logical ids are qualified by their stack (`<stackName>/<logicalId>`) so that two stacks can use
 * the same logical id without clashing.
 */

export type QualifiedLogicalId = string;

export interface KeyAttribute {
  attributeName: string;
  keyType: 'HASH' | 'RANGE';
}

export interface AttributeDefinition {
  attributeName: string;
  attributeType: 'S' | 'N' | 'B';
}

export type StreamViewType = 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';

export interface GlobalSecondaryIndexSpec {
  indexName: string;
  keySchema: KeyAttribute[];
  projectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  nonKeyAttributes?: string[];
}

export interface TableSpec {
  id: QualifiedLogicalId;
  /** The name the table has locally (and that every `Ref` to it resolves to). */
  tableName: string;
  /** `arn:aws:dynamodb:<region>:<account>:table/<tableName>`. */
  arn: string;
  keySchema: KeyAttribute[];
  attributeDefinitions: AttributeDefinition[];
  globalSecondaryIndexes: GlobalSecondaryIndexSpec[];
  /** Present when the table has a stream. */
  streamViewType?: StreamViewType;
  /** The attribute DynamoDB's TTL reads, when TTL is enabled. */
  timeToLiveAttribute?: string;
}

export interface RedrivePolicySpec {
  deadLetterQueueId: QualifiedLogicalId;
  maxReceiveCount: number;
}

export interface QueueSpec {
  id: QualifiedLogicalId;
  queueName: string;
  /** `arn:aws:sqs:<region>:<account>:<queueName>`. */
  arn: string;
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  messageRetentionPeriodSeconds: number;
  receiveMessageWaitTimeSeconds: number;
  redrivePolicy?: RedrivePolicySpec;
  /** `KmsMasterKeyId` resolved (a local key ARN, or an alias/id as written), when the queue uses a KMS key. */
  kmsMasterKeyId?: string;
}

export interface TopicSpec {
  id: QualifiedLogicalId;
  topicName: string;
  arn: string;
}

export interface FunctionSpec {
  id: QualifiedLogicalId;
  functionName: string;
  /** `arn:aws:lambda:<region>:<account>:function:<functionName>`. */
  arn: string;
  /** Absolute path of the unpacked code asset in the cloud assembly (the code that deploys). */
  codeDirectory: string;
  /** `file.export`, e.g. `index.handler`. */
  handler: string;
  runtime: string;
  architecture: 'arm64' | 'x86_64';
  timeoutSeconds: number;
  memorySizeMb: number;
  /** Environment variables from the template, resolved to local names; no endpoint overrides. */
  environment: Record<string, string>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'ANY';

/** How a method is authorized: the `AuthorizationType` of its `AWS::ApiGateway::Method`. */
export type RouteAuthorization =
  | { type: 'NONE' }
  | {
      type: 'COGNITO_USER_POOLS';
      /** `AuthorizerId` resolved to the authorizer's qualified logical id (an entry of `RestApiSpec.authorizers`). */
      authorizerId: QualifiedLogicalId;
      /** The method's `AuthorizationScopes`; empty: an ID token is required, else an access token with one of them. */
      authorizationScopes: string[];
    };

export interface ApiRouteSpec {
  method: HttpMethod;
  /** API Gateway resource path with parameters, e.g. `/appointments/{id}`; `{proxy+}` allowed. */
  resourcePath: string;
  /** The function the route's AWS_PROXY integration invokes. */
  functionId: QualifiedLogicalId;
  /** Absent means `NONE` (as API Gateway's default). */
  authorization?: RouteAuthorization;
}

/** An `AWS::ApiGateway::Authorizer` of type COGNITO_USER_POOLS. */
export interface CognitoAuthorizerSpec {
  id: QualifiedLogicalId;
  name: string;
  type: 'COGNITO_USER_POOLS';
  /** The request header holding the token, from `IdentitySource: method.request.header.<Name>` (as written; matched case-insensitively). */
  identityHeader: string;
  /** `IdentityValidationExpression`: a regular expression the raw header value must match, when set. */
  identityValidationExpression?: string;
  /** The user pools whose tokens are accepted (`ProviderARNs`), as qualified logical ids of `Topology.userPools`. */
  userPoolIds: QualifiedLogicalId[];
}

/** An `AWS::ApiGateway::GatewayResponse`: how API Gateway answers one kind of its own errors. */
export interface GatewayResponseSpec {
  /** `UNAUTHORIZED`, `ACCESS_DENIED`, `DEFAULT_4XX`, `DEFAULT_5XX`, ... */
  responseType: string;
  /** `StatusCode`, when the template overrides the type's default status. */
  statusCode?: number;
  /** `ResponseParameters`: `gatewayresponse.header.<Name>` → a quoted literal (`'value'`) or a `method.request.*`/`context.*` expression. */
  headers: Record<string, string>;
  /** `ResponseTemplates`: content type → template (`$context.*` substituted). */
  templates: Record<string, string>;
}

export interface RestApiSpec {
  id: QualifiedLogicalId;
  name: string;
  stageName: string;
  routes: ApiRouteSpec[];
  /** Largest request body accepted, when the template sets one (API Gateway's own limit is 10 MB). */
  maxRequestBodyBytes?: number;
  /** The API's Cognito user pool authorizers (referenced by `routes[].authorization`). */
  authorizers?: CognitoAuthorizerSpec[];
  /** The API's gateway responses, by response type. */
  gatewayResponses?: GatewayResponseSpec[];
}

/** An `AWS::Cognito::UserPool`, with the settings the local identity provider takes. */
export interface UserPoolSpec {
  id: QualifiedLogicalId;
  /** `PoolName`, or the local physical name. */
  poolName: string;
  /** The local pool id every `Ref` resolves to: `<region>_<9 characters>`, deterministic. */
  userPoolId: string;
  /** `arn:aws:cognito-idp:<region>:<account>:userpool/<userPoolId>`. */
  arn: string;
  /** `MfaConfiguration`: OFF (default), OPTIONAL or ON. */
  mfaConfiguration: 'OFF' | 'OPTIONAL' | 'ON';
  /** `AdminCreateUserConfig.AllowAdminCreateUserOnly` (self sign-up disabled). */
  allowAdminCreateUserOnly: boolean;
  /** `UsernameAttributes` (e.g. `email`), when set. */
  usernameAttributes: string[];
  /** `AutoVerifiedAttributes`, when set. */
  autoVerifiedAttributes: string[];
  /** `Policies.PasswordPolicy`, as the template gives it (CloudFormation property names). */
  passwordPolicy?: Record<string, unknown>;
}

export interface UserPoolClientSpec {
  id: QualifiedLogicalId;
  userPoolId: QualifiedLogicalId;
  clientName: string;
  /** The local client id every `Ref` resolves to (26 lower-case alphanumerics, deterministic). */
  clientId: string;
  generateSecret: boolean;
  /** `ExplicitAuthFlows`, e.g. `ALLOW_USER_SRP_AUTH`; empty when the template sets none. */
  explicitAuthFlows: string[];
  /** `AllowedOAuthScopes`, when set. */
  allowedOAuthScopes: string[];
  /** Token validities and their units, when set (CloudFormation property names). */
  accessTokenValidity?: number;
  idTokenValidity?: number;
  refreshTokenValidity?: number;
  tokenValidityUnits?: { AccessToken?: string; IdToken?: string; RefreshToken?: string };
}

export interface UserPoolGroupSpec {
  id: QualifiedLogicalId;
  userPoolId: QualifiedLogicalId;
  groupName: string;
  description?: string;
  precedence?: number;
}

/** `GenerateSecretString` of an `AWS::SecretsManager::Secret` (CloudFormation's names and defaults). */
export interface GenerateSecretStringSpec {
  passwordLength: number;
  excludeCharacters: string;
  excludeNumbers: boolean;
  excludePunctuation: boolean;
  excludeUppercase: boolean;
  excludeLowercase: boolean;
  includeSpace: boolean;
  requireEachIncludedType: boolean;
  /** With `generateStringKey`: the JSON object the generated string is added to. */
  secretStringTemplate?: string;
  generateStringKey?: string;
}

export interface SecretSpec {
  id: QualifiedLogicalId;
  /** `Name`, or the local physical name. */
  name: string;
  /** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>`: what `Ref` resolves to. */
  arn: string;
  description?: string;
  /** Exactly one of `secretString` and `generate` is set. */
  secretString?: string;
  generate?: GenerateSecretStringSpec;
}

export interface SqsEventSourceMappingSpec {
  id: QualifiedLogicalId;
  functionId: QualifiedLogicalId;
  queueId: QualifiedLogicalId;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  reportBatchItemFailures: boolean;
  /** ScalingConfig.MaximumConcurrency, when set. */
  maximumConcurrency?: number;
  enabled: boolean;
}

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST';

export interface DynamoDbStreamPipeSourceSpec {
  kind: 'dynamodb-stream';
  tableId: QualifiedLogicalId;
  startingPosition: StartingPosition;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** -1 means retry until the record expires from the stream. */
  maximumRetryAttempts: number;
  /** -1 means no age limit. */
  maximumRecordAgeInSeconds: number;
  onPartialBatchItemFailure?: 'AUTOMATIC_BISECT';
  parallelizationFactor: number;
  /** SQS queue that receives the metadata of batches that keep failing. */
  deadLetterQueueId?: QualifiedLogicalId;
}

export interface PipeSpec {
  id: QualifiedLogicalId;
  name: string;
  desiredState: 'RUNNING' | 'STOPPED';
  source: DynamoDbStreamPipeSourceSpec;
  /** FilterCriteria.Filters[].Pattern, as the JSON strings the template holds (OR-ed; at most 5). */
  filterPatterns: string[];
  /** The enrichment function, when the pipe has one. */
  enrichmentFunctionId?: QualifiedLogicalId;
  /** EnrichmentParameters.InputTemplate, when set. */
  enrichmentInputTemplate?: string;
  target: {
    kind: 'sqs';
    queueId: QualifiedLogicalId;
    /** TargetParameters.InputTemplate, when set. */
    inputTemplate?: string;
    /** TargetParameters.SqsQueueParameters, when set (FIFO targets). */
    messageGroupId?: string;
    messageDeduplicationId?: string;
  };
}

/** An `AWS::Scheduler::ScheduleGroup`: the runtime creates it in the Scheduler emulator. */
export interface ScheduleGroupSpec {
  id: QualifiedLogicalId;
  name: string;
  /** `arn:aws:scheduler:<region>:<account>:schedule-group/<name>`. */
  arn: string;
}

/** One statement of an identity policy, resolved to local ARNs. */
export interface IamStatementSpec {
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
  /** The statement has a Condition (the runtime does not evaluate conditions: see `iam-policy.ts`). */
  conditional: boolean;
}

/**
 * An `AWS::IAM::Role` that `scheduler.amazonaws.com` may assume: an EventBridge Scheduler execution
 * role, with every statement of its inline policies and of the `AWS::IAM::Policy` resources
 * attached to it. The local Scheduler delivers a schedule only as such a role, and only what the
 * role allows.
 */
export interface SchedulerRoleSpec {
  id: QualifiedLogicalId;
  roleName: string;
  /** `arn:aws:iam::<account>:role/<roleName>`: what `Fn::GetAtt [role, Arn]` resolves to. */
  arn: string;
  statements: IamStatementSpec[];
}

export interface Topology {
  /** The CDK environment the assembly was synthesized for (e.g. `dev`). */
  environment: string;
  region: string;
  accountId: string;
  tables: TableSpec[];
  queues: QueueSpec[];
  topics: TopicSpec[];
  functions: FunctionSpec[];
  restApis: RestApiSpec[];
  sqsEventSourceMappings: SqsEventSourceMappingSpec[];
  pipes: PipeSpec[];
  /** Cognito user pools, their app clients and groups, and Secrets Manager secrets (the reader always sets them). */
  userPools?: UserPoolSpec[];
  userPoolClients?: UserPoolClientSpec[];
  userPoolGroups?: UserPoolGroupSpec[];
  secrets?: SecretSpec[];
  /** EventBridge Scheduler schedule groups and execution roles (the reader always sets them). */
  scheduleGroups?: ScheduleGroupSpec[];
  schedulerRoles?: SchedulerRoleSpec[];
  /** CloudFront distributions with their behaviours and bucket contents (the reader always sets them). */
  sites?: StaticSiteSpec[];
}

/** Where a CloudFront behaviour sends its requests. */
export type SiteOriginSpec =
  /** An S3 bucket of this assembly: its objects are the files the template's BucketDeployments put there. */
  | { kind: 's3'; bucketId: QualifiedLogicalId }
  /** A REST API of this assembly (its `execute-api` domain), under `originPath` (e.g. `/dev`, the stage). */
  | { kind: 'rest-api'; restApiId: QualifiedLogicalId; originPath: string }
  /** Anything else (another domain): not served locally. */
  | { kind: 'unsupported'; description: string };

/** One cache behaviour of a distribution, in CloudFront's evaluation order (the default last). */
export interface SiteBehaviorSpec {
  /** `PathPattern`; `*` for the default behaviour. */
  pathPattern: string;
  origin: SiteOriginSpec;
  /** `AllowedMethods` (GET and HEAD when absent, as CloudFront's default). */
  allowedMethods: string[];
  /** The response headers policy's headers (lower-case names), with whether each overrides the origin's. */
  responseHeaders: Array<{ name: string; value: string; override: boolean }>;
  /** Headers the policy removes from the origin's response (lower-case). */
  removeHeaders: string[];
}

/** An object of a site bucket: a file of a BucketDeployment's source asset, as it would be uploaded. */
export interface SiteObjectSpec {
  /** Absolute path of the file in the cloud assembly's asset directory. */
  file: string;
  contentType: string;
  cacheControl?: string;
}

/** An `AWS::CloudFront::Distribution`, with the objects its S3 origins hold. */
export interface StaticSiteSpec {
  id: QualifiedLogicalId;
  /** `DefaultRootObject`, served for `/`. */
  defaultRootObject?: string;
  behaviors: SiteBehaviorSpec[];
  /** By bucket (qualified logical id), by object key. */
  buckets: Record<QualifiedLogicalId, Record<string, SiteObjectSpec>>;
}
