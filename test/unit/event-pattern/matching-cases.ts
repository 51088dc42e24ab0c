/**
 * The matching specification, as data: each row is a pattern, an event and whether EventBridge
 * delivers the event. Rows cite the documentation example they come from where there is one
 * ("docs: ..."), otherwise they pin an edge case of the documented rules.
 */
export interface MatchCase {
  readonly name: string;
  readonly pattern: unknown;
  readonly event: unknown;
  readonly matches: boolean;
}

const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

const rulerEvent = {
  time: '2017-10-02T16:24:49Z',
  source: 'aws.ec2',
  detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', state: 'running' },
};

export const exactMatchingCases: readonly MatchCase[] = [
  { name: 'docs: EC2 termination pattern matches the terminated event', pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } }, event: ec2Event, matches: true },
  { name: 'docs: a different state does not match', pattern: { source: ['aws.ec2'], detail: { state: ['running'] } }, event: ec2Event, matches: false },
  { name: 'docs: values in a list are ORed (aws.ec2 or aws.fargate)', pattern: { source: ['aws.ec2', 'aws.fargate'] }, event: ec2Event, matches: true },
  { name: 'fields are ANDed: one failing field fails the pattern', pattern: { source: ['aws.ec2'], region: ['eu-west-1'] }, event: ec2Event, matches: false },
  { name: 'fields absent from the pattern are ignored', pattern: { region: ['us-west-1'] }, event: ec2Event, matches: true },
  { name: 'a field named in the pattern must exist in the event', pattern: { 'no-such-field': ['x'] }, event: ec2Event, matches: false },
  { name: 'strings match character by character, case-sensitive', pattern: { source: ['AWS.EC2'] }, event: ec2Event, matches: false },
  { name: 'no whitespace normalisation of strings', pattern: { source: ['aws.ec2 '] }, event: ec2Event, matches: false },
  { name: 'nested field must appear with the same nesting', pattern: { state: ['terminated'] }, event: ec2Event, matches: false },
  { name: 'docs: empty string matches an empty-string value', pattern: { detail: { eventVersion: [''] } }, event: { detail: { eventVersion: '', responseElements: null } }, matches: true },
  { name: 'docs: null matches a null value', pattern: { detail: { responseElements: [null] } }, event: { detail: { eventVersion: '', responseElements: null } }, matches: true },
  { name: 'docs: empty string does not match null', pattern: { detail: { responseElements: [''] } }, event: { detail: { responseElements: null } }, matches: false },
  { name: 'docs: null does not match an empty string', pattern: { detail: { eventVersion: [null] } }, event: { detail: { eventVersion: '' } }, matches: false },
  { name: 'null does not match a missing field', pattern: { detail: { gone: [null] } }, event: { detail: {} }, matches: false },
  { name: 'docs (Macie): numbers match numbers', pattern: { detail: { 'risk-score': [80], trigger: { risk: [8] } } }, event: { detail: { 'risk-score': 80, trigger: { risk: 8 } } }, matches: true },
  { name: 'numbers compare by value: 300 matches 300.0', pattern: { price: [300] }, event: '{"price": 300.0}', matches: true },
  { name: 'numbers compare by value: 300 matches 3.0e2', pattern: '{"price": [3.0e2]}', event: '{"price": 300}', matches: true },
  { name: 'a number does not match the string of its digits', pattern: { price: [300] }, event: { price: '300' }, matches: false },
  { name: 'a string does not match the number it spells', pattern: { price: ['300'] }, event: { price: 300 }, matches: false },
  { name: 'numbers outside the numeric range still match exactly (account ids)', pattern: { account: [123456789012] }, event: { account: 123456789012 }, matches: true },
  { name: 'true matches true', pattern: { flag: [true] }, event: { flag: true }, matches: true },
  { name: 'true does not match the string "true"', pattern: { flag: [true] }, event: { flag: 'true' }, matches: false },
  { name: 'false does not match null', pattern: { flag: [false] }, event: { flag: null }, matches: false },
  { name: 'mixed-type value list: any type may match', pattern: { value: ['a', 1, true, null] }, event: { value: null }, matches: true },
  { name: 'a pattern leaf does not match an object in the event', pattern: { detail: ['terminated'] }, event: ec2Event, matches: false },
  { name: 'a nested pattern does not match a string in the event', pattern: { source: { name: ['aws.ec2'] } }, event: ec2Event, matches: false },
  { name: 'deep nesting matches', pattern: { a: { b: { c: { d: ['deep'] } } } }, event: { a: { b: { c: { d: 'deep' } } } }, matches: true },
  { name: 'event-ruler README (keys with dots): a dotted pattern key is the nested path', pattern: { 'a.b': ['x'] }, event: { a: { b: 'x' } }, matches: true },
  { name: 'an IP literal matches the same address written in another form', pattern: { ip: ['2001:db8::1'] }, event: { ip: '2001:0db8:0:0:0:0:0:1' }, matches: true },
  { name: 'an IP literal does not match a different address', pattern: { ip: ['10.0.0.1'] }, event: { ip: '10.0.0.2' }, matches: false },
  { name: 'inherited object properties are not event fields', pattern: { constructor: [{ exists: true }] }, event: {}, matches: false },
];

