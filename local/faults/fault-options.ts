/**
 * What the local runtime may break on purpose, and how often. Everything is off unless asked for
 * (`LocalRuntimeOptions.faults`, `npm start -- --faults`), so a normal run is never perturbed.
 */
export interface FaultOptions {
  /** Fraction (0–1) of SES v2 API calls answered with an error instead of reaching aws-ses-v2-local. */
  sesErrorRate?: number;
  /** Fraction (0–1) of SMS Publish calls answered with an error instead of being recorded. */
  snsErrorRate?: number;
  /** Fraction (0–1) of pipe enrichment invocations that fail as if the function threw. */
  enrichmentErrorRate?: number;
  /**
   * Fraction (0–1) of invocations by SQS event sources during which the execution environment is
   * killed mid-invocation (Lambda reports `Runtime.ExitError`; the whole batch is redelivered).
   */
  notifierCrashRate?: number;
  /** Seed of the fault dice, so a run can be reproduced; a random one (reported) when absent. */
  seed?: number;
}

/** The options with every rate present and a seed chosen. */
export interface ResolvedFaultOptions {
  sesErrorRate: number;
  snsErrorRate: number;
  enrichmentErrorRate: number;
  notifierCrashRate: number;
  seed: number;
}

/** What `--faults` alone turns on. */
export const DEFAULT_FAULT_OPTIONS: Readonly<Required<Omit<FaultOptions, 'seed'>>> = Object.freeze({
  sesErrorRate: 0.05,
  snsErrorRate: 0.05,
  enrichmentErrorRate: 0.05,
  notifierCrashRate: 0.02,
});

/** The compact spec's keys and the option each sets. */
export const FAULT_SPEC_KEYS = {
  ses: 'sesErrorRate',
  sms: 'snsErrorRate',
  sns: 'snsErrorRate',
  enrichment: 'enrichmentErrorRate',
  crash: 'notifierCrashRate',
  seed: 'seed',
} as const satisfies Record<string, keyof FaultOptions>;

type FaultSpecKey = keyof typeof FAULT_SPEC_KEYS;

export class InvalidFaultSpecError extends Error {
  readonly code = 'InvalidFaultSpec';

  constructor(
    message: string,
    /** The key (or option name) that was wrong, when one was. */
    readonly key?: string,
  ) {
    super(message);
    this.name = 'InvalidFaultSpecError';
  }
}

const RATE_KEYS = ['sesErrorRate', 'snsErrorRate', 'enrichmentErrorRate', 'notifierCrashRate'] as const;
const MAX_SEED = 0xffff_ffff;

/**
 * Parses the CLI/env form: `ses=0.1,sms=0.1,enrichment=0.05,crash=0.02,seed=42`. An empty spec
 * (`--faults` alone) means the defaults; a spec naming some keys leaves the others at 0, so
 * `--faults crash=0.1` injects crashes only. `sns` is an alias of `sms`.
 */
export function parseFaultSpec(spec: string): FaultOptions {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'default' || trimmed === 'defaults') return { ...DEFAULT_FAULT_OPTIONS };
  const options: FaultOptions = {};
  const seen = new Set<keyof FaultOptions>();
  for (const part of trimmed.split(',')) {
    const entry = part.trim();
    if (entry === '') throw new InvalidFaultSpecError(`fault spec "${spec}" has an empty entry; use key=value pairs separated by commas`);
    const equals = entry.indexOf('=');
    if (equals <= 0) throw new InvalidFaultSpecError(`fault spec entry "${entry}" is not key=value (keys: ${Object.keys(FAULT_SPEC_KEYS).join(', ')})`, entry);
    const key = entry.slice(0, equals).trim().toLowerCase();
    const text = entry.slice(equals + 1).trim();
    if (!Object.hasOwn(FAULT_SPEC_KEYS, key)) {
      throw new InvalidFaultSpecError(`unknown fault "${key}" in "${entry}" (keys: ${Object.keys(FAULT_SPEC_KEYS).join(', ')})`, key);
    }
    const option = FAULT_SPEC_KEYS[key as FaultSpecKey];
    if (seen.has(option)) throw new InvalidFaultSpecError(`fault "${key}" is given twice`, key);
    seen.add(option);
    if (text === '') throw new InvalidFaultSpecError(`fault "${key}" has no value`, key);
    const value = Number(text);
    if (option === 'seed') {
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value > MAX_SEED) {
        throw new InvalidFaultSpecError(`fault seed must be an integer 0..${MAX_SEED}, got "${text}"`, key);
      }
      options.seed = value;
    } else {
      if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text) || !(value >= 0 && value <= 1)) {
        throw new InvalidFaultSpecError(`fault "${key}" must be a fraction between 0 and 1 (e.g. 0.05), got "${text}"`, key);
      }
      options[option] = value;
    }
  }
  return options;
}

/** Checks programmatic options as strictly as the CLI form, naming the bad option. */
export function validateFaultOptions(options: FaultOptions): void {
  if (typeof options !== 'object' || options === null) throw new InvalidFaultSpecError('faults must be an object of rates');
  const known = new Set<string>([...RATE_KEYS, 'seed']);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new InvalidFaultSpecError(`unknown fault option "${key}" (known: ${[...known].join(', ')})`, key);
  }
  for (const key of RATE_KEYS) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new InvalidFaultSpecError(`faults.${key} must be a number between 0 and 1, got ${JSON.stringify(value)}`, key);
    }
  }
  const seed = options.seed;
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED)) {
    throw new InvalidFaultSpecError(`faults.seed must be an integer 0..${MAX_SEED}, got ${JSON.stringify(seed)}`, 'seed');
  }
}

/** Validates and fills in: absent rates are 0, an absent seed is drawn at random. */
export function resolveFaultOptions(options: FaultOptions, randomSeed: () => number = () => Math.floor(Math.random() * MAX_SEED)): ResolvedFaultOptions {
  validateFaultOptions(options);
  return {
    sesErrorRate: options.sesErrorRate ?? 0,
    snsErrorRate: options.snsErrorRate ?? 0,
    enrichmentErrorRate: options.enrichmentErrorRate ?? 0,
    notifierCrashRate: options.notifierCrashRate ?? 0,
    seed: options.seed ?? randomSeed(),
  };
}

export function anyFaultEnabled(options: ResolvedFaultOptions): boolean {
  return RATE_KEYS.some((key) => options[key] > 0);
}

/** One line for a banner: `ses=10% sms=10% enrichment=5% crash=2% seed=42`. */
export function describeFaults(options: ResolvedFaultOptions): string {
  const percent = (rate: number): string => `${Number((rate * 100).toFixed(2))}%`;
  return `ses=${percent(options.sesErrorRate)} sms=${percent(options.snsErrorRate)} enrichment=${percent(options.enrichmentErrorRate)} crash=${percent(options.notifierCrashRate)} seed=${options.seed}`;
}
