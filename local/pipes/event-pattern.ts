/**
 * The EventBridge content-filter engine the local Pipes runner applies to source records, and the
 * contract/infra tests apply to the synthesized FilterCriteria.
 *
 * Semantics follow the EventBridge documentation ("Creating event patterns", "Comparison operators",
 * the Pipes "Event filtering" page) and, where the documentation is silent, event-ruler, the library
 * EventBridge matches with. The choices a reader might not expect:
 * - Numbers are compared by value: 300, 300.0 and 3.0e2 are equal (event-ruler adds a numeric-equality
 *   matcher for every number in a pattern; older documentation says numbers compare as text).
 * - `anything-but` and `numeric` never match a missing field; `anything-but` matches null.
 * - `exists: true` matches a field whose value is null; a field holding an object or an empty array
 *   does not "exist" as a leaf, so `exists: false` matches it.
 * - `exists: false` inside arrays requires the field to be absent from every element.
 * - Arrays in the event match when any element matches; fields under one pattern object must be
 *   matched within the same array element (event-ruler's array consistency).
 * - A pattern string that is an IP address matches the same address written differently.
 * - `numeric` only applies to JSON numbers: DynamoDB stream numbers (`{"N": "12"}`) are strings, so
 *   a numeric filter on them never matches, exactly as in AWS.
 * - A key with dots is the nested path, in the pattern and in the event (event-ruler joins keys with
 *   "."); a pattern spelling one field both ways is refused (event-pattern/dotted-keys.ts).
 * - A `cidr` block is its network: host bits written in the address are ignored.
 * - Wildcards too complex for AWS are refused with AWS's message; the limit is an approximation
 *   (event-pattern/wildcard-complexity.ts).
 */
import { InvalidEventError, InvalidEventPatternError } from './event-pattern/errors';
import { compileNode, NodeTest, readsNestedObjects } from './event-pattern/compile-pattern';
import { expandDottedEventKeys, nestDottedPatternKeys } from './event-pattern/dotted-keys';
import { describe, isPlainObject, PatternDialect } from './event-pattern/leaf-matchers';
import { MAX_WILDCARD_COMPLEXITY, RULE_TOO_COMPLEX, wildcardComplexity } from './event-pattern/wildcard-complexity';

export { InvalidEventError, InvalidEventPatternError };
export type { PatternDialect };

/** The Pipes API (and Lambda event-source mappings) refuse Filter.Pattern longer than this. */
export const MAX_PATTERN_LENGTH = 4096;

export interface EventPatternOptions {
  /**
   * `pipes` additionally refuses the operators EventBridge Pipes does not support (`wildcard` and
   * the `anything-but` prefix/suffix/equals-ignore-case/wildcard forms). Default `event-bus`.
   */
  readonly dialect?: PatternDialect;
}

export interface CompiledEventPattern {
  /** The pattern as canonical JSON text. */
  readonly source: string;
  /** Whether `event` (a parsed object or JSON text of one) matches the pattern. */
  matches(event: unknown): boolean;
}

/** Compiles a pattern (object or JSON text) once into closures; throws InvalidEventPatternError. */
export function compileEventPattern(pattern: unknown, options: EventPatternOptions = {}): CompiledEventPattern {
  const { value, source } = readPattern(pattern);
  if (!isPlainObject(value)) throw new InvalidEventPatternError(`A pattern must be a JSON object, got ${describe(value)}`, '');
  const nested = nestDottedPatternKeys(value, '');
  const dialect = options.dialect ?? 'event-bus';
  const expanding: NodeTest = compileNode(nested, '', [], dialect, false, true);
  refuseTooComplexWildcards(nested);
  // Expanding dotted event keys costs a scan of the keys of every object the pattern reads, so an
  // event is first matched as it is: a match then is also a match of the expanded event (expansion
  // only adds values; `exists: false` is judged on the expanded event in both), and only a miss is
  // checked again with expansion.
  const direct: NodeTest = compileNode(nested, '', [], dialect, false, false);
  const expandRoot = readsNestedObjects(nested);
  return {
    source,
    matches(event: unknown): boolean {
      const parsed = readEvent(event);
      return direct(parsed, parsed) || expanding(expandRoot ? expandDottedEventKeys(parsed) : parsed, parsed);
    },
  };
}