export const arrayCases: readonly MatchCase[] = [
  { name: 'docs: event array matches when the intersection is non-empty', pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f'] }, event: { resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup', 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }, matches: true },
  { name: 'docs: event array with no common value does not match', pattern: { resources: ['arn:x'] }, event: { resources: ['arn:y', 'arn:z'] }, matches: false },
  { name: 'an empty event array has no values', pattern: { resources: ['arn:x'] }, event: { resources: [] }, matches: false },
  { name: 'nested event arrays are flattened', pattern: { tags: ['c'] }, event: { tags: [['a', 'b'], ['c']] }, matches: true },
  { name: 'event-ruler README: a field inside objects of an event array matches', pattern: { employees: { firstName: ['Anna'] } }, event: { employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }] }, matches: true },
  { name: 'event-ruler README: fields from different array elements do not combine', pattern: { employees: { firstName: ['Anna'], lastName: ['Doe'] } }, event: { employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }] }, matches: false },
  { name: 'fields from the same array element combine', pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event: { employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }] }, matches: true },
  { name: 'multi-level arrays of objects are crushed', pattern: { employees: { firstName: ['Peter'] } }, event: { employees: [[{ firstName: 'John' }], [{ firstName: 'Peter' }]] }, matches: true },
  { name: 'numeric on an array matches when any element is in range', pattern: { scores: [{ numeric: ['>', 90] }] }, event: { scores: [10, 95] }, matches: true },
  { name: 'prefix on an array matches when any element has the prefix', pattern: { names: [{ prefix: 'ab' }] }, event: { names: ['xy', 'abc'] }, matches: true },
  { name: 'anything-but on an array matches when some element is not excluded', pattern: { states: [{ 'anything-but': 'stopped' }] }, event: { states: ['stopped', 'running'] }, matches: true },
  { name: 'anything-but on an array of only excluded values does not match', pattern: { states: [{ 'anything-but': 'stopped' }] }, event: { states: ['stopped', 'stopped'] }, matches: false },
  { name: 'objects inside an array are not leaf values of the array field', pattern: { items: ['x'] }, event: { items: [{ name: 'x' }] }, matches: false },
  { name: 'scalars beside objects in an array are still values', pattern: { items: ['x'] }, event: { items: [{ name: 'y' }, 'x'] }, matches: true },
  { name: 'null inside an event array matches [null]', pattern: { items: [null] }, event: { items: ['a', null] }, matches: true },
];

export const prefixSuffixCases: readonly MatchCase[] = [
  { name: 'docs: prefix on time', pattern: { time: [{ prefix: '2017-10-02' }] }, event: rulerEvent, matches: true },
  { name: 'prefix that does not start the value', pattern: { time: [{ prefix: '2018' }] }, event: rulerEvent, matches: false },
  { name: 'prefix is case-sensitive', pattern: { source: [{ prefix: 'AWS.' }] }, event: rulerEvent, matches: false },
  { name: 'prefix only applies to strings', pattern: { detail: { 'c-count': [{ prefix: '5' }] } }, event: rulerEvent, matches: false },
  { name: 'an empty prefix matches any string', pattern: { source: [{ prefix: '' }] }, event: rulerEvent, matches: true },
  { name: 'docs: prefix with equals-ignore-case (EventB)', pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, event: { detail: { service: 'EVENTBRIDGE' } }, matches: true },
  { name: 'prefix ignore-case still needs the prefix', pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, event: { detail: { service: 'Lambda' } }, matches: false },
  { name: 'docs: suffix .png', pattern: { FileName: [{ suffix: '.png' }] }, event: { FileName: 'photo.png' }, matches: true },
  { name: 'suffix is case-sensitive', pattern: { FileName: [{ suffix: '.png' }] }, event: { FileName: 'photo.PNG' }, matches: false },
  { name: 'docs: suffix with equals-ignore-case (.png matches .PNG)', pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, event: { detail: { FileName: 'photo.PNG' } }, matches: true },
  { name: 'suffix ignore-case rejects another extension', pattern: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }, event: { FileName: 'photo.jpg' }, matches: false },
  { name: 'docs: equals-ignore-case (alice matches Alice)', pattern: { Name: [{ 'equals-ignore-case': 'alice' }] }, event: { Name: 'Alice' }, matches: true },
  { name: 'equals-ignore-case needs the whole value', pattern: { Name: [{ 'equals-ignore-case': 'alice' }] }, event: { Name: 'Alice Smith' }, matches: false },
  { name: 'equals-ignore-case only applies to strings', pattern: { flag: [{ 'equals-ignore-case': 'true' }] }, event: { flag: true }, matches: false },
  { name: 'operators and exact values mix in one list (OR)', pattern: { source: ['aws.s3', { prefix: 'aws.e' }] }, event: rulerEvent, matches: true },
];

