/**
 * `npm run bench`: runs the named benchmarks (or one, with `--only <name>`), prints each one's
 * figures, and writes them all to bench/results/latest.json. Other flags pass through to the
 * benchmarks that take flags (the pipeline's: see `--help`). Add a benchmark by adding an entry.
 * Exits non-zero when a benchmark reports a correctness failure (never for a speed goal missed).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchEventPattern, formatEventPatternFigures } from './event-pattern';
import { BenchUsageError } from './pipeline/options';
import { formatPipelineReport, parsePipelineArgs, PIPELINE_USAGE, runPipelineBenchmark, writePipelineReport, type PipelineReport } from './pipeline';

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
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const report = { finishedAt: new Date().toISOString(), node: process.version, cpus: os.cpus().length, argv, results };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
  if (failures.length > 0) {
    console.error(`\ncorrectness failures:\n${failures.map((failure) => `  ${failure}`).join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof BenchUsageError ? error.message : error);
  process.exitCode = 1;
});
