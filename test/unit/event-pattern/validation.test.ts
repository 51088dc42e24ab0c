import { compileEventPattern, InvalidEventPatternError, validateEventPattern } from '../../../local/pipes/event-pattern';
import {
  InvalidCase, invalidDottedKeyCases, invalidOperatorCases, invalidOrCases, invalidStructureCases, pipesUnsupportedCases, RULE_TOO_COMPLEX_MESSAGE, tooComplexCases,
} from './invalid-cases';

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

const tables: Array<[string, readonly InvalidCase[]]> = [
  ['structure', invalidStructureCases],
  ['operators', invalidOperatorCases],
  ['$or', invalidOrCases],
  ['one field spelled twice', invalidDottedKeyCases],
  ['wildcards too complex', tooComplexCases],
];

describe.each(tables)('invalid patterns are refused: %s', (_title, cases) => {
  it.each(cases)('$name', ({ pattern, path, message }) => {
    // Arrange
    const validate = (): void => validateEventPattern(pattern);

    // Act
    const error = thrownBy(validate);

    // Assert
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    const invalid = error as InvalidEventPatternError;
    expect(invalid.code).toBe('InvalidEventPattern');
    expect(invalid.path).toBe(path);
    expect(invalid.message).toContain(message);
    expect(invalid.message).toMatch(path === '' ? / at the pattern root$/ : new RegExp(` at ${path.replace(/[$[\].]/g, '\\$&')}$`));
  });
});

describe('Pipes filters refuse the operators EventBridge Pipes does not support', () => {
  it.each(pipesUnsupportedCases)('$name', ({ pattern, path, message }) => {
    // Arrange
    const forPipes = (): void => validateEventPattern(pattern, { dialect: 'pipes' });

    // Act
    const error = thrownBy(forPipes);

    // Assert
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect((error as InvalidEventPatternError).path).toBe(path);
    expect((error as InvalidEventPatternError).message).toContain(message);
    expect(() => validateEventPattern(pattern)).not.toThrow();
  });

  it('accepts the operators Pipes supports', () => {
    // Arrange
    const pattern = {
      eventName: ['INSERT'],
      dynamodb: { NewImage: {
        clinic: { S: [{ prefix: { 'equals-ignore-case': 'lee' } }] },
        dentist: { S: [{ suffix: 'Jones' }, { 'equals-ignore-case': 'dr smith' }] },
        status: { S: [{ 'anything-but': ['cancelled'] }] },
        notes: { S: [{ exists: false }] },
      } },
      $or: [{ awsRegion: ['eu-west-2'] }, { awsRegion: [{ prefix: 'eu-' }] }],
    };

    // Act
    const validate = (): void => validateEventPattern(pattern, { dialect: 'pipes' });

    // Assert
    expect(validate).not.toThrow();
  });
});

describe('the message reads as what is wrong and where', () => {
  it('names the operator and the dotted path, as the brief example does', () => {
    // Arrange
    const pattern = { detail: { price: [{ numeric: '>' }] } };

    // Act
    const error = thrownBy(() => compileEventPattern(pattern)) as InvalidEventPatternError;

    // Assert
    expect(error.message).toMatch(/^"numeric" needs an array of operator\/value pairs.* at detail\.price$/);
    expect(error.problem).toMatch(/^"numeric" needs an array/);
    expect(error.name).toBe('InvalidEventPatternError');
  });

  it('is an Error that callers can catch generically, carrying the whole sentence', () => {
    // Arrange
    const pattern = '{"eventName":"INSERT"}';

    // Act
    const error = thrownBy(() => validateEventPattern(pattern));

    // Assert
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('"eventName" must be an object or an array of match values, got the string "INSERT" at eventName');
  });

  it('refuses too complex wildcards with the problem AWS states, word for word', () => {
    // Arrange
    const pattern = { detail: { 'stack-id': ['Shared', 'Backend', 'Frontend', 'Monitoring'].map((name) => ({ wildcard: `*:stack/${name}Stack/*` })) } };

    // Act
    const error = thrownBy(() => validateEventPattern(pattern)) as InvalidEventPatternError;

    // Assert
    expect(error.code).toBe('InvalidEventPattern');
    expect(error.problem).toBe('Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character');
    expect(error.path).toBe('detail.stack-id');
    expect(error.problem).toBe(RULE_TOO_COMPLEX_MESSAGE);
  });
});

describe('valid patterns validate', () => {
  const valid: Array<[string, unknown]> = [
    ['the pipe INSERT filter', '{"eventName":["INSERT"]}'],
    ['a numeric range at the limits', { n: [{ numeric: ['>=', -5e9, '<=', 5e9] }] }],
    ['six decimal places', { n: [{ numeric: ['=', 0.000001] }] }],
    ['cidr /31 and /0', { a: [{ cidr: '10.0.0.0/31' }], b: [{ cidr: '::/0' }] }],
    ['a field named "$or"-like but different', { '$or-not': ['x'] }],
    ['operator names as ordinary field names outside $or', { numeric: ['x'], prefix: [1] }],
    ['escaped wildcard characters', { k: [{ wildcard: 'a\\*b\\\\c*' }] }],
    ['exactly 4096 characters of pattern text', JSON.stringify({ s: ['x'.repeat(4096 - '{"s":[""]}'.length)] })],
    ['AWS answer (vals-ai/Valkyrie#278): three "*:stack/NAME/*" wildcards on one field', { detail: { 'stack-id': ['Shared', 'Backend', 'Frontend'].map((name) => ({ wildcard: `*:stack/${name}Stack/*` })) } }],
    ['docs (comparison operators): anything-but wildcard "*/lib/*"', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }],
    ['event-ruler README: wildcard "Simple*Service"', { source: [{ wildcard: 'Simple*Service' }] }],
    ['AWS Compute Blog (wildcard filters): "*.png" and "*Title*"', { key: [{ wildcard: '*.png' }, { wildcard: '*Title*' }] }],
    ['aws-cdk#28462 (accepted in the console): a Step Functions execution ARN wildcard', { resources: [{ wildcard: 'arn:aws:states:us-east-1:111122223333:execution:xxx:yyy*' }] }],
    ['approximation: wildcards on different fields do not add up', { a: ['Shared', 'Backend', 'Frontend'].map((name) => ({ wildcard: `*:stack/${name}/*` })), b: ['Shared', 'Backend', 'Frontend'].map((name) => ({ wildcard: `*:stack/${name}/*` })) }],
    ['approximation: nine repeating characters after a wildcard (*aaaaaaaaa)', { key: [{ wildcard: '*aaaaaaaaa' }] }],
    ['a dotted key beside the nested spelling of another field', { 'detail.state': ['on'], detail: { type: ['t'] } }],
  ];

  it.each(valid)('%s', (_name, pattern) => {
    // Arrange
    const validate = (): void => validateEventPattern(pattern);

    // Act / Assert
    expect(validate).not.toThrow();
  });
});
