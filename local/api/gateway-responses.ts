import type { GatewayResponseSpec } from '../topology/types';

/**
 * API Gateway's own answers (no route, failed authorization, too large, integration errors), as
 * REST APIs give them: the template's `AWS::ApiGateway::GatewayResponse` for the response type
 * when it has one, else its `DEFAULT_4XX`/`DEFAULT_5XX`, else API Gateway's built-in answer
 * (`{"message": "..."}` with `x-amzn-ErrorType`). A template's status code replaces the type's
 * default; its body template (`application/json`, else the first) and headers are rendered with
 * the `$context` variables substituted.
 */

export type GatewayResponseType =
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'REQUEST_TOO_LARGE'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'DEFAULT_5XX';

export interface GatewayErrorDefault {
  status: number;
  message: string;
  errorType: string;
}

/** API Gateway's built-in status, message and `x-amzn-ErrorType` per response type. */
export const GATEWAY_RESPONSE_DEFAULTS: Record<GatewayResponseType, GatewayErrorDefault> = {
  UNAUTHORIZED: { status: 401, message: 'Unauthorized', errorType: 'UnauthorizedException' },
  ACCESS_DENIED: { status: 403, message: 'User is not authorized to access this resource', errorType: 'AccessDeniedException' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, message: 'Missing Authentication Token', errorType: 'MissingAuthenticationTokenException' },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long', errorType: 'RequestEntityTooLargeException' },
  INTEGRATION_FAILURE: { status: 502, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  INTEGRATION_TIMEOUT: { status: 504, message: 'Endpoint request timed out', errorType: 'IntegrationTimeout' },
  DEFAULT_5XX: { status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException' },
};

/** What `$context.*` and `method.request.header.*` resolve to for one request. */
export interface GatewayResponseContext {
  requestId: string;
  extendedRequestId: string;
  apiId: string;
  stage: string;
  httpMethod: string;
  /** `/<stage>/...` as API Gateway's `$context.path`. */
  path: string;
  resourcePath?: string;
  requestTime: string;
  requestTimeEpoch: number;
  domainName: string;
  sourceIp: string;
  userAgent?: string;
  /** Request headers, names lower-cased. */
  requestHeaders: Record<string, string>;
}

export interface RenderedGatewayResponse {
  status: number;
  headers: Record<string, string[]>;
  body: Buffer;
}

function contextVariables(type: GatewayResponseType, message: string, context: GatewayResponseContext): Record<string, string> {
  return {
    'context.requestId': context.requestId,
    'context.extendedRequestId': context.extendedRequestId,
    'context.apiId': context.apiId,
    'context.stage': context.stage,
    'context.httpMethod': context.httpMethod,
    'context.path': context.path,
    'context.resourcePath': context.resourcePath ?? '',
    'context.requestTime': context.requestTime,
    'context.requestTimeEpoch': String(context.requestTimeEpoch),
    'context.domainName': context.domainName,
    'context.identity.sourceIp': context.sourceIp,
    'context.identity.userAgent': context.userAgent ?? '',
    'context.error.message': message,
    // A JSON string literal of the message, quotes included.
    'context.error.messageString': JSON.stringify(message),
    'context.error.responseType': type,
  };
}

/** Substitutes `$context.x.y` and `${context.x.y}` references; unknown references stay as written, as in VTL. */
export function renderTemplate(template: string, variables: Record<string, string>): string {
  return template.replace(/\$\{(context(?:\.[A-Za-z_]\w*)+)\}|\$(context(?:\.[A-Za-z_]\w*)+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    let name = (braced ?? bare) as string;
    // `$context.requestId.` followed by text: take the longest known variable.
    while (!(name in variables) && name.includes('.')) name = name.slice(0, name.lastIndexOf('.'));
    if (!(name in variables)) return whole;
    const value = variables[name] as string;
    return braced !== undefined ? value : `${value}${(bare as string).slice(name.length)}`;
  });
}

function headerValue(expression: string, variables: Record<string, string>, context: GatewayResponseContext): string | undefined {
  const trimmed = expression.trim();
  if (/^'.*'$/s.test(trimmed)) return trimmed.slice(1, -1);
  const requestHeader = /^method\.request\.header\.(.+)$/.exec(trimmed)?.[1];
  if (requestHeader) return context.requestHeaders[requestHeader.toLowerCase()];
  if (trimmed in variables) return variables[trimmed];
  return undefined;
}

function pick(responses: readonly GatewayResponseSpec[], type: GatewayResponseType, status: number): GatewayResponseSpec | undefined {
  return responses.find((response) => response.responseType === type) ?? responses.find((response) => response.responseType === (status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'));
}

export function renderGatewayResponse(
  responses: readonly GatewayResponseSpec[],
  type: GatewayResponseType,
  context: GatewayResponseContext,
  message: string = GATEWAY_RESPONSE_DEFAULTS[type].message,
): RenderedGatewayResponse {
  const fallback = GATEWAY_RESPONSE_DEFAULTS[type];
  const spec = pick(responses, type, fallback.status);
  const headers: Record<string, string[]> = { 'x-amzn-ErrorType': [fallback.errorType] };
  if (!spec) return { status: fallback.status, headers: { ...headers, 'Content-Type': ['application/json'] }, body: Buffer.from(JSON.stringify({ message })) };
  const variables = contextVariables(type, message, context);
  const contentType = 'application/json' in spec.templates ? 'application/json' : Object.keys(spec.templates)[0];
  const template = contentType === undefined ? undefined : spec.templates[contentType];
  // Without a template API Gateway keeps its default body.
  const body = template === undefined ? JSON.stringify({ message }) : renderTemplate(template, variables);
  headers['Content-Type'] = [contentType ?? 'application/json'];
  for (const [name, expression] of Object.entries(spec.headers)) {
    const value = headerValue(expression, variables, context);
    if (value === undefined) continue;
    // A header the template sets replaces API Gateway's of the same name, whatever its case.
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    headers[name] = [value];
  }
  return { status: spec.statusCode ?? fallback.status, headers, body: Buffer.from(body) };
}
