import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { UserPoolClientSpec, UserPoolSpec } from '../topology/types';
import { EmulatorStartError, EmulatorStopError } from './errors';
import { LOOPBACK_HOST, type CommonEmulatorOptions, type RunningEmulator } from './emulator-types';
import { forEachLine, OutputTail } from './line-splitter';
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
 * What cognito-local 5.3 does not do (so neither does the local runtime): SRP sign-in (only
 * USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and refresh), checking a client's
 * ExplicitAuthFlows, MFA other than SMS with a phone number (a pool with MFA ON refuses password
 * sign-in of a user without one), password policies, custom OAuth scopes in access tokens.
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

export async function startCognitoLocal(options: CognitoLocalOptions): Promise<RunningCognitoLocal> {
  const startedAt = performance.now();
  const fixedPort = requestedPort(COGNITO_LOCAL_NAME, options.port);
  const persistentDir = options.dataDir === undefined ? undefined : join(resolvePath(options.dataDir), 'cognito');
  const workDir = persistentDir ?? (await mkdtemp(join(tmpdir(), 'cognito-local-')));
  const removeWorkDir = async (): Promise<void> => {
    if (persistentDir === undefined) await rm(workDir, { recursive: true, force: true });
  };
  try {
    await writeStore(join(workDir, '.cognito', 'db'), options.userPools, options.userPoolClients);
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    const attempts = fixedPort === 0 ? 3 : 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const port = fixedPort === 0 ? await findFreePort() : fixedPort;
      try {
        return await launch({ port, workDir, deadline, options, startedAt, removeWorkDir, persistent: persistentDir !== undefined });
      } catch (error) {
        lastError = error;
        if (!(error instanceof EmulatorStartError && /already in use|EADDRINUSE/.test(error.message)) || Date.now() >= deadline) break;
      }
    }
    throw lastError;
  } catch (error) {
    await removeWorkDir();
    throw error;
  }
}

interface LaunchParameters {
  port: number;
  workDir: string;
  deadline: number;
  options: CognitoLocalOptions;
  startedAt: number;
  removeWorkDir: () => Promise<void>;
  persistent: boolean;
}

async function launch(parameters: LaunchParameters): Promise<RunningCognitoLocal> {
  const { port, workDir, options } = parameters;
  if (await isPortListening(port)) throw new EmulatorStartError(COGNITO_LOCAL_NAME, `port ${port} is already in use`);
  const endpoint = endpointFor(port);
  // cognito-local reads `.cognito/config.json` from its working directory; the issuer must be the
  // address it really listens on, so tokens name where their keys are.
  await writeFile(
    join(workDir, '.cognito', 'config.json'),
    JSON.stringify({ ServerConfig: { hostname: LOOPBACK_HOST, port }, TokenConfig: { IssuerDomain: endpoint } }, null, 2),
  );
  const child = spawn(process.execPath, [require.resolve('cognito-local/lib/bin/start.js')], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '', HOST: LOOPBACK_HOST, PORT: String(port), NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = new OutputTail();
  const record = (stream: 'stdout' | 'stderr') => (line: string) => {
    tail.push(line);
    options.onLog?.({ emulator: COGNITO_LOCAL_NAME, stream, message: line });
  };
  if (child.stdout) forEachLine(child.stdout, record('stdout'));
  if (child.stderr) forEachLine(child.stderr, record('stderr'));
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
    });
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const killOnParentExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnParentExit);
  void exited.then(() => process.removeListener('exit', killOnParentExit));

  for (;;) {
    if (spawnError) throw new EmulatorStartError(COGNITO_LOCAL_NAME, `could not run cognito-local: ${spawnError.message}`, { cause: spawnError });
    if (hasExited) {
      const { code, signal } = await exited;
      const output = tail.text();
      throw new EmulatorStartError(COGNITO_LOCAL_NAME, `cognito-local exited (${signal ?? `code ${String(code)}`}) before it answered on port ${port}${/EADDRINUSE/.test(output) ? ' (EADDRINUSE)' : ''}. Its output:\n${output}`);
    }
    try {
      const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() >= parameters.deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new EmulatorStartError(COGNITO_LOCAL_NAME, `no answer on ${endpoint}/health before the deadline. Its output:\n${tail.text()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    if (!hasExited) {
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
      try {
        await exited;
      } finally {
        clearTimeout(forced);
      }
    }
    await parameters.removeWorkDir();
    if (!hasExited) throw new EmulatorStopError(COGNITO_LOCAL_NAME, `process ${String(child.pid)} did not exit`);
  };
  return {
    name: COGNITO_LOCAL_NAME,
    endpoint,
    port,
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
