import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InvokeResult } from '../lambda/function-host';
import { localApiGatewayId } from '../topology/local-names';
import type { RestApiSpec } from '../topology/types';
import { authorizeCognito, JwksCache, restApiClaims, type UserPoolKeys } from './cognito-authorizer';
import { renderGatewayResponse, type GatewayResponseType } from './gateway-responses';
import { buildProxyEvent, formatRequestTime } from './proxy-event';
import { parseProxyResponse } from './proxy-response';
import { RouteMatcher } from './route-matcher';

/** API Gateway REST APIs accept request payloads up to 10 MB. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway's default (and, for REST APIs, usual maximum) integration timeout. */
export const API_GATEWAY_INTEGRATION_TIMEOUT_MS = 29_000;

export interface ApiRequestLog {
  requestId: string;
  method: string;
  path: string;
  resourcePath?: string;
  status: number;
  durationMs: number;
  /** Why API Gateway answered itself (no route, function error, malformed response, ...). */
  problem?: string;
}

export interface StartApiServerOptions {
  api: RestApiSpec;
  invoke: (functionId: string, event: unknown) => Promise<InvokeResult>;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  accountId?: string;
  /** The API's BinaryMediaTypes; none by default, as the project's API configures none. */
  binaryMediaTypes?: string[];
  integrationTimeoutMs?: number;
  onRequest?: (log: ApiRequestLog) => void;
  /**
   * Issuer and signing keys of each user pool (by qualified logical id), for the routes a
   * COGNITO_USER_POOLS authorizer guards; such a route answers 401 for a pool missing here.
   */
  userPools?: ReadonlyMap<string, UserPoolKeys>;
  /** Shared JWKS cache (a new one per server by default). */
  jwks?: JwksCache;
}

export interface RunningApiServer {
  /** The stage's invoke URL, like the deployed `ApiUrl` output: `http://127.0.0.1:<port>/<stage>/`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

class BodyTooLargeError extends Error {}

/** Reads the body, refusing it as soon as it passes `limit` bytes (nothing unbounded is buffered). */
function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * The local API Gateway of one REST API: matches each request's method and path (after the stage
 * segment, as in `https://<id>.execute-api.<region>.amazonaws.com/<stage>/...`) against the
 * API's routes, invokes the route's function with a REST proxy (v1) event, and returns its
 * response as API Gateway would, including API Gateway's own error answers.
 *
 * Requests must carry the stage prefix, exactly as the deployed URL does, so a client configured
 * with `url` behaves the same locally and deployed; any other path answers 403 like an unknown
 * route.
 */
