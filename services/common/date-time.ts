/**
 * Milliseconds of an RFC 3339 date-time (NaN when it is not one). `Date.parse` rejects a leap
 * second (`:60`, which RFC 3339 and the schemas allow) with NaN, which would read as "in the past"
 * or break an invite; it is the instant after `:59`.
 */
export function instantOf(dateTime: string): number {
  const leapSecond = /^(.{17})60(.*)$/.exec(dateTime);
  return leapSecond ? Date.parse(`${leapSecond[1]}59${leapSecond[2]}`) + 1_000 : Date.parse(dateTime);
}
