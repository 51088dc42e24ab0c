import { parseFaultSpec, type FaultOptions } from '../../local/faults/fault-options';

/** What `npm run bench -- --only pipeline ...` and the reliability test can set. */
export interface PipelineBenchmarkOptions {
  /** Bookings to push through the API (default 1,000). */
  bookings: number;
  /** Bookings per second the load generator starts; undefined: as fast as `concurrency` allows. */
  ratePerSecond?: number;
  /** POSTs in flight at once (default 10); also the PutItem baseline's concurrency. */
  concurrency: number;
  /** Faults the local runtime injects; undefined: none. */
  faults?: FaultOptions;
  /**
   * Visibility timeout (s) of every queue with a redrive policy (the notifications queue). It
   * changes the assembly (a variant of the dev one): the deployed 181 s makes a faulted message
   * wait minutes for its retry.
   */
  visibilityTimeoutSeconds?: number;
  /** How long to wait, after the last POST, for every booking to end (default: derived from the queue settings). */
  drainTimeoutSeconds?: number;
  /** Fresh processes spawned per function for the cold-start median (default 5; 0 skips). */
  coldStartSamples: number;
  /** Skip the raw DynamoDB Local PutItem baseline. */
  skipPutItemBaseline: boolean;
  /**
   * Whether staff reschedule and cancel part of the bookings right after making them (the lifecycle
   * mix, `planChanges`; default true). The latency run turns it off: its goal is stated for 20
   * bookings/s, which the mix would make about 32 changes/s.
   */
  changes?: boolean;
  /** Lines for a person (progress of the run); silent when absent. */
  write?: (line: string) => void;
}

export const DEFAULT_BOOKINGS = 1_000;
export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_COLD_START_SAMPLES = 5;

export class BenchUsageError extends Error {
  readonly code = 'BenchUsage';
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

export const PIPELINE_USAGE = [
  'pipeline benchmark flags:',
  '  --n <bookings>               bookings to push through the API (default 1000)',
  '  --rate <bookings/s>          start bookings at this rate (default: unlimited, bounded by --concurrency)',
  '  --concurrency <n>            POSTs in flight at once, and the PutItem baseline\'s concurrency (default 10)',
  '  --faults [spec]              inject faults in the local runtime and restart its compute half-way; spec as',
  '                               `npm start -- --faults` reads it (ses=0.1,sms=0.1,enrichment=0.05,crash=0.02,seed=42);',
  '                               without one: the runtime\'s default rates and a random seed (reported)',
  '  --visibility-timeout <s>     CHANGES THE ASSEMBLY: the notifications queue\'s visibility timeout (deployed: 181 s),',
  '                               so a message that failed is retried after <s> seconds instead of minutes',
  '  --drain-timeout <s>          how long to wait for every booking to end after the last POST',
  '  --cold-start-samples <n>     fresh processes per function for the cold-start median (default 5, 0 skips)',
  '  --no-put-item-baseline       skip the raw DynamoDB Local PutItem rate',
  '  --no-changes                 book only: no reschedules or cancellations after the bookings (default: 30 % of each)',
].join('\n');

function numberFlag(flag: string, text: string | undefined, check: (value: number) => boolean, what: string): number {
  if (text === undefined || text.startsWith('--')) throw new BenchUsageError(`${flag} needs a value (${what})`);
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) throw new BenchUsageError(`${flag} must be ${what}, got ${JSON.stringify(text)}`);
  return value;
}

const positiveInteger = (value: number): boolean => Number.isInteger(value) && value > 0;

/** Reads the pipeline flags; anything it does not know is an error naming the flag. */
export function parsePipelineArgs(argv: readonly string[]): PipelineBenchmarkOptions {
  const options: PipelineBenchmarkOptions = {
    bookings: DEFAULT_BOOKINGS,
    concurrency: DEFAULT_CONCURRENCY,
    coldStartSamples: DEFAULT_COLD_START_SAMPLES,
    skipPutItemBaseline: false,
  };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    const next = argv[index + 1];
    switch (flag) {
      case '--n':
        options.bookings = numberFlag(flag, next, positiveInteger, 'a positive whole number of bookings');
        index += 1;
        break;
      case '--rate':
        options.ratePerSecond = numberFlag(flag, next, (value) => value > 0, 'a positive number of bookings per second');
        index += 1;
        break;
      case '--concurrency':
        options.concurrency = numberFlag(flag, next, positiveInteger, 'a positive whole number');
        index += 1;
        break;
      case '--faults':
        if (next !== undefined && !next.startsWith('--')) {
          options.faults = parseFaultSpec(next);
          index += 1;
        } else {
          options.faults = parseFaultSpec('');
        }
        break;
      case '--visibility-timeout':
        options.visibilityTimeoutSeconds = numberFlag(flag, next, (value) => Number.isInteger(value) && value >= 0 && value <= 43_200, 'whole seconds from 0 to 43200 (SQS\'s range)');
        index += 1;
        break;
      case '--drain-timeout':
        options.drainTimeoutSeconds = numberFlag(flag, next, (value) => value > 0, 'a positive number of seconds');
        index += 1;
        break;
      case '--cold-start-samples':
        options.coldStartSamples = numberFlag(flag, next, (value) => Number.isInteger(value) && value >= 0, 'a whole number, 0 or more');
        index += 1;
        break;
      case '--no-put-item-baseline':
        options.skipPutItemBaseline = true;
        break;
      case '--no-changes':
        options.changes = false;
        break;
      default:
        throw new BenchUsageError(`unknown pipeline benchmark flag ${JSON.stringify(flag)}\n${PIPELINE_USAGE}`);
    }
  }
  return options;
}
