/**
 * `npm run bench`: runs the named benchmarks (or one, with `--only <name>`), prints each one's
 * figures, and writes them all to bench/results/latest.json. Other flags pass through to the
 * benchmarks that take flags (the pipeline's: see `--help`). Add a benchmark by adding an entry.
 * Exits non-zero when a benchmark reports a correctness failure (never for a speed goal missed).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchColdStart, formatColdStartReport, type ColdStartReport } from './cold-start';
import { benchEventPattern, formatEventPatternFigures } from './event-pattern';
import { benchStartup, formatStartupReport, type StartupReport } from './startup';
import { BenchUsageError } from './pipeline/options';
import { formatPipelineReport, LATENCY_GOAL, parsePipelineArgs, PIPELINE_USAGE, runPipelineBenchmark, writePipelineReport, type PipelineReport } from './pipeline';

/** The latency run: the pipeline at the latency goal's rate (bookings; the rate is the goal's). */
const LATENCY_RUN_BOOKINGS = 300;

const RESULTS_DIR = path.join(__dirname, 'results');
const RESULTS_FILE = path.join(RESULTS_DIR, 'latest.json');

interface NamedBenchmark {
  readonly name: string;
  readonly description: string;
  /** Whether the benchmark reads pass-through flags; one that does not rejects any. */
  readonly takesFlags: boolean;
  /** Checks the flags before anything runs, so a typo fails in a second, not after a long run. */
  validate?(flags: readonly string[]): void;
  run(flags: readonly string[]): Promise<unknown>;
  format(result: unknown): string;
  /** Correctness failures in the result (empty when none). */
  failures?(result: unknown): string[];
}

const benchmarks: readonly NamedBenchmark[] = [
  {
    name: 'event-pattern',
    description: 'compiled EventBridge filter patterns (the pipe INSERT filter and a complex pattern)',
    takesFlags: false,
    run: () => benchEventPattern(),
    format: (result) => formatEventPatternFigures(result as Awaited<ReturnType<typeof benchEventPattern>>),
  },
  {
    name: 'cold-start',
    description: "module load of each bundle in a fresh process ÷ a bare `node -e 0`, both with only the function's environment; source maps' cost",
    takesFlags: false,
    run: () => benchColdStart({ write: (line) => console.error(`  ${line}`) }),
    format: (result) => formatColdStartReport(result as ColdStartReport),
  },
  {
    name: 'startup',
    description: "the local runtime's start as npm start does it ÷ DynamoDB Local's own start-to-ready, with the breakdown",
    takesFlags: false,
    run: () => benchStartup({ write: (line) => console.error(`  ${line}`) }),
    format: (result) => formatStartupReport(result as StartupReport),
  },
  {
    name: 'latency',
    description: `${LATENCY_RUN_BOOKINGS} bookings (no later changes) at ${LATENCY_GOAL.ratePerSecond}/s through the whole local stack: POST→notified p99 ÷ the pipe's poll interval`,
    takesFlags: false,
    run: async () => {
      const report = await runPipelineBenchmark({
        bookings: LATENCY_RUN_BOOKINGS,
        ratePerSecond: LATENCY_GOAL.ratePerSecond,
        coldStartSamples: 0,
        skipPutItemBaseline: true,
        // The goal is stated for bookings at 20/s; the lifecycle mix runs in the pipeline run.
        changes: false,
        write: (line) => console.error(`  ${line}`),
      });
      writePipelineReport(report, RESULTS_DIR);
      return report;
    },
    format: (result) => formatPipelineReport(result as PipelineReport),
    failures: (result) => (result as PipelineReport).failures,
  },
  {
    name: 'pipeline',
    description: 'bookings through the whole local stack over HTTP: throughput, latency per stage, outcomes, PutItem ceiling, cold starts',
    takesFlags: true,
    validate: (flags) => void parsePipelineArgs(flags),
    run: async (flags) => {
      const report = await runPipelineBenchmark({ ...parsePipelineArgs(flags), write: (line) => console.error(`  ${line}`) });
      const file = writePipelineReport(report, RESULTS_DIR);
      console.error(`  report written to ${path.relative(process.cwd(), file)}`);
      return report;
    },
    format: (result) => formatPipelineReport(result as PipelineReport),
    failures: (result) => (result as PipelineReport).failures,
  },
];

interface Selection {
  selected: readonly NamedBenchmark[];
  flags: string[];
}

