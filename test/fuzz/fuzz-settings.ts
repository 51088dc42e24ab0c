import type * as fc from 'fast-check';

/** Used when FUZZ_SEED is not set, so a plain `npx jest` run is reproducible. */
export const DEFAULT_FUZZ_SEED = 20_300_314;

/**
 * The seed every property of a run uses: `FUZZ_SEED` (an integer) or the default. fast-check
 * prints the seed and the counterexample's path on failure; re-running with that `FUZZ_SEED`
 * replays the same cases.
 */
export function fuzzSeed(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.FUZZ_SEED?.trim();
  if (raw === undefined || raw === '') return DEFAULT_FUZZ_SEED;
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(env.FUZZ_SEED)}`);
  }
  return Number(raw);
}

/**
 * `FUZZ_RUNS_SCALE` multiplies every property's run count (default 1), so a longer campaign is one
 * environment variable away without editing the suites.
 */
export function fuzzRunsScale(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.FUZZ_RUNS_SCALE?.trim();
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`FUZZ_RUNS_SCALE must be a positive number, got ${JSON.stringify(env.FUZZ_RUNS_SCALE)}`);
  return scale;
}

/** Counts the cases each property actually ran, for the summary a suite prints at the end. */
export class FuzzTally {
  private readonly counts = new Map<string, number>();

  constructor(readonly suite: string) {}

  /** fast-check parameters for one property: the run's seed, the scaled run count, and counting. */
  parameters<Ts>(property: string, numRuns: number): fc.Parameters<Ts> {
    this.counts.set(property, 0);
    return { seed: fuzzSeed(), numRuns: Math.max(1, Math.round(numRuns * fuzzRunsScale())) };
  }

  /** Called once per generated case, inside the predicate. */
  count(property: string): void {
    this.counts.set(property, (this.counts.get(property) ?? 0) + 1);
  }

  total(): number {
    return [...this.counts.values()].reduce((sum, count) => sum + count, 0);
  }

  summary(): string {
    const lines = [...this.counts].map(([property, count]) => `  ${String(count).padStart(6)}  ${property}`);
    return `${this.suite}: ${this.total()} generated cases (seed ${fuzzSeed()})\n${lines.join('\n')}`;
  }
}
