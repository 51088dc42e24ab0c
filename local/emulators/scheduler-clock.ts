/**
 * Clocks for the local EventBridge Scheduler emulator (`scheduler.ts`). The emulator never reads
 * `Date.now()` or arms a timer itself: it asks its clock, so a test can run a booking in 2031 to
 * its reminder by moving a manual clock forward instead of waiting.
 */

/** Cancels a timer; calling it again, or after the timer ran, does nothing. */
export type CancelTimer = () => void;

export interface SchedulerClock {
  /** The current time in epoch milliseconds. */
  now(): number;
  /**
   * Runs `run` once the clock reaches `atMs` (at once, asynchronously, when `atMs` is not in the
   * future). The clock waits for the promise `run` returns before it counts the timer as done.
   */
  setTimer(atMs: number, run: () => Promise<void>): CancelTimer;
}

export interface ManualClock extends SchedulerClock {
  /**
   * Moves the clock forward to `ms`, running every timer due by then in time order (equal times in
   * the order they were set), each at its own time, and resolves once all of them, and timers they
   * set that are due by `ms` (retries), have settled. Moving backwards is an error.
   */
  advanceTo(ms: number): Promise<void>;
  advanceBy(ms: number): Promise<void>;
  /** Resolves once timers already due (a schedule created in the past) have settled. */
  settle(): Promise<void>;
  /** How many timers are armed and not yet run. */
  pendingTimers(): number;
}

interface ManualTimer {
  atMs: number;
  sequence: number;
  run: () => Promise<void>;
}

