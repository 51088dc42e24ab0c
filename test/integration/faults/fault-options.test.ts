import {
  DEFAULT_FAULT_OPTIONS,
  InvalidFaultSpecError,
  anyFaultEnabled,
  createFaultDice,
  createFaultInjector,
  describeFaults,
  parseFaultSpec,
  resolveFaultOptions,
  validateFaultOptions,
} from '../../../local/faults';

function errorOf(action: () => unknown): InvalidFaultSpecError {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidFaultSpecError) return error;
    throw error;
  }
  throw new Error('expected an InvalidFaultSpecError');
}

describe('fault spec parser', () => {
  it('reads every key of the compact form', () => {
    expect(parseFaultSpec('ses=0.1,sms=0.2,enrichment=0.05,crash=0.02,seed=42')).toEqual({
      sesErrorRate: 0.1,
      snsErrorRate: 0.2,
      enrichmentErrorRate: 0.05,
      notifierCrashRate: 0.02,
      seed: 42,
    });
  });

  it('means the defaults when empty (`--faults` alone)', () => {
    expect(parseFaultSpec('')).toEqual({ ...DEFAULT_FAULT_OPTIONS });
    expect(parseFaultSpec('  ')).toEqual({ sesErrorRate: 0.05, snsErrorRate: 0.05, enrichmentErrorRate: 0.05, notifierCrashRate: 0.02 });
  });

  it('leaves unnamed kinds off, accepts sns as an alias of sms, spaces and upper case keys', () => {
    expect(parseFaultSpec('crash=0.5')).toEqual({ notifierCrashRate: 0.5 });
    expect(parseFaultSpec(' SNS = 1 , ses=0 ,seed=0')).toEqual({ snsErrorRate: 1, sesErrorRate: 0, seed: 0 });
    expect(parseFaultSpec('ses=.25')).toEqual({ sesErrorRate: 0.25 });
  });

  it.each([
    ['ses=1.5', 'ses', /between 0 and 1/],
    ['ses=-0.1', 'ses', /between 0 and 1/],
    ['sms=abc', 'sms', /between 0 and 1.*"abc"/],
    ['enrichment=', 'enrichment', /has no value/],
    ['crash=NaN', 'crash', /between 0 and 1/],
    ['crash=1e-1', 'crash', /between 0 and 1/],
    ['seed=4.2', 'seed', /integer/],
    ['seed=-1', 'seed', /integer/],
    ['seed=4294967296', 'seed', /integer/],
    ['lambda=0.1', 'lambda', /unknown fault "lambda".*keys: ses, sms/],
    ['ses=0.1,ses=0.2', 'ses', /given twice/],
    ['sms=0.1,sns=0.2', 'sns', /given twice/],
    ['ses', 'ses', /not key=value/],
  ])('rejects %s naming the key', (spec, key, message) => {
    const error = errorOf(() => parseFaultSpec(spec));
    expect(error.code).toBe('InvalidFaultSpec');
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
  });

  it('rejects an empty entry', () => {
    expect(errorOf(() => parseFaultSpec('ses=0.1,,crash=0.1')).message).toMatch(/empty entry/);
  });
});

describe('programmatic fault options', () => {
  it('rejects out-of-range rates, unknown options and bad seeds, naming them', () => {
    expect(errorOf(() => validateFaultOptions({ sesErrorRate: 2 })).key).toBe('sesErrorRate');
    expect(errorOf(() => validateFaultOptions({ notifierCrashRate: Number.NaN })).key).toBe('notifierCrashRate');
    expect(errorOf(() => validateFaultOptions({ snsErrorRate: '0.1' as unknown as number })).key).toBe('snsErrorRate');
    expect(errorOf(() => validateFaultOptions({ sesRate: 0.1 } as never)).key).toBe('sesRate');
    expect(errorOf(() => validateFaultOptions({ seed: 1.5 })).key).toBe('seed');
  });

  it('resolves absent rates to 0 and draws a seed when none is given', () => {
    const resolved = resolveFaultOptions({ sesErrorRate: 0.3 }, () => 1234);
    expect(resolved).toEqual({ sesErrorRate: 0.3, snsErrorRate: 0, enrichmentErrorRate: 0, notifierCrashRate: 0, seed: 1234 });
    expect(anyFaultEnabled(resolved)).toBe(true);
    expect(anyFaultEnabled(resolveFaultOptions({ seed: 1 }))).toBe(false);
    expect(describeFaults(resolved)).toBe('ses=30% sms=0% enrichment=0% crash=0% seed=1234');
  });
});