function selectBenchmarks(argv: readonly string[]): Selection {
  const known = benchmarks.map((benchmark) => benchmark.name).join(', ');
  const onlyAt = argv.indexOf('--only');
  const flags = onlyAt === -1 ? [...argv] : [...argv.slice(0, onlyAt), ...argv.slice(onlyAt + 2)];
  let selected = benchmarks;
  if (onlyAt !== -1) {
    const name = argv[onlyAt + 1];
    const chosen = benchmarks.find((benchmark) => benchmark.name === name);
    if (chosen === undefined) {
      throw new BenchUsageError(name === undefined ? `--only needs a benchmark name (one of: ${known})` : `Unknown benchmark "${name}" (one of: ${known})`);
    }
    selected = [chosen];
  }
  if (flags.length > 0 && !selected.some((benchmark) => benchmark.takesFlags)) {
    throw new BenchUsageError(`${selected.map((benchmark) => benchmark.name).join(', ')} takes no flags, got: ${flags.join(' ')}`);
  }
  for (const benchmark of selected) if (benchmark.takesFlags) benchmark.validate?.(flags);
  return { selected, flags };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log(`npm run bench [-- --only <${benchmarks.map((benchmark) => benchmark.name).join('|')}>] [flags]\n\n${PIPELINE_USAGE}`);
    return;
  }
  const { selected, flags } = selectBenchmarks(argv);
  const results: Record<string, unknown> = {};
  const failures: string[] = [];
  for (const benchmark of selected) {
    console.log(`\n${benchmark.name}: ${benchmark.description}`);
    const result = await benchmark.run(benchmark.takesFlags ? flags : []);
    console.log(benchmark.format(result));
    results[benchmark.name] = result;
    failures.push(...(benchmark.failures?.(result) ?? []).map((failure) => `${benchmark.name}: ${failure}`));
  }
  const goals = goalsOf(results);
  if (goals.length > 0) console.log(`\n${formatGoals(goals)}`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const report = { finishedAt: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadAverage: os.loadavg(), argv, goals, results };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
  if (failures.length > 0) {
    console.error(`\ncorrectness failures:\n${failures.map((failure) => `  ${failure}`).join('\n')}`);
    process.exitCode = 1;
  }
}

interface Goal {
  figure: string;
  value: number;
  goal: string;
  met: boolean;
  note?: string;
}

/** The issue's ratios, from whichever benchmarks ran, each beside its goal. */
function goalsOf(results: Record<string, unknown>): Goal[] {
  const goals: Goal[] = [];
  const coldStart = results['cold-start'] as ColdStartReport | undefined;
  for (const bundle of coldStart?.bundles ?? []) {
    goals.push({ figure: `module load ÷ bare node, ${bundle.name}`, value: bundle.ratio, goal: `≤ ${bundle.goal}`, met: bundle.goalMet, note: `${bundle.loadMedianMs} ms vs ${coldStart?.bareStartMedianMs} ms` });
  }
  const latency = (results.latency ?? results.pipeline) as PipelineReport | undefined;
  const latencyGoal = latency?.latencyGoal;
  if (latencyGoal?.applies && latencyGoal.ratio !== undefined) {
    goals.push({
      figure: `POST→notified p99 at ${latencyGoal.ratePerSecond}/s ÷ poll interval`,
      value: latencyGoal.ratio,
      goal: `≤ ${latencyGoal.ratioGoal}`,
      met: latencyGoal.met === true,
      note: `p99 ${latency?.latency.endToEnd?.p99Ms ?? '–'} ms, poll ${latencyGoal.pollIntervalMs} ms`,
    });
  }
  const pipeline = results.pipeline as PipelineReport | undefined;
  if (pipeline?.putItem && pipeline.settings.ratePerSecond === undefined) {
    goals.push({
      figure: 'full-load throughput ÷ DynamoDB Local PutItem',
      value: pipeline.putItem.pipelineToPutItemRatio,
      goal: `≥ ${pipeline.putItem.goal}`,
      met: pipeline.putItem.goalMet,
      note: `${pipeline.throughputPerSecond} bookings/s vs ${pipeline.putItem.putItemsPerSecond} items/s`,
    });
  }
  const startup = results.startup as StartupReport | undefined;
  if (startup) {
    goals.push({ figure: 'local runtime ready ÷ DynamoDB Local ready', value: startup.ratio, goal: `≤ ${startup.goal}`, met: startup.goalMet, note: `${startup.runtimeReadyMs} ms vs ${startup.dynamodbLocalReadyMs} ms` });
  }
  return goals;
}

function formatGoals(goals: readonly Goal[]): string {
  const width = Math.max(...goals.map((goal) => goal.figure.length));
  const lines = [`goals (ratios measured in this run; load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs)`];
  for (const goal of goals) {
    lines.push(`  ${goal.figure.padEnd(width)}  ${goal.value.toFixed(2).padStart(6)}  goal ${goal.goal.padEnd(6)} ${goal.met ? 'met    ' : 'NOT met'}  ${goal.note ?? ''}`);
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof BenchUsageError ? error.message : error);
  process.exitCode = 1;
});
