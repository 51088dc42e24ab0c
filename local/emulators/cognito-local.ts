import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { UserPoolClientSpec, UserPoolSpec } from '../topology/types';
import { EmulatorStartError } from './errors';
import { LOOPBACK_HOST, type CommonEmulatorOptions, type RunningEmulator } from './emulator-types';
import { stopChild, superviseChild, waitUntilReady } from './child-process';
import { endpointFor, findFreePort, isPortListening, requestedPort } from './ports';

/**
 * The local Cognito identity provider: `cognito-local` (npm), run as a child process on
 * 127.0.0.1. It issues RS256-signed JWTs (ID, access, refresh) and serves the signing key at
 * `<endpoint>/<userPoolId>/.well-known/jwks.json`; tokens carry `iss` = `<endpoint>/<userPoolId>`.
 *
 * The template's user pools and app clients are written into cognito-local's store before it
 * starts, under the deterministic ids the topology resolves every `Ref` to (its CreateUserPool
 * would pick random ones): `<dir>/.cognito/db/<userPoolId>.json` and `.../clients.json`. Groups and
 * users go through its API afterwards (`cognitoIdentityCall`). `<dir>` is `<dataDir>/cognito`
 * (users kept across restarts) or a temporary directory removed on stop.
 *
 * cognito-local does not check a client's ExplicitAuthFlows, so it is reached through a small
 * guard of ours that does, for InitiateAuth, as Cognito does ("USER_PASSWORD_AUTH flow not enabled
 * for this client"): the dev client's ALLOW_USER_PASSWORD_AUTH matters locally too. The guard's
 * address is the endpoint and the tokens' issuer. AdminInitiateAuth (developer credentials) is
 * left unchecked: it is the local stand-in for SRP, which cognito-local cannot do.
 *
 * What cognito-local 5.3 does not do (so neither does the local runtime): SRP sign-in (only
 * USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and refresh), MFA other than SMS with a phone
 * number (a pool with MFA ON refuses password sign-in of a user without one), password policies,
 * custom OAuth scopes in access tokens.
 */

export const COGNITO_LOCAL_NAME = 'cognito-local';
const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

export interface CognitoLocalOptions extends CommonEmulatorOptions {
  userPools: readonly UserPoolSpec[];
  userPoolClients: readonly UserPoolClientSpec[];
  startTimeoutMs?: number;
}

export interface RunningCognitoLocal extends RunningEmulator {
  name: typeof COGNITO_LOCAL_NAME;
  /** The issuer (`iss`) of a pool's tokens locally. */
  issuer(userPoolId: string): string;
  /** Where a pool's signing keys are served. */
  jwksUri(userPoolId: string): string;
  pid: number;
}

/** Calls the local identity provider's API (AWS JSON 1.1, as `@aws-sdk/client-cognito-identity-provider` does). */
export async function cognitoIdentityCall<T = Record<string, unknown>>(endpoint: string, operation: string, input: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET_PREFIX}${operation}` },
    body: JSON.stringify(input),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    // reported below with the raw text
  }
  if (!response.ok) {
    const error = new Error(`${operation} failed: ${response.status} ${String(body.__type ?? '')} ${String(body.message ?? text)}`.trim()) as Error & { type?: string };
    error.type = typeof body.__type === 'string' ? body.__type : undefined;
    throw error;
  }
  return body as T;
}

/** Real Cognito's defaults when a client sets no validity: 60 minutes for ID and access tokens, 30 days for refresh tokens. */
function clientRecord(spec: UserPoolClientSpec, pool: UserPoolSpec, now: string): Record<string, unknown> {
  const units = spec.tokenValidityUnits ?? {};
  return {
    ClientId: spec.clientId,
    ClientName: spec.clientName,
    UserPoolId: pool.userPoolId,
    ExplicitAuthFlows: spec.explicitAuthFlows,
    AllowedOAuthScopes: spec.allowedOAuthScopes,
    AccessTokenValidity: spec.accessTokenValidity ?? 60,
    IdTokenValidity: spec.idTokenValidity ?? 60,
    RefreshTokenValidity: spec.refreshTokenValidity ?? 30,
    TokenValidityUnits: {
      AccessToken: spec.accessTokenValidity === undefined ? 'minutes' : (units.AccessToken ?? 'hours'),
      IdToken: spec.idTokenValidity === undefined ? 'minutes' : (units.IdToken ?? 'hours'),
      RefreshToken: spec.refreshTokenValidity === undefined ? 'days' : (units.RefreshToken ?? 'days'),
    },
    ...(spec.generateSecret ? { ClientSecret: spec.clientId.split('').reverse().join('') } : {}),
    CreationDate: now,
    LastModifiedDate: now,
  };
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EmulatorStartError(COGNITO_LOCAL_NAME, `${file} is not readable JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Writes the pools (keeping their users and groups) and clients into cognito-local's store. */
async function writeStore(databaseDir: string, pools: readonly UserPoolSpec[], clients: readonly UserPoolClientSpec[]): Promise<void> {
  await mkdir(databaseDir, { recursive: true });
  // The attribute schema every pool starts with in cognito-local (needed to create users).
  const { USER_POOL_AWS_DEFAULTS } = (await import('cognito-local/lib/services/cognitoService')) as { USER_POOL_AWS_DEFAULTS: Record<string, unknown> };
  const now = new Date().toISOString();
  for (const pool of pools) {
    const file = join(databaseDir, `${pool.userPoolId}.json`);
    const existing = (await readJson(file)) ?? {};
    const previous = (existing.Options ?? {}) as Record<string, unknown>;
    const options = {
      ...USER_POOL_AWS_DEFAULTS,
      ...(pool.passwordPolicy ? { Policies: { PasswordPolicy: pool.passwordPolicy } } : {}),
      Id: pool.userPoolId,
      Name: pool.poolName,
      Arn: pool.arn,
      MfaConfiguration: pool.mfaConfiguration,
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: pool.allowAdminCreateUserOnly, UnusedAccountValidityDays: 7 },
      UsernameAttributes: pool.usernameAttributes,
      AutoVerifiedAttributes: pool.autoVerifiedAttributes,
      CreationDate: typeof previous.CreationDate === 'string' ? previous.CreationDate : now,
      LastModifiedDate: now,
    };
    await writeFile(file, JSON.stringify({ Users: {}, Groups: {}, ...existing, Options: options }, null, 2));
  }
  const clientsFile = join(databaseDir, 'clients.json');
  const stored = ((await readJson(clientsFile))?.Clients ?? {}) as Record<string, unknown>;
  for (const client of clients) {
    const pool = pools.find((candidate) => candidate.id === client.userPoolId);
    if (!pool) throw new EmulatorStartError(COGNITO_LOCAL_NAME, `app client ${client.id} belongs to user pool ${client.userPoolId}, which is not in the topology`);
    stored[client.clientId] = clientRecord(client, pool, now);
  }
  await writeFile(clientsFile, JSON.stringify({ Clients: stored }, null, 2));
}