export const wildcardCases: readonly MatchCase[] = [
  { name: 'wildcard with two * in an ARN', pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }, event: { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' }, matches: true },
  { name: 'wildcard * matches any run of characters, including across slashes', pattern: { key: [{ wildcard: 'dir/*.png' }] }, event: { key: 'dir/sub/photo.png' }, matches: true },
  { name: 'wildcard * matches the empty run', pattern: { key: [{ wildcard: 'dir/*.png' }] }, event: { key: 'dir/.png' }, matches: true },
  { name: 'wildcard literal parts must all appear in order', pattern: { key: [{ wildcard: 'a*b*c' }] }, event: { key: 'a-c-b' }, matches: false },
  { name: 'wildcard parts may not overlap', pattern: { key: [{ wildcard: 'ab*ba' }] }, event: { key: 'aba' }, matches: false },
  { name: 'a middle part may not overlap the final part', pattern: { key: [{ wildcard: '*ab*b' }] }, event: { key: 'xab' }, matches: false },
  { name: 'wildcard without * is an exact match', pattern: { key: [{ wildcard: 'exact' }] }, event: { key: 'exactly' }, matches: false },
  { name: 'wildcard is case-sensitive', pattern: { key: [{ wildcard: '*.PNG' }] }, event: { key: 'x.png' }, matches: false },
  { name: 'escaped \\* is a literal asterisk', pattern: { key: [{ wildcard: 'a\\*b' }] }, event: { key: 'a*b' }, matches: true },
  { name: 'escaped \\* does not act as a wildcard', pattern: { key: [{ wildcard: 'a\\*b' }] }, event: { key: 'axxb' }, matches: false },
  { name: 'escaped \\\\ is a literal backslash before a wildcard', pattern: { key: [{ wildcard: 'c:\\\\*' }] }, event: { key: 'c:\\windows' }, matches: true },
  { name: 'a lone * matches any string', pattern: { key: [{ wildcard: '*' }] }, event: { key: '' }, matches: true },
  { name: 'wildcard only applies to strings', pattern: { key: [{ wildcard: '*' }] }, event: { key: 5 }, matches: false },
];

export const anythingButCases: readonly MatchCase[] = [
  { name: 'docs: anything-but a string matches another value', pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } }, event: rulerEvent, matches: true },
  { name: 'docs: anything-but a string rejects that value', pattern: { detail: { state: [{ 'anything-but': 'running' }] } }, event: rulerEvent, matches: false },
  { name: 'docs: anything-but a number', pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, event: rulerEvent, matches: true },
  { name: 'docs: anything-but a list of strings rejects a listed value', pattern: { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, event: rulerEvent, matches: false },
  { name: 'docs: anything-but a list of numbers accepts an unlisted number', pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, event: rulerEvent, matches: true },
  { name: 'anything-but numbers compares by value (300 excludes 300.0)', pattern: { x: [{ 'anything-but': [300] }] }, event: '{"x": 300.0}', matches: false },
  { name: 'anything-but does NOT match a missing field', pattern: { detail: { gone: [{ 'anything-but': 'x' }] } }, event: rulerEvent, matches: false },
  { name: 'anything-but matches a null value (as AWS does)', pattern: { detail: { command: [{ 'anything-but': ['no-message'] }] } }, event: { detail: { command: null } }, matches: true },
  { name: 'anything-but a string matches a number (different type)', pattern: { x: [{ 'anything-but': '5' }] }, event: { x: 5 }, matches: true },
  { name: 'anything-but does not match a field holding an object', pattern: { detail: [{ 'anything-but': 'x' }] }, event: rulerEvent, matches: false },
  { name: 'docs: anything-but prefix rejects a value with the prefix', pattern: { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, event: rulerEvent, matches: false },
  { name: 'docs: anything-but prefix accepts a value without it', pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, event: rulerEvent, matches: true },
  { name: 'anything-but prefix list', pattern: { Region: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] }, event: { Region: 'eu-west-2' }, matches: false },
  { name: 'docs: anything-but suffix rejects .png', pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] }, event: { FileName: 'photo.png' }, matches: false },
  { name: 'anything-but suffix accepts .jpg', pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] }, event: { FileName: 'photo.jpg' }, matches: true },
  { name: 'docs: anything-but equals-ignore-case rejects INITIALIZING', pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, event: { state: 'INITIALIZING' }, matches: false },
  { name: 'anything-but equals-ignore-case list accepts another value', pattern: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }, event: { state: 'Running' }, matches: true },
  { name: 'docs: anything-but wildcard rejects a path including /lib/', pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, event: { FilePath: '/usr/lib/x.so' }, matches: false },
  { name: 'anything-but wildcard accepts a path without /lib/', pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, event: { FilePath: '/usr/bin/x' }, matches: true },
  { name: 'anything-but prefix accepts a non-string value', pattern: { x: [{ 'anything-but': { prefix: 'a' } }] }, event: { x: 42 }, matches: true },
];

