import * as fc from 'fast-check';
import { API_ROUTES, type RouteAccess } from '../../contracts/api-routes';

/**
 * Generators of booking API input: appointment and contact requests (valid, then mutated), bodies
 * that are not JSON or not UTF-8, base64 encodings, content-type headers, methods, resources and
 * path parameters. Each generated case carries what it is (a model), so a property can say what
 * the answer must be without re-implementing the handler.
 */

/** An object as an ordered list of members: keeps duplicate keys and own `__proto__` members, which an object literal cannot. */
export type JsonMembers = Array<[string, unknown]>;

/** The API's resources (the shared route definition), each with its methods in definition order (the Allow header's). */
export const ROUTE_TEMPLATES: readonly string[] = [...new Set(API_ROUTES.map((route) => route.path))];
export const ROUTE_METHODS: Record<string, string[]> = Object.fromEntries(ROUTE_TEMPLATES.map((path) => [path, API_ROUTES.filter((route) => route.path === path).map((route) => route.method)]));
/** Who may call a method on a resource, or undefined when the API has no such method. */
export const routeAccess = (method: string, path: string): RouteAccess | undefined => API_ROUTES.find((route) => route.method === method && route.path === path)?.access;

/**
 * The practice's dentists by name, as the booking function under test is configured: `DENTISTS`
 * (set by the unit tests' environment), else the CDK app's list (what the local runtime deploys).
 */
export function configuredDentistNames(env: Record<string, string | undefined> = process.env): string[] {
  if (env.DENTISTS) {
    const parsed = JSON.parse(env.DENTISTS) as Array<{ name: string }>;
    return parsed.map((dentist) => dentist.name);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PRACTICE_DENTISTS } = require('../../cdk/config/environments') as { PRACTICE_DENTISTS: Array<{ name: string }> };
  return PRACTICE_DENTISTS.map((dentist) => dentist.name);
}
/** The practice's opening hours as the function under test is configured (`OPENING_HOURS`), else the CDK app's. */
export interface FuzzOpeningHours {
  timeZone: string;
  weekly: Partial<Record<1 | 2 | 3 | 4 | 5 | 6 | 7, { opens: string; closes: string }>>;
}
export function configuredOpeningHours(env: Record<string, string | undefined> = process.env): FuzzOpeningHours {
  if (env.OPENING_HOURS) return JSON.parse(env.OPENING_HOURS) as FuzzOpeningHours;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PRACTICE_OPENING_HOURS } = require('../../cdk/config/environments') as { PRACTICE_OPENING_HOURS: FuzzOpeningHours };
  return PRACTICE_OPENING_HOURS;
}

export const REQUEST_FIELDS = ['patientName', 'email', 'phoneNumber', 'dentist', 'clinic', 'appointmentDateTime', 'notes'] as const;
/** Keys that are dangerous in JavaScript objects or reserved for the stored appointment. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'id', 'createdAt', 'status', 'version', 'lastChange', 'preferredMethod', ''] as const;

/** Serialises members as JSON object text; `spacing` is whitespace put between tokens. */
export function objectText(members: JsonMembers, spacing = ''): string {
  const body = members.map(([key, value]) => `${spacing}${JSON.stringify(key)}${spacing}:${spacing}${JSON.stringify(value) ?? 'null'}`).join(',');
  return `{${body}${spacing}}`;
}

const HOUR_MS = 3_600_000;
/** Far enough from "now" that the run's own duration cannot move a case across it. */
const SAFETY_MS = 6 * HOUR_MS;
const LATEST_MS = Date.UTC(2099, 11, 31, 12);
const EARLIEST_MS = Date.UTC(1900, 0, 1);

export interface DateTimeStyle {
  separator: 'T' | 't' | ' ';
  fraction: '' | '.5' | '.123' | '.123456789';
  utc: 'Z' | 'z' | '+00:00' | '-00:00';
}

const two = (value: number): string => String(value).padStart(2, '0');