/** Cognito's default flows for a client created without ExplicitAuthFlows. */
const DEFAULT_AUTH_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
/** InitiateAuth's AuthFlow → the ExplicitAuthFlows entries (new and legacy names) that allow it. */
const FLOW_PERMISSIONS: Record<string, string[]> = {
  USER_PASSWORD_AUTH: ['ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH'],
  USER_SRP_AUTH: ['ALLOW_USER_SRP_AUTH'],
  REFRESH_TOKEN_AUTH: ['ALLOW_REFRESH_TOKEN_AUTH'],
  REFRESH_TOKEN: ['ALLOW_REFRESH_TOKEN_AUTH'],
  CUSTOM_AUTH: ['ALLOW_CUSTOM_AUTH', 'CUSTOM_AUTH_FLOW_ONLY'],
};

/** Why Cognito would refuse this InitiateAuth for the client's ExplicitAuthFlows, or undefined. */
export function refusedAuthFlow(clients: readonly UserPoolClientSpec[], target: string | undefined, body: unknown): string | undefined {
  if (target !== `${TARGET_PREFIX}InitiateAuth` || body === null || typeof body !== 'object') return undefined;
  const { ClientId, AuthFlow } = body as { ClientId?: unknown; AuthFlow?: unknown };
  const client = clients.find((candidate) => candidate.clientId === ClientId);
  if (!client || typeof AuthFlow !== 'string') return undefined;
  const allowed = client.explicitAuthFlows.length > 0 ? client.explicitAuthFlows : DEFAULT_AUTH_FLOWS;
  const permissions = FLOW_PERMISSIONS[AuthFlow];
  if (permissions === undefined || permissions.some((permission) => allowed.includes(permission))) return undefined;
  return `${AuthFlow} flow not enabled for this client`;
}

interface FlowGuard {
  server: Server;
  port: number;
  endpoint: string;
  target: string | undefined;
}

