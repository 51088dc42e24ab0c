import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FunctionSpec } from '../topology/types';
import { FunctionNotFoundError, HostStoppedError, InvalidFunctionSpecError, RequestTooLargeError } from './errors';
import { ExecutionEnvironment, type FunctionError } from './execution-environment';

/** Lambda's synchronous Invoke limit for request and response payloads. */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
export const DEFAULT_MAX_ENVIRONMENTS_PER_FUNCTION = 4;
/** Lambda gives a function's init phase 10 seconds. */
export const DEFAULT_INIT_TIMEOUT_MS = 10_000;

export interface InvokeSuccess {
  ok: true;
  requestId: string;
  /** The handler's result, parsed from the JSON it was sent as (`null` for no result). */
  payload: unknown;
  durationMs: number;
  coldStart: boolean;
  /** Init duration of the environment, on a cold start. */
  initDurationMs?: number;
}

export interface InvokeFailure extends FunctionError {
  ok: false;
  requestId: string;
  durationMs: number;
  coldStart: boolean;
  /** `init` when the function could not be loaded (its module threw, the handler is missing, ...). */
  phase: 'init' | 'invoke';
  /** The environment was killed on request (`InvokeOptions.crashAfterMs`) before the handler finished. */
  crashInjected?: true;
}

export type InvokeResult = InvokeSuccess | InvokeFailure;

export interface ColdStartInfo {
  functionId: string;
  /** Spawn to ready: process start + loading the bundle + the module's init code. */
  spawnToReadyMs: number;
  /** The module's load and init code alone, as the bootstrap measured it. */
  initDurationMs: number;
  logStreamName: string;
}

export interface InvokeOptions {
  /** Lambda's request id for this invocation; a new UUID by default. */
  requestId?: string;
  /**
   * Fault injection: kill the environment's process this many milliseconds into the invocation
   * (after init) if the handler is still running, as an out-of-memory kill or a host failure
   * would. The invocation fails with `Runtime.ExitError` and the environment is replaced.
   */
  crashAfterMs?: number;
}

export interface FunctionHostOptions {
  functions: FunctionSpec[];
  /** Endpoint overrides, region and dummy credentials the runtime gives every function. */
  environmentOverrides?: Record<string, string>;
  /** Concurrent environments per function; invocations beyond it wait for a free one. Default 4. */
  maxEnvironmentsPerFunction?: number;
  initTimeoutMs?: number;
  /** Every line an environment writes to stdout or stderr, unchanged. */
  onLog?: (functionId: string, line: string) => void;
  onColdStart?: (info: ColdStartInfo) => void;
}

export interface FunctionStats {
  environments: number;
  busy: number;
  idle: number;
  invocations: number;
  coldStarts: number;
  errors: number;
  timeouts: number;
  crashes: number;
  queued: number;
}

export interface FunctionHost {
  invoke(functionId: string, payload: unknown, options?: InvokeOptions): Promise<InvokeResult>;
  stop(): Promise<void>;
  stats(): Record<string, FunctionStats>;
}

/** Variables Lambda sets itself; a template cannot override them. */
export function lambdaReservedEnvironment(spec: FunctionSpec, region: string, logStreamName: string): Record<string, string> {
  return {
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: spec.codeDirectory,
    LAMBDA_RUNTIME_DIR: path.dirname(process.execPath),
    TZ: ':UTC',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    LANG: 'en_US.UTF-8',
    PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
  };
}

/**
 * The environment of one execution environment: the template's variables, then the runtime's
 * overrides (endpoints, credentials), then Lambda's reserved variables. Nothing of the host's own
 * environment is inherited.
 */
export function buildFunctionEnvironment(spec: FunctionSpec, overrides: Record<string, string>, logStreamName: string): Record<string, string> {
  const region = overrides.AWS_REGION ?? overrides.AWS_DEFAULT_REGION ?? (/^arn:[^:]+:lambda:([^:]+):/.exec(spec.arn)?.[1] ?? 'us-east-1');
  return { ...spec.environment, ...overrides, ...lambdaReservedEnvironment(spec, region, logStreamName) };
}

