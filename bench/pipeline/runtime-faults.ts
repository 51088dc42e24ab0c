import type { LocalRuntime, LocalRuntimeOptions } from '../../local/runtime/local-runtime';

/**
 * The one place the benchmark meets the runtime's fault injection, coded against its contract:
 * `startLocalRuntime({ ..., faults?: FaultOptions })`, `runtime.faultStats()`,
 * `runtime.restartCompute()`, and `parseFaultSpec(spec)` in `local/faults/fault-options.ts`.
 * Until that module lands, the options shape is mirrored here and a spec is read as `key=value`
 * pairs; switch both to the runtime's own when it exists.
 */
export interface BenchFaultOptions {
  sesErrorRate?: number;
  snsErrorRate?: number;
  enrichmentErrorRate?: number;
  notifierCrashRate?: number;
  seed?: number;
}

/** Moderate rates: enough failures to exercise every retry path, few enough that most bookings succeed before maxReceiveCount. */
export const DEFAULT_BENCH_FAULTS: Readonly<BenchFaultOptions> = {
  sesErrorRate: 0.1,
  snsErrorRate: 0.1,
  enrichmentErrorRate: 0.05,
  notifierCrashRate: 0.02,
  seed: 42,
};

const RATE_KEYS = ['sesErrorRate', 'snsErrorRate', 'enrichmentErrorRate', 'notifierCrashRate'] as const;

export class FaultSpecError extends Error {
  readonly code = 'InvalidFaultSpec';
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

/** `--faults` with no spec gives the defaults; a spec such as `sesErrorRate=0.2,seed=7` replaces them. */
export function parseBenchFaultSpec(spec: string | undefined): BenchFaultOptions {
  if (spec === undefined || spec.trim() === '') return { ...DEFAULT_BENCH_FAULTS };
  const options: BenchFaultOptions = {};
  for (const part of spec.split(',').map((item) => item.trim()).filter(Boolean)) {
    const [key, text, extra] = part.split('=');
    const value = Number(text);
    if (extra !== undefined || text === undefined || text.trim() === '' || !Number.isFinite(value)) {
      throw new FaultSpecError(`fault spec part ${JSON.stringify(part)} is not <name>=<number>`);
    }
    if (key === 'seed') {
      if (!Number.isInteger(value)) throw new FaultSpecError(`fault spec seed must be a whole number, got ${text}`);
      options.seed = value;
    } else if ((RATE_KEYS as readonly string[]).includes(key)) {
      if (value < 0 || value > 1) throw new FaultSpecError(`fault spec ${key} must be a rate from 0 to 1, got ${text}`);
      options[key as (typeof RATE_KEYS)[number]] = value;
    } else {
      throw new FaultSpecError(`unknown fault ${JSON.stringify(key)} (one of: ${[...RATE_KEYS, 'seed'].join(', ')})`);
    }
  }
  return options;
}

type FaultCapableRuntime = LocalRuntime & { faultStats?: () => unknown; restartCompute?: () => Promise<void> };

/** The runtime options with the faults added (the runtime ignores nothing it is given). */
export function withFaults(options: LocalRuntimeOptions, faults: BenchFaultOptions | undefined): LocalRuntimeOptions {
  return faults === undefined ? options : ({ ...options, faults } as LocalRuntimeOptions);
}

/** Faults injected so far, per kind, from the runtime's `faultStats()` (numbers only). */
export function injectedFaults(runtime: LocalRuntime): Record<string, number> {
  const stats = (runtime as FaultCapableRuntime).faultStats?.();
  const counts: Record<string, number> = {};
  const walk = (value: unknown, prefix: string): void => {
    if (typeof value === 'number' && Number.isFinite(value)) counts[prefix] = value;
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) walk(child, prefix ? `${prefix}.${key}` : key);
    }
  };
  walk(stats, '');
  return counts;
}

/** Restarts the runtime's compute (function environments, pollers) when the runtime can; false when it cannot. */
export async function restartCompute(runtime: LocalRuntime): Promise<boolean> {
  const restart = (runtime as FaultCapableRuntime).restartCompute;
  if (typeof restart !== 'function') return false;
  await restart.call(runtime);
  return true;
}
