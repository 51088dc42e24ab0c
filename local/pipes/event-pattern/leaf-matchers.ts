import { InvalidEventPatternError } from './errors';
import { AddressRange, inRange, looksLikeIpAddress, parseCidr, parseIpAddress, sameAddress } from './ip-address';
import { isComparableNumber, numericOperandProblem } from './numbers';
import { matchesWildcard, parseWildcard, WildcardSegments } from './wildcard';

/** A leaf value of an event: what remains once objects are walked and arrays are flattened. */
export type Scalar = string | number | boolean | null;
export type ScalarTest = (value: Scalar) => boolean;

/** Which product's rules the pattern must satisfy: Pipes accepts a subset of event-bus operators. */
export type PatternDialect = 'event-bus' | 'pipes';

/** The compiled match values of one pattern field, e.g. `"state": ["a", {"prefix": "b"}]`. */
export interface CompiledLeaf {
  /** True when any present leaf value satisfies the field (undefined when only exists:false). */
  readonly test: ScalarTest | undefined;
  /** `{"exists": false}` is among the values: the field also matches when the event lacks it. */
  readonly allowsAbsence: boolean;
}

const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'] as const;
type Operator = (typeof OPERATORS)[number];

/** Field names refused inside `$or` alternatives, as event-ruler reserves them. */
export const RESERVED_IN_OR = new Set<string>([
  ...OPERATORS, 'exactly', '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case',
  'date-after', 'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range',
  'ip-address-in-range', 'ip-address-not-in-range',
]);

const alwaysTrue: ScalarTest = () => true;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return `a ${typeof value} value`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compiles the value array of a leaf field, validating every entry as EventBridge does. */
export function compileLeaf(values: readonly unknown[], path: string, dialect: PatternDialect): CompiledLeaf {
  if (values.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed: a field needs at least one value to match', path);
  const tests: ScalarTest[] = [];
  const strings = new Set<string>();
  const numbers = new Set<number>();
  let allowsAbsence = false;
  for (const value of values) {
    if (typeof value === 'string') {
      if (looksLikeIpAddress(value) && parseIpAddress(value) !== undefined) tests.push(ipAddressTest(value));
      else strings.add(value);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new InvalidEventPatternError(`Match values must be finite numbers, got ${String(value)}`, path);
      numbers.add(value);
    } else if (value === null || typeof value === 'boolean') {
      const literal = value;
      tests.push((candidate) => candidate === literal);
    } else if (isPlainObject(value)) {
      const operator = compileOperator(value, path, dialect);
      if (operator === 'absent') allowsAbsence = true;
      else tests.push(operator);
    } else {
      throw new InvalidEventPatternError(`Match values must be strings, numbers, true, false, null or operator objects, got ${describe(value)}`, path);
    }
  }
  if (strings.size === 1) {
    const only = strings.values().next().value as string;
    tests.unshift((candidate) => candidate === only);
  } else if (strings.size > 1) {
    tests.unshift((candidate) => typeof candidate === 'string' && strings.has(candidate));
  }
  // EventBridge compares pattern numbers numerically (300 matches 300.0 and 3.0e2), so one number
  // set keyed by the double value is exact.
  if (numbers.size > 0) tests.push((candidate) => typeof candidate === 'number' && numbers.has(candidate));
  return { test: anyOf(tests), allowsAbsence };
}

function anyOf(tests: readonly ScalarTest[]): ScalarTest | undefined {
  if (tests.length === 0) return undefined;
  if (tests.length === 1) return tests[0];
  if (tests.includes(alwaysTrue)) return alwaysTrue;
  return (candidate) => {
    for (const test of tests) if (test(candidate)) return true;
    return false;
  };
}

/** A pattern string that is an IP literal matches the same address however it is written. */
function ipAddressTest(literal: string): ScalarTest {
  const address = parseIpAddress(literal) as readonly number[];
  return (candidate) => {
    if (typeof candidate !== 'string') return false;
    if (candidate === literal) return true;
    const other = looksLikeIpAddress(candidate) ? parseIpAddress(candidate) : undefined;
    return other !== undefined && sameAddress(other, address);
  };
}

function compileOperator(expression: Record<string, unknown>, path: string, dialect: PatternDialect): ScalarTest | 'absent' {
  const keys = Object.keys(expression);
  if (keys.length === 0) throw new InvalidEventPatternError('An operator object needs exactly one operator, got {}', path);
  if (keys.length > 1) throw new InvalidEventPatternError(`An operator object takes exactly one operator, got ${keys.map((key) => `"${key}"`).join(', ')}`, path);
  const name = keys[0];
  const operand = expression[name];
  if (!(OPERATORS as readonly string[]).includes(name)) {
    throw new InvalidEventPatternError(`Unrecognized operator "${name}" (expected one of ${OPERATORS.map((op) => `"${op}"`).join(', ')})`, path);
  }
  switch (name as Operator) {
    case 'prefix': return affixTest('prefix', operand, path);
    case 'suffix': return affixTest('suffix', operand, path);
    case 'equals-ignore-case': {
      const text = requireString('equals-ignore-case', operand, path);
      const folded = text.toLowerCase();
      return (candidate) => typeof candidate === 'string' && candidate.toLowerCase() === folded;
    }
    case 'wildcard': {
      if (dialect === 'pipes') throw new InvalidEventPatternError('"wildcard" is not supported in EventBridge Pipes filters', path);
      const segments = wildcardSegments(requireString('wildcard', operand, path), path);
      return (candidate) => typeof candidate === 'string' && matchesWildcard(segments, candidate);
    }
    case 'anything-but': return anythingButTest(operand, path, dialect);
    case 'numeric': return numericTest(operand, path);
    case 'exists': {
      if (operand === true) return alwaysTrue;
      if (operand === false) return 'absent';
      throw new InvalidEventPatternError(`"exists" needs true or false, got ${describe(operand)}`, path);
    }
    case 'cidr': {
      const range = parseCidr(requireString('cidr', operand, path));
      if (typeof range === 'string') throw new InvalidEventPatternError(range, path);
      return cidrTest(range);
    }
  }
}

function requireString(operator: string, operand: unknown, path: string): string {
  if (typeof operand !== 'string') throw new InvalidEventPatternError(`"${operator}" needs a string, got ${describe(operand)}`, path);
  return operand;
}

function wildcardSegments(text: string, path: string): WildcardSegments {
  const segments = parseWildcard(text);
  if (typeof segments === 'string') throw new InvalidEventPatternError(segments, path);
  return segments;
}

/** `prefix`/`suffix`, either a string or `{"equals-ignore-case": string}`. */
function affixTest(operator: 'prefix' | 'suffix', operand: unknown, path: string): ScalarTest {
  const atStart = operator === 'prefix';
  if (typeof operand === 'string') {
    return atStart
      ? (candidate) => typeof candidate === 'string' && candidate.startsWith(operand)
      : (candidate) => typeof candidate === 'string' && candidate.endsWith(operand);
  }
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      throw new InvalidEventPatternError(`"${operator}" takes a string or {"equals-ignore-case": string}, got an object with ${keys.length === 0 ? 'no keys' : keys.map((key) => `"${key}"`).join(', ')}`, path);
    }
    const folded = requireString(`${operator}.equals-ignore-case`, operand['equals-ignore-case'], path).toLowerCase();
    return atStart
      ? (candidate) => typeof candidate === 'string' && candidate.toLowerCase().startsWith(folded)
      : (candidate) => typeof candidate === 'string' && candidate.toLowerCase().endsWith(folded);
  }
  throw new InvalidEventPatternError(`"${operator}" needs a string or {"equals-ignore-case": string}, got ${describe(operand)}`, path);
}