/** RFC 3339 text of an instant written in the given offset (wall-clock time of that offset). */
export function formatDateTime(instantMs: number, offsetMinutes: number, style: DateTimeStyle, leapSecond = false): string {
  const wall = new Date(instantMs + offsetMinutes * 60_000);
  const date = `${String(wall.getUTCFullYear()).padStart(4, '0')}-${two(wall.getUTCMonth() + 1)}-${two(wall.getUTCDate())}`;
  const seconds = leapSecond ? '60' : two(wall.getUTCSeconds());
  const time = `${two(wall.getUTCHours())}:${two(wall.getUTCMinutes())}:${seconds}${style.fraction}`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = offsetMinutes === 0 ? style.utc : `${sign}${two(Math.floor(Math.abs(offsetMinutes) / 60))}:${two(Math.abs(offsetMinutes) % 60)}`;
  return `${date}${style.separator}${time}${offset}`;
}

const dateTimeStyle: fc.Arbitrary<DateTimeStyle> = fc.record({
  separator: fc.constantFrom<DateTimeStyle['separator']>('T', 'T', 'T', 't', ' '),
  fraction: fc.constantFrom<DateTimeStyle['fraction']>('', '', '.5', '.123', '.123456789'),
  utc: fc.constantFrom<DateTimeStyle['utc']>('Z', 'Z', 'z', '+00:00', '-00:00'),
});
// Real offsets run from -12:00 to +14:00; RFC 3339 allows any up to 23:59.
const offsetMinutes = fc.oneof(fc.constant(0), fc.integer({ min: -12 * 4, max: 14 * 4 }).map((quarters) => quarters * 15), fc.integer({ min: -1439, max: 1439 }));

export const futureDateTime = (now = Date.now()): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: now + SAFETY_MS, max: LATEST_MS }), offsetMinutes, dateTimeStyle).map(([instant, offset, style]) => formatDateTime(instant, offset, style));

const ISO_WEEKDAYS: Record<string, 1 | 2 | 3 | 4 | 5 | 6 | 7> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The wall clock of an instant in a zone: local date (as a UTC midnight), ISO weekday, and the zone's offset in minutes. */
export function zoneClock(instantMs: number, timeZone: string): { dayMs: number; weekday: 1 | 2 | 3 | 4 | 5 | 6 | 7; offsetMinutes: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })
      .formatToParts(new Date(instantMs))
      .map((part) => [part.type, part.value]),
  );
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  const dayMs = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
  return { dayMs, weekday: ISO_WEEKDAYS[String(parts.weekday)]!, offsetMinutes: Math.round((wall - Math.floor(instantMs / 60_000) * 60_000) / 60_000) };
}

const minutesOfDay = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * A future start within opening hours (on the practice clock: its zone, DST included), written
 * in any offset and style: the first opening day on or after a random future day, at a random
 * whole minute of its hours.
 */
export const inHoursDateTime = (now = Date.now(), hours: FuzzOpeningHours = configuredOpeningHours()): fc.Arbitrary<string> =>
  fc
    .tuple(fc.integer({ min: now + 2 * 86_400_000, max: LATEST_MS - 8 * 86_400_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), offsetMinutes, dateTimeStyle)
    .map(([start, fraction, offset, style]) => {
      let { dayMs } = zoneClock(start, hours.timeZone);
      for (let day = 0; day < 8; day += 1, dayMs += 86_400_000) {
        const weekday = ((new Date(dayMs).getUTCDay() + 6) % 7) + 1;
        const open = hours.weekly[weekday as 1];
        if (!open) continue;
        const minute = minutesOfDay(open.opens) + Math.floor(fraction * (minutesOfDay(open.closes) - minutesOfDay(open.opens)));
        // The instant whose wall clock is that minute: correct the UTC guess by the zone's offset (twice, for a DST change).
        let instant = dayMs + minute * 60_000;
        for (let pass = 0; pass < 2; pass += 1) instant = dayMs + minute * 60_000 - zoneClock(instant, hours.timeZone).offsetMinutes * 60_000;
        return formatDateTime(instant, offset, style);
      }
      throw new Error('the opening hours open on no day');
    });

export const pastDateTime = (now = Date.now()): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: EARLIEST_MS, max: now - SAFETY_MS }), offsetMinutes, dateTimeStyle).map(([instant, offset, style]) => formatDateTime(instant, offset, style));

