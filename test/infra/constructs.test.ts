import * as kms from 'aws-cdk-lib/aws-kms';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AppointmentPipe, type AppointmentPipeProps } from '../../cdk/constructs/appointment-pipe';
import { NotificationQueue } from '../../cdk/constructs/notification-queue';

/** A stack with stand-ins for the pipe's neighbours; inline code, so nothing is bundled. */
function pipeFixture(tableProps: Partial<dynamodb.TableProps> = {}): { stack: Stack; props: AppointmentPipeProps } {
  const stack = new Stack(new App(), 'Fixture', { env: { account: '111111111111', region: 'eu-west-2' } });
  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, ...tableProps });
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>[]') });
  const queue = new sqs.Queue(stack, 'Target');
  return {
    stack,
    props: {
      sourceTable: table,
      enrichmentFunction: fn,
      targetQueue: queue,
      batchSize: 5,
      maximumBatchingWindow: Duration.seconds(3),
      maximumRetryAttempts: 7,
      maximumRecordAge: Duration.minutes(10),
      logRetention: RetentionDays.ONE_DAY,
      logRemovalPolicy: RemovalPolicy.DESTROY,
      deadLetterRetention: Duration.days(14),
    },
  };
}

describe('AppointmentPipe', () => {
  it('refuses a source table without a stream, saying what to enable', () => {
    const { stack, props } = pipeFixture();
    expect(() => new AppointmentPipe(stack, 'Pipe', props)).toThrow(/the source table has no stream; enable NEW_IMAGE on it/);
  });

  it('passes its props through to the pipe source, and leaves execution data out when asked', () => {
    // Arrange
    const { stack, props } = pipeFixture({ stream: dynamodb.StreamViewType.NEW_IMAGE });

    // Act
    new AppointmentPipe(stack, 'Pipe', props);
    const template = Template.fromStack(stack);

    // Assert
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      SourceParameters: {
        DynamoDBStreamParameters: {
          BatchSize: 5,
          MaximumBatchingWindowInSeconds: 3,
          MaximumRetryAttempts: 7,
          MaximumRecordAgeInSeconds: 600,
          StartingPosition: 'TRIM_HORIZON',
          OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
        },
      },
    });
    const pipe = Object.values(template.findResources('AWS::Pipes::Pipe'))[0] as { Properties: { LogConfiguration: Record<string, unknown> } };
    expect(pipe.Properties.LogConfiguration.IncludeExecutionData).toBeUndefined();
    expect(pipe.Properties.LogConfiguration.Level).toBe('ERROR');
  });
});

describe('NotificationQueue', () => {
  it.each([
    [30, 0, 180],
    [30, 5, 185],
    [120, 1, 721],
  ])('sets visibility to 6 x a %is consumer timeout plus its %is batching window', (timeoutSeconds, windowSeconds, expected) => {
    // Arrange
    const stack = new Stack(new App(), 'Fixture');

    // Act
    new NotificationQueue(stack, 'Notifications', {
      consumerTimeout: Duration.seconds(timeoutSeconds),
      consumerBatchingWindow: Duration.seconds(windowSeconds),
      maxReceiveCount: 4,
      retentionPeriod: Duration.days(4),
      deadLetterRetention: Duration.days(14),
      encryptionKey: new kms.Key(stack, 'Key'),
    });

    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: expected,
      RedrivePolicy: { maxReceiveCount: 4 },
    });
  });
});