function cidrTest(range: AddressRange): ScalarTest {
  return (candidate) => {
    if (typeof candidate !== 'string' || !looksLikeIpAddress(candidate)) return false;
    const address = parseIpAddress(candidate);
    return address !== undefined && inRange(address, range);
  };
}

type Comparison = (value: number) => boolean;

/** `numeric`: ["=", n], [">"|">=", n], ["<"|"<=", n], or a lower bound followed by an upper bound. */
function numericTest(operand: unknown, path: string): ScalarTest {
  const shape = '"numeric" needs an array of operator/value pairs: ["=", n], [">" or ">=", n], ["<" or "<=", n], or a lower bound then an upper bound';
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) throw new InvalidEventPatternError(shape, path);
  const first = comparison(operand[0], operand[1], path, shape);
  if (operand.length === 2) return numberTest(first.test);
  if (first.operator === '=' || first.operator === '<' || first.operator === '<=') {
    throw new InvalidEventPatternError(`"numeric" range must start with ">" or ">=" and end with "<" or "<=", got "${first.operator}" first`, path);
  }
  const second = comparison(operand[2], operand[3], path, shape);
  if (second.operator !== '<' && second.operator !== '<=') {
    throw new InvalidEventPatternError(`"numeric" range must end with "<" or "<=", got "${second.operator}"`, path);
  }
  if (first.bound >= second.bound) {
    throw new InvalidEventPatternError(`"numeric" range lower bound ${first.bound} must be less than its upper bound ${second.bound}`, path);
  }
  return numberTest((value) => first.test(value) && second.test(value));
}