/** 23:59:60 UTC of a future day, written in some offset: valid RFC 3339, but no JavaScript Date can hold it. */
export const leapSecondDateTime = (now = Date.now()): fc.Arbitrary<string> =>
  fc
    .tuple(fc.integer({ min: Math.ceil((now + 2 * SAFETY_MS) / 86_400_000), max: Math.floor(LATEST_MS / 86_400_000) }), offsetMinutes, dateTimeStyle)
    .map(([day, offset, style]) => formatDateTime(day * 86_400_000 + 86_399_000, offset, style, true));

const malformedDateTime: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('2030-01-31', '2030-01-31T09:30:00', '2030-02-30T09:30:00Z', '2030-13-01T09:30:00Z', '2030-01-31T24:00:00Z', '2030-01-31T09:30:00+24:00', '31/01/2030 09:30', 'tomorrow', '', '+2030-01-31T09:30:00Z', '20300131T093000Z', '2030-01-31T09:30:00.Z', '2030-01-31T09:30Z', '٢٠٣٠-٠١-٣١T09:30:00Z'),
  fc.string({ maxLength: 45 }),
);

/** Mostly valid e-mail addresses, in several cases and spellings. */
export const emailAddress: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.emailAddress({ size: 'small' }) },
  { weight: 2, arbitrary: fc.emailAddress({ size: 'small' }).map((email) => email.toUpperCase()) },
  { weight: 1, arbitrary: fc.constantFrom('Jane.Doe+booking@Example.COM', 'o\'neil@example.ie', 'a@b.co', 'x@localhost', 'no-at-sign.example.com', 'two@@example.com', 'spaces in@example.com', 'ünïcode@exämple.com', '"quoted"@example.com') },
);

export const phoneNumber: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 6, max: 14 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }))
  .map(([first, count, digits]) => `+${first}${digits.slice(0, count).join('')}`);

const lineText = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom("Jane O'Neil", 'José Ñúñez', '李小龍', 'Zoë ✓ Smith', 'محمد بن سلمان', '<script>alert(1)</script>', 'Dr. Lee Jones', 'Ŧĥĩš ĩš 👩🏽‍⚕️ fine', 'A') },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength }) },
  );

/**
 * Mostly one of the practice's dentists (sometimes padded, which the API trims), else a near miss
 * (case, spacing, punctuation) or any name: the API must reject those with UnknownDentist.
 */
export const dentistName = (names: readonly string[] = configuredDentistNames()): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...names) },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((name) => ` ${name}\t`) },
    { weight: 1, arbitrary: fc.constantFrom(...names).chain((name) => fc.constantFrom(name.toLowerCase(), name.toUpperCase(), name.replace(' ', '  '), name.replace('.', ''), `${name}.`, `${name} & Partners`)) },
    { weight: 2, arbitrary: lineText(100) },
  );

const notes: fc.Arbitrary<string> = fc.oneof(lineText(200), fc.array(lineText(60), { minLength: 2, maxLength: 4 }).map((lines) => lines.join('\n')));

/** A valid appointment request (before the whitespace and unicode the mutations add). */
export const appointmentRequest = (now = Date.now(), dentists: readonly string[] = configuredDentistNames()): fc.Arbitrary<Record<string, string>> =>
  fc.record(
    {
      patientName: lineText(100),
      email: emailAddress,
      phoneNumber,
      dentist: dentistName(dentists),
      clinic: lineText(100),
      // Mostly in opening hours (bookings are created), else any future time (the hours rule rejects most).
      appointmentDateTime: fc.oneof({ weight: 4, arbitrary: inHoursDateTime(now) }, { weight: 1, arbitrary: futureDateTime(now) }),
      notes,
    },
    { requiredKeys: ['patientName', 'email', 'dentist', 'appointmentDateTime'] },
  );

/** Any JSON value, nested a little, with the numbers and strings parsers find awkward. */
export const junkJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, '', ' ', '\u0000', '\u202e', 'null', [], {}, [[[[]]]], JSON.parse('{"__proto__":{"polluted":true}}') as unknown),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 5 }),
);