export async function startApiServer(options: StartApiServerOptions): Promise<RunningApiServer> {
  const { api } = options;
  const matcher = new RouteMatcher(api.routes);
  const maxBody = Math.min(api.maxRequestBodyBytes ?? API_GATEWAY_MAX_BODY_BYTES, API_GATEWAY_MAX_BODY_BYTES);
  const integrationTimeoutMs = options.integrationTimeoutMs ?? API_GATEWAY_INTEGRATION_TIMEOUT_MS;
  // The same id a `Ref` to the RestApi resolves to in the topology.
  const apiId = localApiGatewayId(api.id);
  const stagePrefix = `/${api.stageName}`;
  const gatewayResponses = api.gatewayResponses ?? [];
  const authorizers = new Map((api.authorizers ?? []).map((authorizer) => [authorizer.id, authorizer]));
  const userPools = options.userPools ?? new Map<string, UserPoolKeys>();
  const jwks = options.jwks ?? new JwksCache();

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const startedAt = Date.now();
    const requestId = randomUUID();
    const method = (request.method ?? 'GET').toUpperCase();
    const rawUrl = request.url ?? '/';
    const questionMark = rawUrl.indexOf('?');
    const fullPath = questionMark === -1 ? rawUrl : rawUrl.slice(0, questionMark);
    const rawQuery = questionMark === -1 ? '' : rawUrl.slice(questionMark + 1);

    const send = (status: number, headers: Record<string, string[]>, body: Buffer, log: Partial<ApiRequestLog> = {}): void => {
      const merged: Record<string, string[]> = { ...headers };
      const hasHeader = (name: string): boolean => Object.keys(merged).some((key) => key.toLowerCase() === name.toLowerCase());
      if (!hasHeader('content-type')) merged['Content-Type'] = ['application/json'];
      merged['x-amzn-RequestId'] = [requestId];
      merged['x-amz-apigw-id'] = [randomBytes(6).toString('base64url')];
      // A header name may repeat (Set-Cookie); Node writes each array element as its own line.
      response.writeHead(status, Object.entries(merged).flatMap(([name, values]) => values.flatMap((value) => [name, value])));
      response.end(method === 'HEAD' ? undefined : body);
      options.onRequest?.({ requestId, method, path: fullPath, status, durationMs: Date.now() - startedAt, ...log });
    };
    const extendedRequestId = randomBytes(8).toString('base64url');
    const headerPairs: Array<[string, string]> = [];
    for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) headerPairs.push([request.rawHeaders[index] as string, request.rawHeaders[index + 1] as string]);
    // API Gateway's own answers: the template's gateway response for the type when it has one.
    const gatewayError = (type: GatewayResponseType, problem: string, resourcePath?: string): void => {
      const rendered = renderGatewayResponse(gatewayResponses, type, {
        requestId,
        extendedRequestId,
        apiId,
        stage: api.stageName,
        httpMethod: method,
        path: fullPath,
        ...(resourcePath ? { resourcePath } : {}),
        requestTime: formatRequestTime(new Date(startedAt)),
        requestTimeEpoch: startedAt,
        domainName: request.headers.host ?? 'localhost',
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
        requestHeaders: Object.fromEntries(headerPairs.map(([name, value]) => [name.toLowerCase(), value])),
      });
      send(rendered.status, rendered.headers, rendered.body, { problem, ...(resourcePath ? { resourcePath } : {}) });
    };

    const path = fullPath === stagePrefix ? '/' : fullPath.startsWith(`${stagePrefix}/`) ? fullPath.slice(stagePrefix.length) : undefined;
    const match = path === undefined ? undefined : matcher.match(method, path);
    if (path === undefined || !match) {
      request.resume();
      gatewayError('MISSING_AUTHENTICATION_TOKEN', `no route for ${method} ${fullPath} (stage ${api.stageName})`);
      return;
    }

    let authorizer: { claims: Record<string, string> } | undefined;
    const authorization = match.route.authorization;
    if (authorization?.type === 'COGNITO_USER_POOLS') {
      const spec = authorizers.get(authorization.authorizerId);
      const result = spec
        ? await authorizeCognito({ authorizer: spec, authorizationScopes: authorization.authorizationScopes, headers: headerPairs, userPools, jwks })
        : ({ ok: false, responseType: 'UNAUTHORIZED', reason: `authorizer ${authorization.authorizerId} is not defined on this API` } as const);
      if (!result.ok) {
        request.resume();
        gatewayError(result.responseType, `authorizer refused the request: ${result.reason}`, match.route.resourcePath);
        return;
      }
      authorizer = { claims: restApiClaims(result.claims) };
    }

    let body: Buffer;
    try {
      body = await readBody(request, maxBody);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        // Close the connection afterwards: the rest of the oversized body is not read.
        response.setHeader('Connection', 'close');
        gatewayError('REQUEST_TOO_LARGE', `body over ${maxBody} bytes`, match.route.resourcePath);
        request.destroy();
        return;
      }
      throw error;
    }

    const event = buildProxyEvent(
      {
        method,
        path,
        resourcePath: match.route.resourcePath,
        pathParameters: match.pathParameters,
        rawQuery,
        rawHeaders: request.rawHeaders,
        body,
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        ...(request.socket.localPort !== undefined ? { sourcePort: request.socket.localPort } : {}),
        protocol: `HTTP/${request.httpVersion}`,
      },
      {
        stage: api.stageName,
        apiId,
        accountId: options.accountId ?? '000000000000',
        resourceId: randomBytes(3).toString('hex'),
        requestId,
        extendedRequestId,
        traceId: `Root=1-${Math.floor(startedAt / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
        now: new Date(startedAt),
        binaryMediaTypes: options.binaryMediaTypes ?? [],
        ...(authorizer ? { authorizer } : {}),
      },
    );

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), integrationTimeoutMs);
    });
    let result: InvokeResult | 'timeout';
    try {
      result = await Promise.race([options.invoke(match.route.functionId, event), timedOut]);
    } catch (error) {
      gatewayError('DEFAULT_5XX', `invoking ${match.route.functionId} failed: ${(error as Error).message}`, match.route.resourcePath);
      return;
    } finally {
      clearTimeout(timer);
    }
    if (result === 'timeout') {
      gatewayError('INTEGRATION_TIMEOUT', `${match.route.functionId} did not answer within ${integrationTimeoutMs} ms`, match.route.resourcePath);
      return;
    }
    if (!result.ok) {
      gatewayError('INTEGRATION_FAILURE', `${match.route.functionId} failed: ${result.errorType}: ${result.errorMessage}`, match.route.resourcePath);
      return;
    }
    const parsed = parseProxyResponse(result.payload);
    if (!parsed.ok) {
      gatewayError('INTEGRATION_FAILURE', `malformed Lambda proxy response from ${match.route.functionId}: ${parsed.problem}`, match.route.resourcePath);
      return;
    }
    send(parsed.response.statusCode, parsed.response.headers, parsed.response.body, { resourcePath: match.route.resourcePath });
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(500, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ message: 'Internal server error' }));
      }
      options.onRequest?.({ requestId: '', method: request.method ?? '', path: request.url ?? '', status: 500, durationMs: 0, problem: (error as Error).message });
    });
  });
  // Requests Node's HTTP parser rejects before routing (a malformed request line or framing, a
  // header block over its limit) get a JSON answer like API Gateway's own errors, not an empty one.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({ message: tooLarge ? 'Request header fields too large' : 'Bad request' });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-amzn-errortype: BadRequestException\r\nconnection: close\r\n\r\n${body}`,
    );
    options.onRequest?.({ requestId: '', method: '', path: '', status, durationMs: 0, problem: `HTTP parse error ${error.code ?? error.message}` });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/${api.stageName}/`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
