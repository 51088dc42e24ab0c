import { checkAgainstNothing, checkManageToken, manageTokenExpiry, parseManageToken, signManageToken } from '../../../../services/common/security/manage-token';

const KEY = 'k'.repeat(20) + 'Q7mZpX2vR9tLw4sYb8nC6dFh3jK5gH1a';
const OTHER_KEY = 'z'.repeat(64);
const APPOINTMENT = '8d2f6a4e-5b1c-4e8a-9f3d-2c7b1a0e9d42';
const OTHER_APPOINTMENT = '1b6f0c3e-2a4d-4f5e-8a9b-0c1d2e3f4a5b';
const NOW = new Date('2031-01-01T00:00:00Z');
const IN_A_YEAR = Math.floor(NOW.getTime() / 1000) + 365 * 86_400;

const sign = (overrides: Partial<Parameters<typeof signManageToken>[1]> = {}, key = KEY): string =>
  signManageToken(key, { appointmentId: APPOINTMENT, email: 'Jane.Doe@Example.com', expiresAt: IN_A_YEAR, ...overrides });

const check = (token: string, email = 'jane.doe@example.com', now = NOW, purpose?: string): string => {
  const parsed = parseManageToken(token);
  if (!parsed) return 'unparseable';
  return checkManageToken(KEY, parsed, email, now, purpose);
};

describe('manage tokens', () => {
  it('verify for the appointment, address (any case) and purpose they were signed for', () => {
    const token = sign();
    expect(token).toMatch(/^m1\.8d2f6a4e-5b1c-4e8a-9f3d-2c7b1a0e9d42\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(check(token)).toBe('valid');
    expect(check(token, 'JANE.DOE@EXAMPLE.COM')).toBe('valid');
    expect(parseManageToken(token)).toMatchObject({ appointmentId: APPOINTMENT, expiresAt: IN_A_YEAR });
  });

  it('carry no e-mail address', () => {
    expect(sign()).not.toMatch(/jane|example/i);
  });

  it('do not verify for another address, another purpose, or under another key', () => {
    expect(check(sign(), 'someone.else@example.com')).toBe('invalid');
    expect(check(sign({ purpose: 'unsubscribe' }))).toBe('invalid');
    expect(check(sign(), 'jane.doe@example.com', NOW, 'unsubscribe')).toBe('invalid');
    expect(check(sign({}, OTHER_KEY))).toBe('invalid');
  });

  it('bind the appointment id: moving a token to another appointment breaks it', () => {
    const moved = sign().replace(APPOINTMENT, OTHER_APPOINTMENT);
    expect(check(moved)).toBe('invalid');
  });

  it('bind the expiry: extending it breaks the signature', () => {
    const token = sign();
    const extended = token.replace(`.${IN_A_YEAR}.`, `.${IN_A_YEAR + 86_400 * 365}.`);
    expect(check(extended)).toBe('invalid');
  });

  it('detect any changed character of the signature', () => {
    const token = sign();
    const signature = token.split('.')[3]!;
    for (let index = 0; index < signature.length; index += 1) {
      const replacement = signature[index] === 'A' ? 'B' : 'A';
      const tampered = token.slice(0, token.length - signature.length) + signature.slice(0, index) + replacement + signature.slice(index + 1);
      expect(check(tampered)).not.toBe('valid');
    }
  });

  it('expire: a genuine token past its expiry is told apart from a forged one', () => {
    const expiresAt = Math.floor(NOW.getTime() / 1000) - 1;
    expect(check(sign({ expiresAt }))).toBe('expired');
    expect(check(sign({ expiresAt }), 'someone.else@example.com')).toBe('invalid');
    expect(check(sign({ expiresAt: Math.floor(NOW.getTime() / 1000) + 1 }))).toBe('valid');
  });

  it.each([
    ['empty', ''],
    ['a JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln'],
    ['another version', sign().replace(/^m1/, 'm2')],
    ['an upper-case id', sign().replace(APPOINTMENT, APPOINTMENT.toUpperCase())],
    ['a short signature', sign().slice(0, -1)],
    ['a long signature', `${sign()}A`],
    ['padding', `${sign()}=`],
    ['a zero expiry', `m1.${APPOINTMENT}.0.${'A'.repeat(43)}`],
    ['a leading-zero expiry', sign().replace(`.${IN_A_YEAR}.`, `.0${IN_A_YEAR}.`)],
    ['whitespace', ` ${sign()}`],
    ['huge', 'm1.'.padEnd(5000, 'a')],
  ])('are not parsed from %s', (_name, token) => {
    expect(parseManageToken(token)).toBeUndefined();
  });

  it('refuse to sign with a short key or a bad expiry', () => {
    expect(() => sign({}, 'short')).toThrow('too short');
    expect(() => sign({ expiresAt: 1.5 })).toThrow('positive whole number');
  });

  it('check against nothing returns invalid (for unknown appointments)', () => {
    expect(checkAgainstNothing(KEY, parseManageToken(sign())!)).toBe('invalid');
  });

  it('expire a set time after the appointment starts', () => {
    expect(manageTokenExpiry(Date.parse('2031-03-14T09:30:00Z'), 30 * 86_400)).toBe(Date.parse('2031-04-13T09:30:00Z') / 1000);
  });
});