const whitespace = fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\u2003', '\ufeff', '\u3000');

/** A long string: past any field's maxLength, sometimes past the 16 KiB body limit. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('x', 'é', '李', '👩🏽‍⚕️', ' ', 'ab '), fc.oneof(fc.integer({ min: 90, max: 1_100 }), fc.integer({ min: 1_100, max: 20_000 })))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)));

/** One change to a request's members: the kinds of damage clients and attackers do. */
const mutation = (now: number): fc.Arbitrary<(members: JsonMembers) => JsonMembers> =>
  fc.oneof(
    fc.nat().map((index) => (members: JsonMembers) => members.filter((_, position) => position !== index % Math.max(members.length, 1))),
    fc.tuple(fc.constantFrom(...REQUEST_FIELDS), junkJson).map(([field, value]) => (members: JsonMembers) => setMember(members, field, value)),
    fc.tuple(fc.constantFrom(...REQUEST_FIELDS), hugeString).map(([field, value]) => (members: JsonMembers) => setMember(members, field, value)),
    fc.tuple(fc.constantFrom(...REQUEST_FIELDS), fc.string({ unit: 'binary', maxLength: 120 })).map(([field, value]) => (members: JsonMembers) => setMember(members, field, value)),
    fc.tuple(fc.constantFrom(...REQUEST_FIELDS), whitespace, whitespace).map(([field, before, after]) => (members: JsonMembers) =>
      members.map(([key, value]): [string, unknown] => (key === field && typeof value === 'string' ? [key, `${before}${value}${after}`] : [key, value])),
    ),
    fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 20 })), junkJson).map(([key, value]) => (members: JsonMembers) => [...members, [key, value] as [string, unknown]]),
    fc.oneof(pastDateTime(now), leapSecondDateTime(now), malformedDateTime).map((value) => (members: JsonMembers) => setMember(members, 'appointmentDateTime', value)),
    fc.tuple(fc.constantFrom(...REQUEST_FIELDS), junkJson).map(([field, value]) => (members: JsonMembers) => [...members, [field, value] as [string, unknown]]),
  );

function setMember(members: JsonMembers, field: string, value: unknown): JsonMembers {
  return members.some(([key]) => key === field) ? members.map(([key, old]): [string, unknown] => [key, key === field ? value : old]) : [...members, [field, value]];
}

/** JSON text of a request object: valid, or with 1-3 mutations, or not an object at all. */
export const appointmentRequestText = (now = Date.now()): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.tuple(appointmentRequest(now), fc.constantFrom('', ' ', '\n  ')).map(([request, spacing]) => objectText(Object.entries(request), spacing)) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(appointmentRequest(now), fc.array(mutation(now), { minLength: 1, maxLength: 3 }), fc.constantFrom('', ' '))
        .map(([request, mutations, spacing]) => objectText(mutations.reduce((members, apply) => apply(members), Object.entries(request) as JsonMembers), spacing)),
    },
    { weight: 1, arbitrary: junkJson.map((value) => JSON.stringify(value)) },
  );

/** The body of PUT /contacts/{email}: valid preferences, then wrong methods, numbers and keys. */
export const contactRequestText: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom('email', 'sms', 'none') }, { weight: 1, arbitrary: junkJson }, { weight: 1, arbitrary: fc.constantFrom('SMS', 'Email', 'fax', ' email', '') }),
    fc.option(fc.oneof({ weight: 4, arbitrary: phoneNumber }, { weight: 1, arbitrary: fc.constantFrom('+440', '07700900123', '+44 7700 900123', '+0123456789', '+1234567890123456') }, { weight: 1, arbitrary: junkJson })),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 10 })), junkJson), { maxLength: 2 }),
    fc.boolean(),
  )
  .map(([method, phone, extra, includeMethod]) => {
    const members: JsonMembers = includeMethod ? [['preferredMethod', method]] : [];
    if (phone !== null) members.push(['phoneNumber', phone]);
    return objectText([...members, ...extra]);
  });

