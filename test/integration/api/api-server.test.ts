import * as net from 'node:net';
import * as path from 'node:path';
import { startApiServer, type ApiRequestLog, type RunningApiServer } from '../../../local/api';
import { createFunctionHost, type FunctionHost } from '../../../local/lambda';
import type { FunctionSpec, RestApiSpec } from '../../../local/topology/types';

const FIXTURES = path.resolve(__dirname, '../../fixtures/cdk-apps/functions');

const apiFunction: FunctionSpec = {
  id: 'Test/ApiFunction',
  functionName: 'test-api-function',
  arn: 'arn:aws:lambda:eu-west-2:000000000000:function:test-api-function',
  codeDirectory: FIXTURES,
  handler: 'api.handler',
  runtime: 'nodejs22.x',
  architecture: 'arm64',
  timeoutSeconds: 10,
  memorySizeMb: 128,
  environment: {},
};

const api: RestApiSpec = {
  id: 'Test/RestApi',
  name: 'test-api',
  stageName: 'dev',
  routes: [
    { method: 'POST', resourcePath: '/appointments', functionId: apiFunction.id },
    { method: 'GET', resourcePath: '/appointments/{id}', functionId: apiFunction.id },
    { method: 'GET', resourcePath: '/contacts/{email}', functionId: apiFunction.id },
  ],
  maxRequestBodyBytes: 64 * 1024,
};

describe('local API Gateway over HTTP with the function host', () => {
  let host: FunctionHost;
  let server: RunningApiServer;
  const logs: ApiRequestLog[] = [];

  beforeAll(async () => {
    host = createFunctionHost({ functions: [apiFunction] });
    server = await startApiServer({ api, invoke: (functionId, event) => host.invoke(functionId, event), integrationTimeoutMs: 1500, onRequest: (log) => logs.push(log) });
  });

  afterAll(async () => {
    await server?.stop();
    await host?.stop();
  });

  it('serves the stage URL like the deployed ApiUrl output', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/dev/`);
  });

  it('invokes the route function with a proxy event and returns its response', async () => {
    const response = await fetch(`${server.url}appointments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-custom': 'yes' },
      body: JSON.stringify({ patientName: 'Ana' }),
    });
    const event = (await response.json()) as Record<string, any>;

    expect(response.status).toBe(200);
    expect(response.headers.get('x-amzn-requestid')).toBe(event.requestContext.requestId);
    expect(event).toMatchObject({
      resource: '/appointments',
      path: '/appointments',
      httpMethod: 'POST',
      body: '{"patientName":"Ana"}',
      isBase64Encoded: false,
      pathParameters: null,
      queryStringParameters: null,
      requestContext: { stage: 'dev', resourcePath: '/appointments', path: '/dev/appointments', identity: { sourceIp: '127.0.0.1' } },
    });
    expect(event.headers['x-custom']).toBe('yes');
  });

  it('passes decoded path parameters and query strings', async () => {
    const response = await fetch(`${server.url}contacts/ana%40example.com?x=1&x=2`);
    const event = (await response.json()) as Record<string, any>;

    expect(event.resource).toBe('/contacts/{email}');
    expect(event.pathParameters).toEqual({ email: 'ana@example.com' });
    expect(event.multiValueQueryStringParameters).toEqual({ x: ['1', '2'] });
  });

  it('returns multi-value headers and decodes base64 bodies', async () => {
    const multi = await fetch(`${server.url}appointments/1?action=multi`);
    const binary = await fetch(`${server.url}appointments/1?action=binary`);

    expect(multi.status).toBe(201);
    expect(multi.headers.get('x-single')).toBe('one');
    expect(multi.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await multi.text()).toBe('created');
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it("answers API Gateway's own errors: unknown route, missing stage, function error, malformed response", async () => {
    const unknown = await fetch(`${server.url}nowhere`);
    const noStage = await fetch(`http://127.0.0.1:${server.port}/appointments/1`);
    const wrongMethod = await fetch(`${server.url}appointments/1`, { method: 'DELETE' });
    const failed = await fetch(`${server.url}appointments/1?action=throw`);
    const malformed = await fetch(`${server.url}appointments/1?action=malformed`);

    expect([unknown.status, noStage.status, wrongMethod.status]).toEqual([403, 403, 403]);
    expect(await unknown.json()).toEqual({ message: 'Missing Authentication Token' });
    expect([failed.status, malformed.status]).toEqual([502, 502]);
    expect(await failed.json()).toEqual({ message: 'Internal server error' });
    expect(await malformed.json()).toEqual({ message: 'Internal server error' });
    expect(logs.find((log) => log.status === 502 && /malformed/.test(log.problem ?? ''))?.problem).toMatch(/statusCode must be an integer/);
  });

  it('answers 504 when the function outlasts the integration timeout', async () => {
    const response = await fetch(`${server.url}appointments/1?action=slow&ms=4000`);

    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ message: 'Endpoint request timed out' });
  });

  async function rawExchange(request: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write(request));
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  it.each([
    ['a malformed request line', 'GARBAGE\r\n\r\n', 400],
    ['a header block over the parser limit', `GET /dev/appointments/x HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ])('answers %s with a JSON error, as API Gateway does, not an empty body', async (_case, request, status) => {
    const answer = await rawExchange(request);

    expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(answer.toLowerCase()).toContain('content-type: application/json');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ message: expect.any(String) });
  });

  it('refuses a body over the limit with 413 without reading it all', async () => {
    const response = await fetch(`${server.url}appointments`, { method: 'POST', body: 'x'.repeat(64 * 1024 + 1) });

    expect(response.status).toBe(413);
  });
});
