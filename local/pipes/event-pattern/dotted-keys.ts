/**
 * Keys containing dots. EventBridge's matcher (event-ruler) flattens both the pattern and the event
 * into field names joined with ".", so a dotted key and the nested path are the same field, in the
 * pattern and in the event (event-ruler README, "Caveat: Compiled rules and JSON keys with dots":
 * `{"detail": {"state.status": ["running"]}}` and `{"detail": {"state": {"status": ["running"]}}}`
 * compile to the same rule, and both match `{"detail": {"state.status": "running"}}` and
 * `{"detail": {"state": {"status": "running"}}}`; TestEventPattern answers true for
 * `{"detail.name": ["x"]}` against `{"detail": {"name": "x"}}`).
 *
 * This engine walks nested objects, so it rewrites dotted keys into the nested form: the pattern
 * once, at compile time; an event object only when one of its own keys has a dot (a cheap scan of
 * the keys of each object the pattern looks into, so ordinary events are not copied).
 *
 * When both spellings are present:
 * - In the event, every value is kept: `{"detail": {"state": "on"}, "detail.state": "off"}` has two
 *   values for detail.state, as event-ruler's flattening yields two name/value pairs, and a field
 *   matches when any of them does. Objects merge key by key. (Where one spelling holds an array,
 *   the other's values join that array, so event-ruler's array consistency could differ there.)
 * - In the pattern, two spellings of the same leaf field are refused. event-ruler keeps only the
 *   one written last (it stores fields in a map) and its README says the dotted-key behaviour
 *   "should not be relied upon", so a pattern that depends on it is a mistake worth a clear error.
 *   A leaf and an object at the same path (`{"a.b": ["x"], "a": {"b": {"c": ["y"]}}}`) could only
 *   match an event that itself spells a.b both ways, and is refused for the same reason.
 */
import { childPath, InvalidEventPatternError } from './errors';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property only: "constructor" or "__proto__" are field names here, never inherited members. */
function own(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/** Sets an own property, also for the key "__proto__" (plain assignment would replace the prototype). */
function put(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/**
 * A copy of the pattern object with every dotted key written as nested objects (other keys and
 * values unchanged, `$or` alternatives rewritten the same way). Throws InvalidEventPatternError
 * when two keys name the same field.
 */
export function nestDottedPatternKeys(pattern: Record<string, unknown>, path: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(pattern)) {
    const value = pattern[key];
    const keyPath = childPath(path, key);
    if (key === '$or') {
      result.$or = Array.isArray(value)
        ? value.map((alternative: unknown, index) => (isPlainObject(alternative) ? nestDottedPatternKeys(alternative, `${keyPath}[${index}]`) : alternative))
        : value;
      continue;
    }
    const segments = key.split('.');
    if (segments.length > 1 && segments.includes('$or')) {
      throw new InvalidEventPatternError(`"${key}" uses "$or" as part of a dotted field name; write "$or" as its own key`, keyPath);
    }
    let target = result;
    for (let i = 0; i < segments.length - 1; i += 1) {
      const segment = segments[i];
      const existing = own(target, segment);
      if (existing === undefined) {
        const created: Record<string, unknown> = {};
        put(target, segment, created);
        target = created;
      } else if (isPlainObject(existing)) {
        target = existing;
      } else {
        throw sameField(key, segments.slice(0, i + 1).join('.'), keyPath);
      }
    }
    const last = segments[segments.length - 1];
    const nested = isPlainObject(value) ? nestDottedPatternKeys(value, keyPath) : value;
    const existing = own(target, last);
    if (existing === undefined) put(target, last, nested);
    else if (isPlainObject(existing) && isPlainObject(nested)) mergePatternObjects(existing, nested, key, keyPath, segments.join('.'));
    else throw sameField(key, segments.join('.'), keyPath);
  }
  return result;
}

/** Merges `extra` (already nested) into `target`, both fresh objects built by nestDottedPatternKeys; `field` is their field name. */
function mergePatternObjects(target: Record<string, unknown>, extra: Record<string, unknown>, key: string, keyPath: string, field: string): void {
  for (const name of Object.keys(extra)) {
    const existing = own(target, name);
    const value = extra[name];
    if (existing === undefined) put(target, name, value);
    else if (isPlainObject(existing) && isPlainObject(value) && name !== '$or') mergePatternObjects(existing, value, key, keyPath, `${field}.${name}`);
    else throw sameField(key, `${field}.${name}`, keyPath);
  }
}

function sameField(key: string, field: string, keyPath: string): InvalidEventPatternError {
  return new InvalidEventPatternError(
    `"${key}" and another key of the pattern both name the field "${field}" (a dotted key is the same field as the nested path); write it once`,
    keyPath,
  );
}

/**
 * The event object with dotted keys expanded into nested objects, merged with the nested spelling;
 * the object itself (no copy) when none of its own keys has a dot. Nested objects are expanded when
 * the matcher reaches them. The event is never modified.
 */
export function expandDottedEventKeys(object: Record<string, unknown>): Record<string, unknown> {
  for (const key in object) {
    if (key.includes('.')) return expand(object);
  }
  return object;
}

function expand(object: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  let dotted: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (!key.includes('.')) {
      put(plain, key, value);
      continue;
    }
    const segments = key.split('.');
    let nested: unknown = value;
    for (let i = segments.length - 1; i >= 0; i -= 1) {
      const level: Record<string, unknown> = {};
      put(level, segments[i], nested);
      nested = level;
    }
    dotted = mergeEventValues(dotted, nested) as Record<string, unknown>;
  }
  // `plain` is a fresh object: merge into it rather than copying it once more.
  for (const key of Object.keys(dotted)) put(plain, key, mergeEventValues(own(plain, key), dotted[key]));
  return plain;
}

/** Both values of one field: objects merge key by key (into a new object); anything else becomes the values of both. */
function mergeEventValues(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (isPlainObject(a) && isPlainObject(b)) {
    const merged: Record<string, unknown> = {};
    for (const key of Object.keys(a)) put(merged, key, a[key]);
    for (const key of Object.keys(b)) put(merged, key, mergeEventValues(own(a, key), b[key]));
    return merged;
  }
  return [...(Array.isArray(a) ? a : [a]), ...(Array.isArray(b) ? b : [b])];
}