interface FunctionPool {
  spec: FunctionSpec;
  environments: Set<ExecutionEnvironment>;
  idle: ExecutionEnvironment[];
  waiters: Array<() => void>;
  stats: Omit<FunctionStats, 'environments' | 'busy' | 'idle' | 'queued'>;
}

export function createFunctionHost(options: FunctionHostOptions): FunctionHost {
  const maxEnvironments = options.maxEnvironmentsPerFunction ?? DEFAULT_MAX_ENVIRONMENTS_PER_FUNCTION;
  if (!Number.isInteger(maxEnvironments) || maxEnvironments < 1) {
    throw new InvalidFunctionSpecError(`maxEnvironmentsPerFunction must be a positive integer, got ${String(maxEnvironments)}`);
  }
  const initTimeoutMs = options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS;
  const overrides = options.environmentOverrides ?? {};
  const pools = new Map<string, FunctionPool>();
  for (const spec of options.functions) {
    if (pools.has(spec.id)) throw new InvalidFunctionSpecError(`function ${spec.id} is listed twice`);
    if (!fs.existsSync(spec.codeDirectory)) throw new InvalidFunctionSpecError(`function ${spec.id}: code directory ${spec.codeDirectory} does not exist`);
    if (!/^.+\.[^./]+$/.test(spec.handler)) {
      throw new InvalidFunctionSpecError(`function ${spec.id}: handler ${JSON.stringify(spec.handler)} is not <file>.<export>`);
    }
    pools.set(spec.id, {
      spec,
      environments: new Set(),
      idle: [],
      waiters: [],
      stats: { invocations: 0, coldStarts: 0, errors: 0, timeouts: 0, crashes: 0 },
    });
  }
  let stopped = false;

  const wakeOne = (pool: FunctionPool): void => {
    pool.waiters.shift()?.();
  };

  const release = (pool: FunctionPool, environment: ExecutionEnvironment): void => {
    if (environment.state === 'idle' && !stopped) {
      // Most recently used first: a warm environment stays warm, extra ones can go idle.
      pool.idle.unshift(environment);
    } else {
      pool.environments.delete(environment);
      environment.kill();
    }
    wakeOne(pool);
  };

  /** An idle environment, a new one (cold start), or a wait for one of those. */
  const acquire = async (pool: FunctionPool): Promise<{ environment: ExecutionEnvironment; cold: boolean }> => {
    for (;;) {
      if (stopped) throw new HostStoppedError(pool.spec.id);
      const idle = pool.idle.shift();
      if (idle) {
        if (idle.state === 'idle') return { environment: idle, cold: false };
        pool.environments.delete(idle);
        continue;
      }
      if (pool.environments.size < maxEnvironments) {
        const logStreamName = ExecutionEnvironment.newLogStreamName();
        const environment = new ExecutionEnvironment({
          functionId: pool.spec.id,
          codeDirectory: pool.spec.codeDirectory,
          env: buildFunctionEnvironment(pool.spec, overrides, logStreamName),
          initTimeoutMs,
          onLog: (line) => options.onLog?.(pool.spec.id, line),
        });
        pool.environments.add(environment);
        return { environment, cold: true };
      }
      await new Promise<void>((resolve) => pool.waiters.push(resolve));
    }
  };

  const invoke = async (functionId: string, payload: unknown, invokeOptions: InvokeOptions = {}): Promise<InvokeResult> => {
    const pool = pools.get(functionId);
    if (!pool) throw new FunctionNotFoundError(functionId, [...pools.keys()]);
    if (stopped) throw new HostStoppedError(functionId);
    // Payloads cross as JSON, as they do to Lambda: nothing is shared by reference.
    const payloadJson = payload === undefined ? '{}' : JSON.stringify(payload);
    const bytes = Buffer.byteLength(payloadJson, 'utf8');
    if (bytes > MAX_SYNC_PAYLOAD_BYTES) throw new RequestTooLargeError(functionId, bytes, MAX_SYNC_PAYLOAD_BYTES);
    const requestId = invokeOptions.requestId ?? randomUUID();
    pool.stats.invocations += 1;

    const { environment, cold } = await acquire(pool);
    const startedAt = performance.now();
    let initDurationMs: number | undefined;
    try {
      if (cold) {
        pool.stats.coldStarts += 1;
        const init = await environment.start();
        if (!init.ok) {
          pool.stats.errors += 1;
          if (init.errorType === 'Sandbox.Timedout') pool.stats.timeouts += 1;
          environment.kill();
          return {
            ok: false,
            requestId,
            phase: 'init',
            errorType: init.errorType,
            errorMessage: init.errorMessage,
            ...(init.stackTrace ? { stackTrace: init.stackTrace } : {}),
            durationMs: performance.now() - startedAt,
            coldStart: true,
          };
        }
        initDurationMs = init.initDurationMs;
        options.onColdStart?.({ functionId, spawnToReadyMs: init.spawnToReadyMs, initDurationMs: init.initDurationMs, logStreamName: environment.logStreamName });
      }
      const invokedAt = performance.now();
      const running = environment.invoke({ requestId, payloadJson, timeoutMs: pool.spec.timeoutSeconds * 1000, invokedFunctionArn: pool.spec.arn });
      let crashInjected = false;
      const crashTimer =
        invokeOptions.crashAfterMs === undefined
          ? undefined
          : setTimeout(() => {
              if (environment.state !== 'busy') return;
              crashInjected = true;
              environment.kill();
            }, Math.max(0, invokeOptions.crashAfterMs));
      const outcome = await running.finally(() => clearTimeout(crashTimer));
      const durationMs = performance.now() - invokedAt;
      if (outcome.ok) {
        if (Buffer.byteLength(outcome.payloadJson, 'utf8') > MAX_SYNC_PAYLOAD_BYTES) {
          pool.stats.errors += 1;
          return {
            ok: false,
            requestId,
            phase: 'invoke',
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD_BYTES} bytes).`,
            durationMs,
            coldStart: cold,
          };
        }
        return {
          ok: true,
          requestId,
          payload: JSON.parse(outcome.payloadJson) as unknown,
          durationMs,
          coldStart: cold,
          ...(initDurationMs !== undefined ? { initDurationMs } : {}),
        };
      }
      pool.stats.errors += 1;
      if (outcome.errorType === 'Sandbox.Timedout') pool.stats.timeouts += 1;
      if (outcome.errorType === 'Runtime.ExitError') pool.stats.crashes += 1;
      return {
        ok: false,
        requestId,
        phase: 'invoke',
        errorType: outcome.errorType,
        errorMessage: outcome.errorMessage,
        ...(outcome.stackTrace ? { stackTrace: outcome.stackTrace } : {}),
        durationMs,
        coldStart: cold,
        ...(crashInjected && outcome.errorType === 'Runtime.ExitError' ? { crashInjected: true as const } : {}),
      };
    } finally {
      release(pool, environment);
    }
  };

  return {
    invoke,
    async stop(): Promise<void> {
      stopped = true;
      const exits: Promise<void>[] = [];
      for (const pool of pools.values()) {
        for (const environment of pool.environments) {
          environment.kill();
          exits.push(environment.exited());
        }
        pool.environments.clear();
        pool.idle = [];
        for (const waiter of pool.waiters.splice(0)) waiter();
      }
      await Promise.all(exits);
    },
    stats(): Record<string, FunctionStats> {
      const result: Record<string, FunctionStats> = {};
      for (const [id, pool] of pools) {
        const environments = [...pool.environments];
        result[id] = {
          ...pool.stats,
          environments: environments.length,
          busy: environments.filter((environment) => environment.state === 'busy').length,
          idle: pool.idle.length,
          queued: pool.waiters.length,
        };
      }
      return result;
    },
  };
}
