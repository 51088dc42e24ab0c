import { backoffDelayMs, decideBatchStep, type BatchStep, type BatchStepInput, type RetrySettings } from '../../../local/pipes/retry-decision';

const BACKOFF = { baseMs: 1000, maxMs: 60_000 };
const SETTINGS: RetrySettings = { maximumRetryAttempts: 3, maximumRecordAgeInSeconds: 60 };
const BISECT: RetrySettings = { ...SETTINGS, onPartialBatchItemFailure: 'AUTOMATIC_BISECT' };

function input(overrides: Partial<BatchStepInput> & { ages?: number[] }): BatchStepInput {
  const { ages, ...rest } = overrides;
  const recordAgesMs = ages ?? [0];
  return { failed: true, retries: 0, batchSize: recordAgesMs.length, recordAgesMs, settings: SETTINGS, backoff: BACKOFF, ...rest };
}

describe('decideBatchStep before an attempt', () => {
  it.each<[string, Partial<BatchStepInput> & { ages?: number[] }, BatchStep]>([
    ['a young batch is attempted', { failed: false, ages: [5_000, 1_000] }, { type: 'attempt' }],
    ['exactly the maximum age is still young enough (strictly older is too old)', { failed: false, ages: [60_000] }, { type: 'attempt' }],
    ['one record over the maximum age dead-letters the whole batch', { failed: false, ages: [1_000, 60_001, 2_000] }, { type: 'dead-letter', condition: 'RecordAgeExceeded' }],
    ['maximumRecordAgeInSeconds -1: no age limit', { failed: false, ages: [7 * 24 * 3600_000], settings: { ...SETTINGS, maximumRecordAgeInSeconds: -1 } }, { type: 'attempt' }],
    ['maximumRecordAgeInSeconds 0: any age above 0 ms is too old', { failed: false, ages: [1], settings: { ...SETTINGS, maximumRecordAgeInSeconds: 0 } }, { type: 'dead-letter', condition: 'RecordAgeExceeded' }],
    ['the retry count does not matter before an attempt', { failed: false, retries: 99, ages: [0] }, { type: 'attempt' }],
    ['a too-old batch is given up on after retries too (the check runs before every attempt)', { failed: false, retries: 2, ages: [61_000] }, { type: 'dead-letter', condition: 'RecordAgeExceeded' }],
  ])('%s', (_label, overrides, expected) => {
    expect(decideBatchStep(input(overrides))).toEqual(expected);
  });
});

describe('decideBatchStep after a failed attempt', () => {
  it.each<[string, Partial<BatchStepInput> & { ages?: number[] }, BatchStep]>([
    ['the first failure retries after the base delay', { retries: 0 }, { type: 'retry-after-delay', retry: 1, delayMs: 1000 }],
    ['the delay doubles with each retry', { retries: 2 }, { type: 'retry-after-delay', retry: 3, delayMs: 4000 }],
    ['the delay stops growing at maxMs', { retries: 10, settings: { ...SETTINGS, maximumRetryAttempts: 100 } }, { type: 'retry-after-delay', retry: 11, delayMs: 60_000 }],
    ['retries used up: dead-letter', { retries: 3 }, { type: 'dead-letter', condition: 'RetryAttemptsExhausted' }],
    ['maximumRetryAttempts 0: the first failure dead-letters', { retries: 0, settings: { ...SETTINGS, maximumRetryAttempts: 0 } }, { type: 'dead-letter', condition: 'RetryAttemptsExhausted' }],
    ['maximumRetryAttempts -1: retries without end', { retries: 10_000, settings: { ...SETTINGS, maximumRetryAttempts: -1 } }, { type: 'retry-after-delay', retry: 10_001, delayMs: 60_000 }],
    ['AUTOMATIC_BISECT halves a batch of several records (first half the larger)', { ages: [0, 0, 0, 0, 0], settings: BISECT }, { type: 'bisect', firstHalfSize: 3 }],
    ['AUTOMATIC_BISECT halves a batch of two into one and one', { ages: [0, 0], settings: BISECT }, { type: 'bisect', firstHalfSize: 1 }],
    ['bisecting comes before the retry quota: an exhausted batch of several records is still split', { retries: 3, ages: [0, 0], settings: BISECT }, { type: 'bisect', firstHalfSize: 1 }],
    ['a single record cannot be split further: it uses up retries', { retries: 0, ages: [0], settings: BISECT }, { type: 'retry-after-delay', retry: 1, delayMs: 1000 }],
    ['a single record with its retries used up is dead-lettered', { retries: 3, ages: [0], settings: BISECT }, { type: 'dead-letter', condition: 'RetryAttemptsExhausted' }],
    ['without AUTOMATIC_BISECT a batch of several records is retried whole', { ages: [0, 0, 0], settings: SETTINGS }, { type: 'retry-after-delay', retry: 1, delayMs: 1000 }],
    ['the record age is not looked at on failure: the next attempt checks it', { ages: [3_600_000], retries: 0 }, { type: 'retry-after-delay', retry: 1, delayMs: 1000 }],
  ])('%s', (_label, overrides, expected) => {
    expect(decideBatchStep(input(overrides))).toEqual(expected);
  });
});

describe('decideBatchStep refuses input that describes no batch', () => {
  it.each<[string, Partial<BatchStepInput>, RegExp]>([
    ['an empty batch', { batchSize: 0, recordAgesMs: [] }, /at least one record/],
    ['ages that do not match the batch size', { batchSize: 2, recordAgesMs: [0] }, /an age for each of the 2 record/],
    ['a negative retry count', { retries: -1 }, /retries must be a whole number/],
    ['a fractional retry count', { retries: 0.5 }, /retries must be a whole number/],
  ])('%s', (_label, overrides, message) => {
    expect(() => decideBatchStep(input(overrides))).toThrow(message);
  });
});

describe('backoffDelayMs', () => {
  it('waits base, then twice as long each time, capped at max', () => {
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(retry, { baseMs: 5, maxMs: 100 }))).toEqual([5, 10, 20, 40, 80, 100]);
  });
});
