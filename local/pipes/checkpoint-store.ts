import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CheckpointStoreError } from './errors';

/** Where one shard stands. Only ever moves forward, and only past settled records. */
export interface ShardCheckpoint {
  /** The last sequence number whose record, and every record before it, is settled. */
  sequenceNumber?: string;
  /** The shard is closed and every record of it is settled: its children may run. */
  finished?: boolean;
  /** The shard was first opened at LATEST and nothing of it has been settled yet. */
  openedAtLatest?: boolean;
}

/** A pipe's position in one stream. Checkpoints of another stream (a recreated table) are ignored. */
export interface PipeCheckpoints {
  streamArn: string;
  shards: Record<string, ShardCheckpoint>;
}

export interface CheckpointStore {
  load(): Promise<PipeCheckpoints | undefined>;
  save(checkpoints: PipeCheckpoints): Promise<void>;
}

export class InMemoryCheckpointStore implements CheckpointStore {
  private stored: PipeCheckpoints | undefined;

  constructor(initial?: PipeCheckpoints) {
    this.stored = initial ? clone(initial) : undefined;
  }

  load(): Promise<PipeCheckpoints | undefined> {
    return Promise.resolve(this.stored ? clone(this.stored) : undefined);
  }

  save(checkpoints: PipeCheckpoints): Promise<void> {
    this.stored = clone(checkpoints);
    return Promise.resolve();
  }
}

/**
 * Keeps checkpoints in `<dataDir>/pipes/<pipe name>.checkpoints.json`, so a restarted runtime
 * resumes after the last settled record instead of re-reading or skipping the stream. Writes go
 * to a temporary file that is renamed over the old one, so a crash never leaves half a file.
 */
export class FileCheckpointStore implements CheckpointStore {
  readonly filePath: string;
  private writes: Promise<void> = Promise.resolve();

  constructor(options: { dataDir: string; pipeName: string }) {
    if (!options.dataDir) throw new CheckpointStoreError('a file checkpoint store needs a data directory');
    const safeName = options.pipeName.replace(/[^A-Za-z0-9._-]/g, '_');
    if (!safeName) throw new CheckpointStoreError('a file checkpoint store needs a pipe name');
    this.filePath = join(options.dataDir, 'pipes', `${safeName}.checkpoints.json`);
  }

  async load(): Promise<PipeCheckpoints | undefined> {
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CheckpointStoreError(`cannot read ${this.filePath}: ${(error as Error).message}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new CheckpointStoreError(`${this.filePath} is not valid JSON (${(error as Error).message}); delete it to start the pipe afresh`, {
        cause: error,
      });
    }
    if (!isPipeCheckpoints(parsed)) {
      throw new CheckpointStoreError(`${this.filePath} does not hold pipe checkpoints ({ streamArn, shards }); delete it to start the pipe afresh`);
    }
    return parsed;
  }

  save(checkpoints: PipeCheckpoints): Promise<void> {
    const text = `${JSON.stringify(checkpoints, null, 2)}\n`;
    const write = this.writes.then(async () => {
      const temporary = `${this.filePath}.${process.pid}.tmp`;
      try {
        await mkdir(dirname(this.filePath), { recursive: true });
        await writeFile(temporary, text, 'utf8');
        await rename(temporary, this.filePath);
      } catch (error) {
        throw new CheckpointStoreError(`cannot write ${this.filePath}: ${(error as Error).message}`, { cause: error });
      }
    });
    // A failed write must not poison the ones after it.
    this.writes = write.catch(() => undefined);
    return write;
  }
}

function isPipeCheckpoints(value: unknown): value is PipeCheckpoints {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.streamArn !== 'string' || typeof candidate.shards !== 'object' || candidate.shards === null) return false;
  return Object.values(candidate.shards as Record<string, unknown>).every((shard) => {
    if (typeof shard !== 'object' || shard === null) return false;
    const s = shard as Record<string, unknown>;
    return (
      (s.sequenceNumber === undefined || typeof s.sequenceNumber === 'string') &&
      (s.finished === undefined || typeof s.finished === 'boolean') &&
      (s.openedAtLatest === undefined || typeof s.openedAtLatest === 'boolean')
    );
  });
}

function clone(checkpoints: PipeCheckpoints): PipeCheckpoints {
  return JSON.parse(JSON.stringify(checkpoints)) as PipeCheckpoints;
}
