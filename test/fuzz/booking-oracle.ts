import { validateAppointmentRequest, validateContact, validateContactRequest, validateErrorResponse } from '../../contracts';
import { REQUEST_FIELDS, configuredDentistNames, configuredOpeningHours, type FuzzOpeningHours } from './booking-arbitraries';

/**
 * What the booking API promises, stated independently of its code (services/README.md): used by
 * the fuzz properties to judge each generated request's answer.
 */

/** Every status the booking function may answer with when DynamoDB works. */
export const BOOKING_STATUSES = new Set([200, 201, 400, 401, 403, 404, 405, 409, 412, 413, 415]);

/** Problems with an error answer: status, content type and an `error-response` JSON body. */
export function errorAnswerProblems(response: { statusCode: number; headers?: Record<string, unknown>; body: string }, requestId?: string): string[] {
  const problems: string[] = [];
  const contentTypeHeader = Object.entries(response.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  if (contentTypeHeader !== 'application/json') problems.push(`content-type is ${JSON.stringify(contentTypeHeader)}`);
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return [...problems, `body is not JSON: ${JSON.stringify(response.body.slice(0, 200))}`];
  }
  problems.push(...validateErrorResponse(body).map((problem) => `error-response ${problem}`));
  if (requestId !== undefined && (body as { requestId?: unknown }).requestId !== requestId) {
    problems.push(`requestId is ${JSON.stringify((body as { requestId?: unknown }).requestId)}, not the request's ${requestId}`);
  }
  return problems;
}

/** The documented normalisation: known string fields are trimmed, everything else is kept as is. */
export function trimKnownFields(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const trimmed = (REQUEST_FIELDS as readonly string[]).includes(key) && typeof member === 'string' ? member.trim() : member;
    Object.defineProperty(copy, key, { value: trimmed, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/**
 * The instant an RFC 3339 date-time names. A leap second (`:60`) is the instant after `:59`,
 * which `Date.parse` cannot represent on its own.
 */
export function instantOf(dateTime: string): number {
  const leap = /^(.{17})60(.*)$/.exec(dateTime);
  return leap ? Date.parse(`${leap[1]}59${leap[2]}`) + 1_000 : Date.parse(dateTime);
}

/**
 * The opening rule: the start's weekday and time of day on the practice's clock (its time zone,
 * so summer time counts) are within that weekday's [opens, closes).
 */
export function withinOpeningHours(instantMs: number, hours: FuzzOpeningHours): boolean {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: hours.timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(instantMs))
      .map((part) => [part.type, part.value]),
  );
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(String(parts.weekday)) + 1;
  const day = hours.weekly[weekday as 1];
  if (!day) return false;
  const time = `${parts.hour}:${parts.minute}:${parts.second}`;
  return time >= `${day.opens}:00` && time < `${day.closes}:00`;
}

export type AppointmentVerdict =
  | { kind: 'created'; request: Record<string, unknown> }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'past' }
  | { kind: 'outside-hours' }
  | { kind: 'unknown-dentist' }
  | { kind: 'not-json' };

/**
 * What POST /appointments must do with this body text (content type and size already accepted):
 * the schema first, then the domain rules in the documented order: the appointment must be in the
 * future, start within the practice's opening hours (on its clock), and `dentist` (trimmed) must
 * be exactly one of the practice's dentists.
 */
export function appointmentVerdict(text: string, now: number, dentists: readonly string[] = configuredDentistNames(), hours: FuzzOpeningHours = configuredOpeningHours()): AppointmentVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'not-json' };
  }
  const request = trimKnownFields(parsed);
  const problems = validateAppointmentRequest(request);
  if (problems.length > 0) return { kind: 'invalid', problems };
  const startsAt = instantOf((request as { appointmentDateTime: string }).appointmentDateTime);
  if (!(startsAt > now)) return { kind: 'past' };
  if (!withinOpeningHours(startsAt, hours)) return { kind: 'outside-hours' };
  if (!dentists.includes((request as { dentist: string }).dentist)) return { kind: 'unknown-dentist' };
  return { kind: 'created', request: request as Record<string, unknown> };
}

/** The day a created appointment is listed under: the date part of its date-time, in its own offset. */
export const appointmentDateOf = (dateTime: string): string => dateTime.slice(0, 10);

/** The contacts key the API must use for a path e-mail, or undefined when it must reject it. */
export function normalisedContactEmail(raw: string): string | undefined {
  let decoded = raw;
  if (/%[0-9a-f]{2}/i.test(decoded)) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      return undefined;
    }
  }
  const email = decoded.trim().toLowerCase();
  if (email === '') return undefined;
  return validateContact({ id: email, preferredMethod: 'none', updatedAt: '2000-01-01T00:00:00Z' }).length === 0 ? email : undefined;
}

export function isValidContactRequest(text: string): boolean {
  try {
    return validateContactRequest(JSON.parse(text)).length === 0;
  } catch {
    return false;
  }
}
