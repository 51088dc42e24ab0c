import '../support/test-env';
import { countMetric, publishMetrics } from '../../../../services/common/metrics';
import { captureStdout } from '../support/stdout';

afterEach(() => {
  publishMetrics();
  jest.restoreAllMocks();
});

describe('shared metrics (counts of one invocation, published per dimension set)', () => {
  it('sums the counts of one name and dimension set, whatever the order of the dimensions', () => {
    const stdout = captureStdout();
    countMetric('Things', { b: '2', a: '1' });
    countMetric('Things', { a: '1', b: '2' }, 2);
    countMetric('Others');

    publishMetrics();

    expect(stdout.metrics()).toEqual([
      { namespace: 'UnitTest', name: 'Things', unit: 'Count', value: 3, dimensions: { service: 'unit-test', a: '1', b: '2' } },
      { namespace: 'UnitTest', name: 'Others', unit: 'Count', value: 1, dimensions: { service: 'unit-test' } },
    ]);
  });

  it('forgets what it published: the next invocation starts from nothing', () => {
    const stdout = captureStdout();
    countMetric('Things');
    publishMetrics();
    publishMetrics();

    expect(stdout.metrics()).toHaveLength(1);
  });

  it.each([
    ['an empty name', () => countMetric('')],
    ['a name with spaces', () => countMetric('not a name')],
    ['a negative count', () => countMetric('Things', {}, -1)],
    ['a count that is not a number', () => countMetric('Things', {}, Number.NaN)],
    ['an empty dimension value', () => countMetric('Things', { channel: '' })],
    ['a dimension value over 64 characters', () => countMetric('Things', { channel: 'x'.repeat(65) })],
  ])('refuses %s with a clear error', (_case, call) => {
    expect(call).toThrow(/metric|dimension|count/);
  });
});
