/**
 * The validation specification, as data: patterns EventBridge refuses with
 * InvalidEventPatternException, the path our error names, and a fragment of the message.
 */
export interface InvalidCase {
  readonly name: string;
  readonly pattern: unknown;
  /** Dotted path in the pattern ('' for the pattern itself). */
  readonly path: string;
  readonly message: string;
}

export const invalidStructureCases: readonly InvalidCase[] = [
  { name: 'a leaf that is a bare string instead of an array', pattern: '{"eventName":"INSERT"}', path: 'eventName', message: '"eventName" must be an object or an array' },
  { name: 'a leaf that is a number', pattern: { detail: { count: 5 } }, path: 'detail.count', message: 'must be an object or an array' },
  { name: 'a leaf that is null', pattern: { detail: { value: null } }, path: 'detail.value', message: 'got null' },
  { name: 'an empty pattern', pattern: {}, path: '', message: 'Empty objects are not allowed' },
  { name: 'an empty nested object', pattern: { detail: {} }, path: 'detail', message: 'Empty objects are not allowed' },
  { name: 'an empty value array', pattern: { source: [] }, path: 'source', message: 'Empty arrays are not allowed' },
  { name: 'a nested array as a match value', pattern: { source: [['aws.ec2']] }, path: 'source', message: 'got an array' },
  { name: 'a pattern that is a JSON array', pattern: '[{"source":["x"]}]', path: '', message: 'A pattern must be a JSON object' },
  { name: 'a pattern that is not JSON', pattern: '{"source": [', path: '', message: 'must be valid JSON' },
  { name: 'a pattern that is a number', pattern: 42, path: '', message: 'A pattern must be a JSON object' },
  { name: 'a pattern longer than 4096 characters', pattern: JSON.stringify({ source: ['x'.repeat(4100)] }), path: '', message: 'at most 4096 characters' },
  { name: 'a non-finite number', pattern: { n: [Number.NaN] }, path: 'n', message: 'finite numbers' },
  { name: 'an undefined value in an object pattern', pattern: { source: undefined }, path: 'source', message: 'must be an object or an array' },
];

