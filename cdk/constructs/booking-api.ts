import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The routes of the shared contract; the booking function dispatches on `httpMethod` + `resource`. */
export const BOOKING_ROUTES = [
  { method: 'POST', path: '/appointments' },
  { method: 'GET', path: '/appointments/{id}' },
  { method: 'PUT', path: '/contacts/{email}' },
  { method: 'GET', path: '/contacts/{email}' },
] as const;

export interface BookingApiProps {
  restApiName: string;
  /** The deployment stage, named after the environment. */
  stageName: string;
  bookingFunction: lambda.IFunction;
  throttlingRateLimit: number;
  throttlingBurstLimit: number;
  logRetention: logs.RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

/**
 * The public REST API: every route is a Lambda proxy integration to the booking function.
 *
 * Request size: API Gateway REST APIs accept bodies up to their hard 10 MB limit and offer no
 * smaller setting, so the booking function enforces the contract's small limit itself (and
 * answers 413); a WAF size constraint would only duplicate it at extra cost.
 */
export class BookingApi extends Construct {
  readonly restApi: apigateway.RestApi;
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BookingApiProps) {
    super(scope, id);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: props.restApiName,
      description: "LJ Dentists' booking API",
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // Execution logging would need the account-wide API Gateway CloudWatch role, which one
      // environment must not own for the others; access logs below cover each request instead.
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
        tracingEnabled: true,
      },
    });

    const integration = new apigateway.LambdaIntegration(props.bookingFunction, { allowTestInvoke: false });
    for (const route of BOOKING_ROUTES) {
      this.restApi.root.resourceForPath(route.path).addMethod(route.method, integration);
    }

    Validations.of(this.restApi).acknowledge(
      { id: 'AwsSolutions-APIG2', reason: 'Bodies and parameters are validated by the booking function against the shared JSON Schema contracts, the single source of truth; a second, API Gateway model would drift from them.' },
      { id: 'AwsSolutions-APIG3', reason: 'No WAF: the API is throttled per stage, and its traffic (patients booking appointments) does not justify a web ACL yet.' },
      { id: 'AwsSolutions-APIG4', reason: 'The booking API is public by design: patients book without an account; the function validates every request.' },
      { id: 'AwsSolutions-COG4', reason: 'The booking API is public by design: patients book without an account, so there is no Cognito user pool.' },
      { id: 'AwsSolutions-APIG6', reason: 'Execution logging needs the account-wide API Gateway CloudWatch role, which one environment must not own; access logging is on for the stage.' },
    );
  }

  get url(): string {
    return this.restApi.url;
  }
}