/** Text that is not JSON, or barely: truncations, binary-looking and lone-surrogate strings. */
export const nonJsonText = (now = Date.now()): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.tuple(appointmentRequestText(now), fc.nat()).map(([text, cut]) => text.slice(0, cut % Math.max(text.length, 1))),
    fc.tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 20 })).map(([before, surrogate, after]) => `${before}${String.fromCharCode(surrogate)}${after}`),
    fc.tuple(appointmentRequestText(now), fc.integer({ min: 0xd800, max: 0xdfff })).map(([text, surrogate]) => text.replace(/"([^"]*)"/, `"$1${String.fromCharCode(surrogate)}"`)),
    fc.constantFrom('', ' ', '\n\t', 'null', '{', '}', '{"a":1,}', "{'a':1}", '[1,2', 'NaN', 'undefined', '\ufeff{}', '{"patientName":"\\ud800"}', '{"a":"\\u00"}', '<xml/>', 'a=1&b=2'),
  );

export const MAX_BODY_BYTES = 16 * 1024;

/** A valid request padded with JSON whitespace to a size just under, at or over the 16 KiB limit. */
export const boundarySizedRequestText = (now = Date.now()): fc.Arbitrary<string> =>
  fc.tuple(appointmentRequest(now), fc.integer({ min: -3, max: 3 })).map(([request, delta]) => {
    const text = objectText(Object.entries(request));
    const target = MAX_BODY_BYTES + delta;
    const padding = Math.max(0, target - Buffer.byteLength(text, 'utf8'));
    return `${text.slice(0, -1)}${' '.repeat(padding)}}`;
  });

/** How a body travels: as text, or base64 (well-formed, wrapped, unpadded, corrupted). */
export type BodyEncoding = 'text' | 'base64' | 'base64-wrapped' | 'base64-unpadded' | 'base64-corrupt' | 'base64-url';

export interface EncodedBody {
  /** What the client meant to send, when it is text (absent for raw bytes). */
  text?: string;
  body: string | null;
  isBase64Encoded: boolean;
  encoding: BodyEncoding | 'bytes' | 'none';
}

export function encodeBody(text: string, encoding: BodyEncoding): EncodedBody {
  const base64 = Buffer.from(text, 'utf8').toString('base64');
  switch (encoding) {
    case 'text':
      return { text, body: text, isBase64Encoded: false, encoding };
    case 'base64':
      return { text, body: base64, isBase64Encoded: true, encoding };
    case 'base64-wrapped':
      return { text, body: base64.replace(/.{1,76}/g, '$&\r\n'), isBase64Encoded: true, encoding };
    case 'base64-unpadded':
      return { text, body: base64.replace(/=+$/, ''), isBase64Encoded: true, encoding };
    case 'base64-corrupt':
      return { text, body: `${base64.slice(0, 4)}*%${base64.slice(4)}`, isBase64Encoded: true, encoding };
    case 'base64-url':
      return { text, body: Buffer.from(text, 'utf8').toString('base64url'), isBase64Encoded: true, encoding };
  }
}

/** Lone surrogates cannot be encoded as UTF-8 (Buffer writes U+FFFD): such text must travel as text. */
const hasLoneSurrogate = (text: string): boolean => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

/** A body as the API Gateway event carries it. */
export const encodedBody = (text: fc.Arbitrary<string>): fc.Arbitrary<EncodedBody> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(text, fc.constantFrom<BodyEncoding>('text', 'text', 'text', 'base64', 'base64-wrapped', 'base64-unpadded', 'base64-corrupt', 'base64-url'))
        .map(([value, encoding]) => encodeBody(value, hasLoneSurrogate(value) ? 'text' : encoding)),
    },
    // Raw bytes, mostly not UTF-8 (lone continuation bytes, overlongs, truncated sequences).
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.constantFrom(Uint8Array.from([0x80]), Uint8Array.from([0xc0, 0xaf]), Uint8Array.from([0xe2, 0x82]), Uint8Array.from([0xed, 0xa0, 0x80]), Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), Uint8Array.from([0xff, 0xfe, 0x7b, 0x00])))
        .map((bytes): EncodedBody => ({ body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true, encoding: 'bytes' })),
    },
    { weight: 1, arbitrary: fc.constantFrom<EncodedBody>({ body: null, isBase64Encoded: false, encoding: 'none' }, { body: null, isBase64Encoded: true, encoding: 'none' }) },
  );

