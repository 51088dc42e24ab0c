/**
 * `npm run bench`: runs the named benchmarks (or one, with `--only <name>`), prints each one's
 * figures, and writes them all to bench/results/latest.json. Add a benchmark by adding an entry.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchEventPattern, BenchmarkFigure, formatEventPatternFigures } from './event-pattern';

interface NamedBenchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<BenchmarkFigure[]>;
  format(figures: readonly BenchmarkFigure[]): string;
}

const benchmarks: readonly NamedBenchmark[] = [
  {
    name: 'event-pattern',
    description: 'compiled EventBridge filter patterns (the pipe INSERT filter and a complex pattern)',
    run: benchEventPattern,
    format: formatEventPatternFigures,
  },
];

const RESULTS_FILE = path.join(__dirname, 'results', 'latest.json');

function selectBenchmarks(argv: readonly string[]): readonly NamedBenchmark[] {
  const onlyAt = argv.indexOf('--only');
  if (onlyAt === -1) return benchmarks;
  const name = argv[onlyAt + 1];
  const chosen = benchmarks.find((benchmark) => benchmark.name === name);
  if (chosen === undefined) {
    const known = benchmarks.map((benchmark) => benchmark.name).join(', ');
    throw new Error(name === undefined ? `--only needs a benchmark name (one of: ${known})` : `Unknown benchmark "${name}" (one of: ${known})`);
  }
  return [chosen];
}

async function main(): Promise<void> {
  const selected = selectBenchmarks(process.argv.slice(2));
  const results: Record<string, BenchmarkFigure[]> = {};
  for (const benchmark of selected) {
    console.log(`\n${benchmark.name}: ${benchmark.description}`);
    const figures = await benchmark.run();
    console.log(benchmark.format(figures));
    results[benchmark.name] = figures;
  }
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const report = { finishedAt: new Date().toISOString(), node: process.version, cpus: os.cpus().length, results };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
