/**
 * `tsx local/topology/synthesize-cli.ts --stage <dev|staging|prod> --outdir <dir> [--app <module>] [--context <json>]`:
 * synthesizes the CDK app (default: the project's) into `outdir` (what `synthesizeAssemblyInChildProcess` runs).
 * Exits non-zero with the error on stderr when synthesis fails.
 */
import { synthesizeAssembly, type DeploymentStage } from './synthesize-assembly';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const stage = option('--stage') ?? 'dev';
  const outdir = option('--outdir');
  if (!outdir) throw new Error('--outdir <dir> is required');
  const app = option('--app');
  const contextJson = option('--context');
  const context = contextJson === undefined ? undefined : (JSON.parse(contextJson) as Record<string, unknown>);
  const directory = await synthesizeAssembly({ stage: stage as DeploymentStage, outdir, ...(app ? { app } : {}), ...(context ? { context } : {}) });
  process.stdout.write(`assembly ${directory}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
