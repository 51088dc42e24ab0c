import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SecretSpec } from '../topology/types';
import { EmulatorStartError } from './errors';
import { type CommonEmulatorOptions, type RunningEmulator } from './emulator-types';
import { endpointFor, listenOnLoopback, requestedPort } from './ports';
import { DEFAULT_GENERATE_SECRET_STRING, generatePassword, generateSecretString, InvalidSecretGenerationError } from './secret-generator';
import { readFileIfExists } from '../support/read-file-if-exists';

/**
 * A Secrets Manager emulator (no npm package offers one): an HTTP server speaking the service's
 * AWS JSON 1.1 protocol (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`), so the real
 * `@aws-sdk/client-secrets-manager` (and Powertools parameters on top of it) reaches it through
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`. Operations: GetSecretValue, DescribeSecret, CreateSecret,
 * PutSecretValue, ListSecrets, GetRandomPassword. Errors have the service's shapes (`__type`
 * ResourceNotFoundException, ResourceExistsException, InvalidParameterException,
 * InvalidRequestException, with `x-amzn-ErrorType`). Requests are not signature-checked.
 *
 * The template's secrets are provisioned with `provision()` under their topology ARNs; generated
 * values follow `GenerateSecretString`. With a data directory, secrets are kept in
 * `<dataDir>/secrets-manager.json`, so a value generated once (an HMAC key that signs links sent
 * to patients) survives restarts; provisioning never regenerates an existing secret.
 */

export const SECRETS_MANAGER_NAME = 'secrets-manager';
export const SECRETS_MANAGER_FILE = 'secrets-manager.json';
const TARGET_PREFIX = 'secretsmanager.';

export interface SecretVersion {
  versionId: string;
  secretString: string;
  /** Epoch milliseconds. */
  createdDate: number;
  stages: string[];
}

export interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  createdDate: number;
  lastChangedDate: number;
  versions: SecretVersion[];
}

export interface ProvisionedSecret {
  id: string;
  arn: string;
  name: string;
  /** False when the secret already existed (kept as it was, from the data directory). */
  created: boolean;
}

export interface RunningSecretsManager extends RunningEmulator {
  name: typeof SECRETS_MANAGER_NAME;
  /** Creates each secret of the template that does not exist yet, under its topology ARN. */
  provision(specs: readonly SecretSpec[]): Promise<ProvisionedSecret[]>;
  /** The current value of a secret by name or ARN, or undefined. */
  currentValue(secretId: string): string | undefined;
}

class SecretsManagerError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const notFound = (): SecretsManagerError => new SecretsManagerError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const invalidParameter = (message: string): SecretsManagerError => new SecretsManagerError('InvalidParameterException', message);

