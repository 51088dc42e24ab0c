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
