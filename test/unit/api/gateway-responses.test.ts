import { renderGatewayResponse, renderTemplate, type GatewayResponseContext } from '../../../local/api/gateway-responses';
import type { GatewayResponseSpec } from '../../../local/topology/types';

const context: GatewayResponseContext = {
  requestId: 'req-123',
  extendedRequestId: 'ext-9',
  apiId: 'abcdefghij',
  stage: 'dev',
  httpMethod: 'GET',
  path: '/dev/staff/appointments',
  resourcePath: '/staff/appointments',
  requestTime: '14/Mar/2031:09:30:00 +0000',
  requestTimeEpoch: 1931247000000,
  domainName: '127.0.0.1:4010',
  sourceIp: '127.0.0.1',
  requestHeaders: { origin: 'https://staff.example' },
};

const unauthorized: GatewayResponseSpec = {
  responseType: 'UNAUTHORIZED',
  statusCode: 401,
  headers: { 'Access-Control-Allow-Origin': "'*'", 'X-Origin': 'method.request.header.Origin', 'X-Request': 'context.requestId' },
  templates: { 'application/json': '{"code":"Unauthorized","message":"Sign in as staff","requestId":"$context.requestId","type":"$context.error.responseType"}' },
};

describe('gateway responses', () => {
  it("renders the template's response for the type: status, body with $context substituted, headers", () => {
    const rendered = renderGatewayResponse([unauthorized], 'UNAUTHORIZED', context);
    expect(rendered.status).toBe(401);
    expect(JSON.parse(rendered.body.toString())).toEqual({ code: 'Unauthorized', message: 'Sign in as staff', requestId: 'req-123', type: 'UNAUTHORIZED' });
    expect(rendered.headers).toMatchObject({ 'Content-Type': ['application/json'], 'Access-Control-Allow-Origin': ['*'], 'X-Origin': ['https://staff.example'], 'X-Request': ['req-123'] });
  });

  it("falls back to DEFAULT_4XX / DEFAULT_5XX, keeping the type's status unless the template sets one", () => {
    const default4xx: GatewayResponseSpec = { responseType: 'DEFAULT_4XX', headers: {}, templates: { 'application/json': '{"message":$context.error.messageString}' } };
    const rendered = renderGatewayResponse([default4xx], 'MISSING_AUTHENTICATION_TOKEN', context);
    expect(rendered.status).toBe(403);
    expect(JSON.parse(rendered.body.toString())).toEqual({ message: 'Missing Authentication Token' });
    expect(renderGatewayResponse([default4xx], 'INTEGRATION_TIMEOUT', context).body.toString()).toBe('{"message":"Endpoint request timed out"}');
    const default5xx: GatewayResponseSpec = { responseType: 'DEFAULT_5XX', statusCode: 503, headers: {}, templates: { 'application/json': '{"id":"${context.requestId}"}' } };
    const fivexx = renderGatewayResponse([default4xx, default5xx], 'INTEGRATION_FAILURE', context);
    expect([fivexx.status, fivexx.body.toString()]).toEqual([503, '{"id":"req-123"}']);
  });

  it('lets a template header replace the default of the same name in any case (one Content-Type)', () => {
    const spec: GatewayResponseSpec = { responseType: 'UNAUTHORIZED', headers: { 'content-type': "'application/problem+json'" }, templates: { 'application/json': '{}' } };
    const rendered = renderGatewayResponse([spec], 'UNAUTHORIZED', context);
    expect(Object.keys(rendered.headers).filter((name) => name.toLowerCase() === 'content-type')).toEqual(['content-type']);
    expect(rendered.headers['content-type']).toEqual(['application/problem+json']);
  });

  it("gives API Gateway's own answer when the template has none", () => {
    const rendered = renderGatewayResponse([], 'UNAUTHORIZED', context);
    expect(rendered.status).toBe(401);
    expect(JSON.parse(rendered.body.toString())).toEqual({ message: 'Unauthorized' });
    expect(rendered.headers['x-amzn-ErrorType']).toEqual(['UnauthorizedException']);
  });

  it('leaves unknown references as written, as VTL does', () => {
    expect(renderTemplate('$context.nope and $input.body and $context.stage.', { 'context.stage': 'dev' })).toBe('$context.nope and $input.body and dev.');
  });
});
