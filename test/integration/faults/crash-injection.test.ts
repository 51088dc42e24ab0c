import * as path from 'node:path';
import { createFunctionHost, type FunctionHost, type InvokeResult } from '../../../local/lambda';
import type { FunctionSpec } from '../../../local/topology/types';

const FIXTURES = path.resolve(__dirname, '../../fixtures/cdk-apps/functions');

const sleeper: FunctionSpec = {
  id: 'Test/crash-sleeper',
  functionName: 'crash-sleeper',
  arn: 'arn:aws:lambda:eu-west-2:000000000000:function:crash-sleeper',
  codeDirectory: FIXTURES,
  handler: 'handlers.sleeps',
  runtime: 'nodejs22.x',
  architecture: 'arm64',
  timeoutSeconds: 10,
  memorySizeMb: 256,
  environment: {},
};

function pidOf(result: InvokeResult): number {
  if (!result.ok) throw new Error(`expected success, got ${result.errorType}: ${result.errorMessage}`);
  return (result.payload as { pid: number }).pid;
}

describe('function host: crash injection', () => {
  let host: FunctionHost;

  beforeEach(() => {
    host = createFunctionHost({ functions: [sleeper], maxEnvironmentsPerFunction: 1 });
  });
  afterEach(async () => {
    await host.stop();
  });

  it('kills the environment mid-invocation: Runtime.ExitError, and the next invocation gets a fresh environment', async () => {
    const warmPid = pidOf(await host.invoke(sleeper.id, { ms: 1 }));

    const crashed = await host.invoke(sleeper.id, { ms: 5_000 }, { crashAfterMs: 50 });

    expect(crashed).toMatchObject({ ok: false, phase: 'invoke', errorType: 'Runtime.ExitError', crashInjected: true, coldStart: false });
    expect(crashed.ok ? '' : crashed.errorMessage).toMatch(/Runtime exited with error: signal: SIGKILL/);
    const after = await host.invoke(sleeper.id, { ms: 1 });
    expect(after).toMatchObject({ ok: true, coldStart: true });
    expect(pidOf(after)).not.toBe(warmPid);
    expect(host.stats()[sleeper.id]).toMatchObject({ crashes: 1, coldStarts: 2, environments: 1 });
  });

  it('does nothing when the handler finishes before the crash was due', async () => {
    const first = await host.invoke(sleeper.id, { ms: 1 }, { crashAfterMs: 5_000 });
    const second = await host.invoke(sleeper.id, { ms: 1 });

    expect(first).toMatchObject({ ok: true });
    expect(first).not.toHaveProperty('crashInjected');
    expect(pidOf(second)).toBe(pidOf(first));
    expect(host.stats()[sleeper.id]).toMatchObject({ crashes: 0, coldStarts: 1 });
  });

  it('crashes only after init: a cold start with an immediate crash still loads the function first', async () => {
    const crashed = await host.invoke(sleeper.id, { ms: 5_000 }, { crashAfterMs: 0 });

    expect(crashed).toMatchObject({ ok: false, phase: 'invoke', errorType: 'Runtime.ExitError', crashInjected: true, coldStart: true });
  });
});
