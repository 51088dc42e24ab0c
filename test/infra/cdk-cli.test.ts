import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');
const bin = (name: string): string => path.join(repoRoot, 'node_modules', '.bin', name);

/** Runs with dummy credentials and no endpoint: synthesis must not need AWS. */
function run(command: string, args: string[], extraEnv: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', CDK_DISABLE_VERSION_CHECK: '1', ...extraEnv };
  delete env.CDK_DEFAULT_ACCOUNT;
  delete env.CDK_DEFAULT_REGION;
  const result = spawnSync(command, args, { cwd: repoRoot, env, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the CDK entry point', () => {
  const outdirs: string[] = [];
  afterAll(() => {
    for (const dir of outdirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('points cdk.json at cdk/bin/app.ts and writes to cdk.out', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { app: string; output: string; context: Record<string, unknown> };
    expect(cdkJson.app).toBe('npx tsx cdk/bin/app.ts');
    expect(cdkJson.output).toBe('cdk.out');
    expect(cdkJson.context['@aws-cdk/aws-iam:minimizePolicies']).toBe(true);
  });

  it('fails on an unknown environment, listing the valid ones', () => {
    // Arrange: the CLI hands `-c env=qa` to the app as CDK_CONTEXT_JSON.
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cli-bad-'));
    outdirs.push(outdir);

    // Act
    const result = run(bin('tsx'), ['cdk/bin/app.ts'], { CDK_CONTEXT_JSON: JSON.stringify({ env: 'qa' }), CDK_OUTDIR: outdir });

    // Assert
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown environment "qa": use -c env=<dev|staging|prod>');
  });

  it('`cdk synth -c env=staging` writes the staging stacks and bundled assets, offline', () => {
    // Arrange
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cli-synth-'));
    outdirs.push(outdir);

    // Act
    const result = run(bin('cdk'), ['synth', '-c', 'env=staging', '-q', '--no-notices', '-o', outdir]);

    // Assert
    expect(`${result.stderr}`).not.toMatch(/ValidationFailed|Error:/);
    expect(result.status).toBe(0);
    const files = fs.readdirSync(outdir);
    expect(files).toEqual(expect.arrayContaining(['Staging-Stateful.template.json', 'Staging-Stateless.template.json', 'manifest.json']));
    const assets = files.filter((file) => file.startsWith('asset.'));
    // The three bundled functions, then the patient site's two directories (files, the manage page) and CDK's BucketDeployment provider and AWS CLI layer.
    const functionAssets = assets.filter((asset) => fs.existsSync(path.join(outdir, asset, 'index.mjs')));
    expect(functionAssets).toHaveLength(3);
    expect(assets.filter((asset) => fs.existsSync(path.join(outdir, asset, 'index.html')) || fs.existsSync(path.join(outdir, asset, 'manage')))).toHaveLength(2);
    expect(assets).toHaveLength(7);
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Staging-Stateless.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const stage = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::ApiGateway::Stage');
    expect(stage?.Properties.StageName).toBe('staging');
  });
});
