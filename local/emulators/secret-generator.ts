import { randomInt } from 'node:crypto';
import type { GenerateSecretStringSpec } from '../topology/types';

/**
 * Secret values as Secrets Manager generates them (`GenerateSecretString` in CloudFormation,
 * `GetRandomPassword` in the API): characters drawn with node:crypto from the classes not excluded,
 * minus `ExcludeCharacters`; with `RequireEachIncludedType`, at least one of each included class.
 */

export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
export const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const DIGITS = '0123456789';
/** The punctuation Secrets Manager draws from: every printable ASCII character that is not a letter, digit or space. */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export class InvalidSecretGenerationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSecretGenerationError';
  }
}

/** CloudFormation's and the API's defaults. */
export const DEFAULT_GENERATE_SECRET_STRING: GenerateSecretStringSpec = {
  passwordLength: 32,
  excludeCharacters: '',
  excludeNumbers: false,
  excludePunctuation: false,
  excludeUppercase: false,
  excludeLowercase: false,
  includeSpace: false,
  requireEachIncludedType: true,
};

/** The character classes a generation draws from, after the exclusions. */
export function characterClasses(spec: GenerateSecretStringSpec): string[] {
  const excluded = new Set(spec.excludeCharacters);
  const classes = [
    spec.excludeLowercase ? '' : LOWERCASE,
    spec.excludeUppercase ? '' : UPPERCASE,
    spec.excludeNumbers ? '' : DIGITS,
    spec.excludePunctuation ? '' : PUNCTUATION,
    spec.includeSpace ? ' ' : '',
  ];
  return classes.map((chars) => [...chars].filter((ch) => !excluded.has(ch)).join('')).filter((chars) => chars.length > 0);
}

/** A random string of `passwordLength` characters following the spec. */
export function generatePassword(spec: GenerateSecretStringSpec): string {
  if (!Number.isInteger(spec.passwordLength) || spec.passwordLength < 1 || spec.passwordLength > 4096) {
    throw new InvalidSecretGenerationError(`PasswordLength must be an integer from 1 to 4096, got ${spec.passwordLength}`);
  }
  const classes = characterClasses(spec);
  if (classes.length === 0) throw new InvalidSecretGenerationError('every character is excluded: nothing to generate the secret from');
  const all = classes.join('');
  const pick = (chars: string): string => chars[randomInt(chars.length)] as string;
  const characters: string[] = [];
  if (spec.requireEachIncludedType) {
    if (spec.passwordLength < classes.length) {
      throw new InvalidSecretGenerationError(`PasswordLength ${spec.passwordLength} is too short to include each of the ${classes.length} included character types`);
    }
    for (const chars of classes) characters.push(pick(chars));
  }
  while (characters.length < spec.passwordLength) characters.push(pick(all));
  // Fisher-Yates, so the required characters are not always first.
  for (let index = characters.length - 1; index > 0; index -= 1) {
    const other = randomInt(index + 1);
    [characters[index], characters[other]] = [characters[other] as string, characters[index] as string];
  }
  return characters.join('');
}

/** The secret string: the generated password, or the template with the password under the key. */
export function generateSecretString(spec: GenerateSecretStringSpec): string {
  const password = generatePassword(spec);
  if (spec.secretStringTemplate === undefined || spec.generateStringKey === undefined) return password;
  let template: unknown;
  try {
    template = JSON.parse(spec.secretStringTemplate);
  } catch {
    throw new InvalidSecretGenerationError('SecretStringTemplate is not JSON');
  }
  if (template === null || typeof template !== 'object' || Array.isArray(template)) throw new InvalidSecretGenerationError('SecretStringTemplate must be a JSON object');
  return JSON.stringify({ ...(template as Record<string, unknown>), [spec.generateStringKey]: password });
}
