import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildFunctionEnvironment } from '../../local/lambda/function-host';
import { ExecutionEnvironment } from '../../local/lambda/execution-environment';
import type { FunctionSpec } from '../../local/topology/types';
import { median } from './latency-statistics';

export interface FunctionColdStart {
  /** The function's Powertools service name (or its function name). */
  name: string;
  /** Bytes of the handler's bundle file in the assembly's asset (`index.mjs` or `index.js`). */
  bundleBytes: number;
  samples: number;
  /** Median spawn → bundle loaded → init done, in a fresh process. */
  spawnToReadyMedianMs?: number;
  /** Median of the module's load and init alone, as the runtime bootstrap measured it. */
  initMedianMs?: number;
  /** Init failures, which a cold-start figure must not hide. */
  initErrors: string[];
}

const INIT_TIMEOUT_MS = 10_000;

/**
 * The bundle file a handler string names: `index.handler` → `<code>/index.mjs` (an ES module
 * bundle) or `<code>/index.js`, in the order Lambda's Node.js runtime looks for them.
 */
export function bundleFileOf(spec: FunctionSpec): string {
  const file = spec.handler.slice(0, spec.handler.lastIndexOf('.'));
  const candidates = ['.js', '.mjs', '.cjs'].map((extension) => join(spec.codeDirectory, `${file}${extension}`));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`no bundle for handler ${spec.handler} in ${spec.codeDirectory} (looked for ${candidates.join(', ')})`);
  return found;
}

/**
 * Cold starts measured one fresh execution environment at a time (nothing else starting), with
 * the same environment the runtime gives the function, then killed: what a first invocation pays
 * before the handler runs.
 */
export async function measureColdStarts(functions: readonly FunctionSpec[], environmentOverrides: Record<string, string>, samples: number): Promise<FunctionColdStart[]> {
  const results: FunctionColdStart[] = [];
  for (const spec of functions) {
    const name = (spec.environment.POWERTOOLS_SERVICE_NAME ?? spec.functionName).toLowerCase();
    const bundleBytes = statSync(bundleFileOf(spec)).size;
    const spawnToReady: number[] = [];
    const init: number[] = [];
    const initErrors: string[] = [];
    for (let sample = 0; sample < samples; sample += 1) {
      const logStreamName = ExecutionEnvironment.newLogStreamName();
      const environment = new ExecutionEnvironment({
        functionId: spec.id,
        codeDirectory: spec.codeDirectory,
        env: buildFunctionEnvironment(spec, environmentOverrides, logStreamName),
        initTimeoutMs: INIT_TIMEOUT_MS,
        onLog: () => undefined,
      });
      try {
        const outcome = await environment.start();
        if (outcome.ok) {
          spawnToReady.push(outcome.spawnToReadyMs);
          init.push(outcome.initDurationMs);
        } else {
          initErrors.push(`${outcome.errorType}: ${outcome.errorMessage}`);
        }
      } finally {
        environment.kill();
        await environment.exited();
      }
    }
    const round = (value: number): number => Math.round(value * 10) / 10;
    results.push({
      name,
      bundleBytes,
      samples,
      ...(spawnToReady.length > 0 ? { spawnToReadyMedianMs: round(median(spawnToReady)), initMedianMs: round(median(init)) } : {}),
      initErrors,
    });
  }
  return results;
}
