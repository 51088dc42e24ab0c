import type { APIGatewayProxyEvent } from 'aws-lambda';

/** Everything about one HTTP request that the REST proxy (v1) event carries. */
export interface ProxyRequest {
  method: string;
  /** The path after the stage, still URL-encoded, e.g. `/contacts/a%40b.example`. */
  path: string;
  /** The route's resource path, e.g. `/contacts/{email}`. */
  resourcePath: string;
  pathParameters: Record<string, string>;
  /** The raw query string without `?` (may be empty). */
  rawQuery: string;
  /** Header name/value pairs in arrival order, names as the client sent them (Node's rawHeaders). */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** The port the client connected to (API Gateway sends it as X-Forwarded-Port). */
  sourcePort?: number;
  protocol: string;
}

export interface ProxyEventContext {
  stage: string;
  apiId: string;
  accountId: string;
  resourceId: string;
  requestId: string;
  extendedRequestId: string;
  traceId: string;
  now: Date;
  /** Content types API Gateway base64-encodes (the API's BinaryMediaTypes); none by default. */
  binaryMediaTypes: string[];
  /** What a Cognito user pool authorizer passed (`{ claims }`, every value a string); null without one. */
  authorizer?: { claims: Record<string, string> };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `25/Nov/2026:10:04:33 +0000`, the format of `requestContext.requestTime`. */
export function formatRequestTime(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function mediaTypeMatches(contentType: string | undefined, patterns: string[]): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return patterns.some((pattern) => {
    const normalized = pattern.toLowerCase();
    if (normalized === '*/*') return true;
    if (normalized.endsWith('/*')) return type.startsWith(normalized.slice(0, -1));
    return type === normalized;
  });
}

/** Single-value map (the last value wins) and multi-value map of name/value pairs, or nulls when empty. */
function toMaps(pairs: Array<[string, string]>): { single: Record<string, string> | null; multi: Record<string, string[]> | null } {
  if (pairs.length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { single, multi };
}

function queryPairs(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const rawName = equals === -1 ? part : part.slice(0, equals);
    const rawValue = equals === -1 ? '' : part.slice(equals + 1);
    const decode = (text: string): string => {
      try {
        return decodeURIComponent(text.replace(/\+/g, ' '));
      } catch {
        return text;
      }
    };
    pairs.push([decode(rawName), decode(rawValue)]);
  }
  return pairs;
}

/**
 * Builds the API Gateway REST API Lambda proxy (payload v1) event for a request, as API Gateway
 * sends it: both single- and multi-value headers and query parameters (null when absent),
 * URL-decoded path parameters, the stage in `requestContext.path`, and the body as text. Without
 * binary media types API Gateway treats every body as UTF-8 text; with them, a matching
 * Content-Type is sent base64-encoded with `isBase64Encoded: true`.
 */
export function buildProxyEvent(request: ProxyRequest, context: ProxyEventContext): APIGatewayProxyEvent {
  const headerPairs: Array<[string, string]> = [];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    headerPairs.push([request.rawHeaders[index] as string, request.rawHeaders[index + 1] as string]);
  }
  const has = (name: string): boolean => headerPairs.some(([header]) => header.toLowerCase() === name.toLowerCase());
  // Headers API Gateway adds on its way to the integration.
  if (!has('X-Forwarded-For')) headerPairs.push(['X-Forwarded-For', request.sourceIp]);
  if (!has('X-Forwarded-Port') && request.sourcePort !== undefined) headerPairs.push(['X-Forwarded-Port', String(request.sourcePort)]);
  if (!has('X-Forwarded-Proto')) headerPairs.push(['X-Forwarded-Proto', 'http']);
  if (!has('X-Amzn-Trace-Id')) headerPairs.push(['X-Amzn-Trace-Id', context.traceId]);
  const headers = toMaps(headerPairs);
  const query = toMaps(queryPairs(request.rawQuery));
  const header = (name: string): string | undefined => headerPairs.filter(([key]) => key.toLowerCase() === name).pop()?.[1];

  const binary = mediaTypeMatches(header('content-type'), context.binaryMediaTypes);
  const body = request.body.length === 0 ? null : binary ? request.body.toString('base64') : request.body.toString('utf8');
  const host = header('host') ?? 'localhost';
  const hasParameters = Object.keys(request.pathParameters).length > 0;

  return {
    resource: request.resourcePath,
    path: request.path,
    httpMethod: request.method,
    headers: (headers.single ?? null) as APIGatewayProxyEvent['headers'],
    multiValueHeaders: (headers.multi ?? null) as APIGatewayProxyEvent['multiValueHeaders'],
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: hasParameters ? { ...request.pathParameters } : null,
    stageVariables: null,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      authorizer: context.authorizer ? { claims: { ...context.authorizer.claims } } : null,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      extendedRequestId: context.extendedRequestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: header('user-agent') ?? null,
        userArn: null,
      },
      path: `/${context.stage}${request.path === '/' ? '/' : request.path}`,
      protocol: request.protocol,
      requestId: context.requestId,
      requestTime: formatRequestTime(context.now),
      requestTimeEpoch: context.now.getTime(),
      resourceId: context.resourceId,
      resourcePath: request.resourcePath,
      stage: context.stage,
    },
    body,
    isBase64Encoded: binary && body !== null,
  };
}
