import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Template = { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/**
 * A copy of a cloud assembly in which every queue with a redrive policy (the notifications queue)
 * has the given visibility timeout, as `cdk synth` would write it had the construct said so.
 * Lambda requires a queue's visibility timeout to be at least the timeout of the function its
 * event source mapping invokes, so those functions' timeouts are lowered to fit too. That also
 * keeps the notifier's idempotency "in progress" records (which expire with the invocation's
 * remaining time) shorter than a redelivery, as in the deployed configuration: after a crash the
 * next receive can send instead of finding the record still in progress.
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
    const redriven = new Set<string>();
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type === 'AWS::SQS::Queue' && resource.Properties?.RedrivePolicy) {
        resource.Properties.VisibilityTimeout = seconds;
        redriven.add(logicalId);
        queuesChanged += 1;
        changed = true;
      }
    }
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
      const source = (resource.Properties?.EventSourceArn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
      const functionId = (resource.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref;
      const fn = functionId ? template.Resources?.[functionId] : undefined;
      if (!source || !redriven.has(source) || !fn?.Properties) continue;
      const timeout = typeof fn.Properties.Timeout === 'number' ? fn.Properties.Timeout : 3;
      fn.Properties.Timeout = Math.max(1, Math.min(timeout, seconds));
    }
    if (changed) writeFileSync(path, JSON.stringify(template, null, 1));
  }
  if (queuesChanged === 0) throw new Error(`--visibility-timeout: the assembly ${sourceDir} has no queue with a redrive policy to change`);
  return { assemblyDir, queuesChanged };
}
