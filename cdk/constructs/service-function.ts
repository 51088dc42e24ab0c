import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as path from 'node:path';

/** Gives the ES module bundle the `require` its bundled CommonJS dependencies call. */
export const ESM_REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** The SDK's default credential chain, and what the bundles use instead (relative to the root). */
export const DEFAULT_CREDENTIAL_CHAIN = '@aws-sdk/credential-provider-node';
export const LAMBDA_CREDENTIALS_MODULE = 'services/common/lambda-credentials.ts';

/** Modules left out of every bundle (see the bundling settings below). */
export const UNBUNDLED_MODULES = ['@smithy/core/event-streams'] as const;

/** The repository root, resolved from this file so synthesis works from any working directory. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface ServiceFunctionProps {
  /** Path of the handler module relative to the repository root, e.g. `services/booking/handler.ts`. */
  entry: string;
  description: string;
  /** Powertools service name (also the logger's `service` key). */
  serviceName: string;
  memorySizeMb: number;
  timeout: Duration;
  logRetention: logs.RetentionDays;
  logRemovalPolicy: RemovalPolicy;
  logLevel: string;
  metricsNamespace: string;
  /** The function's own configuration, exactly as its `config.ts` reads it. */
  environment: Record<string, string>;
}

/**
 * A `NodejsFunction` with the defaults every function of the system shares: nodejs22.x on arm64,
 * bundled by the local esbuild (never Docker) into one self-contained ES module (nothing external
 * but the SDK's unused event-stream support, so the local runtime executes exactly the code that
 * deploys), source maps, X-Ray tracing, a log group with retention, the Powertools environment,
 * and a role of its own that may only write to that log group until a stack grants it more.
 */
export class ServiceFunction extends Construct implements BusinessMetricSource {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly serviceName: string;
  readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.serviceName = props.serviceName;
    this.metricsNamespace = props.metricsNamespace;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole: that managed policy lets the function
    // write to any log group in the account, this one only to its own.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.serviceName} function`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySizeMb,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        // ESM: esbuild tree-shakes ES modules far better than CommonJS, and the SDK and Powertools
        // ship ES module builds (`module` field). The few CommonJS dependencies left call
        // `require`, which an ES module does not have: the banner defines it.
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        target: 'node22',
        // Every dependency, the AWS SDK included, goes into the bundle: the deployed code does not
        // depend on the SDK version the Lambda runtime happens to ship. One exception: the SDK's
        // event-stream support, which it loads with a dynamic import only for operations that
        // stream events (none of ours: DynamoDB items, SES SendEmail, SNS Publish); if one ever
        // did, it would fail with "Cannot find module" instead of silently shipping 13 KiB more.
        externalModules: [...UNBUNDLED_MODULES],
        // Lambda gives credentials in environment variables only: the SDK's default credential
        // chain is replaced by its environment link (services/common/lambda-credentials.ts).
        esbuildArgs: { [`--alias:${DEFAULT_CREDENTIAL_CHAIN}`]: `./${LAMBDA_CREDENTIALS_MODULE}` },
        minify: true,
        sourceMap: true,
        sourcesContent: false,
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The runtime is pinned to nodejs22.x on purpose: it is the version the services and the local runtime are built and tested for; upgrading is a deliberate change.',
    });
  }

  /**
   * A business metric this function emits with Powertools Metrics (contracts/metrics.ts): in its
   * POWERTOOLS_METRICS_NAMESPACE, with the `service` dimension Powertools adds besides `dimensions`.
   */
  businessMetric(metricName: string, dimensions: Record<string, string> = {}, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      statistic: cloudwatch.Stats.SUM,
      ...options,
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { service: this.serviceName, ...dimensions },
    });
  }
}

/** Whatever can name the CloudWatch metric of one of its business metrics (a ServiceFunction). */
export interface BusinessMetricSource {
  businessMetric(metricName: string, dimensions?: Record<string, string>, options?: cloudwatch.MetricOptions): cloudwatch.Metric;
}
