/**
 * Start-up of the local runtime as `npm start` does it (synthesize the dev app, emulators,
 * provisioning, compute), against DynamoDB Local's own start-to-ready on the same machine in the
 * same run (the slowest emulator, and the floor of any start: nothing can be provisioned before it
 * answers). Prints where the time went.
 */
import { rmSync } from 'node:fs';
import { startDynamoDbLocal } from '../local/emulators';
import { synthesizeAssemblyInChildProcess } from '../local/topology';
import { startLocalRuntime, type StartupBreakdown } from '../local/runtime/local-runtime';
import { median } from './pipeline/latency-statistics';

/** Runtime ready ÷ DynamoDB Local ready this run should stay under (printed, never asserted). */
export const STARTUP_RATIO_GOAL = 1.5;

export interface StartupReport {
  /** DynamoDB Local alone, spawn → answering, median of `dynamodbSamples`. */
  dynamodbLocalReadyMs: number;
  dynamodbSamples: number[];
  /** The local runtime (dev), call → ready, synthesis included. */
  runtimeReadyMs: number;
  breakdown: StartupBreakdown;
  /**
   * The same synthesis with bundling skipped (CDK's \`aws:cdk:bundling-stacks\` = []): the rest of
   * \`breakdown.synthesisMs\` is the bundling steps, esbuild and the \`npx --no-install esbuild\` CDK
   * runs it through (one npm process per function).
   */
  synthesisWithoutBundlingMs: number;
  /** The runtime started on an assembly synthesized beforehand (`npm start -- --assembly <dir>`). */
  givenAssembly: { readyMs: number; breakdown: StartupBreakdown; ratio: number };
  ratio: number;
  goal: number;
  goalMet: boolean;
}

export async function benchStartup(options: { dynamodbSamples?: number; write?: (line: string) => void } = {}): Promise<StartupReport> {
  const write = options.write ?? (() => undefined);
  const samples: number[] = [];
  const count = options.dynamodbSamples ?? 2;
  for (let sample = 0; sample < count; sample += 1) {
    const dynamodb = await startDynamoDbLocal({});
    samples.push(dynamodb.startupMs);
    await dynamodb.stop();
  }
  // As the runtime synthesizes (no template validation), minus the bundling.
  const unbundled = await synthesizeAssemblyInChildProcess({ stage: 'dev', context: { 'aws:cdk:bundling-stacks': [] }, templateValidation: false });
  rmSync(unbundled.directory, { recursive: true, force: true });
  const bundled = await synthesizeAssemblyInChildProcess({ stage: 'dev', templateValidation: false });
  let givenAssembly: StartupReport['givenAssembly'];
  try {
    const onGiven = await startLocalRuntime({ assemblyDir: bundled.directory });
    await onGiven.stop();
    givenAssembly = { readyMs: onGiven.startupMs, breakdown: onGiven.startup, ratio: 0 };
  } finally {
    rmSync(bundled.directory, { recursive: true, force: true });
  }
  write(`DynamoDB Local alone ready in ${samples.join(', ')} ms; synthesis without bundling ${unbundled.synthesisMs} ms; starting the local runtime as npm start does`);
  const runtime = await startLocalRuntime({ stage: 'dev' });
  try {
    const dynamodbLocalReadyMs = Math.round(median(samples));
    const ratio = Math.round((runtime.startupMs / dynamodbLocalReadyMs) * 100) / 100;
    return {
      dynamodbLocalReadyMs,
      dynamodbSamples: samples,
      runtimeReadyMs: runtime.startupMs,
      breakdown: runtime.startup,
      synthesisWithoutBundlingMs: unbundled.synthesisMs,
      givenAssembly: { ...givenAssembly, ratio: Math.round((givenAssembly.readyMs / dynamodbLocalReadyMs) * 100) / 100 },
      ratio,
      goal: STARTUP_RATIO_GOAL,
      goalMet: ratio <= STARTUP_RATIO_GOAL,
    };
  } finally {
    await runtime.stop();
  }
}

export function formatStartupReport(report: StartupReport): string {
  const b = report.breakdown;
  return [
    `local runtime ready      ${report.runtimeReadyMs} ms (dev, synthesis included, as npm start)`,
    `DynamoDB Local alone     ${report.dynamodbLocalReadyMs} ms (median of ${report.dynamodbSamples.length})`,
    `ratio                    ${report.ratio.toFixed(2)}× (goal ≤ ${report.goal}×: ${report.goalMet ? 'met' : 'NOT met'})`,
    `breakdown                synthesis ${b.synthesisMs} ms (esbuild ${b.bundlingMs} ms)${b.parallel ? ' alongside' : ', then'} emulators ${b.emulatorsMs} ms, ` +
      `then provisioning ${b.provisioningMs} ms, compute ${b.computeMs} ms`,
    `on a given assembly      ${report.givenAssembly.readyMs} ms = ${report.givenAssembly.ratio.toFixed(2)}× (npm start -- --assembly <dir>: emulators ${report.givenAssembly.breakdown.emulatorsMs} ms, provisioning ${report.givenAssembly.breakdown.provisioningMs} ms)`,
    `synthesis w/o bundling   ${report.synthesisWithoutBundlingMs} ms (so the bundling steps took ~${Math.max(0, b.synthesisMs - report.synthesisWithoutBundlingMs)} ms, esbuild itself ${b.bundlingMs} ms: the rest is CDK's \`npx --no-install esbuild\`, an npm process per function)`,
  ].join('\n');
}
