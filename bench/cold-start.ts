/**
 * Module load of each deployable bundle in a fresh process, against a bare `node -e 0`, both with
 * only the function's own environment (what Lambda gives it: the template's variables, the reserved
 * ones, dummy credentials; nothing of this shell's, such as NODE_EXTRA_CA_CERTS, which alone costs
 * tens of milliseconds). Each sample is one process from spawn to exit; the processes alternate
 * between the variants so machine load hits all of them alike; medians are compared.
 *
 * Also the cost of `NODE_OPTIONS=--enable-source-maps` (which every function sets): at load, and
 * when an error's stack is read (the first one parses the bundle's source map).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { buildFunctionEnvironment } from '../local/lambda/function-host';
import { ExecutionEnvironment } from '../local/lambda/execution-environment';
import { LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY } from '../local/emulators';
import { readCloudAssembly, synthesizeAssembly } from '../local/topology';
import type { FunctionSpec } from '../local/topology/types';
import { bundleFileOf } from './pipeline/function-cold-starts';
import { median } from './pipeline/latency-statistics';

/** Module load ÷ bare start this run should stay under (printed, never asserted). */
export const MODULE_LOAD_RATIO_GOAL = 4;
const DEFAULT_SAMPLES = 11;

export interface BundleLoad {
  name: string;
  bundleBytes: number;
  /** Median spawn → exit of `import(bundle)`, with the function's NODE_OPTIONS (source maps on). */
  loadMedianMs: number;
  /** The same without `--enable-source-maps`. */
  loadWithoutSourceMapsMedianMs: number;
  /** Load, then one invocation with an invalid event (`{}`: the error path, its stack formatted), with and without source maps. */
  errorStackMedianMs: number;
  errorStackWithoutSourceMapsMedianMs: number;
  /** loadMedianMs ÷ the bare start's median. */
  ratio: number;
  goal: number;
  goalMet: boolean;
}

export interface ColdStartReport {
  samples: number;
  node: string;
  /** Median spawn → exit of `node -e 0` with the same environment. */
  bareStartMedianMs: number;
  bundles: BundleLoad[];
}

