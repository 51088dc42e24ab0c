import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Template = { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/**
 * A copy of a cloud assembly in which every queue with a redrive policy (the notifications queue)
 * has the given visibility timeout, as `cdk synth` would write it had the construct said so.
 * Returns the copy's directory and how many queues changed; no queue changed is an error, since
 * the caller asked for a behaviour the assembly would then not have.
 */
export function withRedrivenQueueVisibilityTimeout(sourceDir: string, seconds: number): { assemblyDir: string; queuesChanged: number } {
  const assemblyDir = mkdtempSync(join(tmpdir(), 'bench-assembly-'));
  cpSync(sourceDir, assemblyDir, { recursive: true });
  let queuesChanged = 0;
  for (const file of readdirSync(assemblyDir).filter((name) => name.endsWith('.template.json'))) {
    const path = join(assemblyDir, file);
    const template = JSON.parse(readFileSync(path, 'utf8')) as Template;
    let changed = false;
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type === 'AWS::SQS::Queue' && resource.Properties?.RedrivePolicy) {
        resource.Properties.VisibilityTimeout = seconds;
        queuesChanged += 1;
        changed = true;
      }
    }
    if (changed) writeFileSync(path, JSON.stringify(template, null, 1));
  }
  if (queuesChanged === 0) throw new Error(`--visibility-timeout: the assembly ${sourceDir} has no queue with a redrive policy to change`);
  return { assemblyDir, queuesChanged };
}