describe('fault dice and injector', () => {
  const roll = (seed: number, stream: string, count: number): number[] => {
    const dice = createFaultDice(seed, stream);
    return Array.from({ length: count }, () => dice.next());
  };

  it('repeats the same rolls for the same seed and stream, and differs across seeds and streams', () => {
    expect(roll(42, 'ses', 20)).toEqual(roll(42, 'ses', 20));
    expect(roll(42, 'ses', 20)).not.toEqual(roll(43, 'ses', 20));
    expect(roll(42, 'ses', 20)).not.toEqual(roll(42, 'sms', 20));
    for (const value of roll(7, 'x', 1000)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('never fires at rate 0, always at rate 1, and about as often as asked in between', () => {
    const dice = createFaultDice(99, 'rate');
    const count = (rate: number): number => Array.from({ length: 10_000 }, () => dice.chance(rate)).filter(Boolean).length;
    expect(count(0)).toBe(0);
    expect(count(1)).toBe(10_000);
    const share = count(0.3) / 10_000;
    expect(share).toBeGreaterThan(0.27);
    expect(share).toBeLessThan(0.33);
  });

  it('splits service faults between throttling and server errors and counts each kind', () => {
    const injector = createFaultInjector(resolveFaultOptions({ sesErrorRate: 1, snsErrorRate: 1, enrichmentErrorRate: 1, seed: 5 }));
    const ses = Array.from({ length: 200 }, () => injector.sesFault());
    const sms = Array.from({ length: 200 }, () => injector.smsFaultHook({ phoneNumber: '+447700900123', message: 'x', messageAttributes: {} }));
    const enrichment = injector.enrichmentFault();

    expect(new Set(ses)).toEqual(new Set(['throttling', 'server-error']));
    expect(new Set(sms.map((fault) => fault?.code))).toEqual(new Set(['Throttling', 'InternalError']));
    expect(enrichment).toEqual({ errorType: 'InjectedFaultError', errorMessage: expect.stringContaining('injected fault') });
    const stats = injector.stats();
    expect(stats.sesThrottling + stats.sesServerError).toBe(200);
    expect(stats.sesThrottling).toBe(ses.filter((fault) => fault === 'throttling').length);
    expect(stats.smsThrottling + stats.smsServerError).toBe(200);
    expect(stats.enrichmentError).toBe(1);
    expect(stats.notifierCrash).toBe(0);
    expect(stats.total).toBe(401);
  });

  it('is reproducible: the same seed injects the same faults in the same order', () => {
    const run = (seed: number): Array<string | undefined> => {
      const injector = createFaultInjector(resolveFaultOptions({ sesErrorRate: 0.3, seed }));
      return Array.from({ length: 100 }, () => injector.sesFault());
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(41));
  });

  it('chooses crash delays within a typical invocation of that function, and counts only crashes that happened', () => {
    const injector = createFaultInjector(resolveFaultOptions({ notifierCrashRate: 1, seed: 3 }));
    injector.observeDuration('notifier', 200);
    const delays = Array.from({ length: 100 }, () => injector.crashAfterMs('notifier') as number);

    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(200);
    }
    expect(injector.stats().notifierCrash).toBe(0);
    injector.crashed();
    expect(injector.stats().notifierCrash).toBe(1);
    const off = createFaultInjector(resolveFaultOptions({ notifierCrashRate: 0, seed: 3 }));
    expect(off.crashAfterMs('notifier')).toBeUndefined();
  });
});