/** The content type as sent, and whether the API contract accepts it (`unknown` for random text). */
export interface ContentTypeCase {
  value: string | undefined;
  verdict: 'json' | 'not-json' | 'unknown';
}

export const contentType: fc.Arbitrary<ContentTypeCase> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"', 'APPLICATION/JSON; CHARSET=UTF-8', ' application/json ').map((value): ContentTypeCase => ({ value, verdict: 'json' })) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('text/plain', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'application/jsonp', 'application/vnd.api+json', 'multipart/form-data; boundary=x', '', 'json', '*/*')
      .map((value): ContentTypeCase => ({ value, verdict: 'not-json' })),
  },
  { weight: 1, arbitrary: fc.constant<ContentTypeCase>({ value: undefined, verdict: 'not-json' }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((value): ContentTypeCase => ({ value, verdict: 'unknown' })) },
);

export const headerNameCase = (name: string): fc.Arbitrary<string> =>
  fc.constantFrom(name.toLowerCase(), name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`), name.toUpperCase(), [...name].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join(''));

/** Headers with one content-type (in any case) plus lies and noise that must not matter. */
export const requestHeaders: fc.Arbitrary<{ headers: Record<string, string>; contentType: ContentTypeCase }> = fc
  .tuple(
    contentType,
    headerNameCase('content-type'),
    fc.option(fc.oneof(fc.nat().map(String), fc.constantFrom('-1', '0', 'abc', '99999999999999999999', '1e3')), { nil: undefined }),
    // Noise never includes credentials: a property that wants them adds them itself.
    fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !['content-type', 'authorization'].includes(name.toLowerCase())), fc.string({ maxLength: 30 }), { maxKeys: 3 }),
  )
  .map(([type, name, contentLength, noise]) => {
    const headers: Record<string, string> = { ...noise };
    if (contentLength !== undefined) headers['Content-Length'] = contentLength;
    if (type.value !== undefined) headers[name] = type.value;
    return { headers, contentType: type };
  });

export const httpMethod: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS') },
  { weight: 2, arbitrary: fc.constantFrom('get', 'Post', 'put', '', 'TRACE', 'CONNECT', 'PROPFIND', 'GET ') },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

/** Percent-encodes some characters of a value, or leaves broken escapes in it. */
export const percentMangled = (value: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(value, fc.constantFrom('plain', 'encoded', 'partly', 'broken')).map(([text, how]) => {
    if (how === 'plain') return text;
    if (how === 'encoded') return encodeURIComponent(text);
    if (how === 'partly') return text.replace(/@/g, '%40').replace(/\+/g, '%2B');
    return `${text}%E0%A4%A`;
  });

export const appointmentIdParameter = (knownIds: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...knownIds) },
    { weight: 1, arbitrary: fc.constantFrom(...knownIds).map((id) => id.toUpperCase()) },
    { weight: 3, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', ' ', '..', '%2e%2e', 'null', '00000000-0000-0000-0000-00000000000g'), hugeString) },
  );

export const contactEmailParameter = (knownEmails: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...knownEmails) },
    { weight: 4, arbitrary: percentMangled(emailAddress) },
    { weight: 1, arbitrary: fc.tuple(whitespace, emailAddress).map(([space, email]) => `${space}${email}${space}`) },
    { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', '%', '%zz', '%00', '%C0%80@example.com', 'a%40b.co'), hugeString) },
  );

export const resource: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<string | undefined>(...ROUTE_TEMPLATES) },
  { weight: 2, arbitrary: fc.constantFrom<string | undefined>('/', '/appointment', '/appointments/{id}/notes', '/{proxy+}', '/contacts', '/APPOINTMENTS', '/staff', '/staff/{proxy+}', '/Staff/appointments', undefined) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