/** AWS refuses rules whose wildcards are too complex; see event-pattern/wildcard-complexity.ts for what is documented and what is approximated. */
function refuseTooComplexWildcards(pattern: Record<string, unknown>): void {
  const byField = new Map<string, { path: string; values: string[] }>();
  collectWildcards(pattern, '', '', byField);
  for (const { path, values } of byField.values()) {
    if (wildcardComplexity(values) > MAX_WILDCARD_COMPLEXITY) throw new InvalidEventPatternError(RULE_TOO_COMPLEX, path);
  }
}

/** Groups the `wildcard` values of a compiled (so valid) pattern by event field; `path` is where the field first appears in the pattern. */
function collectWildcards(node: Record<string, unknown>, path: string, field: string, byField: Map<string, { path: string; values: string[] }>): void {
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (key === '$or') {
      (value as Array<Record<string, unknown>>).forEach((alternative, index) => collectWildcards(alternative, `${path === '' ? '' : `${path}.`}$or[${index}]`, field, byField));
      continue;
    }
    const keyPath = path === '' ? key : `${path}.${key}`;
    const fieldName = field === '' ? key : `${field}.${key}`;
    if (!Array.isArray(value)) {
      collectWildcards(value as Record<string, unknown>, keyPath, fieldName, byField);
      continue;
    }
    for (const entry of value) {
      if (!isPlainObject(entry) || typeof entry.wildcard !== 'string') continue;
      const group = byField.get(fieldName) ?? { path: keyPath, values: [] };
      group.values.push(entry.wildcard);
      byField.set(fieldName, group);
    }
  }
}

/** Throws InvalidEventPatternError saying what is wrong and where, as AWS would refuse the pattern. */
export function validateEventPattern(pattern: unknown, options: EventPatternOptions = {}): void {
  compileEventPattern(pattern, options);
}

/** One-off match; compile once with compileEventPattern when matching many events. */
export function matchesEventPattern(pattern: unknown, event: unknown, options: EventPatternOptions = {}): boolean {
  return compileEventPattern(pattern, options).matches(event);
}

function readPattern(pattern: unknown): { value: unknown; source: string } {
  if (typeof pattern === 'string') {
    if (pattern.length > MAX_PATTERN_LENGTH) {
      throw new InvalidEventPatternError(`A pattern may be at most ${MAX_PATTERN_LENGTH} characters, got ${pattern.length}`, '');
    }
    let value: unknown;
    try {
      value = JSON.parse(pattern);
    } catch (error) {
      throw new InvalidEventPatternError(`A pattern must be valid JSON (${(error as Error).message})`, '');
    }
    return { value, source: JSON.stringify(value) };
  }
  let source: string | undefined;
  try {
    source = JSON.stringify(pattern);
  } catch (error) {
    throw new InvalidEventPatternError(`A pattern must be representable as JSON (${(error as Error).message})`, '');
  }
  if (source === undefined) throw new InvalidEventPatternError(`A pattern must be a JSON object, got ${describe(pattern)}`, '');
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new InvalidEventPatternError(`A pattern may be at most ${MAX_PATTERN_LENGTH} characters as JSON, got ${source.length}`, '');
  }
  return { value: pattern, source };
}

function readEvent(event: unknown): Record<string, unknown> {
  let value = event;
  if (typeof event === 'string') {
    try {
      value = JSON.parse(event);
    } catch (error) {
      throw new InvalidEventError(`The event is not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isPlainObject(value)) throw new InvalidEventError(`The event must be a JSON object, got ${describe(value)}`);
  return value;
}