export const numericCases: readonly MatchCase[] = [
  { name: 'docs: numeric range > 0 <= 5 includes 5', pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, event: rulerEvent, matches: true },
  { name: 'docs: numeric < 10', pattern: { detail: { 'd-count': [{ numeric: ['<', 10] }] } }, event: rulerEvent, matches: true },
  { name: 'docs: numeric = 3.018e2 matches 301.8', pattern: { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, event: rulerEvent, matches: true },
  { name: 'numeric > is exclusive', pattern: { n: [{ numeric: ['>', 5] }] }, event: { n: 5 }, matches: false },
  { name: 'numeric >= is inclusive', pattern: { n: [{ numeric: ['>=', 5] }] }, event: { n: 5 }, matches: true },
  { name: 'numeric < is exclusive', pattern: { n: [{ numeric: ['<', 5] }] }, event: { n: 5 }, matches: false },
  { name: 'numeric <= is inclusive', pattern: { n: [{ numeric: ['<=', 5] }] }, event: { n: 5 }, matches: true },
  { name: 'numeric range with exclusive upper bound rejects it', pattern: { n: [{ numeric: ['>=', 10, '<', 20] }] }, event: { n: 20 }, matches: false },
  { name: 'docs: Price more than 10 and at most 20 (20 passes)', pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] }, event: { Price: 20 }, matches: true },
  { name: 'numeric works with negatives and decimals', pattern: { n: [{ numeric: ['>', -1.5, '<', -1.25] }] }, event: { n: -1.3 }, matches: true },
  { name: 'numeric = compares by value (300 matches 300.0)', pattern: { n: [{ numeric: ['=', 300] }] }, event: '{"n": 300.0}', matches: true },
  { name: 'numeric only applies to JSON numbers, not numeric strings', pattern: { n: [{ numeric: ['>', 0] }] }, event: { n: '12' }, matches: false },
  { name: 'numeric does not match a missing field', pattern: { n: [{ numeric: ['>', 0] }] }, event: {}, matches: false },
  { name: 'numeric does not match null or booleans', pattern: { n: [{ numeric: ['>=', 0] }] }, event: { n: [null, true] }, matches: false },
  { name: 'numeric at the 5e9 limit is supported', pattern: { n: [{ numeric: ['>=', 5e9] }] }, event: { n: 5e9 }, matches: true },
  { name: 'event numbers above 5e9 never satisfy numeric', pattern: { n: [{ numeric: ['>', 0] }] }, event: { n: 5000000001 }, matches: false },
  { name: 'event numbers with more than 6 decimals never satisfy numeric', pattern: { n: [{ numeric: ['>', 0] }] }, event: { n: 1.0000001 }, matches: false },
  { name: 'six decimals are compared exactly', pattern: { n: [{ numeric: ['>', 0.000001, '<', 0.000003] }] }, event: { n: 0.000002 }, matches: true },
  { name: 'two numeric operators in a list are ORed', pattern: { n: [{ numeric: ['<', 0] }, { numeric: ['>', 100] }] }, event: { n: 150 }, matches: true },
];

