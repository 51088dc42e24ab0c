import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';

/** The two ways an AWS service says "not now": throttling, or its own failure. */
export type InjectedHttpFault = 'throttling' | 'server-error';

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ProxiedRequest {
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
}

export interface FaultProxyOptions {
  /** Where requests that are not failed go, e.g. aws-ses-v2-local's endpoint. */
  target: string;
  /** Per API call: a fault to answer with, or nothing to forward the call unchanged. */
  decide(request: ProxiedRequest): InjectedHttpFault | undefined;
  /**
   * Which requests are service API calls (subject to faults). Default: SES v2's REST API, whose
   * paths all start with `/v2/`; anything else (the mail viewer, its store) is always forwarded.
   */
  isApiCall?(request: ProxiedRequest): boolean;
  /** The error a fault is answered with. Default: SES v2's REST-JSON error shapes. */
  faultResponse?(fault: InjectedHttpFault): FaultResponse;
  onFault?(fault: InjectedHttpFault, request: ProxiedRequest): void;
  /** Request bodies larger than this are refused with 413 (SES v2 takes messages up to 40 MB). */
  maxBodyBytes?: number;
  /** An upstream that does not answer within this is reported as 504. Default 30 s. */
  upstreamTimeoutMs?: number;
  /** Default 0: a free port on 127.0.0.1. */
  port?: number;
}

export interface FaultProxyStats {
  forwarded: number;
  throttled: number;
  serverErrors: number;
  /** Requests the proxy could not forward (upstream down, timed out, body too large). */
  proxyErrors: number;
}

export interface RunningFaultProxy {
  endpoint: string;
  port: number;
  stats(): FaultProxyStats;
  stop(): Promise<void>;
}

export const DEFAULT_MAX_PROXIED_BODY_BYTES = 40 * 1024 * 1024;
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'upgrade']);

/**
 * SES v2 (REST-JSON) errors as the service sends them: the code in `x-amzn-ErrorType`, a JSON body
 * with `message`. The SDK names the thrown error after the code: `TooManyRequestsException` (429)
 * is SES v2's modelled throttling error; `InternalFailure` (500) is AWS's common server error.
 */
export function sesV2FaultResponse(fault: InjectedHttpFault): FaultResponse {
  const [status, code, message] =
    fault === 'throttling'
      ? [429, 'TooManyRequestsException', 'Too many requests have been made to the operation. (injected fault)']
      : [500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure. (injected fault)'];
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ message }),
  };
}

const isSesV2ApiCall = (request: ProxiedRequest): boolean => request.url.startsWith('/v2/');

/**
 * An HTTP proxy in front of one emulator that fails a chosen share of API calls with the service's
 * own error shapes and forwards everything else byte for byte: method, path, headers (so the SigV4
 * signature still matches its Host) and a streamed body.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<RunningFaultProxy> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:') throw new Error(`fault proxy target must be an http:// URL, got ${options.target}`);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_PROXIED_BODY_BYTES;
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const isApiCall = options.isApiCall ?? isSesV2ApiCall;
  const faultResponse = options.faultResponse ?? sesV2FaultResponse;
  const stats: FaultProxyStats = { forwarded: 0, throttled: 0, serverErrors: 0, proxyErrors: 0 };
  const agent = new Agent({ keepAlive: true });

  const fail = (response: ServerResponse, status: number, code: string, message: string): void => {
    stats.proxyErrors += 1;
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': code }).end(JSON.stringify({ message }));
  };

  const inject = (request: IncomingMessage, response: ServerResponse, fault: InjectedHttpFault, proxied: ProxiedRequest): void => {
    if (fault === 'throttling') stats.throttled += 1;
    else stats.serverErrors += 1;
    options.onFault?.(fault, proxied);
    const shape = faultResponse(fault);
    // Read the request to its end first: answering mid-upload makes some clients see a reset.
    request.resume();
    const answer = (): void => {
      if (!response.headersSent) response.writeHead(shape.status, { ...shape.headers, 'content-length': String(Buffer.byteLength(shape.body)) }).end(shape.body);
    };
    if (request.complete) answer();
    else request.once('end', answer).once('error', () => response.destroy());
  };

  const forward = (request: IncomingMessage, response: ServerResponse): void => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > maxBodyBytes) {
      request.resume();
      fail(response, 413, 'RequestEntityTooLargeException', `request body of ${declared} bytes is over the proxy's limit of ${maxBodyBytes}`);
      return;
    }
    const upstream = httpRequest({
      agent,
      host: target.hostname,
      port: target.port,
      method: request.method,
      path: request.url,
      headers: withoutHopByHop(request.headers),
      timeout: upstreamTimeoutMs,
    });
    upstream.on('response', (upstreamResponse) => {
      stats.forwarded += 1;
      response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.statusMessage, withoutHopByHop(upstreamResponse.headers));
      upstreamResponse.pipe(response);
      upstreamResponse.once('error', () => response.destroy());
    });
    upstream.on('timeout', () => {
      upstream.destroy();
      fail(response, 504, 'GatewayTimeout', `the emulator at ${target.origin} did not answer within ${upstreamTimeoutMs} ms`);
    });
    upstream.on('error', (error) => {
      if (!response.writableEnded) fail(response, 502, 'BadGateway', `the emulator at ${target.origin} could not be reached: ${error.message}`);
    });
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBodyBytes) {
        request.unpipe(upstream);
        upstream.destroy();
        request.resume();
        fail(response, 413, 'RequestEntityTooLargeException', `request body is over the proxy's limit of ${maxBodyBytes} bytes`);
      }
    });
    request.pipe(upstream);
    // The client gave up: so does the forwarded call.
    response.once('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
  };

  const server: Server = createServer((request, response) => {
    const proxied: ProxiedRequest = { method: request.method ?? 'GET', url: request.url ?? '/' };
    let fault: InjectedHttpFault | undefined;
    if (isApiCall(proxied)) {
      try {
        fault = options.decide(proxied);
      } catch (error) {
        request.resume();
        fail(response, 500, 'InternalFailure', `the fault proxy's decision failed: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
    if (fault) inject(request, response, fault, proxied);
    else forward(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the fault proxy could not listen');
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    stats: () => ({ ...stats }),
    stop: () => {
      stopping ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      });
      return stopping;
    },
  };
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const connectionListed = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || connectionListed.includes(name)) continue;
    result[name] = value;
  }
  return result;
}
