interface IdleWaiter {
  sinceTick: number;
  resolve(): void;
}

/**
 * Callers of `idle()`, each waiting for the runner to have been idle since the tick it asked at:
 * every shard polled afresh and found empty, so "idle" says something about the stream now and
 * not about a poll made before the caller wrote to it.
 */
export class IdleWaiters {
  private waiters: IdleWaiter[] = [];

  add(sinceTick: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ sinceTick, resolve }));
  }

  /** Resolves the waiters for which `idleSince(theirTick)` holds. */
  check(idleSince: (tick: number) => boolean): void {
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => {
      if (!idleSince(waiter.sinceTick)) return true;
      waiter.resolve();
      return false;
    });
  }

  /** A stopped runner will never be busier than it is: nobody should wait for it. */
  resolveAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }
}
