import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createDeadLetterQueue } from './dead-letter-queue';

/**
 * Only new bookings pass: the notifier's own status update (a MODIFY record) and deletions must
 * never reach the enrichment, or a booking would be notified again.
 */
export const INSERT_ONLY_FILTER_PATTERN = { eventName: ['INSERT'] } as const;

/** The Pipes metrics that mean records were not delivered (namespace AWS/EventBridge/Pipes, dimension PipeName). */
export const PIPE_FAILURE_METRICS = ['ExecutionFailed', 'ExecutionTimeout', 'EnrichmentStageFailed', 'TargetStageFailed'] as const;

export interface AppointmentPipeProps {
  /** The appointments table; it must have a stream. */
  sourceTable: dynamodb.ITable;
  enrichmentFunction: lambda.IFunction;
  targetQueue: sqs.IQueue;
  batchSize: number;
  maximumBatchingWindow: Duration;
  maximumRetryAttempts: number;
  maximumRecordAge: Duration;
  logRetention: logs.RetentionDays;
  logRemovalPolicy: RemovalPolicy;
  deadLetterRetention: Duration;
}

/**
 * The EventBridge Pipe from the appointments stream, through the enrichment function, to the
 * notifications queue, with its own dead-letter queue and an execution role that can touch only
 * those resources.
 */
export class AppointmentPipe extends Construct {
  readonly pipe: pipes.CfnPipe;
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AppointmentPipeProps) {
    super(scope, id);

    const streamArn = props.sourceTable.tableStreamArn;
    if (!streamArn) {
      throw new Error(`AppointmentPipe ${id}: the source table has no stream; enable NEW_IMAGE on it`);
    }

    // For a stream source, the pipe DLQ receives the metadata of batches that exhausted their
    // retries or aged out (shard, sequence numbers), from which the records can be read back.
    this.deadLetterQueue = createDeadLetterQueue(this, 'DeadLetterQueue', {
      retentionPeriod: props.deadLetterRetention,
      purpose: "the pipe's dead-letter queue",
    });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com'),
      description: 'Appointment pipe: read the appointments stream, invoke the enrichment, send to the notifications queue',
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    // Listed by the Pipes documentation as required for a DynamoDB stream source; ListStreams has
    // no resource-level permissions, so it can only be granted on "*".
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.enrichmentFunction.functionArn] }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [props.targetQueue.queueArn, this.deadLetterQueue.queueArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams supports no resource-level permissions and the Pipes documentation lists it for DynamoDB stream sources; every other statement names its resource.',
    });

    this.pipe = new pipes.CfnPipe(this, 'Pipe', {
      description: 'New appointments -> enrichment (preferred contact method) -> notifications queue',
      roleArn: this.role.roleArn,
      desiredState: 'RUNNING',
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          // TRIM_HORIZON, not LATEST: the pipe starts reading some time after the table's stream
          // exists, and a booking written in between must still be notified. Replaying from the
          // oldest record is safe because the notifier is idempotent per appointment and channel.
          startingPosition: 'TRIM_HORIZON',
          batchSize: props.batchSize,
          maximumBatchingWindowInSeconds: props.maximumBatchingWindow.toSeconds(),
          maximumRetryAttempts: props.maximumRetryAttempts,
          maximumRecordAgeInSeconds: props.maximumRecordAge.toSeconds(),
          // A poison record fails its batch; bisecting isolates it so its neighbours still deliver.
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
        filterCriteria: { filters: [{ pattern: JSON.stringify(INSERT_ONLY_FILTER_PATTERN) }] },
      },
      enrichment: props.enrichmentFunction.functionArn,
      target: props.targetQueue.queueArn,
      logConfiguration: {
        level: 'ERROR',
        cloudwatchLogsLogDestination: { logGroupArn: this.logGroup.logGroupArn },
        // No includeExecutionData in any environment: the records are patients' bookings (names,
        // addresses, numbers), which must not be copied into logs.
      },
    });
    // The role's policy must exist before Pipes validates the role at creation.
    this.pipe.node.addDependency(this.role);
  }

  /** The pipe's name (its `Ref`), the `PipeName` dimension of its metrics. */
  get pipeName(): string {
    return this.pipe.ref;
  }
}
