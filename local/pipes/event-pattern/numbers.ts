/**
 * EventBridge's numeric matching (event-ruler's ComparableNumber) only works for numbers between
 * -5e9 and +5e9 inclusive with at most six digits after the decimal point. Pattern operands outside
 * that domain are rejected; event values outside it never satisfy a numeric comparison.
 *
 * Comparing the JavaScript doubles directly is exact inside that domain: every decimal with at most
 * 15 significant digits maps to a distinct double, and rounding to the nearest double preserves order.
 */
export const NUMERIC_LIMIT = 5e9;
export const MAX_DECIMAL_PLACES = 6;

/** Digits after the decimal point of the shortest decimal that round-trips to `value`. */
export function decimalPlaces(value: number): number {
  if (Number.isInteger(value)) return 0;
  const text = String(Math.abs(value));
  const exponentAt = text.indexOf('e');
  const mantissa = exponentAt === -1 ? text : text.slice(0, exponentAt);
  const exponent = exponentAt === -1 ? 0 : Number(text.slice(exponentAt + 1));
  const dot = mantissa.indexOf('.');
  const fractionDigits = dot === -1 ? 0 : mantissa.length - dot - 1;
  return Math.max(0, fractionDigits - exponent);
}

/** Why `value` cannot be a numeric operand, or undefined when it can. */
export function numericOperandProblem(value: number): string | undefined {
  if (!Number.isFinite(value)) return `${String(value)} is not a finite number`;
  if (value < -NUMERIC_LIMIT || value > NUMERIC_LIMIT) return `${value} is outside -5e9..5e9, the range numeric matching supports`;
  if (decimalPlaces(value) > MAX_DECIMAL_PLACES) return `${value} has more than 6 decimal places, the precision numeric matching supports`;
  return undefined;
}

/** Whether an event value takes part in numeric comparisons at all. */
export function isComparableNumber(value: number): boolean {
  if (!(value >= -NUMERIC_LIMIT && value <= NUMERIC_LIMIT)) return false;
  return Number.isInteger(value) || decimalPlaces(value) <= MAX_DECIMAL_PLACES;
}
