import * as kms from 'aws-cdk-lib/aws-kms';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ApiRoute } from '../../contracts/api-routes';
import { AppointmentPipe, type AppointmentPipeProps } from '../../cdk/constructs/appointment-pipe';
import { BookingApi, type BookingApiProps } from '../../cdk/constructs/booking-api';
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

  it('passes its props through to the pipe source, and never logs execution data (patient records)', () => {
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
  it('encrypts the queue and its DLQ with the given key, reusing data keys for 5 minutes', () => {
    // Arrange
    const stack = new Stack(new App(), 'Fixture');
    const key = new kms.Key(stack, 'Key');

    // Act
    new NotificationQueue(stack, 'Notifications', {
      consumerTimeout: Duration.seconds(30),
      consumerBatchingWindow: Duration.seconds(0),
      maxReceiveCount: 4,
      retentionPeriod: Duration.days(4),
      deadLetterRetention: Duration.days(14),
      encryptionKey: key,
    });

    // Assert
    const template = Template.fromStack(stack);
    const queues = Object.values(template.findResources('AWS::SQS::Queue')) as Array<{ Properties: Record<string, unknown> }>;
    expect(queues).toHaveLength(2);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] };
    for (const queue of queues) {
      expect(queue.Properties.KmsMasterKeyId).toEqual(keyArn);
      expect(queue.Properties.SqsManagedSseEnabled).toBeUndefined();
    }
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.anyValue(), KmsDataKeyReusePeriodSeconds: 300 });
  });

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

/** A stack with a user pool and an inline function, for the API alone. */
function apiFixture(overrides: Partial<BookingApiProps> = {}): { stack: Stack; template: Template; api: BookingApi } {
  const stack = new Stack(new App(), 'ApiFixture', { env: { account: '111111111111', region: 'eu-west-2' } });
  const pool = new cognito.UserPool(stack, 'Pool');
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({statusCode:200,body:""})') });
  const api = new BookingApi(stack, 'Api', {
    restApiName: 'fixture-api',
    stageName: 'test',
    bookingFunction: fn,
    staffUserPool: pool,
    throttlingRateLimit: 50,
    throttlingBurstLimit: 100,
    bookingThrottle: { rateLimit: 3, burstLimit: 6 },
    logRetention: RetentionDays.ONE_DAY,
    logRemovalPolicy: RemovalPolicy.DESTROY,
    ...overrides,
  });
  return { stack, template: Template.fromStack(stack), api };
}

describe('BookingApi', () => {
  const routes: readonly ApiRoute[] = [
    { method: 'POST', path: '/things', access: 'public', summary: 'make a thing', throttle: 'booking' },
    { method: 'GET', path: '/things/{id}', access: 'patient', summary: 'read my thing' },
    { method: 'GET', path: '/admin/things', access: 'staff', summary: 'list things' },
    { method: 'DELETE', path: '/admin/things/{id}', access: 'staff', summary: 'remove a thing' },
  ];

  it('deploys the routes it is given, with the Cognito authorizer of the given pool on the staff ones only', () => {
    // Arrange / Act
    const { stack, template } = apiFixture({ routes });

    // Assert
    const authorizers = template.findResources('AWS::ApiGateway::Authorizer');
    expect(Object.keys(authorizers)).toHaveLength(1);
    const [authorizerId] = Object.keys(authorizers);
    const pool = stack.node.findChild('Pool') as cognito.UserPool;
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': [stack.getLogicalId(pool.node.defaultChild as cognito.CfnUserPool), 'Arn'] }],
    });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Array<{ Properties: { HttpMethod: string; AuthorizationType: string; AuthorizerId?: unknown } }>;
    expect(methods.map((method) => [method.Properties.HttpMethod, method.Properties.AuthorizationType, method.Properties.AuthorizerId]).sort()).toEqual(
      [
        ['DELETE', 'COGNITO_USER_POOLS', { Ref: authorizerId }],
        ['GET', 'COGNITO_USER_POOLS', { Ref: authorizerId }],
        ['GET', 'NONE', undefined],
        ['POST', 'NONE', undefined],
      ].sort(),
    );
  });

  it('throttles the routes marked booking with their own method settings', () => {
    const { template } = apiFixture({ routes });

    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
        Match.objectLike({ HttpMethod: 'POST', ResourcePath: '/~1things', ThrottlingRateLimit: 3, ThrottlingBurstLimit: 6 }),
      ]),
    });
    const stageResource = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0] as { Properties: { MethodSettings: unknown[] } };
    expect(stageResource.Properties.MethodSettings).toHaveLength(2);
  });

  it('adds a WAF web ACL and its association to the stage only when asked', () => {
    const without = apiFixture({ routes }).template;
    without.resourceCountIs('AWS::WAFv2::WebACL', 0);
    without.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);

    const { template, api } = apiFixture({ routes, waf: { requestsPerFiveMinutesPerIp: 123, namePrefix: 'fixture' } });

    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'fixture-booking-api',
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([Match.objectLike({ Name: 'RatePerSourceIp', Statement: { RateBasedStatement: { Limit: 123, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } } })]),
    });
    const association = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'))[0] as { Properties: { ResourceArn: unknown; WebACLArn: unknown } };
    expect(JSON.stringify(association.Properties.ResourceArn)).toContain(JSON.stringify({ Ref: Stack.of(api).getLogicalId(api.restApi.deploymentStage.node.defaultChild as never) }));
    expect(association.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [Stack.of(api).getLogicalId(api.webAcl!), 'Arn'] });
  });

  it('renders every gateway error as error-response JSON with no-store', () => {
    const { template } = apiFixture({ routes });

    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')) as Array<{ Properties: { ResponseType: string; ResponseTemplates: Record<string, string>; ResponseParameters: Record<string, string> } }>;
    expect(responses.length).toBe(8);
    for (const response of responses) {
      expect(response.Properties.ResponseParameters['gatewayresponse.header.cache-control']).toBe("'no-store'");
      expect(JSON.parse(response.Properties.ResponseTemplates['application/json']!)).toEqual({ code: expect.any(String), message: expect.any(String), requestId: '$context.requestId' });
    }
  });
});