export const existsCases: readonly MatchCase[] = [
  { name: 'docs: exists true matches a present field', pattern: { detail: { 'c-count': [{ exists: true }] } }, event: rulerEvent, matches: true },
  { name: 'exists true does not match a missing field', pattern: { detail: { 'e-count': [{ exists: true }] } }, event: rulerEvent, matches: false },
  { name: 'docs: exists false matches a missing field', pattern: { detail: { 'c-count': [{ exists: false }] } }, event: { detail: { state: ['initializing', 'running'] } }, matches: true },
  { name: 'exists false does not match a present field', pattern: { detail: { 'c-count': [{ exists: false }] } }, event: rulerEvent, matches: false },
  { name: 'docs: exists false matches when the field is an object (not a leaf)', pattern: { detail: { 'c-count': [{ exists: false }] } }, event: { detail: { state: 'running', 'c-count': { c1: 100 } } }, matches: true },
  { name: 'exists true does not match a field holding an object', pattern: { detail: { 'c-count': [{ exists: true }] } }, event: { detail: { 'c-count': { c1: 100 } } }, matches: false },
  { name: 'exists true matches a null value (null is a value)', pattern: { detail: { responseElements: [{ exists: true }] } }, event: { detail: { responseElements: null } }, matches: true },
  { name: 'exists false does not match a null value', pattern: { detail: { responseElements: [{ exists: false }] } }, event: { detail: { responseElements: null } }, matches: false },
  { name: 'exists true matches an empty string', pattern: { v: [{ exists: true }] }, event: { v: '' }, matches: true },
  { name: 'exists true matches a non-empty array', pattern: { tags: [{ exists: true }] }, event: { tags: ['a'] }, matches: true },
  { name: 'exists false matches an empty array (no values)', pattern: { tags: [{ exists: false }] }, event: { tags: [] }, matches: true },
  { name: 'exists true does not match an empty array', pattern: { tags: [{ exists: true }] }, event: { tags: [] }, matches: false },
  { name: 'exists false matches when the parent object is missing', pattern: { detail: { 'c-count': [{ exists: false }] } }, event: { source: 'x' }, matches: true },
  { name: 'exists false inside an array: absent from every element matches', pattern: { items: { sku: [{ exists: false }] } }, event: { items: [{ name: 'a' }, { name: 'b' }] }, matches: true },
  { name: 'exists false inside an array: present in one element does not match', pattern: { items: { sku: [{ exists: false }] } }, event: { items: [{ name: 'a' }, { name: 'b', sku: 'S1' }] }, matches: false },
  { name: 'exists true inside an array: present in one element matches', pattern: { items: { sku: [{ exists: true }] } }, event: { items: [{ name: 'a' }, { sku: 'S1' }] }, matches: true },
  { name: 'exists false OR a value: the value alternative matches', pattern: { status: [{ exists: false }, 'ok'] }, event: { status: 'ok' }, matches: true },
  { name: 'exists false OR a value: absence alternative matches', pattern: { status: [{ exists: false }, 'ok'] }, event: {}, matches: true },
  { name: 'exists false OR a value: another value matches neither', pattern: { status: [{ exists: false }, 'ok'] }, event: { status: 'bad' }, matches: false },
];

