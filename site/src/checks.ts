/**
 * Client-side checks that mirror the API's JSON Schemas (read from the contracts at build time, so
 * they cannot drift): the same required fields, lengths, patterns and messages. They only spare a
 * round trip; the API stays the authority and its answers are shown as they come.
 */
// Named imports, so the bundle keeps only these parts of each schema.
import { properties as appointmentRequestProperties, required as appointmentRequestRequired } from '../../contracts/schemas/appointment-request.schema.json';
import { properties as contactRequestProperties, required as contactRequestRequired } from '../../contracts/schemas/contact-request.schema.json';

interface PropertySchema {
  type?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: string[];
  'x-pattern-message'?: string;
}
interface ObjectSchema {
  required?: string[];
  properties: Record<string, PropertySchema>;
}

const appointmentRequestSchema: ObjectSchema = { properties: appointmentRequestProperties, required: appointmentRequestRequired };
const contactRequestSchema: ObjectSchema = { properties: contactRequestProperties, required: contactRequestRequired };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkAgainst(schema: ObjectSchema, values: Record<string, string>, labels: Record<string, string>): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const [field, value] of Object.entries(values)) {
    const property = schema.properties[field];
    if (!property) continue;
    const label = labels[field] ?? field;
    if (value === '') {
      if (schema.required?.includes(field)) problems[field] = `${label} is required`;
      continue;
    }
    if (property.minLength !== undefined && value.length < property.minLength) problems[field] = `${label} is too short`;
    else if (property.maxLength !== undefined && value.length > property.maxLength) problems[field] = `${label} must be at most ${property.maxLength} characters`;
    else if (property.pattern && !new RegExp(property.pattern, 'u').test(value)) problems[field] = `${label} ${property['x-pattern-message'] ?? 'is not valid'}`;
    else if (property.format === 'email' && !EMAIL.test(value)) problems[field] = `${label} must be an e-mail address such as name@example.com`;
    else if (property.enum && !property.enum.includes(value)) problems[field] = `${label} must be one of ${property.enum.join(', ')}`;
  }
  return problems;
}

export const BOOKING_LABELS: Record<string, string> = {
  patientName: 'Your name',
  email: 'E-mail address',
  phoneNumber: 'Mobile number',
  dentist: 'Dentist',
  appointmentDateTime: 'Date and time',
};

/** Problems of a booking form's values (already trimmed), by field; empty when it may be sent. */
export function checkBooking(values: Record<string, string>, now: Date): Record<string, string> {
  const problems = checkAgainst(appointmentRequestSchema, values, BOOKING_LABELS);
  problems.appointmentDateTime ??= checkFuture(values.appointmentDateTime ?? '', now) ?? '';
  if (problems.appointmentDateTime === '') delete problems.appointmentDateTime;
  return problems;
}

/** Problems of a notification preference (`preferredMethod`, `phoneNumber`). */
export function checkPreference(values: Record<string, string>): Record<string, string> {
  const problems = checkAgainst(contactRequestSchema, values, { preferredMethod: 'How we tell you', phoneNumber: 'Mobile number' });
  if (values.preferredMethod === 'sms' && !values.phoneNumber) problems.phoneNumber = 'Mobile number is required for text messages';
  return problems;
}

/** Problems of a new appointment time. */
export function checkNewTime(dateTime: string, now: Date): string | undefined {
  return dateTime === '' ? 'Date and time is required' : checkFuture(dateTime, now);
}

function checkFuture(dateTime: string, now: Date): string | undefined {
  if (dateTime === '') return 'Date and time is required';
  const at = Date.parse(dateTime);
  if (Number.isNaN(at)) return 'Date and time is not a valid date and time';
  if (at <= now.getTime()) return 'Date and time must be in the future';
  return undefined;
}

/**
 * `2031-03-14` + `09:30` in the browser's own time zone, as the API wants it: RFC 3339 with the
 * offset of that moment (`2031-03-14T09:30:00+00:00`). Empty when either part is missing.
 */
export function localDateTime(date: string, time: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return '';
  const local = new Date(`${date}T${time}:00`);
  if (Number.isNaN(local.getTime())) return '';
  const offsetMinutes = -local.getTimezoneOffset();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date}T${time}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A stored appointment time for a person, in the time zone it was booked in. */
export function describeDateTime(dateTime: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(dateTime);
  if (!match) return dateTime;
  const [, year, month, day, hour, minute] = match;
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const date = calendar.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  return `${date} at ${hour}:${minute}`;
}