export const invalidOperatorCases: readonly InvalidCase[] = [
  { name: 'an unknown operator', pattern: { source: [{ contains: 'ec2' }] }, path: 'source', message: 'Unrecognized operator "contains"' },
  { name: 'an operator object with two operators', pattern: { source: [{ prefix: 'a', suffix: 'b' }] }, path: 'source', message: 'exactly one operator' },
  { name: 'an empty operator object', pattern: { source: [{}] }, path: 'source', message: 'exactly one operator' },
  { name: 'prefix with a number', pattern: { source: [{ prefix: 5 }] }, path: 'source', message: '"prefix" needs a string' },
  { name: 'prefix object with another key', pattern: { source: [{ prefix: { 'ignore-case': 'a' } }] }, path: 'source', message: '"prefix" takes a string or {"equals-ignore-case": string}' },
  { name: 'suffix with a list', pattern: { source: [{ suffix: ['.png'] }] }, path: 'source', message: '"suffix" needs a string' },
  { name: 'equals-ignore-case with a number', pattern: { name: [{ 'equals-ignore-case': 1 }] }, path: 'name', message: '"equals-ignore-case" needs a string' },
  { name: 'wildcard with consecutive wildcards', pattern: { key: [{ wildcard: 'a**b' }] }, path: 'key', message: 'consecutive wildcard characters' },
  { name: 'wildcard escaping an ordinary character', pattern: { key: [{ wildcard: 'a\\b' }] }, path: 'key', message: 'invalid escape' },
  { name: 'wildcard with a trailing backslash', pattern: { key: [{ wildcard: 'a\\' }] }, path: 'key', message: 'invalid escape' },
  { name: 'wildcard with a number', pattern: { key: [{ wildcard: 1 }] }, path: 'key', message: '"wildcard" needs a string' },
  { name: 'exists with a string', pattern: { key: [{ exists: 'true' }] }, path: 'key', message: '"exists" needs true or false' },
  { name: 'numeric with a bare operator', pattern: { detail: { price: [{ numeric: '>' }] } }, path: 'detail.price', message: '"numeric" needs an array of operator/value pairs' },
  { name: 'numeric with an odd number of terms', pattern: { price: [{ numeric: ['>', 0, '<'] }] }, path: 'price', message: '"numeric" needs an array of operator/value pairs' },
  { name: 'numeric with a string value', pattern: { price: [{ numeric: ['>', '10'] }] }, path: 'price', message: 'must be a number' },
  { name: 'numeric with an unknown operator', pattern: { price: [{ numeric: ['!=', 10] }] }, path: 'price', message: 'Unrecognized "numeric" operator "!="' },
  { name: 'numeric range starting with an upper bound', pattern: { price: [{ numeric: ['<', 10, '>', 0] }] }, path: 'price', message: 'must start with ">" or ">="' },
  { name: 'numeric range ending with a lower bound', pattern: { price: [{ numeric: ['>', 0, '>=', 10] }] }, path: 'price', message: 'must end with "<" or "<="' },
  { name: 'numeric "=" inside a range', pattern: { price: [{ numeric: ['=', 1, '<', 10] }] }, path: 'price', message: 'must start with ">" or ">="' },
  { name: 'numeric range whose bounds are reversed', pattern: { price: [{ numeric: ['>', 10, '<', 5] }] }, path: 'price', message: 'must be less than its upper bound' },
  { name: 'numeric value above 5e9', pattern: { price: [{ numeric: ['<', 5000000001] }] }, path: 'price', message: 'outside -5e9..5e9' },
  { name: 'numeric value below -5e9', pattern: { price: [{ numeric: ['>', -6e9] }] }, path: 'price', message: 'outside -5e9..5e9' },
  { name: 'numeric value with seven decimals', pattern: { price: [{ numeric: ['=', 1.0000001] }] }, path: 'price', message: 'more than 6 decimal places' },
  { name: 'numeric with too many terms', pattern: { price: [{ numeric: ['>', 0, '<', 5, '<', 6] }] }, path: 'price', message: 'needs an array of operator/value pairs' },
  { name: 'cidr without a prefix length', pattern: { ip: [{ cidr: '10.0.0.0' }] }, path: 'ip', message: 'needs one "/"' },
  { name: 'cidr with a non-numeric prefix length', pattern: { ip: [{ cidr: '10.0.0.0/x' }] }, path: 'ip', message: 'must be a non-negative integer' },
  { name: 'cidr with an IPv4 prefix length of 33', pattern: { ip: [{ cidr: '10.0.0.0/33' }] }, path: 'ip', message: 'at most 31' },
  { name: 'cidr with an IPv6 prefix length of 129', pattern: { ip: [{ cidr: '2001:db8::/129' }] }, path: 'ip', message: 'at most 127' },
  { name: 'cidr with an invalid address', pattern: { ip: [{ cidr: '300.0.0.0/8' }] }, path: 'ip', message: 'needs an IPv4 or IPv6 address' },
  { name: 'cidr with a hostname', pattern: { ip: [{ cidr: 'example.com/8' }] }, path: 'ip', message: 'needs an IPv4 or IPv6 address' },
  { name: 'anything-but with null', pattern: { s: [{ 'anything-but': null }] }, path: 's', message: '"anything-but" needs a string, a number, a list' },
  { name: 'anything-but with a boolean', pattern: { s: [{ 'anything-but': true }] }, path: 's', message: '"anything-but" needs a string, a number, a list' },
  { name: 'anything-but with a mixed list', pattern: { s: [{ 'anything-but': ['a', 1] }] }, path: 's', message: 'all strings or all numbers' },
  { name: 'anything-but with an empty list', pattern: { s: [{ 'anything-but': [] }] }, path: 's', message: 'at least one value' },
  { name: 'anything-but with a number out of range', pattern: { s: [{ 'anything-but': 1e10 }] }, path: 's', message: 'outside -5e9..5e9' },
  { name: 'anything-but with an unsupported operator', pattern: { s: [{ 'anything-but': { numeric: ['>', 1] } }] }, path: 's', message: 'takes exactly one of "prefix", "suffix"' },
  { name: 'anything-but prefix with an empty string', pattern: { s: [{ 'anything-but': { prefix: '' } }] }, path: 's', message: 'must not be an empty string' },
  { name: 'anything-but suffix with a number', pattern: { s: [{ 'anything-but': { suffix: 5 } }] }, path: 's', message: 'needs a string or a list of strings' },
  { name: 'anything-but wildcard with consecutive wildcards', pattern: { s: [{ 'anything-but': { wildcard: '**' } }] }, path: 's', message: 'consecutive wildcard characters' },
  { name: 'anything-but object with two operators', pattern: { s: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] }, path: 's', message: 'takes exactly one of' },
];

export const invalidOrCases: readonly InvalidCase[] = [
  { name: '$or with a single alternative', pattern: { $or: [{ a: ['1'] }] }, path: '$or', message: 'at least two alternatives' },
  { name: '$or with no alternatives', pattern: { $or: [] }, path: '$or', message: 'at least two alternatives' },
  { name: '$or that is an object', pattern: { $or: { a: ['1'] } }, path: '$or', message: '"$or" needs an array' },
  { name: '$or alternative that is not an object', pattern: { detail: { $or: [{ a: ['1'] }, ['b']] } }, path: 'detail.$or[1]', message: 'must be a pattern object' },
  { name: '$or alternative that is empty', pattern: { $or: [{ a: ['1'] }, {}] }, path: '$or[1]', message: 'Empty objects are not allowed' },
  { name: 'an operator name used as a field inside $or', pattern: { $or: [{ numeric: [123] }, { prefix: ['abc'] }] }, path: '$or[0].numeric', message: 'reserved operator name' },
  { name: 'an invalid operator inside an $or alternative names its path', pattern: { detail: { $or: [{ price: [{ numeric: ['>'] }] }, { state: ['x'] }] } }, path: 'detail.$or[0].price', message: '"numeric" needs an array' },
];