/** Spawn → exit of one fresh process; rejects when it exits non-zero (a bundle that fails to load). */
function timeProcess(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const elapsed = performance.now() - startedAt;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

/**
 * `import(bundle)`; with `invalidEvent`, then one invocation with an event the handler rejects
 * (`{}`): the handler's error path runs and its stack is formatted, through the bundle's source map
 * when source maps are on. stdout/stderr are discarded.
 */
function loadScript(file: string, invalidEvent: boolean): string[] {
  const url = JSON.stringify(pathToFileURL(file).href);
  const context = "{ awsRequestId: 'probe', functionName: 'probe', getRemainingTimeInMillis: () => 3000 }";
  const after = invalidEvent
    ? `try { const result = await m.handler({}, ${context}); String(new Error(JSON.stringify(result ?? null).slice(0, 10)).stack); } catch (error) { String(error && error.stack); }`
    : '';
  return ['--input-type=module', '-e', `const m = await import(${url}); ${after} process.exit(0);`];
}

const withoutSourceMaps = (env: Record<string, string>): Record<string, string> => {
  const { NODE_OPTIONS, ...rest } = env;
  const options = (NODE_OPTIONS ?? '').split(/\s+/).filter((option) => option !== '' && option !== '--enable-source-maps');
  return options.length > 0 ? { ...rest, NODE_OPTIONS: options.join(' ') } : rest;
};

/** The function's environment as the local runtime builds it, with dummy credentials and no endpoints. */
function functionEnvironment(spec: FunctionSpec, region: string): Record<string, string> {
  return buildFunctionEnvironment(
    spec,
    { AWS_REGION: region, AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY },
    ExecutionEnvironment.newLogStreamName(),
  );
}

export async function benchColdStart(options: { samples?: number; assemblyDir?: string; write?: (line: string) => void } = {}): Promise<ColdStartReport> {
  const samples = options.samples ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`cold-start samples must be a positive integer, got ${samples}`);
  const write = options.write ?? (() => undefined);
  const scratch = options.assemblyDir ? undefined : mkdtempSync(join(tmpdir(), 'bench-cold-start-'));
  try {
    const assemblyDir = options.assemblyDir ?? (await synthesizeAssembly({ stage: 'dev', outdir: scratch }));
    const topology = readCloudAssembly(assemblyDir, { environment: 'dev' });
    const functions = topology.functions.map((spec) => ({
      spec,
      name: (spec.environment.POWERTOOLS_SERVICE_NAME ?? spec.functionName).toLowerCase(),
      file: bundleFileOf(spec),
      env: functionEnvironment(spec, topology.region),
    }));
    for (const fn of functions) if (!existsSync(fn.file)) throw new Error(`no bundle for ${fn.name} at ${fn.file}`);
    // The bare start runs with each function's environment in turn (they differ only in values).
    const bare: number[] = [];
    const per = new Map<string, { load: number[]; loadNoMaps: number[]; stack: number[]; stackNoMaps: number[] }>(
      functions.map((fn) => [fn.name, { load: [], loadNoMaps: [], stack: [], stackNoMaps: [] }]),
    );
    write(`loading ${functions.length} bundles ${samples} times each, alternating with bare starts`);
    for (let sample = 0; sample < samples; sample += 1) {
      for (const fn of functions) {
        const times = per.get(fn.name)!;
        bare.push(await timeProcess(['-e', '0'], fn.env));
        times.load.push(await timeProcess(loadScript(fn.file, false), fn.env));
        times.loadNoMaps.push(await timeProcess(loadScript(fn.file, false), withoutSourceMaps(fn.env)));
        times.stack.push(await timeProcess(loadScript(fn.file, true), fn.env));
        times.stackNoMaps.push(await timeProcess(loadScript(fn.file, true), withoutSourceMaps(fn.env)));
      }
    }
    const round = (value: number): number => Math.round(value * 10) / 10;
    const bareStartMedianMs = round(median(bare));
    return {
      samples,
      node: process.version,
      bareStartMedianMs,
      bundles: functions.map((fn) => {
        const times = per.get(fn.name)!;
        const loadMedianMs = round(median(times.load));
        const ratio = Math.round((loadMedianMs / bareStartMedianMs) * 100) / 100;
        return {
          name: fn.name,
          bundleBytes: statSync(fn.file).size,
          loadMedianMs,
          loadWithoutSourceMapsMedianMs: round(median(times.loadNoMaps)),
          errorStackMedianMs: round(median(times.stack)),
          errorStackWithoutSourceMapsMedianMs: round(median(times.stackNoMaps)),
          ratio,
          goal: MODULE_LOAD_RATIO_GOAL,
          goalMet: ratio <= MODULE_LOAD_RATIO_GOAL,
        };
      }),
    };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

export function formatColdStartReport(report: ColdStartReport): string {
  const lines = [
    `bare \`node -e 0\` with a function's environment: ${report.bareStartMedianMs} ms (median of ${report.samples * report.bundles.length}, Node ${report.node})`,
    '',
    `  ${'function'.padEnd(12)}${'KiB'.padStart(7)}${'load ms'.padStart(10)}${'÷ bare'.padStart(9)}${'goal'.padStart(7)}${'no maps'.padStart(10)}${'+stack'.padStart(9)}${'+stack no maps'.padStart(16)}`,
  ];
  for (const b of report.bundles) {
    lines.push(
      `  ${b.name.padEnd(12)}${(b.bundleBytes / 1024).toFixed(0).padStart(7)}${b.loadMedianMs.toFixed(1).padStart(10)}${`${b.ratio.toFixed(2)}×`.padStart(9)}` +
        `${`≤ ${b.goal}×`.padStart(7)}${b.loadWithoutSourceMapsMedianMs.toFixed(1).padStart(10)}${b.errorStackMedianMs.toFixed(1).padStart(9)}${b.errorStackWithoutSourceMapsMedianMs.toFixed(1).padStart(16)}` +
        `  ${b.goalMet ? 'met' : 'NOT met'}`,
    );
  }
  lines.push('  (load: spawn → exit of `import(bundle)` with NODE_OPTIONS=--enable-source-maps as deployed; no maps: without it; +stack: then one invocation with an invalid event `{}`, its error stack formatted)');
  return lines.join('\n');
}
