import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

let sequence = 0;

export function lambdaContext(functionName = 'test-function'): Context {
  sequence += 1;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-2:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `request-${sequence}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface ApiEventOptions {
  method: string;
  resource: string;
  path?: string;
  pathParameters?: Record<string, string> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
  queryStringParameters?: Record<string, string> | null;
  /** Claims of a verified Cognito ID token, as API Gateway's Cognito authorizer attaches them. */
  claims?: Record<string, string>;
}

/** A REST API (v1) Lambda proxy event, shaped like the ones API Gateway sends. */
export function apiEvent(options: ApiEventOptions): APIGatewayProxyEvent {
  sequence += 1;
  const pathParameters = options.pathParameters ?? null;
  let path = options.path ?? options.resource;
  for (const [key, value] of Object.entries(pathParameters ?? {})) path = path.replace(`{${key}}`, value);
  return {
    resource: options.resource,
    path,
    httpMethod: options.method,
    headers: options.headers ?? { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: options.queryStringParameters ?? null,
    multiValueQueryStringParameters: null,
    pathParameters,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      requestId: `api-request-${sequence}`,
      ...(options.claims ? { authorizer: { claims: options.claims } } : {}),
    } as APIGatewayProxyEvent['requestContext'],
  };
}
