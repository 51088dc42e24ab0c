import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCheckpointStore, InMemoryCheckpointStore } from '../../../local/pipes/checkpoint-store';
import { CheckpointStoreError } from '../../../local/pipes/errors';

describe('checkpoint stores', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pipe-checkpoints-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('file store: nothing before the first save, then what was saved last, in <dataDir>/pipes/<pipe>.checkpoints.json', async () => {
    const store = new FileCheckpointStore({ dataDir, pipeName: 'dev-appointment-pipe' });
    expect(await store.load()).toBeUndefined();

    await Promise.all([
      store.save({ streamArn: 'arn:s', shards: { a: { sequenceNumber: '1' } } }),
      store.save({ streamArn: 'arn:s', shards: { a: { sequenceNumber: '2' }, b: { finished: true } } }),
    ]);

    expect(store.filePath).toBe(join(dataDir, 'pipes', 'dev-appointment-pipe.checkpoints.json'));
    expect(await new FileCheckpointStore({ dataDir, pipeName: 'dev-appointment-pipe' }).load()).toEqual({
      streamArn: 'arn:s',
      shards: { a: { sequenceNumber: '2' }, b: { finished: true } },
    });
    expect(JSON.parse(await readFile(store.filePath, 'utf8'))).toMatchObject({ streamArn: 'arn:s' });
  });

  it('file store: refuses a corrupt or foreign file with a message saying what to do', async () => {
    const store = new FileCheckpointStore({ dataDir, pipeName: 'p' });
    await mkdir(join(dataDir, 'pipes'), { recursive: true });
    await writeFile(store.filePath, '{ not json');
    await expect(store.load()).rejects.toThrow(CheckpointStoreError);
    await expect(store.load()).rejects.toThrow(/not valid JSON.*delete it/);

    await writeFile(store.filePath, JSON.stringify({ shards: [] }));
    await expect(store.load()).rejects.toThrow(/does not hold pipe checkpoints/);
  });

  it('in-memory store: keeps a copy, not the caller\'s object', async () => {
    const store = new InMemoryCheckpointStore();
    const checkpoints = { streamArn: 'arn:s', shards: { a: { sequenceNumber: '1' } } };
    await store.save(checkpoints);
    checkpoints.shards.a.sequenceNumber = '99';

    expect(await store.load()).toEqual({ streamArn: 'arn:s', shards: { a: { sequenceNumber: '1' } } });
  });
});