function comparison(operator: unknown, bound: unknown, path: string, shape: string): { operator: string; bound: number; test: Comparison } {
  if (typeof operator !== 'string') throw new InvalidEventPatternError(`${shape}; got ${describe(operator)} where an operator belongs`, path);
  if (typeof bound !== 'number') throw new InvalidEventPatternError(`"numeric" value for "${operator}" must be a number, got ${describe(bound)}`, path);
  const problem = numericOperandProblem(bound);
  if (problem !== undefined) throw new InvalidEventPatternError(`"numeric" value ${problem}`, path);
  switch (operator) {
    case '=': return { operator, bound, test: (value) => value === bound };
    case '<': return { operator, bound, test: (value) => value < bound };
    case '<=': return { operator, bound, test: (value) => value <= bound };
    case '>': return { operator, bound, test: (value) => value > bound };
    case '>=': return { operator, bound, test: (value) => value >= bound };
    default: throw new InvalidEventPatternError(`Unrecognized "numeric" operator "${operator}" (expected "=", "<", "<=", ">" or ">=")`, path);
  }
}

/** Numeric comparisons apply only to JSON numbers in the supported domain; "12" is a string. */
function numberTest(compare: Comparison): ScalarTest {
  return (candidate) => typeof candidate === 'number' && isComparableNumber(candidate) && compare(candidate);
}

/**
 * `anything-but` matches every present value except those listed; it never matches a missing field.
 * Values of another type than the excluded ones (null, booleans, numbers vs strings) are "anything".
 */
function anythingButTest(operand: unknown, path: string, dialect: PatternDialect): ScalarTest {
  if (typeof operand === 'string') return (candidate) => candidate !== operand;
  if (typeof operand === 'number') {
    const problem = numericOperandProblem(operand);
    if (problem !== undefined) throw new InvalidEventPatternError(`"anything-but" value ${problem}`, path);
    return (candidate) => candidate !== operand;
  }
  if (Array.isArray(operand)) {
    const allStrings = operand.every((value) => typeof value === 'string');
    const allNumbers = operand.every((value) => typeof value === 'number');
    if (operand.length === 0 || (!allStrings && !allNumbers)) {
      throw new InvalidEventPatternError('"anything-but" list needs at least one value, all strings or all numbers', path);
    }
    for (const value of operand) {
      const problem = allNumbers ? numericOperandProblem(value as number) : undefined;
      if (problem !== undefined) throw new InvalidEventPatternError(`"anything-but" value ${problem}`, path);
    }
    const excluded = new Set<Scalar>(operand as Scalar[]);
    return (candidate) => !excluded.has(candidate);
  }
  if (isPlainObject(operand)) return anythingButOperatorTest(operand, path, dialect);
  throw new InvalidEventPatternError(`"anything-but" needs a string, a number, a list of strings or numbers, or a prefix/suffix/equals-ignore-case/wildcard object, got ${describe(operand)}`, path);
}

const ANYTHING_BUT_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'];

function anythingButOperatorTest(operand: Record<string, unknown>, path: string, dialect: PatternDialect): ScalarTest {
  const keys = Object.keys(operand);
  if (keys.length !== 1 || !ANYTHING_BUT_OPERATORS.includes(keys[0])) {
    throw new InvalidEventPatternError(`"anything-but" object takes exactly one of "prefix", "suffix", "equals-ignore-case", "wildcard", got ${keys.length === 0 ? '{}' : keys.map((key) => `"${key}"`).join(', ')}`, path);
  }
  const operator = keys[0];
  if (dialect === 'pipes') throw new InvalidEventPatternError(`"anything-but" with "${operator}" is not supported in EventBridge Pipes filters`, path);
  const raw = operand[operator];
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new InvalidEventPatternError(`"anything-but"."${operator}" needs at least one string`, path);
  for (const value of list) {
    if (typeof value !== 'string') throw new InvalidEventPatternError(`"anything-but"."${operator}" needs a string or a list of strings, got ${describe(value)}`, path);
    if ((operator === 'prefix' || operator === 'suffix') && value === '') {
      throw new InvalidEventPatternError(`"anything-but"."${operator}" must not be an empty string`, path);
    }
  }
  const texts = list as string[];
  let excluded: (value: string) => boolean;
  switch (operator) {
    case 'prefix': excluded = (value) => texts.some((text) => value.startsWith(text)); break;
    case 'suffix': excluded = (value) => texts.some((text) => value.endsWith(text)); break;
    case 'equals-ignore-case': {
      const folded = new Set(texts.map((text) => text.toLowerCase()));
      excluded = (value) => folded.has(value.toLowerCase());
      break;
    }
    default: {
      const globs = texts.map((text) => wildcardSegments(text, path));
      excluded = (value) => globs.some((segments) => matchesWildcard(segments, value));
    }
  }
  return (candidate) => typeof candidate !== 'string' || !excluded(candidate);
}
