import { performance } from 'node:perf_hooks';

/** The clock the runtime's booking progress uses, so POST times and stage times compare. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();

export interface LoadOptions {
  total: number;
  concurrency: number;
  /** Starts per second; undefined: each worker starts its next item as soon as the last ends. */
  ratePerSecond?: number;
  /** Awaited before item `index` starts (a pause point, e.g. a compute restart); optional. */
  beforeItem?: (index: number) => Promise<void> | void;
  run(index: number): Promise<void>;
}

/**
 * Runs `total` items with at most `concurrency` in flight, item i starting no earlier than
 * start + i / rate: an open-loop schedule, so a slow system shows as latency, not as a lower
 * offered rate (as long as the concurrency allows).
 */
export async function runLoad(options: LoadOptions): Promise<void> {
  let next = 0;
  const startedAt = wallClockMs();
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next;
      if (index >= options.total) return;
      next += 1;
      if (options.ratePerSecond !== undefined) {
        const due = startedAt + (index * 1000) / options.ratePerSecond;
        const wait = due - wallClockMs();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      await options.beforeItem?.(index);
      await options.run(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.total) }, worker));
}
