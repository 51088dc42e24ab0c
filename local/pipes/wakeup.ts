/**
 * A level-free wake-up call: `wait()` resolves at the next `notify()` or after `timeoutMs`,
 * whichever comes first. The runner's loops sleep on these so that new records, settled batches
 * and `stop()` wake them at once instead of at the next tick.
 */
export class Wakeup {
  private waiters = new Set<() => void>();

  wait(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      if (timeoutMs !== undefined) timer = setTimeout(done, Math.max(0, timeoutMs));
    });
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
