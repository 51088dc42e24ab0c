import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SiteBehaviorSpec, StaticSiteSpec } from '../topology';

/**
 * A CloudFront distribution of the template, served locally: requests are matched against the
 * behaviours' path patterns in order (the default last); an S3 behaviour answers from the files
 * the template's BucketDeployments put in its bucket (the assets in the cloud assembly), a REST API
 * behaviour forwards to the local API server under the origin path; every answer carries the
 * behaviour's response headers policy. Nothing here knows the product.
 */

export interface SiteServerOptions {
  site: StaticSiteSpec;
  /** 0 (default): a free port. */
  port?: number;
  host?: string;
  /** The local base URL (`http://127.0.0.1:<port>`, no path) of a REST API of the assembly, by qualified id. */
  apiOrigin(restApiId: string): string | undefined;
}

export interface RunningSiteServer {
  /** `http://127.0.0.1:<port>` (no trailing slash, as a site URL is configured). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** CloudFront path patterns: case-sensitive, `*` any characters, `?` exactly one, matched against the whole path. */
export function pathPatternMatches(pattern: string, urlPath: string): boolean {
  const normalized = pattern.startsWith('/') || pattern === '*' ? pattern : `/${pattern}`;
  const regex = new RegExp(`^${normalized.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return regex.test(urlPath);
}

export function behaviorFor(site: StaticSiteSpec, urlPath: string): SiteBehaviorSpec {
  const match = site.behaviors.find((behavior) => behavior.pathPattern !== '*' && pathPatternMatches(behavior.pathPattern, urlPath));
  const fallback = site.behaviors[site.behaviors.length - 1];
  if (!match && !fallback) throw new Error(`distribution ${site.id} has no behaviours`);
  return (match ?? fallback) as SiteBehaviorSpec;
}

/** Hop-by-hop headers (RFC 9110) and Host: never forwarded (the API origin gets its own Host, as ALL_VIEWER_EXCEPT_HOST_HEADER). */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function applyPolicy(behavior: SiteBehaviorSpec, headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !behavior.removeHeaders.includes(name.toLowerCase())) result[name.toLowerCase()] = value;
  }
  for (const header of behavior.responseHeaders) {
    if (header.override || result[header.name] === undefined) result[header.name] = header.value;
  }
  return result;
}

function s3Error(behavior: SiteBehaviorSpec, response: http.ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  response.writeHead(status, applyPolicy(behavior, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) }));
  response.end(body);
}

async function serveObject(site: StaticSiteSpec, behavior: SiteBehaviorSpec & { origin: { kind: 's3' } }, urlPath: string, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  let key: string;
  try {
    key = decodeURIComponent(urlPath.slice(1));
  } catch {
    s3Error(behavior, response, 400, 'InvalidURI', 'Could not parse the specified URI.');
    return;
  }
  if (key === '' && site.defaultRootObject) key = site.defaultRootObject;
  const object = site.buckets[behavior.origin.bucketId]?.[key];
  // Through Origin Access Control without s3:ListBucket, S3 answers a missing key with 403.
  if (!object) {
    s3Error(behavior, response, 403, 'AccessDenied', 'Access Denied');
    return;
  }
  let size: number;
  let modified: Date;
  try {
    const info = await stat(object.file);
    size = info.size;
    modified = info.mtime;
  } catch {
    s3Error(behavior, response, 403, 'AccessDenied', 'Access Denied');
    return;
  }
  const headers = applyPolicy(behavior, {
    'content-type': object.contentType,
    'content-length': String(size),
    'last-modified': modified.toUTCString(),
    ...(object.cacheControl ? { 'cache-control': object.cacheControl } : {}),
  });
  response.writeHead(200, headers);
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(object.file).on('error', () => response.destroy()).pipe(response);
}

function forward(behavior: SiteBehaviorSpec & { origin: { kind: 'rest-api' } }, base: string, request: http.IncomingMessage, response: http.ServerResponse): void {
  const target = new URL(`${behavior.origin.originPath}${request.url ?? '/'}`, base);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !NOT_FORWARDED.has(name.toLowerCase())) headers[name] = value;
  }
  const upstream = http.request(target, { method: request.method, headers }, (answer) => {
    const answerHeaders: Record<string, string | string[] | undefined> = { ...answer.headers };
    delete answerHeaders.connection;
    delete answerHeaders['keep-alive'];
    delete answerHeaders['transfer-encoding'];
    response.writeHead(answer.statusCode ?? 502, applyPolicy(behavior, answerHeaders));
    answer.pipe(response);
  });
  // CloudFront answers 502 when it cannot reach the origin.
  upstream.on('error', () => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const body = 'Bad Gateway: the origin could not be reached';
    response.writeHead(502, applyPolicy(behavior, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) }));
    response.end(body);
  });
  request.pipe(upstream);
}

export function startSiteServer(options: SiteServerOptions): Promise<RunningSiteServer> {
  const { site } = options;
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer((request, response) => {
    const urlPath = (request.url ?? '/').split('?')[0] ?? '/';
    const behavior = behaviorFor(site, urlPath);
    const method = (request.method ?? 'GET').toUpperCase();
    if (!behavior.allowedMethods.includes(method)) {
      // CloudFront's own answer to a method the behaviour does not allow.
      const body = 'This distribution is not configured to allow the HTTP request method that was used for this request.';
      response.writeHead(403, applyPolicy(behavior, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) }));
      response.end(body);
      request.resume();
      return;
    }
    const { origin } = behavior;
    if (origin.kind === 's3') {
      request.resume();
      serveObject(site, { ...behavior, origin }, urlPath, request, response).catch(() => response.destroy());
      return;
    }
    const base = origin.kind === 'rest-api' ? options.apiOrigin(origin.restApiId) : undefined;
    if (origin.kind === 'rest-api' && base) {
      forward({ ...behavior, origin }, base, request, response);
      return;
    }
    request.resume();
    const body = `Bad Gateway: ${origin.kind === 'unsupported' ? origin.description : `REST API ${origin.restApiId}`} is not served locally`;
    response.writeHead(502, applyPolicy(behavior, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) }));
    response.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`the site port ${options.port ?? 0} is in use: stop what listens there or choose another site port (and synthesize with -c siteUrl=http://127.0.0.1:<port> so the manage links point at it)`)
          : error,
      );
    });
    server.listen(options.port ?? 0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${port}`,
        port,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