export async function startSecretsManager(options: CommonEmulatorOptions & { region?: string; accountId?: string } = {}): Promise<RunningSecretsManager> {
  const startedAt = performance.now();
  const port = requestedPort(SECRETS_MANAGER_NAME, options.port);
  const region = options.region ?? 'eu-west-2';
  const accountId = options.accountId ?? '000000000000';
  const dataDir = options.dataDir === undefined ? undefined : resolvePath(options.dataDir);
  const file = dataDir === undefined ? undefined : join(dataDir, SECRETS_MANAGER_FILE);
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const secrets: StoredSecret[] = file === undefined ? [] : await loadSecrets(file);

  // Saves are chained so the file is never written by two saves at once.
  let saveChain: Promise<void> = Promise.resolve();
  const save = async (): Promise<void> => {
    if (file === undefined) return;
    const text = `${JSON.stringify({ secrets }, null, 2)}\n`;
    const run = saveChain.then(async () => {
      await writeFile(`${file}.tmp`, text, 'utf8');
      await rename(`${file}.tmp`, file);
    });
    saveChain = run.catch(() => undefined);
    await run;
  };

  const find = (secretId: unknown): StoredSecret | undefined => {
    if (typeof secretId !== 'string' || secretId === '') return undefined;
    return (
      secrets.find((secret) => secret.arn === secretId || secret.name === secretId) ??
      // A partial ARN (without the 6-character suffix) names the secret too.
      secrets.find((secret) => secretId.startsWith('arn:') && secret.arn.replace(/-[A-Za-z0-9]{6}$/, '') === secretId)
    );
  };
  const addVersion = (secret: StoredSecret, secretString: string, versionId: string, now: number): SecretVersion => {
    for (const version of secret.versions) {
      version.stages = version.stages.filter((stage) => stage !== 'AWSPREVIOUS');
      if (version.stages.includes('AWSCURRENT')) version.stages = [...version.stages.filter((stage) => stage !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    }
    // Versions with no stage left are deprecated; Secrets Manager drops them eventually.
    secret.versions = secret.versions.filter((version) => version.stages.length > 0);
    const version: SecretVersion = { versionId, secretString, createdDate: now, stages: ['AWSCURRENT'] };
    secret.versions.push(version);
    secret.lastChangedDate = now;
    return version;
  };
  const createSecret = (arn: string, name: string, secretString: string, description: string | undefined, versionId: string): StoredSecret => {
    const now = Date.now();
    const secret: StoredSecret = { arn, name, ...(description !== undefined ? { description } : {}), createdDate: now, lastChangedDate: now, versions: [] };
    addVersion(secret, secretString, versionId, now);
    secrets.push(secret);
    return secret;
  };
  const current = (secret: StoredSecret): SecretVersion | undefined => secret.versions.find((version) => version.stages.includes('AWSCURRENT'));

  const operations: Record<string, (input: Record<string, unknown>) => Promise<unknown>> = {
    GetSecretValue: async (input) => {
      requireString(input, 'SecretId');
      const secret = find(input.SecretId);
      if (!secret) throw notFound();
      const version =
        typeof input.VersionId === 'string'
          ? secret.versions.find((candidate) => candidate.versionId === input.VersionId)
          : secret.versions.find((candidate) => candidate.stages.includes(typeof input.VersionStage === 'string' ? input.VersionStage : 'AWSCURRENT'));
      if (!version) throw new SecretsManagerError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for the given version.");
      return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, SecretString: version.secretString, VersionStages: version.stages, CreatedDate: version.createdDate / 1000 };
    },
    DescribeSecret: async (input) => {
      requireString(input, 'SecretId');
      const secret = find(input.SecretId);
      if (!secret) throw notFound();
      return describe(secret);
    },
    ListSecrets: async () => ({ SecretList: secrets.map(describe) }),
    CreateSecret: async (input) => {
      const name = requireString(input, 'Name');
      if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) throw invalidParameter('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
      if (input.SecretBinary !== undefined) throw invalidParameter('this local Secrets Manager stores SecretString values only');
      if (find(name)) throw new SecretsManagerError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
      const secretString = input.SecretString === undefined ? '' : requireString(input, 'SecretString');
      const versionId = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID();
      const arn = `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${randomSuffix()}`;
      const secret = createSecret(arn, name, secretString, typeof input.Description === 'string' ? input.Description : undefined, versionId);
      await save();
      return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
    },
    PutSecretValue: async (input) => {
      requireString(input, 'SecretId');
      const secretString = requireString(input, 'SecretString');
      const secret = find(input.SecretId);
      if (!secret) throw notFound();
      const versionId = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID();
      const existing = secret.versions.find((version) => version.versionId === versionId);
      if (existing) {
        // Idempotent retry with the same token and value; another value under that token is refused.
        if (existing.secretString !== secretString) throw new SecretsManagerError('ResourceExistsException', `You can't modify an existing version ${versionId} with a different value.`);
        return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: existing.stages };
      }
      const version = addVersion(secret, secretString, versionId, Date.now());
      await save();
      return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: version.stages };
    },
    GetRandomPassword: async (input) => {
      const flag = (name: string, fallback: boolean): boolean => (typeof input[name] === 'boolean' ? (input[name] as boolean) : fallback);
      try {
        return {
          RandomPassword: generatePassword({
            passwordLength: typeof input.PasswordLength === 'number' ? input.PasswordLength : DEFAULT_GENERATE_SECRET_STRING.passwordLength,
            excludeCharacters: typeof input.ExcludeCharacters === 'string' ? input.ExcludeCharacters : '',
            excludeNumbers: flag('ExcludeNumbers', false),
            excludePunctuation: flag('ExcludePunctuation', false),
            excludeUppercase: flag('ExcludeUppercase', false),
            excludeLowercase: flag('ExcludeLowercase', false),
            includeSpace: flag('IncludeSpace', false),
            requireEachIncludedType: flag('RequireEachIncludedType', true),
          }),
        };
      } catch (error) {
        if (error instanceof InvalidSecretGenerationError) throw invalidParameter(error.message);
        throw error;
      }
    },
  };

  const server = createServer((request, response) => {
    handle(request, response, operations).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, new SecretsManagerError('InternalServiceError', (error as Error).message, 500));
      else response.end();
    });
  });
  const actualPort = await listenOnLoopback(server, port, SECRETS_MANAGER_NAME);
  let stopping: Promise<void> | undefined;
  return {
    name: SECRETS_MANAGER_NAME,
    endpoint: endpointFor(actualPort),
    port: actualPort,
    persistent: dataDir !== undefined,
    ...(dataDir !== undefined ? { dataDir } : {}),
    startupMs: Math.round(performance.now() - startedAt),
    provision: async (specs) => {
      const results: ProvisionedSecret[] = [];
      for (const spec of specs) {
        const existing = find(spec.arn) ?? find(spec.name);
        if (existing) {
          // An explicit SecretString in the template is its value (CloudFormation updates it); a
          // generated one is kept, as CloudFormation keeps it across stack updates.
          if (spec.secretString !== undefined && current(existing)?.secretString !== spec.secretString) addVersion(existing, spec.secretString, randomUUID(), Date.now());
          results.push({ id: spec.id, arn: existing.arn, name: existing.name, created: false });
          continue;
        }
        let value: string;
        try {
          value = spec.secretString ?? generateSecretString(spec.generate ?? DEFAULT_GENERATE_SECRET_STRING);
        } catch (error) {
          throw new Error(`secret ${spec.id}: ${(error as Error).message}`, { cause: error });
        }
        createSecret(spec.arn, spec.name, value, spec.description, randomUUID());
        results.push({ id: spec.id, arn: spec.arn, name: spec.name, created: true });
      }
      await save();
      return results;
    },
    currentValue: (secretId) => {
      const secret = find(secretId);
      return secret ? current(secret)?.secretString : undefined;
    },
    stop: () => {
      stopping ??= closeServer(server).then(() => saveChain);
      return stopping;
    },
  };
}

