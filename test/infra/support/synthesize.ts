import type * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp, stackPrefix } from '../../../cdk/app';
import type { Stage } from '../../../cdk/config/environments';
import type { StatefulStack } from '../../../cdk/stacks/stateful-stack';
import type { StatelessStack } from '../../../cdk/stacks/stateless-stack';

export interface SynthesizedStage {
  stage: Stage;
  app: cdk.App;
  assembly: CloudAssembly;
  outdir: string;
  stateful: StatefulStack;
  stateless: StatelessStack;
  statefulTemplate: Template;
  statelessTemplate: Template;
}

/** Template JSON, typed loosely enough to walk. */
export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  Outputs?: Record<string, { Value: unknown; Export?: unknown }>;
}

const outdirs: string[] = [];

/**
 * Synthesizes one environment into its own temporary directory (never the shared `cdk.out`, which
 * other tools may be reading). Bundling takes seconds, so each test file calls this once per stage
 * in a `beforeAll` and shares the result.
 */
export function synthesizeStage(stage: Stage, context?: Record<string, unknown>): SynthesizedStage {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk-infra-${stage}-`));
  outdirs.push(outdir);
  const app = buildApp({ stage, outdir, ...(context ? { context } : {}) });
  const prefix = stackPrefix(stage);
  const stateful = app.node.findChild(`${prefix}-Stateful`) as StatefulStack;
  const stateless = app.node.findChild(`${prefix}-Stateless`) as StatelessStack;
  const assembly = app.synth();
  return {
    stage,
    app,
    assembly,
    outdir,
    stateful,
    stateless,
    statefulTemplate: Template.fromJSON(assembly.getStackByName(stateful.stackName).template as Record<string, unknown>),
    statelessTemplate: Template.fromJSON(assembly.getStackByName(stateless.stackName).template as Record<string, unknown>),
  };
}

export function removeSynthesizedOutput(): void {
  for (const dir of outdirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function templateJson(template: Template): CfnTemplate {
  return template.toJSON() as CfnTemplate;
}
