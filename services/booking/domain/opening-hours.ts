import { instantOf } from '../../common/date-time';
import { badRequest, type HttpError } from '../../common/errors';

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/**
 * When appointments may start (the CDK config's `lifecycle.openingHours`, passed as OPENING_HOURS):
 * per weekday, from `opens` (inclusive) to `closes` (exclusive), local `HH:MM` in `timeZone`. A
 * day not listed is closed.
 */
export interface OpeningHours {
  timeZone: string;
  weekly: Partial<Record<IsoWeekday, { opens: string; closes: string }>>;
}

export const WEEKDAY_NAMES: Record<IsoWeekday, string> = { 1: 'Monday', 2: 'Tuesday', 3: 'Wednesday', 4: 'Thursday', 5: 'Friday', 6: 'Saturday', 7: 'Sunday' };
const WEEKDAY_NUMBERS: Record<string, IsoWeekday> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since local midnight of an `HH:MM`. */
const minutesOf = (time: string): number => {
  const match = HH_MM.exec(time);
  if (!match) throw new RangeError(`not an HH:MM time: ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
};

/** The problems of an opening-hours value (empty when it is usable): zone, weekdays, HH:MM, opens before closes. */
export function openingHoursProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['must be a JSON object {"timeZone","weekly"}'];
  const { timeZone, weekly, ...rest } = value as { timeZone?: unknown; weekly?: unknown };
  const problems: string[] = Object.keys(rest).map((key) => `has an unknown key ${JSON.stringify(key)}`);
  if (typeof timeZone !== 'string' || timeZone === '') problems.push('timeZone must be an IANA time zone name such as Europe/London');
  else {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone });
    } catch {
      problems.push(`timeZone ${JSON.stringify(timeZone)} is not an IANA time zone`);
    }
  }
  if (typeof weekly !== 'object' || weekly === null || Array.isArray(weekly)) return [...problems, 'weekly must be an object of ISO weekdays 1..7'];
  const days = Object.entries(weekly);
  if (days.length === 0) problems.push('weekly must open on at least one day');
  for (const [day, hours] of days) {
    if (!/^[1-7]$/.test(day)) problems.push(`weekly: ${JSON.stringify(day)} is not an ISO weekday 1..7`);
    const { opens, closes } = (hours ?? {}) as { opens?: unknown; closes?: unknown };
    if (typeof opens !== 'string' || typeof closes !== 'string' || !HH_MM.test(opens) || !HH_MM.test(closes) || opens >= closes) {
      problems.push(`weekly[${day}] must be {"opens":"HH:MM","closes":"HH:MM"} with opens before closes`);
    }
  }
  return problems;
}

/** The wall clock of an instant in a time zone (Intl: the zone's rules, DST included). */
export interface LocalTime {
  date: string;
  weekday: IsoWeekday;
  /** Seconds since local midnight. */
  secondOfDay: number;
  /** `HH:MM` */
  time: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function localTimeOf(instantMs: number, timeZone: string): LocalTime {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(new Date(instantMs)).map((part) => [part.type, part.value]));
  const [hour, minute, second] = [Number(parts.hour), Number(parts.minute), Number(parts.second)];
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAY_NUMBERS[String(parts.weekday)]!,
    secondOfDay: hour * 3600 + minute * 60 + second,
    time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
  };
}

/** The day's hours in words: `08:00-18:00` or `closed`. */
export function hoursOfDay(hours: OpeningHours, weekday: IsoWeekday): string {
  const day = hours.weekly[weekday];
  return day ? `${day.opens}-${day.closes}` : 'closed';
}

/**
 * 400 OutsideOpeningHours when an appointment starting at `dateTime` (RFC 3339, any offset) does
 * not start within the practice's opening hours, judged on the practice's own clock (its time
 * zone, so a DST change or an offset that moves the local day are handled); undefined when it does.
 */
export function openingHoursViolation(dateTime: string, hours: OpeningHours): HttpError | undefined {
  const local = localTimeOf(instantOf(dateTime), hours.timeZone);
  const day = hours.weekly[local.weekday];
  if (day && local.secondOfDay >= minutesOf(day.opens) * 60 && local.secondOfDay < minutesOf(day.closes) * 60) return undefined;
  const weekday = WEEKDAY_NAMES[local.weekday];
  const when = `${weekday} ${local.date} ${local.time} in ${hours.timeZone}`;
  const rule = day ? `on ${weekday}s appointments start from ${day.opens} and before ${day.closes}` : `the practice is closed on ${weekday}s`;
  return badRequest('OutsideOpeningHours', `appointmentDateTime ${dateTime} is outside the practice's opening hours (${when}; ${rule})`, [
    `/appointmentDateTime must start within opening hours: ${weekday} ${hoursOfDay(hours, local.weekday)} (${hours.timeZone}); it is ${local.time} there`,
  ]);
}

/** `+01:00` / `-05:00` / `+00:00`: the zone's UTC offset at an instant. */
export function offsetAt(instantMs: number, timeZone: string): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(instantMs)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-]\d{2}):?(\d{2})?$/.exec(name);
  return match ? `${match[1]}:${match[2] ?? '00'}` : '+00:00';
}

/**
 * An in-hours start `daysAhead` days (or the first opening day after that) from `now`, at local
 * `localTime`, written in the practice zone's real offset: what demos, scripts and tests book.
 */
export function openingSlot(hours: OpeningHours, options: { now?: Date; daysAhead?: number; localTime?: string } = {}): string {
  const now = options.now ?? new Date();
  const localTime = options.localTime ?? '10:00';
  const target = minutesOf(localTime);
  const first = Date.parse(`${localTimeOf(now.getTime() + (options.daysAhead ?? 1) * 86_400_000, hours.timeZone).date}T00:00:00Z`);
  for (let day = 0; day < 14; day += 1) {
    const date = new Date(first + day * 86_400_000).toISOString().slice(0, 10);
    // The instant whose wall clock is `date localTime`: start from UTC and correct by the offset (twice, across a DST change).
    let instant = Date.parse(`${date}T${localTime}:00Z`);
    for (let pass = 0; pass < 2; pass += 1) {
      const offset = offsetAt(instant, hours.timeZone);
      instant = Date.parse(`${date}T${localTime}:00${offset}`);
    }
    const local = localTimeOf(instant, hours.timeZone);
    const open = hours.weekly[local.weekday];
    if (local.date === date && open && target >= minutesOf(open.opens) && target < minutesOf(open.closes) && instant > now.getTime()) {
      return `${date}T${localTime}:00${offsetAt(instant, hours.timeZone)}`;
    }
  }
  throw new RangeError(`no opening day at ${localTime} within 14 days`);
}
