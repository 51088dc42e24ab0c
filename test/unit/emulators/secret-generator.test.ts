import { DEFAULT_GENERATE_SECRET_STRING, DIGITS, generatePassword, generateSecretString, InvalidSecretGenerationError, LOWERCASE, PUNCTUATION, UPPERCASE } from '../../../local/emulators/secret-generator';
import type { GenerateSecretStringSpec } from '../../../local/topology/types';

const spec = (overrides: Partial<GenerateSecretStringSpec>): GenerateSecretStringSpec => ({ ...DEFAULT_GENERATE_SECRET_STRING, ...overrides });
const only = (value: string, allowed: string): boolean => [...value].every((ch) => allowed.includes(ch));

describe('secret generation (GenerateSecretString)', () => {
  it("generates the template's key: 64 characters, letters and digits only (ExcludePunctuation)", () => {
    const values = Array.from({ length: 50 }, () => generatePassword(spec({ passwordLength: 64, excludePunctuation: true })));
    for (const value of values) {
      expect(value).toHaveLength(64);
      expect(only(value, LOWERCASE + UPPERCASE + DIGITS)).toBe(true);
    }
    expect(new Set(values).size).toBe(50);
  });

  it('defaults to 32 characters drawing on every class, each included class present', () => {
    for (let run = 0; run < 50; run += 1) {
      const value = generatePassword(DEFAULT_GENERATE_SECRET_STRING);
      expect(value).toHaveLength(32);
      for (const chars of [LOWERCASE, UPPERCASE, DIGITS, PUNCTUATION]) expect([...value].some((ch) => chars.includes(ch))).toBe(true);
      expect(value).not.toContain(' ');
    }
  });

  it('honours ExcludeCharacters, ExcludeNumbers/Uppercase/Lowercase and IncludeSpace', () => {
    for (let run = 0; run < 50; run += 1) {
      const value = generatePassword(spec({ passwordLength: 40, excludeCharacters: 'abc"\'\\', excludeUppercase: true, excludeNumbers: true, includeSpace: true }));
      expect(value).toHaveLength(40);
      expect(/[abcA-Z0-9"'\\]/.test(value)).toBe(false);
      expect(value).toContain(' ');
    }
    expect(only(generatePassword(spec({ excludeLowercase: true, excludeUppercase: true, excludePunctuation: true })), DIGITS)).toBe(true);
  });

  it('puts the password under GenerateStringKey in SecretStringTemplate', () => {
    const value = JSON.parse(generateSecretString(spec({ passwordLength: 20, secretStringTemplate: '{"username":"app"}', generateStringKey: 'password' }))) as Record<string, string>;
    expect(value.username).toBe('app');
    expect(value.password).toHaveLength(20);
  });

  it('refuses impossible settings with a clear error', () => {
    expect(() => generatePassword(spec({ excludeLowercase: true, excludeUppercase: true, excludeNumbers: true, excludePunctuation: true }))).toThrow(InvalidSecretGenerationError);
    expect(() => generatePassword(spec({ passwordLength: 3 }))).toThrow('too short to include each of the 4 included character types');
    expect(() => generatePassword(spec({ passwordLength: 0 }))).toThrow('PasswordLength must be an integer from 1 to 4096');
    expect(generatePassword(spec({ passwordLength: 3, requireEachIncludedType: false }))).toHaveLength(3);
  });
});
