import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { API_ROUTES, type ApiRoute } from '../../contracts/api-routes';

export interface BookingApiProps {
  restApiName: string;
  /** The deployment stage, named after the environment. */
  stageName: string;
  bookingFunction: lambda.IFunction;
  /** Staff sign in to this pool; its ID tokens open the staff routes. */
  staffUserPool: cognito.IUserPool;
  throttlingRateLimit: number;
  throttlingBurstLimit: number;
  /** Method throttling of the routes marked `throttle: 'booking'` (POST /appointments). */
  bookingThrottle: { rateLimit: number; burstLimit: number };
  /** A WAF web ACL on the stage (managed common rules + a rate-based rule per source IP), when set. */
  waf?: { requestsPerFiveMinutesPerIp: number; namePrefix: string };
  logRetention: logs.RetentionDays;
  logRemovalPolicy: RemovalPolicy;
  /** The routes to deploy; the shared definition by default (tests may pass another). */
  routes?: readonly ApiRoute[];
}

/**
 * API Gateway's own 401/403 answers (no or a bad staff token; a valid token for another pool)
 * rendered as the API's `error-response` JSON, so every error a client sees has one shape.
 */
const GATEWAY_ERRORS: Array<{ type: apigateway.ResponseType; id: string; code: string; message: string }> = [
  { type: apigateway.ResponseType.UNAUTHORIZED, id: 'Unauthorized', code: 'Unauthorized', message: 'Sign in as staff: send a valid staff ID token as the Authorization header' },
  { type: apigateway.ResponseType.ACCESS_DENIED, id: 'AccessDenied', code: 'Forbidden', message: 'These credentials do not allow this request' },
  { type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, id: 'MissingRoute', code: 'RouteNotFound', message: 'No such route' },
  { type: apigateway.ResponseType.THROTTLED, id: 'Throttled', code: 'TooManyRequests', message: 'Too many requests; retry later' },
  { type: apigateway.ResponseType.WAF_FILTERED, id: 'WafFiltered', code: 'Forbidden', message: 'The request was blocked' },
  { type: apigateway.ResponseType.REQUEST_TOO_LARGE, id: 'RequestTooLarge', code: 'PayloadTooLarge', message: 'The request is too large' },
  { type: apigateway.ResponseType.DEFAULT_4XX, id: 'Default4xx', code: 'BadRequest', message: 'The request was rejected by the API gateway' },
  { type: apigateway.ResponseType.DEFAULT_5XX, id: 'Default5xx', code: 'ServiceUnavailable', message: 'The service could not answer; retry shortly' },
];

/**
 * The booking API: every route (from the shared definition) a Lambda proxy integration to the
 * booking function. Staff routes carry the Cognito authorizer; patient routes are verified by the
 * function (manage token); public routes are throttled and, in staging and prod, behind WAF.
 *
 * Request size: API Gateway REST APIs accept bodies up to their hard 10 MB limit and offer no
 * smaller setting, so the booking function enforces the contract's small limit itself (and
 * answers 413); a WAF size constraint would only duplicate it at extra cost.
 */
export class BookingApi extends Construct {
  readonly restApi: apigateway.RestApi;
  readonly accessLogGroup: logs.LogGroup;
  readonly staffAuthorizer: apigateway.CognitoUserPoolsAuthorizer;
  readonly webAcl: wafv2.CfnWebACL | undefined;

  constructor(scope: Construct, id: string, props: BookingApiProps) {
    super(scope, id);
    const routes: readonly ApiRoute[] = props.routes ?? API_ROUTES;

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    const methodOptions: Record<string, apigateway.MethodDeploymentOptions> = {};
    for (const route of routes) {
      if (route.throttle === 'booking') {
        methodOptions[`${route.path}/${route.method}`] = {
          throttlingRateLimit: props.bookingThrottle.rateLimit,
          throttlingBurstLimit: props.bookingThrottle.burstLimit,
        };
      }
    }

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
        methodOptions,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        // No caller or user fields, and no request path or query: a path can hold an e-mail address.
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

    this.staffAuthorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'StaffAuthorizer', {
      cognitoUserPools: [props.staffUserPool],
      authorizerName: 'staff',
      identitySource: apigateway.IdentitySource.header('Authorization'),
    });

    const integration = new apigateway.LambdaIntegration(props.bookingFunction, { allowTestInvoke: false });
    for (const route of routes) {
      const resource = this.restApi.root.resourceForPath(route.path);
      if (route.access === 'staff') {
        resource.addMethod(route.method, integration, { authorizer: this.staffAuthorizer, authorizationType: apigateway.AuthorizationType.COGNITO });
      } else {
        resource.addMethod(route.method, integration, { authorizationType: apigateway.AuthorizationType.NONE });
      }
    }

    for (const error of GATEWAY_ERRORS) {
      this.restApi.addGatewayResponse(error.id, {
        type: error.type,
        responseHeaders: { 'content-type': "'application/json'", 'cache-control': "'no-store'" },
        templates: {
          'application/json': JSON.stringify({ code: error.code, message: error.message, requestId: '$context.requestId' }),
        },
      });
    }

    if (props.waf) {
      this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
        name: `${props.waf.namePrefix}-booking-api`,
        scope: 'REGIONAL',
        defaultAction: { allow: {} },
        visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'BookingApiWebAcl', sampledRequestsEnabled: true },
        rules: [
          {
            name: 'RatePerSourceIp',
            priority: 0,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: props.waf.requestsPerFiveMinutesPerIp, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
            visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'RatePerSourceIp', sampledRequestsEnabled: true },
          },
          {
            name: 'AwsManagedCommonRules',
            priority: 1,
            overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' } },
            visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'AwsManagedCommonRules', sampledRequestsEnabled: true },
          },
        ],
      });
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.restApi.deploymentStage.stageArn,
        webAclArn: this.webAcl.attrArn,
      });
    }

    Validations.of(this.restApi).acknowledge(
      { id: 'AwsSolutions-APIG2', reason: 'Bodies and parameters are validated by the booking function against the shared JSON Schema contracts, the single source of truth; a second, API Gateway model would drift from them.' },
      { id: 'AwsSolutions-APIG4', reason: 'Only the staff routes use the Cognito authorizer. POST /appointments and GET /dentists are public by design (patients book without an account); patient routes are authorized by the booking function with a manage token, which API Gateway cannot verify.' },
      { id: 'AwsSolutions-COG4', reason: 'Only the staff routes use the Cognito user pool authorizer; the public and patient routes (manage token, verified by the function) cannot.' },
      { id: 'AwsSolutions-APIG6', reason: 'Execution logging needs the account-wide API Gateway CloudWatch role, which one environment must not own; access logging is on for the stage.' },
    );
    if (!props.waf) {
      Validations.of(this.restApi).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: 'No WAF in dev, which holds no patient data and is throttled per method; staging and prod have a web ACL (managed common rules and a per-IP rate rule).',
      });
    }
  }

  get url(): string {
    return this.restApi.url;
  }
}
