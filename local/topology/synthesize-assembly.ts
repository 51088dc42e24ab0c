import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SynthesisFailedError } from './errors';

export type DeploymentStage = 'dev' | 'staging' | 'prod';

export interface SynthesizeAssemblyOptions {
  /** The environment whose app is synthesized; default `dev`. */
  stage?: DeploymentStage;
  /** Where the assembly is written; default a new temporary directory. */
  outdir?: string;
  /** Extra CDK context, as `-c key=value` would give. */
  context?: Record<string, unknown>;
}

/**
 * Synthesizes the project's CDK app in-process (the same `buildApp` that `cdk synth` runs, bundling
 * the functions with local esbuild) and returns the cloud assembly directory, for
 * `readCloudAssembly`.
 */
export async function synthesizeAssembly(options: SynthesizeAssemblyOptions = {}): Promise<string> {
  const stage = options.stage ?? 'dev';
  const outdir = path.resolve(options.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), `lj-cloud-assembly-${stage}-`)));
  // Loaded on demand: aws-cdk-lib is large, and runners that only read an existing assembly never need it.
  let buildApp: (options: { stage: DeploymentStage; outdir?: string; context?: Record<string, unknown> }) => { synth(): { directory: string } };
  try {
    ({ buildApp } = (await import('../../cdk/app')) as unknown as { buildApp: typeof buildApp });
  } catch (error) {
    throw new SynthesisFailedError(`cannot load the CDK app (cdk/app.ts): ${(error as Error).message}`, { cause: error });
  }
  try {
    const assembly = buildApp({ stage, outdir, ...(options.context ? { context: options.context } : {}) }).synth();
    return assembly.directory;
  } catch (error) {
    throw new SynthesisFailedError(`synthesizing the ${stage} CDK app failed: ${(error as Error).message}`, { cause: error });
  }
}