/**
 * One field spelled twice (a dotted key is the nested path: event-ruler README, "Caveat: Compiled
 * rules and JSON keys with dots"). event-ruler keeps only the spelling written last; we refuse it
 * instead (our choice, explained in local/pipes/event-pattern/dotted-keys.ts).
 */
export const invalidDottedKeyCases: readonly InvalidCase[] = [
  { name: 'our choice: a dotted key, then the nested spelling of the same leaf', pattern: { 'detail.state': ['on'], detail: { state: ['off'] } }, path: 'detail', message: 'both name the field "detail.state"' },
  { name: 'our choice: the nested spelling, then a dotted key of the same leaf', pattern: { detail: { state: ['off'] }, 'detail.state': ['on'] }, path: 'detail.state', message: 'both name the field "detail.state"' },
  { name: 'our choice: the same leaf spelled twice with dots at different levels', pattern: { 'a.b.c': ['1'], a: { 'b.c': ['2'] } }, path: 'a', message: 'both name the field "a.b.c"' },
  { name: 'our choice: a leaf and an object at one path', pattern: { 'a.b': ['x'], a: { b: { c: ['y'] } } }, path: 'a', message: 'both name the field "a.b"' },
  { name: 'our choice: both spellings inside one $or alternative', pattern: { $or: [{ 'a.b': ['1'], a: { b: ['2'] } }, { c: ['3'] }] }, path: '$or[0].a', message: 'both name the field "a.b"' },
  { name: 'our choice: "$or" as a segment of a dotted key', pattern: { 'a.$or': [{ b: ['1'] }, { c: ['2'] }] }, path: 'a.$or', message: 'uses "$or" as part of a dotted field name' },
];

/** The message AWS answers for wildcards that make a rule too complex (reported in vals-ai/Valkyrie#278). */
export const RULE_TOO_COMPLEX_MESSAGE = 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';

const stackWildcards = ['SharedStack', 'BackendStack', 'FrontendStack', 'MonitoringStack'].map((name) => ({ wildcard: `*:stack/${name}/*` }));

/**
 * Wildcards too complex for AWS. The documented fact (EventBridge User Guide, "Wildcards and event
 * pattern complexity") is only that such a limit exists; the one AWS answer we have is the Valkyrie
 * report (three "*:stack/NAME/*" values on one field accepted, four refused). Rows marked
 * "approximation" pin our reading of the undocumented limit (local/pipes/event-pattern/wildcard-complexity.ts).
 */
export const tooComplexCases: readonly InvalidCase[] = [
  { name: 'AWS answer (vals-ai/Valkyrie#278): four "*:stack/NAME/*" wildcards on one field', pattern: { detail: { 'stack-id': stackWildcards } }, path: 'detail.stack-id', message: RULE_TOO_COMPLEX_MESSAGE },
  { name: 'approximation: the same four wildcards split over $or alternatives count together', pattern: { $or: [{ detail: { 'stack-id': stackWildcards.slice(0, 2) } }, { detail: { 'stack-id': stackWildcards.slice(2) } }] }, path: '$or[0].detail.stack-id', message: RULE_TOO_COMPLEX_MESSAGE },
  { name: 'approximation: the same four wildcards under a dotted key', pattern: { 'detail.stack-id': stackWildcards }, path: 'detail.stack-id', message: RULE_TOO_COMPLEX_MESSAGE },
  { name: 'approximation: a repeating character sequence after a wildcard (*aaaaaaaaaa)', pattern: { key: [{ wildcard: '*aaaaaaaaaa' }] }, path: 'key', message: RULE_TOO_COMPLEX_MESSAGE },
  { name: 'approximation: eleven wildcard characters in one value', pattern: { key: [{ wildcard: 'a*b*c*d*e*f*g*h*i*j*k*l' }] }, path: 'key', message: RULE_TOO_COMPLEX_MESSAGE },
  { name: 'approximation: eleven "*.ext" values on one field', pattern: { file: Array.from({ length: 11 }, (_, i) => ({ wildcard: `*.ext${i}` })) }, path: 'file', message: RULE_TOO_COMPLEX_MESSAGE },
];

/** Operators the Pipes comparison-operator table marks as not supported by pipes. */
export const pipesUnsupportedCases: readonly InvalidCase[] = [
  { name: 'wildcard', pattern: { key: [{ wildcard: 'dir/*.png' }] }, path: 'key', message: 'not supported in EventBridge Pipes' },
  { name: 'anything-but prefix', pattern: { Region: [{ 'anything-but': { prefix: 'us-' } }] }, path: 'Region', message: 'not supported in EventBridge Pipes' },
  { name: 'anything-but suffix', pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] }, path: 'FileName', message: 'not supported in EventBridge Pipes' },
  { name: 'anything-but equals-ignore-case', pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'x' } }] }, path: 'state', message: 'not supported in EventBridge Pipes' },
  { name: 'anything-but wildcard', pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, path: 'FilePath', message: 'not supported in EventBridge Pipes' },
];
