import type { SmsFaultHook } from '../emulators/sms-sink';
import { createFaultDice } from './fault-dice';
import type { ResolvedFaultOptions } from './fault-options';
import type { InjectedHttpFault } from './fault-proxy';
import { createFaultCounter, type FaultStats } from './fault-stats';

/** What an enrichment failure looks like when the function itself threw. */
export interface InjectedFunctionError {
  errorType: string;
  errorMessage: string;
}

export interface FaultInjector {
  readonly options: ResolvedFaultOptions;
  /** For the SES fault proxy: a fault to answer one SES v2 call with, or nothing. Counted. */
  sesFault(): InjectedHttpFault | undefined;
  /** For the SMS sink's fault hook (its own awsQuery error shapes). Counted. */
  smsFaultHook: SmsFaultHook;
  /** For the pipe's enrichment: an error to fail this invocation with instead of invoking. Counted. */
  enrichmentFault(): InjectedFunctionError | undefined;
  /**
   * For an invocation by an SQS event source: when to kill its environment, or nothing. Not
   * counted here: the kill only happens if the handler is still running by then (see `crashed`).
   */
  crashAfterMs(functionId: string): number | undefined;
  /** Feeds how long a function's invocations take, so crash delays fall within one. */
  observeDuration(functionId: string, durationMs: number): void;
  /** An injected crash did kill an environment mid-invocation. */
  crashed(): void;
  stats(): FaultStats;
}

/** Before any invocation has been measured, crashes fall within this many milliseconds. */
const INITIAL_TYPICAL_DURATION_MS = 50;

/**
 * Rolls the dice for every fault kind (one seeded stream each) and counts what it injects. Half
 * of a service's faults are throttling, half are server errors, as the task's fault model asks.
 */
export function createFaultInjector(options: ResolvedFaultOptions): FaultInjector {
  const counter = createFaultCounter();
  const dice = {
    ses: createFaultDice(options.seed, 'ses'),
    sms: createFaultDice(options.seed, 'sms'),
    enrichment: createFaultDice(options.seed, 'enrichment'),
    crash: createFaultDice(options.seed, 'crash'),
    crashDelay: createFaultDice(options.seed, 'crash-delay'),
  };
  // An exponential moving average per function: "within the invocation" needs a sense of how long one takes.
  const typicalDurationMs = new Map<string, number>();

  return {
    options,
    sesFault: () => {
      if (!dice.ses.chance(options.sesErrorRate)) return undefined;
      const fault: InjectedHttpFault = dice.ses.next() < 0.5 ? 'throttling' : 'server-error';
      counter.count(fault === 'throttling' ? 'sesThrottling' : 'sesServerError');
      return fault;
    },
    smsFaultHook: () => {
      if (!dice.sms.chance(options.snsErrorRate)) return undefined;
      if (dice.sms.next() < 0.5) {
        counter.count('smsThrottling');
        return { code: 'Throttling', message: 'Rate exceeded (injected fault)' };
      }
      counter.count('smsServerError');
      return { code: 'InternalError', message: 'Internal error (injected fault)' };
    },
    enrichmentFault: () => {
      if (!dice.enrichment.chance(options.enrichmentErrorRate)) return undefined;
      counter.count('enrichmentError');
      return { errorType: 'InjectedFaultError', errorMessage: 'the enrichment function failed (injected fault)' };
    },
    crashAfterMs: (functionId) => {
      if (!dice.crash.chance(options.notifierCrashRate)) return undefined;
      const typical = typicalDurationMs.get(functionId) ?? INITIAL_TYPICAL_DURATION_MS;
      return Math.floor(dice.crashDelay.next() * typical);
    },
    observeDuration: (functionId, durationMs) => {
      if (!Number.isFinite(durationMs) || durationMs < 0) return;
      const previous = typicalDurationMs.get(functionId);
      typicalDurationMs.set(functionId, previous === undefined ? durationMs : previous * 0.8 + durationMs * 0.2);
    },
    crashed: () => counter.count('notifierCrash'),
    stats: () => counter.snapshot(),
  };
}
