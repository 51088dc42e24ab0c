import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Writes a minimal cloud assembly (manifest, templates, optional code assets) for reader tests. */
export interface FixtureStack {
  name: string;
  template: Record<string, unknown>;
  dependencies?: string[];
  /** objectKey → files of an unpacked asset directory. */
  assets?: Record<string, Record<string, string>>;
}

const written: string[] = [];

/** Removes every assembly written so far. */
export function removeWrittenAssemblies(): void {
  for (const directory of written.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
}

export function writeAssembly(stacks: FixtureStack[]): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'topology-fixture-'));
  written.push(directory);
  const artifacts: Record<string, unknown> = {};
  for (const stack of stacks) {
    const templateFile = `${stack.name}.template.json`;
    fs.writeFileSync(path.join(directory, templateFile), JSON.stringify(stack.template, null, 1));
    const files: Record<string, unknown> = {};
    for (const [objectKey, contents] of Object.entries(stack.assets ?? {})) {
      const assetDir = `asset.${objectKey.replace(/\.zip$/, '')}`;
      fs.mkdirSync(path.join(directory, assetDir));
      for (const [file, text] of Object.entries(contents)) fs.writeFileSync(path.join(directory, assetDir, file), text);
      files[objectKey] = { source: { path: assetDir, packaging: 'zip' }, destinations: { current: { bucketName: 'b', objectKey } } };
    }
    artifacts[`${stack.name}.assets`] = { type: 'cdk:asset-manifest', properties: { file: `${stack.name}.assets.json` } };
    fs.writeFileSync(path.join(directory, `${stack.name}.assets.json`), JSON.stringify({ version: '55.0.0', files }));
    artifacts[stack.name] = {
      type: 'aws:cloudformation:stack',
      environment: 'aws://unknown-account/eu-west-1',
      properties: { templateFile },
      dependencies: [`${stack.name}.assets`, ...(stack.dependencies ?? [])],
    };
  }
  fs.writeFileSync(path.join(directory, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
  return directory;
}

/** A template with one function whose environment holds `variables`, plus `resources`. */
export function functionTemplate(variables: Record<string, unknown>, resources: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...extra,
    Resources: {
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { S3Bucket: 'b', S3Key: 'code.zip' }, Environment: { Variables: variables } },
      },
      ...resources,
    },
  };
}

export const CODE_ASSET = { 'code.zip': { 'index.js': 'exports.handler = async () => "ok";\n' } };
