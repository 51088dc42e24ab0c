import '../support/test-env';
import { Logger } from '@aws-lambda-powertools/logger';
import { recordLogger } from '../../../../services/common/logger';
import { lambdaContext } from '../support/lambda';
import { captureStdout } from '../support/stdout';

const INITIALIZATION_TYPE = 'AWS_LAMBDA_INITIALIZATION_TYPE';
let previousInitializationType: string | undefined;

beforeEach(() => {
  // As on Lambda (on-demand), where Powertools tracks the cold start.
  previousInitializationType = process.env[INITIALIZATION_TYPE];
  process.env[INITIALIZATION_TYPE] = 'on-demand';
});
afterEach(() => {
  if (previousInitializationType === undefined) delete process.env[INITIALIZATION_TYPE];
  else process.env[INITIALIZATION_TYPE] = previousInitializationType;
  jest.restoreAllMocks();
});

describe('recordLogger (the lines about one record)', () => {
  it("adds the record's correlation_id to every level, over the parent's context, and never to the parent", () => {
    const parent = new Logger({ serviceName: 'record-logger-test', logLevel: 'DEBUG' });
    parent.addContext(lambdaContext());
    const stdout = captureStdout();
    const first = recordLogger('appointment-1', parent);
    const second = recordLogger('appointment-2', parent);

    first.debug('d', { step: 1 });
    second.info('i');
    first.warn('w', { correlation_id: 'an attempt to overwrite it' });
    second.error('e', { step: 4 });
    parent.info('about no record');

    expect(stdout.lines().map((line) => [line.level, line.message, line.correlation_id, line.function_name])).toEqual([
      ['DEBUG', 'd', 'appointment-1', 'test-function'],
      ['INFO', 'i', 'appointment-2', 'test-function'],
      ['WARN', 'w', 'appointment-1', 'test-function'],
      ['ERROR', 'e', 'appointment-2', 'test-function'],
      ['INFO', 'about no record', undefined, 'test-function'],
    ]);
    expect(stdout.lines()[0]).toMatchObject({ step: 1 });
  });

  it('reports the cold start as the parent does: true only in the first invocation (a Powertools child would say true again)', () => {
    const parent = new Logger({ serviceName: 'record-logger-test' });
    const stdout = captureStdout();

    parent.addContext(lambdaContext());
    recordLogger('appointment-1', parent).info('first invocation');
    parent.addContext(lambdaContext());
    recordLogger('appointment-2', parent).info('second invocation');
    parent.createChild({ persistentKeys: { correlation_id: 'appointment-3' } }).info('a Powertools child in the second invocation');

    expect(stdout.lines().map((line) => [line.message, line.cold_start])).toEqual([
      ['first invocation', true],
      ['second invocation', false],
      // Why recordLogger does not use createChild(): this line would claim a cold start.
      ['a Powertools child in the second invocation', true],
    ]);
  });

  it('refuses an empty correlation id', () => {
    expect(() => recordLogger('')).toThrow('a record logger needs a non-empty correlation id');
  });
});
