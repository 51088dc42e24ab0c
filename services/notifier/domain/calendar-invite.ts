/**
 * The `.ics` calendar invite (RFC 5545, iTIP METHOD per RFC 5546) that booking and reschedule
 * e-mails carry, and the cancellation that removes it from the patient's calendar. One stable UID
 * per appointment and a SEQUENCE that rises with each change, so calendars replace the event they
 * already hold instead of adding another, and apply a cancellation to it.
 *
 * Times are written in UTC (`…Z`): every calendar reads them without a VTIMEZONE block, and the
 * appointment's own offset is kept in the description, as the e-mail shows it.
 */
import { instantOf } from '../../common/date-time';
import { describeAppointmentTime } from './appointment-time';

export type InviteMethod = 'REQUEST' | 'CANCEL';

export interface CalendarInviteInput {
  appointmentId: string;
  /** RFC 3339 with its offset, e.g. 2031-03-14T09:30:00+01:00. */
  appointmentDateTime: string;
  durationMinutes: number;
  dentist: string;
  /** The practice's sender address (ORGANIZER) and its domain (the UID's right-hand side). */
  organizerEmail: string;
  attendeeEmail: string;
  attendeeName: string;
  method: InviteMethod;
  /** 0 for the booking, then one more for each change (the appointment's version works). */
  sequence: number;
  /** When the invite is made (DTSTAMP). */
  now: Date;
}

const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, and line breaks as \n. */
export function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const character of line) {
    const size = Buffer.byteLength(character, 'utf8');
    // Continuation lines start with a space, which counts towards their 75 octets.
    const limit = parts.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += character;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

/** `20310314T083000Z` */
export function utcStamp(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function startOf(dateTime: string): Date {
  const ms = instantOf(dateTime);
  if (Number.isNaN(ms)) throw new Error(`appointmentDateTime ${JSON.stringify(dateTime)} is not an RFC 3339 date-time`);
  return new Date(ms);
}

export function renderCalendarInvite(input: CalendarInviteInput): string {
  if (!Number.isInteger(input.sequence) || input.sequence < 0) throw new Error('sequence must be a whole number >= 0');
  if (!Number.isInteger(input.durationMinutes) || input.durationMinutes <= 0) throw new Error('durationMinutes must be a positive whole number');
  const domain = input.organizerEmail.split('@')[1] ?? 'localhost';
  const start = startOf(input.appointmentDateTime);
  const end = new Date(start.getTime() + input.durationMinutes * 60_000);
  const when = describeAppointmentTime(input.appointmentDateTime);
  const cancelled = input.method === 'CANCEL';
  const summary = `Dental appointment with ${input.dentist}`;
  const description = cancelled
    ? `Your appointment with ${input.dentist} on ${when.date} at ${when.time} (${when.zone}) is cancelled.`
    : `Your appointment with ${input.dentist} on ${when.date} at ${when.time} (${when.zone}). Appointment reference ${input.appointmentId}.`;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//LJ Dentists//Booking notifications//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${input.method}`,
    'BEGIN:VEVENT',
    `UID:${input.appointmentId}@${domain}`,
    `SEQUENCE:${input.sequence}`,
    `DTSTAMP:${utcStamp(input.now)}`,
    `DTSTART:${utcStamp(start)}`,
    `DTEND:${utcStamp(end)}`,
    `SUMMARY:${escapeText(summary)}`,
    `DESCRIPTION:${escapeText(description)}`,
    `ORGANIZER;CN=LJ Dentists:mailto:${input.organizerEmail}`,
    `ATTENDEE;CN="${input.attendeeName.replace(/["\\\r\n]/g, '')}";ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:${input.attendeeEmail}`,
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** The e-mail attachment's content type for an invite of this method (calendars key on it). */
export function inviteContentType(method: InviteMethod): string {
  return `text/calendar; charset=UTF-8; method=${method}`;
}