function assertEpochMs(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number of epoch milliseconds, got ${String(value)}`);
}

/** A clock that only moves when told to. */
export function createManualClock(startMs: number): ManualClock {
  assertEpochMs('startMs', startMs);
  let current = startMs;
  let sequence = 0;
  const timers: ManualTimer[] = [];
  // Advances run one after another, so concurrent calls cannot interleave their timers.
  let chain: Promise<void> = Promise.resolve();
  let drainQueued = false;

  const runDueBy = async (targetMs: number): Promise<void> => {
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of timers) {
        if (timer.atMs > targetMs) continue;
        if (next === undefined || timer.atMs < next.atMs || (timer.atMs === next.atMs && timer.sequence < next.sequence)) next = timer;
      }
      if (next === undefined) break;
      timers.splice(timers.indexOf(next), 1);
      current = Math.max(current, next.atMs);
      // A failing timer must not stop the clock; the emulator handles its own errors.
      await next.run().catch(() => undefined);
    }
    current = Math.max(current, targetMs);
  };

  const enqueue = (targetMs: () => number): Promise<void> => {
    const step = chain.then(() => runDueBy(targetMs()));
    chain = step.catch(() => undefined);
    return step;
  };

  const clock: ManualClock = {
    now: () => current,
    setTimer(atMs, run) {
      assertEpochMs('atMs', atMs);
      const timer: ManualTimer = { atMs, sequence: sequence++, run };
      timers.push(timer);
      if (atMs <= current && !drainQueued) {
        drainQueued = true;
        setImmediate(() => {
          drainQueued = false;
          void enqueue(() => current);
        });
      }
      return () => {
        const index = timers.indexOf(timer);
        if (index >= 0) timers.splice(index, 1);
      };
    },
    advanceTo(ms) {
      assertEpochMs('advanceTo(ms)', ms);
      return enqueue(() => {
        if (ms < current) throw new RangeError(`the manual clock cannot go back from ${new Date(current).toISOString()} to ${new Date(ms).toISOString()}`);
        return ms;
      });
    },
    advanceBy(ms) {
      if (!Number.isFinite(ms) || ms < 0) return Promise.reject(new RangeError(`advanceBy(ms) needs a non-negative number of milliseconds, got ${String(ms)}`));
      return enqueue(() => current + ms);
    },
    settle: () => enqueue(() => current),
    pendingTimers: () => timers.length,
  };
  return clock;
}

/** setTimeout's longest delay; longer waits are re-armed in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The wall clock: `Date.now()` and Node timers (re-armed in steps for times beyond ~24.8 days). */
export function createRealClock(): SchedulerClock {
  return {
    now: () => Date.now(),
    setTimer(atMs, run) {
      assertEpochMs('atMs', atMs);
      let handle: NodeJS.Timeout | undefined;
      let cancelled = false;
      const arm = (): void => {
        const delay = atMs - Date.now();
        if (delay > MAX_TIMEOUT_MS) {
          handle = setTimeout(arm, MAX_TIMEOUT_MS);
          return;
        }
        handle = setTimeout(() => {
          if (!cancelled) void run().catch(() => undefined);
        }, Math.max(0, delay));
      };
      arm();
      return () => {
        cancelled = true;
        if (handle !== undefined) clearTimeout(handle);
      };
    },
  };
}

/** A clock that can be moved forward (the manual clock, or the real clock shifted by a person). */
export interface AdvanceableClock extends SchedulerClock {
  advanceTo(ms: number): Promise<void>;
  advanceBy(ms: number): Promise<void>;
  settle(): Promise<void>;
  pendingTimers(): number;
}

export function isAdvanceableClock(clock: SchedulerClock): clock is AdvanceableClock {
  const candidate = clock as Partial<AdvanceableClock>;
  return typeof candidate.advanceTo === 'function' && typeof candidate.advanceBy === 'function' && typeof candidate.settle === 'function';
}

export interface ShiftableRealClock extends AdvanceableClock {
  /** How far ahead of the wall clock this clock runs (milliseconds, never negative). */
  offsetMs(): number;
}

/**
 * The wall clock, which a person can move forward: `now()` is `Date.now()` plus an offset that
 * only grows. Timers run when this clock reaches them, on Node timers as time passes, or at once
 * when an advance passes them: `advanceTo`/`advanceBy` resolve once the timers then due, in time
 * order, have settled. A retry a timer arms after an advance is due on this clock, in real time
 * from then (unlike the manual clock, where an advance also runs the retries due within it).
 */
export function createShiftableRealClock(): ShiftableRealClock {
  let offset = 0;
  let sequence = 0;
  const timers: ManualTimer[] = [];
  let handle: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  const now = (): number => Date.now() + offset;

  const rearm = (): void => {
    if (handle !== undefined) clearTimeout(handle);
    handle = undefined;
    if (timers.length === 0) return;
    const earliest = Math.min(...timers.map((timer) => timer.atMs));
    handle = setTimeout(() => {
      handle = undefined;
      void enqueue(() => undefined);
    }, Math.min(Math.max(0, earliest - now()), MAX_TIMEOUT_MS));
  };

  const runDue = async (): Promise<void> => {
    for (;;) {
      const limit = now();
      let next: ManualTimer | undefined;
      for (const timer of timers) {
        if (timer.atMs > limit) continue;
        if (next === undefined || timer.atMs < next.atMs || (timer.atMs === next.atMs && timer.sequence < next.sequence)) next = timer;
      }
      if (next === undefined) break;
      timers.splice(timers.indexOf(next), 1);
      await next.run().catch(() => undefined);
    }
    rearm();
  };

  const enqueue = (move: () => void): Promise<void> => {
    const step = chain.then(() => {
      move();
      return runDue();
    });
    chain = step.catch(() => undefined);
    return step;
  };

  return {
    now,
    setTimer(atMs, run) {
      assertEpochMs('atMs', atMs);
      const timer: ManualTimer = { atMs, sequence: sequence++, run };
      timers.push(timer);
      rearm();
      return () => {
        const index = timers.indexOf(timer);
        if (index < 0) return;
        timers.splice(index, 1);
        rearm();
      };
    },
    advanceTo(ms) {
      assertEpochMs('advanceTo(ms)', ms);
      return enqueue(() => {
        const current = now();
        if (ms < current) throw new RangeError(`the clock cannot go back from ${new Date(current).toISOString()} to ${new Date(ms).toISOString()}`);
        offset += ms - current;
      });
    },
    advanceBy(ms) {
      if (!Number.isFinite(ms) || ms < 0) return Promise.reject(new RangeError(`advanceBy(ms) needs a non-negative number of milliseconds, got ${String(ms)}`));
      return enqueue(() => {
        offset += ms;
      });
    },
    settle: () => enqueue(() => undefined),
    pendingTimers: () => timers.length,
    offsetMs: () => offset,
  };
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `25h`, `+90m`, `1d2h`, `30s`, `500ms` (or a plain number of milliseconds) in milliseconds;
 * anything else is a RangeError naming the accepted forms.
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0) throw new RangeError(`a duration must be a non-negative number of milliseconds, got ${String(text)}`);
    return text;
  }
  const trimmed = String(text).trim().replace(/^\+/, '');
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^(\d+(ms|s|m|h|d))+$/.test(trimmed)) throw new RangeError(`${JSON.stringify(text)} is not a duration: use e.g. 25h, 90m, 1d2h, 30s or 500ms`);
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number);
  return total;
}
