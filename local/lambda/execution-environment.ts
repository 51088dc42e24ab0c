import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { forEachLine } from '../support/for-each-line';

/** The runtime shim each environment's process runs (see its header for the IPC protocol). */
export const RUNTIME_BOOTSTRAP = path.join(__dirname, 'runtime-bootstrap.cjs');

export interface FunctionError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

export type InitOutcome =
  | { ok: true; initDurationMs: number; spawnToReadyMs: number }
  | ({ ok: false; spawnToReadyMs: number } & FunctionError);

export type InvocationOutcome = { ok: true; payloadJson: string } | ({ ok: false; environmentLost: boolean } & FunctionError);

type ChildMessage =
  | { type: 'ready'; initDurationMs: number }
  | ({ type: 'init-error' } & FunctionError)
  | { type: 'result'; requestId: string; payload: string }
  | ({ type: 'error'; requestId: string } & FunctionError)
  | ({ type: 'uncaught' } & FunctionError);

export type EnvironmentState = 'starting' | 'idle' | 'busy' | 'dead';

interface PendingInvocation {
  requestId: string;
  resolve: (outcome: InvocationOutcome) => void;
  timer: NodeJS.Timeout;
}

export interface ExecutionEnvironmentOptions {
  functionId: string;
  codeDirectory: string;
  /** The complete environment of the process; nothing of the host's leaks in. */
  env: Record<string, string>;
  initTimeoutMs: number;
  onLog: (line: string) => void;
}

/**
 * One execution environment: a child process that loads the function once and then runs one
 * invocation at a time. A timeout or crash kills it; the host then starts a fresh one, as Lambda
 * does.
 */
export class ExecutionEnvironment {
  state: EnvironmentState = 'starting';
  readonly logStreamName: string;
  private child: ChildProcess | undefined;
  private pending: PendingInvocation | undefined;
  private lastUncaught: FunctionError | undefined;
  private exitWaiters: Array<() => void> = [];

  constructor(private readonly options: ExecutionEnvironmentOptions) {
    this.logStreamName = options.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '';
  }

  static newLogStreamName(now = new Date()): string {
    const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
    return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
  }

  /** Spawns the process and runs the function's init; resolves when it is ready or failed. */
  start(): Promise<InitOutcome> {
    const spawnedAt = performance.now();
    const child = fork(RUNTIME_BOOTSTRAP, [], {
      cwd: this.options.codeDirectory,
      env: this.options.env,
      // The host's own flags (a test runner's, a loader's) must not shape the function's Node.
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    if (child.stdout) forEachLine(child.stdout, this.options.onLog);
    if (child.stderr) forEachLine(child.stderr, this.options.onLog);

    return new Promise<InitOutcome>((resolve) => {
      let initDone = false;
      const finishInit = (outcome: InitOutcome): void => {
        if (initDone) return;
        initDone = true;
        clearTimeout(initTimer);
        resolve(outcome);
      };
      const elapsed = (): number => performance.now() - spawnedAt;
      const initTimer = setTimeout(() => {
        this.kill();
        finishInit({
          ok: false,
          spawnToReadyMs: elapsed(),
          errorType: 'Sandbox.Timedout',
          errorMessage: `INIT timed out after ${(this.options.initTimeoutMs / 1000).toFixed(2)} seconds`,
        });
      }, this.options.initTimeoutMs);

      child.on('message', (raw: unknown) => {
        const message = raw as ChildMessage;
        switch (message.type) {
          case 'ready':
            this.state = 'idle';
            finishInit({ ok: true, initDurationMs: message.initDurationMs, spawnToReadyMs: elapsed() });
            break;
          case 'init-error':
            this.state = 'dead';
            finishInit({ ok: false, spawnToReadyMs: elapsed(), ...errorOf(message) });
            break;
          case 'result':
            this.settle(message.requestId, { ok: true, payloadJson: message.payload });
            break;
          case 'error':
            this.settle(message.requestId, { ok: false, environmentLost: false, ...errorOf(message) });
            break;
          case 'uncaught':
            this.lastUncaught = errorOf(message);
            break;
          default:
            break;
        }
      });
      child.on('error', (error) => {
        finishInit({ ok: false, spawnToReadyMs: elapsed(), errorType: 'Runtime.ExitError', errorMessage: `the environment could not start: ${error.message}` });
      });
      child.on('exit', (code, signal) => {
        this.state = 'dead';
        const status = signal ? `signal: ${signal}` : `exit status ${code ?? 0}`;
        const uncaught = this.lastUncaught;
        const detail = uncaught ? ` (uncaught ${uncaught.errorType}: ${uncaught.errorMessage})` : '';
        finishInit({ ok: false, spawnToReadyMs: elapsed(), errorType: 'Runtime.ExitError', errorMessage: `Runtime exited during init with error: ${status}${detail}` });
        const pending = this.pending;
        if (pending) {
          this.settle(pending.requestId, {
            ok: false,
            environmentLost: true,
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${pending.requestId} Error: Runtime exited with error: ${status}${detail}`,
            ...(uncaught?.stackTrace ? { stackTrace: uncaught.stackTrace } : {}),
          });
        }
        for (const waiter of this.exitWaiters.splice(0)) waiter();
      });
    });
  }

  /** Runs one invocation; the environment must be idle. */
  invoke(request: { requestId: string; payloadJson: string; timeoutMs: number; invokedFunctionArn: string }): Promise<InvocationOutcome> {
    if (this.state !== 'idle' || !this.child) throw new Error(`environment of ${this.options.functionId} is ${this.state}, not idle`);
    this.state = 'busy';
    this.lastUncaught = undefined;
    return new Promise<InvocationOutcome>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda stops a timed-out environment; its process state is unknown, so it is not reused.
        const seconds = (request.timeoutMs / 1000).toFixed(2);
        this.settle(request.requestId, {
          ok: false,
          environmentLost: true,
          errorType: 'Sandbox.Timedout',
          errorMessage: `${new Date().toISOString()} ${request.requestId} Task timed out after ${seconds} seconds`,
        });
        this.kill();
      }, request.timeoutMs);
      this.pending = { requestId: request.requestId, resolve, timer };
      this.child?.send({
        type: 'invoke',
        requestId: request.requestId,
        payload: request.payloadJson,
        deadlineMs: Date.now() + request.timeoutMs,
        invokedFunctionArn: request.invokedFunctionArn,
        traceId: newTraceHeader(),
      });
    });
  }

  private settle(requestId: string, outcome: InvocationOutcome): void {
    const pending = this.pending;
    if (!pending || pending.requestId !== requestId) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (this.state === 'busy') this.state = outcome.ok || !outcome.environmentLost ? 'idle' : 'dead';
    if (!outcome.ok && outcome.environmentLost) this.state = 'dead';
    pending.resolve(outcome);
  }

  /** Kills the process (SIGKILL: a frozen or looping function must not delay shutdown). */
  kill(): void {
    this.state = 'dead';
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** Resolves once the process has exited (immediately when it never started or already did). */
  exited(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }
}

/**
 * Lambda sets `_X_AMZN_TRACE_ID` per invocation; X-Ray SDKs (Powertools Tracer) read it. Not
 * sampled, so nothing tries to reach an X-Ray daemon locally.
 */
export function newTraceHeader(now = Date.now()): string {
  const epochHex = Math.floor(now / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epochHex}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

function errorOf(message: FunctionError): FunctionError {
  return {
    errorType: message.errorType,
    errorMessage: message.errorMessage,
    ...(Array.isArray(message.stackTrace) && message.stackTrace.length > 0 ? { stackTrace: message.stackTrace } : {}),
  };
}
