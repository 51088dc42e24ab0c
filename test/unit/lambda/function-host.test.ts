import * as path from 'node:path';
import { createFunctionHost, type FunctionHost, type InvokeResult } from '../../../local/lambda';
import { buildFunctionEnvironment, type InvokeFailure, type InvokeSuccess } from '../../../local/lambda/function-host';
import { FunctionNotFoundError, InvalidFunctionSpecError, RequestTooLargeError } from '../../../local/lambda/errors';
import type { FunctionSpec } from '../../../local/topology/types';

const FIXTURES = path.resolve(__dirname, '../../fixtures/cdk-apps/functions');

function spec(handler: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec {
  const name = `fixture-${handler.replace(/[^A-Za-z0-9]/g, '-')}`;
  return {
    id: `Test/${name}`,
    functionName: name,
    arn: `arn:aws:lambda:eu-west-2:000000000000:function:${name}`,
    codeDirectory: FIXTURES,
    handler,
    runtime: 'nodejs22.x',
    architecture: 'arm64',
    timeoutSeconds: 5,
    memorySizeMb: 256,
    environment: { FROM_TEMPLATE: 'template-value', NODE_OPTIONS: '--max-old-space-size=200' },
    ...overrides,
  };
}

function expectSuccess(result: InvokeResult): InvokeSuccess {
  if (!result.ok) throw new Error(`expected success, got ${result.errorType}: ${result.errorMessage}`);
  return result;
}

function expectFailure(result: InvokeResult): InvokeFailure {
  if (result.ok) throw new Error(`expected failure, got ${JSON.stringify(result.payload)}`);
  return result;
}

describe('function host', () => {
  const hosts: FunctionHost[] = [];
  const start = (...args: Parameters<typeof createFunctionHost>): FunctionHost => {
    const host = createFunctionHost(...args);
    hosts.push(host);
    return host;
  };

  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.stop()));
  });

  it('runs an async handler in its own process with a real context and JSON-copied payloads', async () => {
    const echo = spec('handlers.echo');
    const host = start({ functions: [echo] });
    const event = { id: 'a-1', nested: { when: '2026-01-01T10:00:00Z' }, dropped: undefined };

    const result = expectSuccess(await host.invoke(echo.id, event, { requestId: 'req-123' }));

    const payload = result.payload as { event: unknown; pid: number; context: Record<string, unknown> };
    expect(payload.event).toEqual({ id: 'a-1', nested: { when: '2026-01-01T10:00:00Z' } });
    expect(payload.pid).not.toBe(process.pid);
    expect(result.coldStart).toBe(true);
    expect(result.requestId).toBe('req-123');
    expect(payload.context).toMatchObject({
      awsRequestId: 'req-123',
      functionName: echo.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: echo.arn,
      memoryLimitInMB: '256',
      logGroupName: `/aws/lambda/${echo.functionName}`,
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(payload.context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(payload.context.remainingTimeInMillis).toBeGreaterThan(0);
    expect(payload.context.remainingTimeInMillis).toBeLessThanOrEqual(5000);
  });

  it('reuses a warm environment: the module loads once, the next invocation is not a cold start', async () => {
    const echo = spec('handlers.echo');
    const coldStarts: string[] = [];
    const host = start({ functions: [echo], onColdStart: (info) => coldStarts.push(info.functionId) });

    const first = expectSuccess(await host.invoke(echo.id, {}));
    const second = expectSuccess(await host.invoke(echo.id, {}));

    const [a, b] = [first.payload, second.payload] as Array<{ pid: number; invocationsInThisEnvironment: number; loadedAt: number }>;
    expect(second.coldStart).toBe(false);
    expect(b?.pid).toBe(a?.pid);
    expect(b?.loadedAt).toBe(a?.loadedAt);
    expect(b?.invocationsInThisEnvironment).toBe(2);
    expect(coldStarts).toEqual([echo.id]);
    expect(host.stats()[echo.id]).toMatchObject({ invocations: 2, coldStarts: 1, environments: 1, idle: 1, busy: 0 });
  });

  it('scales out to one environment per concurrent invocation, up to the limit, then queues', async () => {
    const sleeps = spec('handlers.sleeps');
    const host = start({ functions: [sleeps], maxEnvironmentsPerFunction: 2 });

    const results = await Promise.all([1, 2, 3].map(() => host.invoke(sleeps.id, { ms: 200 })));

    const pids = results.map((result) => (expectSuccess(result).payload as { pid: number }).pid);
    expect(new Set(pids).size).toBe(2);
    expect(results.filter((result) => result.coldStart)).toHaveLength(2);
    expect(host.stats()[sleeps.id]).toMatchObject({ environments: 2, coldStarts: 2, invocations: 3 });
  });

  it('gives the function only its own environment: template variables, overrides and Lambda reserved variables', async () => {
    const readsEnv = spec('handlers.readsEnv');
    process.env.HOST_ONLY_SECRET = 'must-not-leak';
    try {
      const host = start({
        functions: [readsEnv],
        environmentOverrides: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000', AWS_REGION: 'eu-west-2', AWS_ACCESS_KEY_ID: 'local' },
      });

      const { env } = expectSuccess(await host.invoke(readsEnv.id, {})).payload as { env: Record<string, string> };

      expect(env).toMatchObject({
        FROM_TEMPLATE: 'template-value',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_REGION: 'eu-west-2',
        AWS_LAMBDA_FUNCTION_NAME: readsEnv.functionName,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${readsEnv.functionName}`,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        _HANDLER: 'handlers.readsEnv',
        LAMBDA_TASK_ROOT: FIXTURES,
        TZ: ':UTC',
        NODE_OPTIONS: '--max-old-space-size=200',
      });
      expect(env._X_AMZN_TRACE_ID).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
      expect(env.HOST_ONLY_SECRET).toBeUndefined();
      expect(env.JEST_WORKER_ID).toBeUndefined();
    } finally {
      delete process.env.HOST_ONLY_SECRET;
    }
  });

  it('does not let a template override Lambda reserved variables', () => {
    const fn = spec('handlers.readsEnv', { environment: { AWS_LAMBDA_FUNCTION_NAME: 'spoofed', _HANDLER: 'x.y' } });

    const env = buildFunctionEnvironment(fn, { AWS_REGION: 'eu-west-1' }, 'stream');

    expect(env.AWS_LAMBDA_FUNCTION_NAME).toBe(fn.functionName);
    expect(env._HANDLER).toBe('handlers.readsEnv');
    expect(env.AWS_REGION).toBe('eu-west-1');
  });

  it("reports a thrown error with the error's name, message and stack, and keeps the environment", async () => {
    const throws = spec('handlers.throws');
    const host = start({ functions: [throws] });

    const failure = expectFailure(await host.invoke(throws.id, { id: 'missing-1' }));
    const again = expectFailure(await host.invoke(throws.id, { id: 'missing-2' }));

    expect(failure).toMatchObject({ phase: 'invoke', errorType: 'AppointmentNotFoundError', errorMessage: 'appointment missing-1 does not exist' });
    expect(failure.stackTrace?.some((line) => line.includes('handlers.js'))).toBe(true);
    expect(again.coldStart).toBe(false);
    expect(host.stats()[throws.id]).toMatchObject({ errors: 2, environments: 1 });
  });

  it('supports callback-style handlers, for results and errors', async () => {
    const callback = spec('handlers.callback');
    const callbackError = spec('handlers.callbackError');
    const host = start({ functions: [callback, callbackError] });

    const ok = expectSuccess(await host.invoke(callback.id, { value: 7 }));
    const failed = expectFailure(await host.invoke(callbackError.id, {}));

    expect(ok.payload).toEqual({ viaCallback: true, value: 7 });
    expect(failed).toMatchObject({ errorType: 'RangeError', errorMessage: 'callback said no' });
  });

  it('loads ES module handlers', async () => {
    const esm = spec('module.handler');
    const host = start({ functions: [esm] });

    const result = expectSuccess(await host.invoke(esm.id, { n: 1 }));

    expect(result.payload).toEqual({ esm: true, event: { n: 1 } });
  });

  it('times out like Lambda, kills that environment and starts a fresh one for the next invocation', async () => {
    const timesOut = spec('handlers.timesOut', { timeoutSeconds: 1 });
    const host = start({ functions: [timesOut] });

    const failure = expectFailure(await host.invoke(timesOut.id, {}, { requestId: 'slow-1' }));
    const next = expectFailure(await host.invoke(timesOut.id, {}));

    expect(failure.errorType).toBe('Sandbox.Timedout');
    expect(failure.errorMessage).toMatch(/slow-1 Task timed out after 1\.00 seconds$/);
    expect(next.coldStart).toBe(true);
    expect(host.stats()[timesOut.id]).toMatchObject({ timeouts: 2, coldStarts: 2 });
  });

  it('reports a process that exits during an invocation as Runtime.ExitError and replaces it', async () => {
    const exits = spec('handlers.exits');
    const host = start({ functions: [exits] });

    const failure = expectFailure(await host.invoke(exits.id, {}, { requestId: 'exit-1' }));
    const next = expectFailure(await host.invoke(exits.id, {}));

    expect(failure.errorType).toBe('Runtime.ExitError');
    expect(failure.errorMessage).toBe('RequestId: exit-1 Error: Runtime exited with error: exit status 3');
    expect(next.coldStart).toBe(true);
    expect(host.stats()[exits.id]?.crashes).toBe(2);
  });

  it('reports an uncaught exception as Runtime.ExitError naming the uncaught error', async () => {
    const uncaught = spec('handlers.uncaught');
    const host = start({ functions: [uncaught] });

    const failure = expectFailure(await host.invoke(uncaught.id, {}));

    expect(failure.errorType).toBe('Runtime.ExitError');
    expect(failure.errorMessage).toContain('uncaught TypeError: boom outside the promise chain');
  });

  it('reports a module that throws at load as an init error with its message, and retries init on the next invocation', async () => {
    const initFailure = spec('init-failure.handler');
    const host = start({ functions: [initFailure] });

    const failure = expectFailure(await host.invoke(initFailure.id, {}));
    const retry = expectFailure(await host.invoke(initFailure.id, {}));

    expect(failure).toMatchObject({ phase: 'init', errorType: 'Error', errorMessage: 'missing environment variable REQUIRED_TABLE_NAME', coldStart: true });
    expect(retry.coldStart).toBe(true);
  });

  it('initializes the same module when its variable is set in the template', async () => {
    const configured = spec('init-failure.handler', { environment: { REQUIRED_TABLE_NAME: 'appointments' } });
    const host = start({ functions: [configured] });

    expect(expectSuccess(await host.invoke(configured.id, {})).payload).toBe('configured');
  });

  it.each([
    ['missing-module.handler', 'Runtime.ImportModuleError', /Cannot find module 'missing-module'/],
    ['handlers.nothingHere', 'Runtime.HandlerNotFound', /handlers\.nothingHere is undefined or not exported/],
    ['handlers.notAFunction', 'Runtime.HandlerNotFound', /handlers\.notAFunction is not a function/],
  ])('reports handler %s as %s', async (handler, errorType, message) => {
    const fn = spec(handler);
    const host = start({ functions: [fn] });

    const failure = expectFailure(await host.invoke(fn.id, {}));

    expect(failure.phase).toBe('init');
    expect(failure.errorType).toBe(errorType);
    expect(failure.errorMessage).toMatch(message);
  });

  it('passes each output line to onLog intact, structured JSON lines included', async () => {
    const logs = spec('handlers.logs');
    const lines: Array<[string, string]> = [];
    const host = start({ functions: [logs], onLog: (functionId, line) => lines.push([functionId, line]) });
    const marker = `m-${Date.now()}`;

    await host.invoke(logs.id, { marker }, { requestId: 'log-req' });
    const deadline = Date.now() + 5000;
    while (lines.filter(([, line]) => line.includes(marker)).length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }

    const mine = lines.filter(([, line]) => line.includes(marker));
    expect(mine.every(([functionId]) => functionId === logs.id)).toBe(true);
    expect(mine.map(([, line]) => line)).toEqual(
      expect.arrayContaining([
        JSON.stringify({ level: 'INFO', message: 'structured', marker }),
        expect.stringMatching(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[^\\t]+\\tlog-req\\tINFO\\tplain console line ${marker}$`)),
        expect.stringMatching(new RegExp(`\\tlog-req\\tERROR\\tto stderr ${marker}$`)),
      ]),
    );
  });

  it('refuses unknown functions and oversized payloads, and checks its specs', async () => {
    const echo = spec('handlers.echo');
    const host = start({ functions: [echo] });

    await expect(host.invoke('Test/nope', {})).rejects.toBeInstanceOf(FunctionNotFoundError);
    await expect(host.invoke(echo.id, { big: 'x'.repeat(6 * 1024 * 1024) })).rejects.toBeInstanceOf(RequestTooLargeError);
    expect(() => createFunctionHost({ functions: [spec('handlers.echo', { codeDirectory: '/does/not/exist' })] })).toThrow(InvalidFunctionSpecError);
    expect(() => createFunctionHost({ functions: [spec('nohandler')] })).toThrow(/is not <file>\.<export>/);
  });

  it('stop() kills every environment', async () => {
    const sleeps = spec('handlers.sleeps');
    const host = start({ functions: [sleeps] });
    const pid = (expectSuccess(await host.invoke(sleeps.id, { ms: 1 })).payload as { pid: number }).pid;

    await host.stop();

    expect(() => process.kill(pid, 0)).toThrow();
    await expect(host.invoke(sleeps.id, { ms: 1 })).rejects.toThrow(/stopped/);
  });
});
