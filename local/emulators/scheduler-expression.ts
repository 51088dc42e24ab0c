/**
 * EventBridge Scheduler's one-time `at(yyyy-mm-ddThh:mm:ss)` expressions: parsing, and converting
 * the wall-clock time in the schedule's IANA time zone to an instant with Intl (no tz database of
 * our own). `rate()` and `cron()` are recognised only to be refused clearly: the local emulator
 * implements one-time schedules only.
 */

const AT_PATTERN = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;

export class ScheduleExpressionError extends Error {}

/** True when `zone` is an IANA time zone name this Node's Intl knows. */
export function isKnownTimeZone(zone: string): boolean {
  if (zone.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at instant `ms`, in milliseconds (positive east of Greenwich). */
export function timeZoneOffsetMs(zone: string, ms: number): number {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wallAsUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wallAsUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant (epoch ms) of wall-clock time `wallAsUtcMs` (the wall time's fields read as if UTC)
 * in `zone`. A wall time skipped by a daylight-saving jump resolves to the same instant plus the
 * jump (02:30 on a spring-forward night becomes 03:30); a repeated one resolves to its first
 * occurrence.
 */
export function wallClockToInstant(wallAsUtcMs: number, zone: string): number {
  const DAY_MS = 86_400_000;
  const offsetBefore = timeZoneOffsetMs(zone, wallAsUtcMs - DAY_MS);
  const offsetAfter = timeZoneOffsetMs(zone, wallAsUtcMs + DAY_MS);
  const valid = [wallAsUtcMs - offsetBefore, wallAsUtcMs - offsetAfter].filter((instant) => instant + timeZoneOffsetMs(zone, instant) === wallAsUtcMs);
  // Repeated (both readings valid): the earlier one. Skipped (neither valid): read it with the
  // offset in force before the jump, which lands the same distance past the jump.
  return valid.length > 0 ? Math.min(...valid) : wallAsUtcMs - offsetBefore;
}

/** Parses `at(...)` in `zone` to an instant; throws ScheduleExpressionError with the reason. */
export function parseAtExpression(expression: string, zone: string): number {
  if (/^(rate|cron)\(/.test(expression)) {
    throw new ScheduleExpressionError(
      `Invalid Schedule Expression ${expression}: the local Scheduler emulator implements one-time at(yyyy-mm-ddThh:mm:ss) schedules only, not rate() or cron()`,
    );
  }
  const match = AT_PATTERN.exec(expression);
  if (!match) throw new ScheduleExpressionError(`Invalid Schedule Expression ${expression}: expected at(yyyy-mm-ddThh:mm:ss)`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    throw new ScheduleExpressionError(`Invalid Schedule Expression ${expression}: not a real date and time`);
  }
  return wallClockToInstant(wall, zone);
}