export const cidrCases: readonly MatchCase[] = [
  { name: 'docs: IPv4 cidr 10.0.0.0/24 includes 10.0.0.33', pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, event: rulerEvent, matches: true },
  { name: 'IPv4 cidr excludes an address outside the block', pattern: { ip: [{ cidr: '10.0.0.0/24' }] }, event: { ip: '10.0.1.1' }, matches: false },
  { name: 'IPv4 cidr /8', pattern: { ip: [{ cidr: '10.0.0.0/8' }] }, event: { ip: '10.255.255.255' }, matches: true },
  { name: 'IPv4 cidr /0 covers all IPv4', pattern: { ip: [{ cidr: '0.0.0.0/0' }] }, event: { ip: '203.0.113.9' }, matches: true },
  { name: 'IPv4 cidr with a non-byte prefix length (/20)', pattern: { ip: [{ cidr: '172.16.0.0/20' }] }, event: { ip: '172.16.15.254' }, matches: true },
  { name: 'IPv4 cidr /20 upper edge', pattern: { ip: [{ cidr: '172.16.0.0/20' }] }, event: { ip: '172.16.16.0' }, matches: false },
  { name: 'IPv6 cidr includes an address in the block', pattern: { ip: [{ cidr: '2001:db8::/32' }] }, event: { ip: '2001:db8:1234::1' }, matches: true },
  { name: 'IPv6 cidr excludes an address outside the block', pattern: { ip: [{ cidr: '2001:db8::/32' }] }, event: { ip: '2001:db9::1' }, matches: false },
  { name: 'IPv4 cidr does not match an IPv6 address', pattern: { ip: [{ cidr: '0.0.0.0/0' }] }, event: { ip: '::1' }, matches: false },
  { name: 'cidr does not match a non-address string', pattern: { ip: [{ cidr: '10.0.0.0/8' }] }, event: { ip: 'localhost' }, matches: false },
  { name: 'cidr does not match a number', pattern: { ip: [{ cidr: '10.0.0.0/8' }] }, event: { ip: 10 }, matches: false },
  // A block written with host bits set is its network (aws/event-ruler#89, "Fixing CIDR matching to
  // use floor of provided range": 255.255.255.127/24 is 255.255.255.0 to 255.255.255.255).
  { name: 'event-ruler#89: IPv4 cidr with host bits set includes its network address', pattern: { ip: [{ cidr: '10.0.0.5/24' }] }, event: { ip: '10.0.0.0' }, matches: true },
  { name: 'event-ruler#89: IPv4 cidr with host bits set includes addresses below the one written', pattern: { ip: [{ cidr: '10.0.0.5/24' }] }, event: { ip: '10.0.0.4' }, matches: true },
  { name: 'event-ruler#89: IPv4 cidr with host bits set includes its broadcast address', pattern: { ip: [{ cidr: '10.0.0.5/24' }] }, event: { ip: '10.0.0.255' }, matches: true },
  { name: 'event-ruler#89: IPv4 cidr with host bits set excludes the next network', pattern: { ip: [{ cidr: '10.0.0.5/24' }] }, event: { ip: '10.0.1.0' }, matches: false },
  { name: 'event-ruler#89: IPv4 cidr with host bits set excludes the previous network', pattern: { ip: [{ cidr: '10.0.0.5/24' }] }, event: { ip: '9.255.255.255' }, matches: false },
  { name: 'event-ruler#89: 255.255.255.127/24 is 255.255.255.0 to 255.255.255.255', pattern: { ip: [{ cidr: '255.255.255.127/24' }] }, event: { ip: ['255.255.255.0'] }, matches: true },
  { name: 'event-ruler#89: host bits cleared across a byte boundary (/20)', pattern: { ip: [{ cidr: '172.16.5.9/20' }] }, event: { ip: '172.16.0.1' }, matches: true },
  { name: 'event-ruler#89: host bits cleared across a byte boundary (/20), upper edge', pattern: { ip: [{ cidr: '172.16.5.9/20' }] }, event: { ip: '172.16.16.0' }, matches: false },
  { name: 'event-ruler#89: 255.255.255.255/31 covers .254 and .255', pattern: { ip: [{ cidr: '255.255.255.255/31' }] }, event: { ip: '255.255.255.254' }, matches: true },
  { name: 'event-ruler#89: IPv6 cidr with host bits set includes its network address', pattern: { ip: [{ cidr: '2001:db8::ff/120' }] }, event: { ip: '2001:db8::' }, matches: true },
  { name: 'event-ruler#89: IPv6 cidr with host bits set includes addresses below the one written', pattern: { ip: [{ cidr: '2001:db8:0:0:1::/32' }] }, event: { ip: '2001:db8::1' }, matches: true },
  { name: 'event-ruler#89: IPv6 cidr with host bits set excludes the next network', pattern: { ip: [{ cidr: '2001:db8::ff/120' }] }, event: { ip: '2001:db8::100' }, matches: false },
];