function describe(secret: StoredSecret): Record<string, unknown> {
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined ? { Description: secret.description } : {}),
    CreatedDate: secret.createdDate / 1000,
    LastChangedDate: secret.lastChangedDate / 1000,
    VersionIdsToStages: Object.fromEntries(secret.versions.map((version) => [version.versionId, version.stages])),
  };
}

function requireString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (value === undefined || value === null) throw invalidParameter(`You must provide a value for the ${name} parameter.`);
  if (typeof value !== 'string') throw invalidParameter(`${name} must be a string.`);
  return value;
}

function randomSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return [...randomBytes(6)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

async function loadSecrets(file: string): Promise<StoredSecret[]> {
  const text = await readFileIfExists(file);
  if (text === undefined) return [];
  const parsed = JSON.parse(text) as { secrets?: unknown };
  if (!Array.isArray(parsed.secrets)) throw new EmulatorStartError(SECRETS_MANAGER_NAME, `${file} does not hold a list of secrets`);
  return parsed.secrets as StoredSecret[];
}

async function handle(request: IncomingMessage, response: ServerResponse, operations: Record<string, (input: Record<string, unknown>) => Promise<unknown>>): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    sendError(response, new SecretsManagerError('UnknownOperationException', `expected POST with X-Amz-Target: ${TARGET_PREFIX}<Operation>`));
    return;
  }
  const operation = operations[target.slice(TARGET_PREFIX.length)];
  if (!operation) {
    sendError(response, new SecretsManagerError('UnknownOperationException', `${target.slice(TARGET_PREFIX.length)} is not an operation this local Secrets Manager supports`));
    return;
  }
  let input: unknown;
  try {
    const text = Buffer.concat(chunks).toString('utf8');
    input = text === '' ? {} : JSON.parse(text);
  } catch {
    sendError(response, new SecretsManagerError('SerializationException', 'the request body is not JSON'));
    return;
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    sendError(response, new SecretsManagerError('SerializationException', 'the request body must be a JSON object'));
    return;
  }
  try {
    const output = await operation(input as Record<string, unknown>);
    const body = JSON.stringify(output);
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID(), 'content-length': Buffer.byteLength(body) });
    response.end(body);
  } catch (error) {
    if (error instanceof SecretsManagerError) sendError(response, error);
    else throw error;
  }
}

function sendError(response: ServerResponse, error: SecretsManagerError): void {
  const body = JSON.stringify({ __type: error.type, Message: error.message });
  response.writeHead(error.status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-errortype': error.type,
    'x-amzn-requestid': randomUUID(),
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
