import * as cdk from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../app';
import { parseStage } from '../config/environments';

// `cdk synth|deploy -c env=<dev|staging|prod>`: the CLI hands its context to every App the process
// creates, so a throwaway App (never synthesized) reads the stage before the real one is built.
function main(): void {
  const stage = parseStage(new cdk.App({ autoSynth: false }).node.tryGetContext('env'));
  const app = buildApp({ stage });
  // cdk-nag runs on every synth, so a deploy cannot skip the checks the tests enforce.
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
