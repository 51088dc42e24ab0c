import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCloudAssembly, SynthesisFailedError, synthesizeAssemblyInChildProcess, type DeploymentStage } from '../../../local/topology';

/**
 * Synthesis in a child process (what `npm start` does while the emulators start): the same
 * assembly as in-process synthesis, and a clear error when the app cannot be synthesized.
 */
describe('synthesizeAssemblyInChildProcess', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the dev assembly with the three bundled functions and reports the time esbuild took', async () => {
    const result = await synthesizeAssemblyInChildProcess({ stage: 'dev' });
    dirs.push(result.directory);

    const topology = readCloudAssembly(result.directory);
    expect(topology.environment).toBe('dev');
    expect(topology.functions).toHaveLength(3);
    for (const fn of topology.functions) expect(fs.existsSync(path.join(fn.codeDirectory, 'index.mjs'))).toBe(true);
    expect(result.bundlingMs).toBeGreaterThan(0);
    expect(result.synthesisMs).toBeGreaterThanOrEqual(result.bundlingMs);
    // CDK's template validation ran (as in `cdk synth`).
    expect(fs.existsSync(path.join(result.directory, 'validation-report.json'))).toBe(true);
  }, 180_000);

  it('without template validation (what the local runtime asks for) writes the same templates, unvalidated', async () => {
    const validated = await synthesizeAssemblyInChildProcess({ stage: 'dev', context: { 'aws:cdk:bundling-stacks': [] } });
    const unvalidated = await synthesizeAssemblyInChildProcess({ stage: 'dev', context: { 'aws:cdk:bundling-stacks': [] }, templateValidation: false });
    dirs.push(validated.directory, unvalidated.directory);

    expect(fs.existsSync(path.join(unvalidated.directory, 'validation-report.json'))).toBe(false);
    const templates = (dir: string): Record<string, string> =>
      Object.fromEntries(
        fs
          .readdirSync(dir)
          .filter((file) => file.endsWith('.template.json'))
          .map((file) => [file, fs.readFileSync(path.join(dir, file), 'utf8')]),
      );
    expect(Object.keys(templates(unvalidated.directory)).sort()).toEqual(['Dev-Stateful.template.json', 'Dev-Stateless.template.json']);
    expect(templates(unvalidated.directory)).toEqual(templates(validated.directory));
  }, 180_000);

  it('rejects with SynthesisFailedError carrying the app’s own message for an unknown stage', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-child-'));
    dirs.push(outdir);

    const attempt = synthesizeAssemblyInChildProcess({ stage: 'qa' as DeploymentStage, outdir });

    await expect(attempt).rejects.toBeInstanceOf(SynthesisFailedError);
    await expect(attempt).rejects.toThrow(/synthesizing the qa CDK app failed \(exit 1\): .*unknown environment "qa"/s);
  }, 120_000);
});
