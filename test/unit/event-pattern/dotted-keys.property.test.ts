import * as fc from 'fast-check';
import { compileEventPattern } from '../../../local/pipes/event-pattern';
import { FuzzTally } from '../../fuzz/fuzz-settings';

/**
 * Property tests of keys with dots. event-ruler flattens pattern and event into dotted field names
 * (README, "Caveat: Compiled rules and JSON keys with dots"), so moving a field of a plain object up
 * into a dotted key of an ancestor changes nothing: the same name/value pairs remain. Generated
 * nested patterns and events are rewritten that way at random, and every answer must stay the same.
 * This also checks the engine's shortcuts (matching as written first, expanding only objects whose
 * dotted keys can matter) against events that have no dotted keys at all.
 */

const tally = new FuzzTally('event patterns: keys with dots');
afterAll(() => console.log(tally.summary()));

type Json = string | Json[] | { [key: string]: Json };
const KEYS = ['a', 'b', 'c'];

const eventValue: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', 'y', 'xy'),
    fc.array(fc.constantFrom('x', 'y'), { minLength: 1, maxLength: 2 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { minKeys: 1, maxKeys: 3 }),
  ),
})).value;

const event = fc.dictionary(fc.constantFrom(...KEYS), eventValue, { minKeys: 1, maxKeys: 3 });

const leaf = fc.constantFrom<Json[]>(['x'], ['y', 'xy'], [{ prefix: 'x' } as unknown as Json], [{ exists: true } as unknown as Json], [{ exists: false } as unknown as Json], [{ 'anything-but': 'x' } as unknown as Json]);

const patternValue: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { minKeys: 1, maxKeys: 2 })),
})).value;

const pattern = fc.dictionary(fc.constantFrom(...KEYS), patternValue, { minKeys: 1, maxKeys: 2 });

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Moves fields of plain objects (never out of arrays) up into dotted keys of their parent, as
 * `choices` says: each visited field takes the next choice; true moves it. The result has the same
 * dotted names and values as the input.
 */
function dotted(object: Record<string, Json>, choices: readonly boolean[], cursor = { at: 0 }): Record<string, Json> {
  const result: Record<string, Json> = {};
  for (const [key, value] of Object.entries(object)) {
    if (!isObject(value)) {
      result[key] = value;
      continue;
    }
    const inner = dotted(value, choices, cursor);
    const kept: Record<string, Json> = {};
    for (const [name, child] of Object.entries(inner)) {
      const move = choices[cursor.at++ % choices.length];
      if (move && !(`${key}.${name}` in result)) result[`${key}.${name}`] = child;
      else kept[name] = child;
    }
    if (Object.keys(kept).length > 0) result[key] = kept;
  }
  return result;
}

describe('keys with dots: the dotted and nested spellings give the same answers', () => {
  it('for events rewritten with dotted keys', () => {
    fc.assert(
      fc.property(pattern, event, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (nestedPattern, nestedEvent, choices) => {
        tally.count('dotted events');
        const compiled = compileEventPattern(nestedPattern);
        const dottedEvent = dotted(nestedEvent as Record<string, Json>, choices);
        expect(compiled.matches(dottedEvent)).toBe(compiled.matches(nestedEvent));
      }),
      tally.parameters('dotted events', 400),
    );
  });

  it('for patterns rewritten with dotted keys', () => {
    fc.assert(
      fc.property(pattern, event, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (nestedPattern, nestedEvent, choices) => {
        tally.count('dotted patterns');
        const dottedPattern = dotted(nestedPattern as Record<string, Json>, choices);
        const dottedEvent = dotted(nestedEvent as Record<string, Json>, [...choices].reverse());
        const expected = compileEventPattern(nestedPattern).matches(nestedEvent);
        expect(compileEventPattern(dottedPattern).matches(nestedEvent)).toBe(expected);
        expect(compileEventPattern(dottedPattern).matches(dottedEvent)).toBe(expected);
      }),
      tally.parameters('dotted patterns', 400),
    );
  });
});
