import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SynthesisFailedError } from './errors';

export type DeploymentStage = 'dev' | 'staging' | 'prod';

/**
 * The module whose `buildApp({ stage, outdir, context })` builds the CDK app: this repository's
 * app unless a caller names another (a path, not an import, so the runtime loads no app it is not
 * asked to synthesize).
 */
export const DEFAULT_CDK_APP_MODULE = path.join(__dirname, '..', '..', 'cdk', 'app');

export interface SynthesizeAssemblyOptions {
  /** The environment whose app is synthesized; default `dev`. */
  stage?: DeploymentStage;
  /** Where the assembly is written; default a new temporary directory. */
  outdir?: string;
  /** The module exporting `buildApp` (default `DEFAULT_CDK_APP_MODULE`). */
  app?: string;
  /** Extra CDK context, as `-c key=value` would give. */
  context?: Record<string, unknown>;
  /**
   * CDK's built-in CloudFormation template validation at synthesis (default on, as in `cdk synth`).
   * Off, the assembly is the same, only not validated: ~2.5 s less on this machine. Honoured by
   * `synthesizeAssemblyInChildProcess` (it sets `CDK_VALIDATION=false` for the child).
   */
  templateValidation?: boolean;
}

/**
 * Synthesizes the project's CDK app in-process (the same `buildApp` that `cdk synth` runs, bundling
 * the functions with local esbuild) and returns the cloud assembly directory, for
 * `readCloudAssembly`.
 */
export async function synthesizeAssembly(options: SynthesizeAssemblyOptions = {}): Promise<string> {
  const stage = options.stage ?? 'dev';
  const outdir = path.resolve(options.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), `lj-cloud-assembly-${stage}-`)));
  const app = path.resolve(options.app ?? DEFAULT_CDK_APP_MODULE);
  // Loaded on demand: aws-cdk-lib is large, and runners that only read an existing assembly never need it.
  let buildApp: (options: { stage: DeploymentStage; outdir?: string; context?: Record<string, unknown> }) => { synth(): { directory: string } };
  try {
    ({ buildApp } = (await import(app)) as unknown as { buildApp: typeof buildApp });
  } catch (error) {
    throw new SynthesisFailedError(`cannot load the CDK app (${path.relative(process.cwd(), app) || app}): ${(error as Error).message}`, { cause: error });
  }
  if (typeof buildApp !== 'function') throw new SynthesisFailedError(`the CDK app module ${path.relative(process.cwd(), app) || app} exports no buildApp function`);
  try {
    const assembly = buildApp({ stage, outdir, ...(options.context ? { context: options.context } : {}) }).synth();
    return assembly.directory;
  } catch (error) {
    throw new SynthesisFailedError(`synthesizing the ${stage} CDK app failed: ${(error as Error).message}`, { cause: error });
  }
}

export interface OutOfProcessSynthesis {
  /** The cloud assembly directory. */
  directory: string;
  /** Wall time of the child process, spawn to exit. */
  synthesisMs: number;
  /** esbuild's own time bundling the functions (the sum of its "Done in" lines). */
  bundlingMs: number;
}

/** The child program `synthesizeAssemblyInChildProcess` runs (through tsx). */
export const SYNTHESIZE_CLI = path.join(__dirname, 'synthesize-cli.ts');

/**
 * `synthesizeAssembly` in a child process, so that the caller's event loop stays free: the local
 * runtime starts the emulators meanwhile (synthesis, bundling included, is synchronous CPU work
 * that would otherwise block their start-up). Needs tsx (a dev dependency); rejects with
 * `SynthesisFailedError` carrying the child's output when synthesis fails.
 */
export async function synthesizeAssemblyInChildProcess(options: SynthesizeAssemblyOptions = {}): Promise<OutOfProcessSynthesis> {
  const { spawn } = await import('node:child_process');
  const { performance } = await import('node:perf_hooks');
  const stage = options.stage ?? 'dev';
  const outdir = path.resolve(options.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), `lj-cloud-assembly-${stage}-`)));
  let tsxCli: string;
  try {
    tsxCli = require.resolve('tsx/cli');
  } catch (error) {
    throw new SynthesisFailedError('cannot synthesize in a child process: tsx (a dev dependency) is not installed', { cause: error });
  }
  const args = [tsxCli, SYNTHESIZE_CLI, '--stage', stage, '--outdir', outdir, ...(options.app ? ['--app', path.resolve(options.app)] : []), ...(options.context ? ['--context', JSON.stringify(options.context)] : [])];
  const startedAt = performance.now();
  return new Promise<OutOfProcessSynthesis>((resolve, reject) => {
    const env = options.templateValidation === false ? { ...process.env, CDK_VALIDATION: 'false' } : process.env;
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => reject(new SynthesisFailedError(`cannot start the synthesis process: ${error.message}`, { cause: error })));
    child.on('exit', (code, signal) => {
      const synthesisMs = Math.round(performance.now() - startedAt);
      if (code !== 0) {
        reject(new SynthesisFailedError(`synthesizing the ${stage} CDK app failed (${signal ?? `exit ${code}`}): ${output.trim().split('\n').slice(-20).join('\n')}`));
        return;
      }
      const bundlingMs = [...output.matchAll(/Done in (\d+(?:\.\d+)?)(ms|s)\b/g)].reduce((sum, [, value, unit]) => sum + Number(value) * (unit === 's' ? 1000 : 1), 0);
      resolve({ directory: outdir, synthesisMs, bundlingMs: Math.round(bundlingMs) });
    });
  });
}
