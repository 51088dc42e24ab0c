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
 * The patient-visible changes, one notification each: the INSERT of a booking
 * (`lastChange.kind` booked), or a MODIFY whose new image's `lastChange.kind` is rescheduled or
 * cancelled. Anything else is dropped: a MODIFY that is not such a change (its lastChange still
 * says booked), and deletions. The notifier never writes the appointments table, so its own
 * writes never reach the stream at all. Two filters of one FilterCriteria (a record passes when it
 * matches either), so that each event name is tied to its own kinds.
 */
const lastChangeKind = (kinds: readonly string[]) => ({ dynamodb: { NewImage: { lastChange: { M: { kind: { S: kinds } } } } } });
export const PATIENT_VISIBLE_CHANGE_FILTER_PATTERNS = [
  { eventName: ['INSERT'], ...lastChangeKind(['booked']) },
  { eventName: ['MODIFY'], ...lastChangeKind(['rescheduled', 'cancelled']) },
] as const;

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
      description: 'Patient-visible appointment changes -> enrichment (preferred contact method) -> notifications queue',
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
        filterCriteria: { filters: PATIENT_VISIBLE_CHANGE_FILTER_PATTERNS.map((pattern) => ({ pattern: JSON.stringify(pattern) })) },
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
