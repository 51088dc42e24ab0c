import { compileEventPattern, InvalidEventError } from '../../../local/pipes/event-pattern';

describe('compiled event patterns', () => {
  it('exposes the pattern as canonical JSON text', () => {
    // Arrange
    const text = '{ "eventName" : [ "INSERT" ] }';

    // Act
    const compiled = compileEventPattern(text);

    // Assert
    expect(compiled.source).toBe('{"eventName":["INSERT"]}');
  });

  it('can be reused for many events without carrying state between them', () => {
    // Arrange
    const compiled = compileEventPattern({ n: [{ numeric: ['>', 1] }], s: [{ exists: false }] });
    const events = [{ n: 2 }, { n: 0 }, { n: 3, s: 'x' }, { n: 5 }];

    // Act
    const answers = events.map((event) => compiled.matches(event));

    // Assert
    expect(answers).toEqual([true, false, false, true]);
  });

  it('does not change the event or the pattern it was given', () => {
    // Arrange
    const pattern = { detail: { tags: ['a'] } };
    const event = { detail: { tags: ['b', ['a']] } };
    const before = JSON.stringify([pattern, event]);

    // Act
    const matched = compileEventPattern(pattern).matches(event);

    // Assert
    expect(matched).toBe(true);
    expect(JSON.stringify([pattern, event])).toBe(before);
  });

  it('does not change an event whose dotted keys it expands, nor the dotted pattern', () => {
    // Arrange
    const pattern = { 'detail.state': ['off'], detail: { 'x.y': { 'z.w': [2] } } };
    const event = { detail: { state: 'on', x: { 'y.z': { w: 2 } } }, 'detail.state': 'off', 'detail.x': [{ y: 1 }] };
    const before = JSON.stringify([pattern, event]);

    // Act
    const matched = compileEventPattern(pattern).matches(event);

    // Assert
    expect(matched).toBe(true);
    expect(JSON.stringify([pattern, event])).toBe(before);
  });

  it.each([
    ['text that is not JSON', '{"eventName": INSERT}', 'The event is not valid JSON'],
    ['a JSON array', '[{"eventName":"INSERT"}]', 'The event must be a JSON object, got an array'],
    ['null', null, 'The event must be a JSON object, got null'],
    ['a number', 7, 'The event must be a JSON object, got number 7'],
  ])('refuses an event that is %s with InvalidEventError', (_name, event, message) => {
    // Arrange
    const compiled = compileEventPattern({ eventName: ['INSERT'] });

    // Act
    const match = (): boolean => compiled.matches(event);

    // Assert
    expect(match).toThrow(InvalidEventError);
    expect(match).toThrow(message);
  });
});
