import { compileEventPattern, matchesEventPattern } from '../../../local/pipes/event-pattern';
import {
  anythingButCases, arrayCases, cidrCases, dottedKeyCases, exactMatchingCases, existsCases, MatchCase, numericCases, orCases, prefixSuffixCases, wildcardCases,
} from './matching-cases';

const tables: Array<[string, readonly MatchCase[]]> = [
  ['exact matching', exactMatchingCases],
  ['arrays', arrayCases],
  ['prefix, suffix and equals-ignore-case', prefixSuffixCases],
  ['wildcard', wildcardCases],
  ['anything-but', anythingButCases],
  ['numeric', numericCases],
  ['exists', existsCases],
  ['cidr', cidrCases],
  ['$or and combinations', orCases],
  ['keys with dots', dottedKeyCases],
];

describe.each(tables)('event patterns: %s', (_title, cases) => {
  it.each(cases)('$name', ({ pattern, event, matches }) => {
    // Arrange
    const compiled = compileEventPattern(pattern);

    // Act
    const result = compiled.matches(event);

    // Assert
    expect(result).toBe(matches);
  });
});

describe('every matching case gives the same answer however pattern and event are passed', () => {
  const all = tables.flatMap(([, cases]) => cases);

  it.each(all)('$name (JSON text in, objects in)', ({ pattern, event, matches }) => {
    // Arrange
    const patternText = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
    const eventObject: unknown = typeof event === 'string' ? JSON.parse(event) : event;
    const eventText = typeof event === 'string' ? event : JSON.stringify(event);

    // Act
    const answers = [matchesEventPattern(patternText, eventText), matchesEventPattern(JSON.parse(patternText), eventObject)];

    // Assert
    expect(answers).toEqual([matches, matches]);
  });
});
