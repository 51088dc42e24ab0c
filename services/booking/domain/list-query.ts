import { badRequest } from '../../common/errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export interface DayListQuery {
  date: string;
  limit: number;
  startKey?: Record<string, string>;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `nextToken` is the index's LastEvaluatedKey, opaque to the caller (base64url JSON of string keys). */
export function encodeNextToken(key: Record<string, string>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

const NEXT_TOKEN_KEYS = ['id', 'appointmentDate', 'appointmentDateTime'];

function decodeNextToken(token: string, date: string): Record<string, string> {
  const invalid = badRequest('InvalidNextToken', 'nextToken is not one this API returned for this date', ['/nextToken must be the nextToken of the previous page, unchanged']);
  if (token.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid;
  const entries = Object.entries(parsed);
  if (entries.length !== NEXT_TOKEN_KEYS.length || !entries.every(([key, value]) => NEXT_TOKEN_KEYS.includes(key) && typeof value === 'string')) throw invalid;
  const key = Object.fromEntries(entries) as Record<string, string>;
  if (key.appointmentDate !== date) throw invalid;
  return key;
}

/** `GET /staff/appointments?date=YYYY-MM-DD[&limit=N][&nextToken=…]`, validated; 400 naming each bad parameter. */
export function parseDayListQuery(query: Record<string, string | undefined>): DayListQuery {
  const problems: string[] = [];
  const unknown = Object.keys(query).filter((key) => !['date', 'limit', 'nextToken'].includes(key));
  for (const key of unknown) problems.push(`/${key.slice(0, 40)} is not a parameter of this route (date, limit, nextToken)`);
  const date = query.date ?? '';
  if (!isCalendarDate(date)) problems.push('/date must be a calendar date YYYY-MM-DD, e.g. 2031-03-14');
  let limit = DEFAULT_PAGE_SIZE;
  if (query.limit !== undefined) {
    limit = /^\d{1,3}$/.test(query.limit) ? Number(query.limit) : NaN;
    if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) problems.push(`/limit must be a whole number 1..${MAX_PAGE_SIZE}`);
  }
  if (problems.length > 0) throw badRequest('InvalidQuery', "The day's appointment list query is invalid", problems);
  return { date, limit, ...(query.nextToken !== undefined ? { startKey: decodeNextToken(query.nextToken, date) } : {}) };
}
