import { expandDottedEventKeys } from './dotted-keys';
import { childPath, InvalidEventPatternError } from './errors';
import { compileLeaf, describe, isPlainObject, PatternDialect, RESERVED_IN_OR, ScalarTest } from './leaf-matchers';

/**
 * Tests one object of the event against one object level of the pattern. `root` is the whole event,
 * needed by `exists: false`, which asks whether a field is absent from the entire event. The pattern
 * has no dotted keys left (nestDottedPatternKeys); whether the event object's are expanded is the
 * caller's `expand` choice (see compileNode).
 */
export type NodeTest = (value: Record<string, unknown>, root: unknown) => boolean;

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * Compiles an object level of the pattern. Fields are ANDed; each `$or` alternative is a full
 * sub-pattern at the same level. `fieldPath` is the event path of this level (without `$or`),
 * `path` the pattern path used in error messages. With `expand`, every event object the test
 * descends into has its dotted keys expanded first; without, the objects are read as they are,
 * which is exact for events without dotted keys and never a false match (expansion only adds
 * values, and `exists: false` is judged on the expanded event either way).
 */
export function compileNode(
  pattern: Record<string, unknown>,
  path: string,
  fieldPath: readonly string[],
  dialect: PatternDialect,
  insideOr: boolean,
  expand: boolean,
): NodeTest {
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new InvalidEventPatternError('Empty objects are not allowed: an object in a pattern needs at least one field', path);
  const tests: NodeTest[] = [];
  for (const key of keys) {
    const value = pattern[key];
    if (key === '$or') {
      tests.push(compileOr(value, childPath(path, '$or'), fieldPath, dialect, expand));
      continue;
    }
    const keyPath = childPath(path, key);
    if (insideOr && RESERVED_IN_OR.has(key)) {
      throw new InvalidEventPatternError(`"${key}" is a reserved operator name and cannot be used as a field name inside "$or"`, keyPath);
    }
    if (Array.isArray(value)) {
      const leaf = compileLeaf(value, keyPath, dialect);
      tests.push(leafField(key, leaf.test, leaf.allowsAbsence, [...fieldPath, key]));
    } else if (isPlainObject(value)) {
      tests.push(objectField(key, compileNode(value, keyPath, [...fieldPath, key], dialect, insideOr, expand), expand && readsNestedObjects(value)));
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array of match values, got ${describe(value)}`, keyPath);
    }
  }
  if (tests.length === 1) return tests[0];
  return (value, root) => {
    for (const test of tests) if (!test(value, root)) return false;
    return true;
  };
}

function compileOr(value: unknown, path: string, fieldPath: readonly string[], dialect: PatternDialect, expand: boolean): NodeTest {
  if (!Array.isArray(value)) throw new InvalidEventPatternError(`"$or" needs an array of at least two pattern objects, got ${describe(value)}`, path);
  if (value.length < 2) throw new InvalidEventPatternError(`"$or" needs at least two alternatives, got ${value.length}`, path);
  const alternatives = value.map((alternative, index) => {
    const alternativePath = `${path}[${index}]`;
    if (!isPlainObject(alternative)) throw new InvalidEventPatternError(`Each "$or" alternative must be a pattern object, got ${describe(alternative)}`, alternativePath);
    return compileNode(alternative, alternativePath, fieldPath, dialect, true, expand);
  });
  return (object, root) => {
    for (const alternative of alternatives) if (alternative(object, root)) return true;
    return false;
  };
}

enum Scan { Absent, Present, Matched }

/** Walks nested arrays of leaf values; objects inside arrays are not values of this field. */
function scanArray(values: readonly unknown[], test: ScalarTest | undefined): Scan {
  let result = Scan.Absent;
  for (const value of values) {
    if (Array.isArray(value)) {
      const inner = scanArray(value, test);
      if (inner === Scan.Matched) return inner;
      if (inner === Scan.Present) result = Scan.Present;
    } else if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      if (test !== undefined && test(value)) return Scan.Matched;
      result = Scan.Present;
    }
  }
  return result;
}

/** A leaf field: some leaf value of the event field satisfies a match value, or it is absent and `exists: false` allows that. */
function leafField(key: string, test: ScalarTest | undefined, allowsAbsence: boolean, fieldPath: readonly string[]): NodeTest {
  // Absence is always judged on the expanded event, also without `expand`: a dotted key may hold
  // the field, and answering "absent" then would be a false match.
  const absent = allowsAbsence
    ? (root: unknown) => !hasLeafAt(root, fieldPath, 0, true)
    : () => false;
  if (test === undefined) {
    return (object, root) => {
      const value = object[key];
      if (value === undefined) return absent(root);
      if (Array.isArray(value)) return scanArray(value, undefined) === Scan.Absent && absent(root);
      return !isLeafValue(value) && absent(root);
    };
  }
  return (object, root) => {
    const value = object[key];
    switch (typeof value) {
      case 'string': case 'number': case 'boolean': return test(value);
      case 'undefined': return absent(root);
      default:
        if (value === null) return test(null);
        if (Array.isArray(value)) {
          const scan = scanArray(value, test);
          return scan === Scan.Matched || (scan === Scan.Absent && absent(root));
        }
        return absent(root);
    }
  };
}

/**
 * Whether a pattern level descends into objects below the event object it reads. Only then can a
 * dotted key of that event object matter: a dotted key has at least two segments, so it never
 * supplies a leaf value of the object itself (it only adds an object below it, which leaf fields
 * ignore), and expanding it can be skipped.
 */
export function readsNestedObjects(pattern: Record<string, unknown>): boolean {
  for (const key of Object.keys(pattern)) {
    const value = pattern[key];
    if (key === '$or') {
      if (Array.isArray(value) && value.some((alternative) => isPlainObject(alternative) && readsNestedObjects(alternative))) return true;
    } else if (isPlainObject(value)) {
      return true;
    }
  }
  return false;
}

/**
 * A nested pattern object: the event field is an object (or, in an array, one element is) that
 * satisfies it. `expand`: expand the dotted keys of that object first.
 */
function objectField(key: string, node: NodeTest, expand: boolean): NodeTest {
  const view = expand ? expandDottedEventKeys : (object: Record<string, unknown>) => object;
  const inArray = (values: readonly unknown[], root: unknown): boolean => {
    if (values.length === 0) return node(EMPTY, root);
    for (const element of values) {
      if (Array.isArray(element) ? inArray(element, root) : node(isPlainObject(element) ? view(element) : EMPTY, root)) return true;
    }
    return false;
  };
  if (!expand) {
    return (object, root) => {
      const value = object[key];
      if (isPlainObject(value)) return node(value, root);
      if (Array.isArray(value)) return inArray(value, root);
      return node(EMPTY, root);
    };
  }
  return (object, root) => {
    const value = object[key];
    if (isPlainObject(value)) return node(expandDottedEventKeys(value), root);
    if (Array.isArray(value)) return inArray(value, root);
    return node(EMPTY, root);
  };
}

function isLeafValue(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * Whether the event has any leaf value at `fieldPath`, looking into every element of every array on
 * the way: EventBridge treats `exists: false` as absence of the field from the event, so one array
 * element lacking the field is not enough when another element has it.
 */
export function hasLeafAt(value: unknown, fieldPath: readonly string[], index: number, expand: boolean): boolean {
  if (Array.isArray(value)) {
    for (const element of value) if (hasLeafAt(element, fieldPath, index, expand)) return true;
    return false;
  }
  if (index === fieldPath.length) return isLeafValue(value);
  if (!isPlainObject(value)) return false;
  // A dotted key can only supply a path of two or more segments (see readsNestedObjects).
  const object = expand && fieldPath.length - index >= 2 ? expandDottedEventKeys(value) : value;
  return hasLeafAt(object[fieldPath[index]], fieldPath, index + 1, expand);
}
