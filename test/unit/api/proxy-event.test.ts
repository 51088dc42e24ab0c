import { buildProxyEvent, formatRequestTime, type ProxyEventContext, type ProxyRequest } from '../../../local/api/proxy-event';
import { parseProxyResponse } from '../../../local/api/proxy-response';

const context: ProxyEventContext = {
  stage: 'dev',
  apiId: 'abc123defg',
  accountId: '000000000000',
  resourceId: 'r1',
  requestId: 'req-1',
  extendedRequestId: 'ext-1',
  traceId: 'Root=1-abc-def',
  now: new Date('2026-11-25T10:04:33.123Z'),
  binaryMediaTypes: [],
};

function request(overrides: Partial<ProxyRequest> = {}): ProxyRequest {
  return {
    method: 'PUT',
    path: '/contacts/ana%40example.com',
    resourcePath: '/contacts/{email}',
    pathParameters: { email: 'ana@example.com' },
    rawQuery: 'tag=a&tag=b&q=hello%20world&empty',
    rawHeaders: ['Host', '127.0.0.1:3000', 'Content-Type', 'application/json', 'Accept', 'text/plain', 'Accept', 'application/json', 'User-Agent', 'jest'],
    body: Buffer.from('{"preferredMethod":"sms"}'),
    sourceIp: '127.0.0.1',
    sourcePort: 3000,
    protocol: 'HTTP/1.1',
    ...overrides,
  };
}

describe('buildProxyEvent', () => {
  it('builds the REST API proxy (v1) event with single and multi-value headers and query parameters', () => {
    const event = buildProxyEvent(request(), context);

    expect(event).toMatchObject({
      resource: '/contacts/{email}',
      path: '/contacts/ana%40example.com',
      httpMethod: 'PUT',
      pathParameters: { email: 'ana@example.com' },
      stageVariables: null,
      body: '{"preferredMethod":"sms"}',
      isBase64Encoded: false,
      queryStringParameters: { tag: 'b', q: 'hello world', empty: '' },
      multiValueQueryStringParameters: { tag: ['a', 'b'], q: ['hello world'], empty: [''] },
    });
    expect(event.headers).toMatchObject({ Host: '127.0.0.1:3000', Accept: 'application/json', 'Content-Type': 'application/json', 'X-Forwarded-For': '127.0.0.1', 'X-Forwarded-Port': '3000', 'X-Forwarded-Proto': 'http', 'X-Amzn-Trace-Id': 'Root=1-abc-def' });
    expect(event.multiValueHeaders.Accept).toEqual(['text/plain', 'application/json']);
    expect(event.requestContext).toMatchObject({
      accountId: '000000000000',
      apiId: 'abc123defg',
      stage: 'dev',
      requestId: 'req-1',
      resourcePath: '/contacts/{email}',
      httpMethod: 'PUT',
      path: '/dev/contacts/ana%40example.com',
      protocol: 'HTTP/1.1',
      requestTimeEpoch: Date.parse('2026-11-25T10:04:33.123Z'),
      requestTime: '25/Nov/2026:10:04:33 +0000',
      identity: { sourceIp: '127.0.0.1', userAgent: 'jest' },
    });
  });

  it('uses null for absent query parameters, path parameters and body', () => {
    const event = buildProxyEvent(request({ method: 'GET', rawQuery: '', pathParameters: {}, body: Buffer.alloc(0), resourcePath: '/appointments', path: '/appointments' }), context);

    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.pathParameters).toBeNull();
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
  });

  it('passes a body as UTF-8 text when the API has no binary media types, as API Gateway does', () => {
    const bytes = Buffer.from([0x68, 0x69, 0xff, 0xfe]);

    const event = buildProxyEvent(request({ body: bytes, rawHeaders: ['Content-Type', 'application/octet-stream'] }), context);

    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe('hi\uFFFD\uFFFD');
  });

  it('base64-encodes a body whose content type is a binary media type', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);

    const event = buildProxyEvent(request({ body: bytes, rawHeaders: ['Content-Type', 'image/png; q=1'] }), { ...context, binaryMediaTypes: ['image/*'] });

    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });

  it('formats requestTime like API Gateway', () => {
    expect(formatRequestTime(new Date('2026-01-05T03:04:05Z'))).toBe('05/Jan/2026:03:04:05 +0000');
  });
});

describe('parseProxyResponse', () => {
  it('maps status, headers merged with multi-value headers, and a base64 body', () => {
    const result = parseProxyResponse({
      statusCode: 201,
      headers: { 'Content-Type': 'image/png', 'X-Count': 3 },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'content-type': ['image/png'] },
      body: Buffer.from([1, 2, 3]).toString('base64'),
      isBase64Encoded: true,
    });

    expect(result).toEqual({
      ok: true,
      response: { statusCode: 201, headers: { 'Content-Type': ['image/png'], 'X-Count': ['3'], 'Set-Cookie': ['a=1', 'b=2'] }, body: Buffer.from([1, 2, 3]) },
    });
  });

  it('accepts a response with only a status code', () => {
    expect(parseProxyResponse({ statusCode: 204 })).toEqual({ ok: true, response: { statusCode: 204, headers: {}, body: Buffer.alloc(0) } });
  });

  it.each([
    [null, /not an object/],
    ['a string', /not an object/],
    [{ body: 'no status' }, /statusCode/],
    [{ statusCode: 'abc' }, /statusCode/],
    [{ statusCode: 700 }, /statusCode/],
    [{ statusCode: 200, body: { not: 'a string' } }, /body must be a string/],
    [{ statusCode: 200, headers: { a: { b: 1 } } }, /header a/],
    [{ statusCode: 200, multiValueHeaders: { a: 'x' } }, /must be a list/],
    [{ statusCode: 200, isBase64Encoded: 'yes' }, /isBase64Encoded/],
    [{ statusCode: 200, extra: true }, /unexpected field/],
  ])('reports %j as malformed', (payload, problem) => {
    const result = parseProxyResponse(payload);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toMatch(problem);
  });
});
