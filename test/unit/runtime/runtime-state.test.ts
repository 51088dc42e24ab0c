import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRuntimeStateError, parseRuntimeState, readRuntimeState, type RuntimeState } from '../../../local/runtime/runtime-state';

const VALID: RuntimeState = {
  pid: process.pid,
  startedAt: '2031-01-01T00:00:00.000Z',
  stage: 'dev',
  region: 'eu-west-2',
  apiUrl: 'http://127.0.0.1:4010/dev/',
  emailViewerUrl: 'http://127.0.0.1:4011/',
  smsOutboxUrl: 'http://127.0.0.1:4012/',
  endpoints: { dynamodb: 'http://127.0.0.1:4013', sqs: 'http://127.0.0.1:4014', sesv2: 'http://127.0.0.1:4011', sns: 'http://127.0.0.1:4012' },
  deadLetterQueues: [
    {
      label: 'notifications',
      kind: 'sqs-redrive',
      queue: { url: 'http://127.0.0.1:4014/000000000000/dlq', arn: 'arn:aws:sqs:eu-west-2:000000000000:dlq' },
      source: { url: 'http://127.0.0.1:4014/000000000000/q', arn: 'arn:aws:sqs:eu-west-2:000000000000:q' },
    },
  ],
};

describe('the runtime state file', () => {
  it('accepts what a runtime writes', () => {
    expect(parseRuntimeState(JSON.parse(JSON.stringify(VALID)))).toEqual(VALID);
  });

  it.each([
    ['a missing pid', { ...VALID, pid: undefined }, 'pid must be a positive integer'],
    ['an API URL that is not a URL', { ...VALID, apiUrl: 'somewhere' }, 'apiUrl must be a URL'],
    ['an endpoint missing', { ...VALID, endpoints: { ...VALID.endpoints, sqs: undefined } }, 'endpoints.sqs must be a URL'],
    ['a Scheduler endpoint that is not a URL', { ...VALID, endpoints: { ...VALID.endpoints, scheduler: 'port 4015' } }, 'endpoints.scheduler must be a URL'],
    ['a queue of an unknown kind', { ...VALID, deadLetterQueues: [{ ...VALID.deadLetterQueues[0], kind: 'fifo' }] }, 'deadLetterQueues[0].kind must be sqs-redrive or pipe'],
    ['a queue without an ARN', { ...VALID, deadLetterQueues: [{ ...VALID.deadLetterQueues[0], queue: { url: 'http://127.0.0.1:1/q', arn: 'q' } }] }, 'deadLetterQueues[0].queue.arn must be an ARN'],
    ['no queue list', { ...VALID, deadLetterQueues: 'all' }, 'deadLetterQueues must be an array'],
  ])('refuses %s, naming the field', (_case, state, problem) => {
    expect(() => parseRuntimeState(state, 'runtime.json')).toThrow(InvalidRuntimeStateError);
    expect(() => parseRuntimeState(state, 'runtime.json')).toThrow(problem);
  });

  it('reading: none for no file, a clear error for a file that is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtime-state-'));
    expect(await readRuntimeState(join(dir, 'absent.json'))).toBeUndefined();
    writeFileSync(join(dir, 'broken.json'), '{"pid": 1,');
    await expect(readRuntimeState(join(dir, 'broken.json'))).rejects.toThrow('is not JSON');
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(VALID));
    expect(await readRuntimeState(join(dir, 'ok.json'))).toEqual(VALID);
  });
});
