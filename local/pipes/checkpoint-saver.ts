import type { CheckpointStore, PipeCheckpoints } from './checkpoint-store';

/**
 * Writes a pipe's checkpoints to its store one save at a time: while a save is running, further
 * requests fold into one more save of whatever the checkpoints are by then, so a slow store sees
 * the latest position rather than a queue of stale ones.
 */
export class CheckpointSaver {
  private saving: Promise<void> | undefined;
  private saveAgain = false;

  constructor(
    private readonly store: CheckpointStore,
    private readonly current: () => PipeCheckpoints,
    /**
     * A call that outlived stop() (past the grace period) must not write after the runner said it
     * stopped; its records are redelivered after a restart instead (at least once).
     */
    private readonly closed: () => boolean,
    private readonly onError: (error: unknown) => void,
  ) {}

  schedule(): void {
    if (this.closed()) return;
    if (this.saving) {
      this.saveAgain = true;
      return;
    }
    const snapshot = JSON.parse(JSON.stringify(this.current())) as PipeCheckpoints;
    this.saving = this.store
      .save(snapshot)
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.saving = undefined;
        if (this.saveAgain) {
          this.saveAgain = false;
          this.schedule();
        }
      });
  }

  /** Resolves once no save is running or pending. */
  async flush(): Promise<void> {
    while (this.saving) await this.saving;
  }
}