/** Forwards every request to cognito-local, refusing InitiateAuth flows the client does not allow. */
async function startFlowGuard(port: number, clients: readonly UserPoolClientSpec[]): Promise<FlowGuard> {
  const guard: FlowGuard = { server: undefined as unknown as Server, port: 0, endpoint: '', target: undefined };
  const forward = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const target = typeof request.headers['x-amz-target'] === 'string' ? request.headers['x-amz-target'] : undefined;
    let parsed: unknown;
    try {
      parsed = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
    } catch {
      parsed = undefined;
    }
    const refusal = refusedAuthFlow(clients, target, parsed);
    if (refusal !== undefined) {
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'InvalidParameterException' });
      response.end(JSON.stringify({ __type: 'InvalidParameterException', message: refusal }));
      return;
    }
    if (!guard.target) {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'the local identity provider is starting' }));
      return;
    }
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name, value]) => typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>;
    const upstream = await fetch(`${guard.target}${request.url ?? '/'}`, { method: request.method ?? 'GET', headers, ...(body.length > 0 ? { body } : {}) });
    const answer = Buffer.from(await upstream.arrayBuffer());
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json', 'content-length': answer.length });
    response.end(answer);
  };
  guard.server = createServer((request, response) => {
    forward(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: `the local identity provider did not answer: ${(error as Error).message}` }));
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      guard.server.once('error', reject);
      guard.server.listen(port, LOOPBACK_HOST, () => {
        guard.server.removeListener('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EmulatorStartError(COGNITO_LOCAL_NAME, code === 'EADDRINUSE' ? `port ${port} is already in use` : (error as Error).message, { cause: error });
  }
  const address = guard.server.address();
  guard.port = typeof address === 'object' && address !== null ? address.port : port;
  guard.endpoint = endpointFor(guard.port);
  return guard;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

export async function startCognitoLocal(options: CognitoLocalOptions): Promise<RunningCognitoLocal> {
  const startedAt = performance.now();
  const fixedPort = requestedPort(COGNITO_LOCAL_NAME, options.port);
  const persistentDir = options.dataDir === undefined ? undefined : join(resolvePath(options.dataDir), 'cognito');
  const workDir = persistentDir ?? (await mkdtemp(join(tmpdir(), 'cognito-local-')));
  const removeWorkDir = async (): Promise<void> => {
    if (persistentDir === undefined) await rm(workDir, { recursive: true, force: true });
  };
  let guard: FlowGuard | undefined;
  try {
    await writeStore(join(workDir, '.cognito', 'db'), options.userPools, options.userPoolClients);
    // The guard holds the requested (or a free) port: it is the endpoint; cognito-local listens behind it.
    guard = await startFlowGuard(fixedPort, options.userPoolClients);
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const port = await findFreePort();
      try {
        const running = await launch({ port, guard, workDir, deadline, options, startedAt, removeWorkDir, persistent: persistentDir !== undefined });
        guard.target = endpointFor(port);
        return running;
      } catch (error) {
        lastError = error;
        if (!(error instanceof EmulatorStartError && /already in use|EADDRINUSE/.test(error.message)) || Date.now() >= deadline) break;
      }
    }
    throw lastError;
  } catch (error) {
    if (guard) await closeServer(guard.server).catch(() => undefined);
    await removeWorkDir();
    throw error;
  }
}

interface LaunchParameters {
  /** cognito-local's own port, behind the guard. */
  port: number;
  guard: FlowGuard;
  workDir: string;
  deadline: number;
  options: CognitoLocalOptions;
  startedAt: number;
  removeWorkDir: () => Promise<void>;
  persistent: boolean;
}

async function launch(parameters: LaunchParameters): Promise<RunningCognitoLocal> {
  const { port, workDir, options, guard } = parameters;
  if (await isPortListening(port)) throw new EmulatorStartError(COGNITO_LOCAL_NAME, `port ${port} is already in use`);
  const internal = endpointFor(port);
  const endpoint = guard.endpoint;
  // cognito-local reads `.cognito/config.json` from its working directory; the issuer is the
  // address clients reach (the guard), so tokens name where their keys are served.
  await writeFile(
    join(workDir, '.cognito', 'config.json'),
    JSON.stringify({ ServerConfig: { hostname: LOOPBACK_HOST, port }, TokenConfig: { IssuerDomain: endpoint } }, null, 2),
  );
  const child = spawn(process.execPath, [require.resolve('cognito-local/lib/bin/start.js')], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '', HOST: LOOPBACK_HOST, PORT: String(port), NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const supervised = superviseChild(child, COGNITO_LOCAL_NAME, options.onLog);
  await waitUntilReady(supervised, {
    emulator: COGNITO_LOCAL_NAME,
    program: 'cognito-local',
    awaiting: `it answered on port ${port}`,
    unanswered: `no answer on ${internal}/health`,
    deadline: parameters.deadline,
    addressInUseHint: true,
    ready: async () => {
      try {
        return (await fetch(`${internal}/health`, { signal: AbortSignal.timeout(1000) })).ok;
      } catch {
        return false; // not listening yet
      }
    },
  });

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    const stopped = await stopChild(supervised, COGNITO_LOCAL_NAME, 'cognito-local').then(
      () => undefined,
      (error: unknown) => error,
    );
    await closeServer(guard.server);
    await parameters.removeWorkDir();
    if (stopped !== undefined) throw stopped;
  };
  return {
    name: COGNITO_LOCAL_NAME,
    endpoint,
    port: guard.port,
    persistent: parameters.persistent,
    ...(parameters.persistent ? { dataDir: workDir } : {}),
    startupMs: Math.round(performance.now() - parameters.startedAt),
    pid: child.pid ?? -1,
    issuer: (userPoolId) => `${endpoint}/${userPoolId}`,
    jwksUri: (userPoolId) => `${endpoint}/${userPoolId}/.well-known/jwks.json`,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}