export const orCases: readonly MatchCase[] = [
  { name: 'docs: $or across fields (Location or Day)', pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, event: { Location: 'Paris', Day: 'Monday' }, matches: true },
  { name: '$or with neither alternative matching', pattern: { $or: [{ source: ['aws.ec2'] }, { source: ['aws.s3'] }] }, event: { source: 'my.app' }, matches: false },
  { name: 'event-ruler: source AND (metricName OR namespace)', pattern: { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] }, event: { source: 'aws.cloudwatch', namespace: 'AWS/EC2' }, matches: true },
  { name: 'the fields beside $or still have to match', pattern: { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] }, event: { source: 'aws.ec2', namespace: 'AWS/EC2' }, matches: false },
  { name: 'an alternative is a full sub-pattern (all of its fields)', pattern: { $or: [{ metricType: ['MetricType'], namespace: ['AWS/EC2'] }, { scope: ['Service'] }] }, event: { metricType: 'MetricType', namespace: 'AWS/ES' }, matches: false },
  { name: 'nested $or inside an alternative', pattern: { $or: [{ metricName: ['X'] }, { namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }] }, event: { namespace: 'AWS/EC2', spaceId: 1000 }, matches: true },
  { name: '$or inside a nested object applies at that level', pattern: { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { state: ['running'] }] } }, event: rulerEvent, matches: true },
  { name: 'parallel $or at two levels must both hold', pattern: { $or: [{ a: ['1'] }, { b: ['2'] }], detail: { $or: [{ c: ['3'] }, { d: ['4'] }] } }, event: { a: '1', detail: { c: 'no', d: 'no' } }, matches: false },
  { name: '$or alternative with exists false', pattern: { $or: [{ flag: [false] }, { flag: [{ exists: false }] }] }, event: { other: 1 }, matches: true },
  { name: 'docs complex example: prefix + anything-but + numeric + cidr', pattern: { time: [{ prefix: '2017-10-02' }], detail: { state: [{ 'anything-but': 'initializing' }], 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ 'anything-but': [100, 200, 300] }], 'source-ip': [{ cidr: '10.0.0.0/8' }] } }, event: rulerEvent, matches: true },
  { name: 'docs complex example fails when one condition fails', pattern: { time: [{ prefix: '2017-10-02' }], detail: { state: [{ 'anything-but': 'running' }], 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, event: rulerEvent, matches: false },
];

/**
 * Keys with dots. Sources: the event-ruler README, "Caveat: Compiled rules and JSON keys with dots"
 * (`{"detail": {"state": {"status": ["running"]}}}` and `{"detail": {"state.status": ["running"]}}`
 * are the same rule, and both match `{"detail": {"state": {"status": "running"}}}` and
 * `{"detail": {"state.status": "running"}}`), and TestEventPattern answering true for
 * `{"detail.name": ["x"]}` against `{"detail": {"name": "x"}}` (ministackorg/ministack#1493).
 * Rows marked "flattening" follow from event-ruler joining keys with "." (same README); rows marked
 * "our choice" pin what dotted-keys.ts says about both spellings in one event.
 */
export const dottedKeyCases: readonly MatchCase[] = [
  { name: 'event-ruler README: nested pattern, nested event', pattern: { detail: { state: { status: ['running'] } } }, event: { detail: { state: { status: 'running' } } }, matches: true },
  { name: 'event-ruler README: dotted pattern key, nested event', pattern: { detail: { 'state.status': ['running'] } }, event: { detail: { state: { status: 'running' } } }, matches: true },
  { name: 'event-ruler README: nested pattern, dotted event key', pattern: { detail: { state: { status: ['running'] } } }, event: { detail: { 'state.status': 'running' } }, matches: true },
  { name: 'event-ruler README: dotted pattern key, dotted event key', pattern: { detail: { 'state.status': ['running'] } }, event: { detail: { 'state.status': 'running' } }, matches: true },
  { name: 'TestEventPattern (ministack#1493): {"detail.name": ["x"]} matches {"detail": {"name": "x"}}', pattern: { 'detail.name': ['x'] }, event: { id: '1', 'detail-type': 'T', source: 't', account: '123456789012', time: '2026-08-24T00:00:00Z', region: 'us-west-2', resources: [], detail: { name: 'x' } }, matches: true },
  { name: 'event-ruler README: a dotted pattern key still compares the value', pattern: { 'detail.state': ['on'] }, event: { detail: { state: 'off' } }, matches: false },
  { name: 'event-ruler README: a nested pattern matches an event key that is literally "detail.state"', pattern: { detail: { state: ['on'] } }, event: { 'detail.state': 'on' }, matches: true },
  { name: 'flattening: a three-level key dotted at the top of the event', pattern: { a: { b: { c: ['x'] } } }, event: { 'a.b.c': 'x' }, matches: true },
  { name: 'flattening: a three-level pattern key against a partly dotted event', pattern: { 'a.b.c': ['x'] }, event: { a: { 'b.c': 'x' } }, matches: true },
  { name: 'flattening: a three-level pattern key against an event dotted at the top', pattern: { 'a.b.c': ['x'] }, event: { 'a.b': { c: 'x' } }, matches: true },
  { name: 'flattening: a dotted pattern key is not a prefix match of a longer event key', pattern: { 'a.b': ['x'] }, event: { 'a.bc': 'x' }, matches: false },
  { name: 'flattening: an empty segment is part of the name ("a..b" is a, "", b)', pattern: { 'a..b': ['x'] }, event: { a: { '': { b: 'x' } } }, matches: true },
  { name: 'flattening: a dotted event key beside the nested spelling of a sibling field', pattern: { detail: { state: ['on'], type: ['t'] } }, event: { detail: { type: 't' }, 'detail.state': 'on' }, matches: true },
  { name: 'flattening: dotted and nested pattern keys of different fields are ANDed', pattern: { 'detail.state': ['on'], detail: { type: ['t'] } }, event: { detail: { state: 'on', type: 'u' } }, matches: false },
  { name: 'flattening: operators apply to dotted keys (numeric)', pattern: { 'detail.count': [{ numeric: ['>', 1] }] }, event: { detail: { count: 5 } }, matches: true },
  { name: 'flattening: operators apply to dotted event keys (prefix)', pattern: { detail: { name: [{ prefix: 'Le' }] } }, event: { 'detail.name': 'Leeds' }, matches: true },
  { name: 'flattening: dotted keys inside $or alternatives', pattern: { $or: [{ 'detail.state': ['on'] }, { 'detail.mode': ['x'] }] }, event: { detail: { mode: 'x' } }, matches: true },
  { name: 'flattening: a dotted pattern key through an event array of objects', pattern: { 'employees.firstName': ['Anna'] }, event: { employees: [{ firstName: 'John' }, { firstName: 'Anna' }] }, matches: true },
  { name: 'flattening: dotted event keys inside array elements', pattern: { employees: { name: { first: ['Anna'] } } }, event: { employees: [{ 'name.first': 'John' }, { 'name.first': 'Anna' }] }, matches: true },
  { name: 'flattening: exists true finds a field spelled with a dotted event key', pattern: { detail: { state: [{ exists: true }] } }, event: { 'detail.state': 'on' }, matches: true },
  { name: 'flattening: exists false is not fooled by a dotted event key', pattern: { detail: { state: [{ exists: false }] } }, event: { 'detail.state': 'on' }, matches: false },
  { name: 'flattening: exists false with a dotted pattern key and a dotted event key', pattern: { 'detail.state': [{ exists: false }] }, event: { detail: { 'state.x': 'on' } }, matches: true },
  { name: 'flattening: a DynamoDB attribute name with a dot is a nested path of the image', pattern: { dynamodb: { NewImage: { contact: { email: { S: [{ suffix: '@example.com' }] } } } } }, event: { eventName: 'INSERT', dynamodb: { NewImage: { 'contact.email': { S: 'ada@example.com' } } } }, matches: true },
  { name: 'flattening: "__proto__" in a dotted pattern key is an ordinary field name', pattern: '{"a.__proto__": ["x"]}', event: '{"a": {"__proto__": "x"}}', matches: true },
  { name: 'flattening: "__proto__" in a dotted event key is an ordinary field name', pattern: '{"a": {"__proto__": ["x"]}}', event: '{"a.__proto__": "x"}', matches: true },
  { name: 'our choice: with both spellings in the event, the nested value matches', pattern: { detail: { state: ['on'] } }, event: { detail: { state: 'on' }, 'detail.state': 'off' }, matches: true },
  { name: 'our choice: with both spellings in the event, the dotted value matches', pattern: { detail: { state: ['off'] } }, event: { detail: { state: 'on' }, 'detail.state': 'off' }, matches: true },
  { name: 'our choice: with both spellings in the event, another value does not match', pattern: { detail: { state: ['idle'] } }, event: { detail: { state: 'on' }, 'detail.state': 'off' }, matches: false },
  { name: 'our choice: with both spellings, anything-but matches when one value is not excluded', pattern: { detail: { state: [{ 'anything-but': 'on' }] } }, event: { detail: { state: 'on' }, 'detail.state': 'off' }, matches: true },
  { name: 'our choice: both spellings of an object merge field by field', pattern: { a: { b: { c: ['1'], d: ['2'] } } }, event: { a: { b: { c: '1' } }, 'a.b': { d: '2' } }, matches: true },
  { name: 'our choice: a leaf and an object at one path keep both', pattern: { a: { b: ['x'], c: { d: ['y'] } } }, event: { a: { b: 'x', c: 'z' }, 'a.c.d': 'y' }, matches: true },
];
