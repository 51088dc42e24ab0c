import fc from 'fast-check';
import { escapeText, foldLine, inviteContentType, renderCalendarInvite, type CalendarInviteInput } from '../../../../services/notifier/domain/calendar-invite';
import { fuzzSeed } from '../../../fuzz/fuzz-settings';

/** A small RFC 5545 reader for the tests: unfolds lines, splits name;params:value, unescapes TEXT. */
function parseIcs(text: string): { lines: string[]; get(name: string): string | undefined; params(name: string): string | undefined } {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // only CRLF line breaks
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n').filter((line) => line !== '');
  const find = (name: string) => lines.find((line) => line.startsWith(`${name}:`) || line.startsWith(`${name};`));
  const unescape = (value: string) => value.replace(/\\n/g, '\n').replace(/\\([\\;,])/g, '$1');
  return {
    lines,
    get: (name) => {
      const line = find(name);
      return line === undefined ? undefined : unescape(line.slice(line.indexOf(':') + 1));
    },
    params: (name) => {
      const line = find(name);
      return line === undefined ? undefined : line.slice(name.length, line.indexOf(':'));
    },
  };
}

const stampToIso = (stamp: string): string => stamp.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');

const base: CalendarInviteInput = {
  appointmentId: '8d2f6a4e-5b1c-4e8a-9f3d-2c7b1a0e9d42',
  appointmentDateTime: '2031-03-14T09:30:00+01:00',
  durationMinutes: 30,
  dentist: 'Dr. Lee Jones',
  organizerEmail: 'bookings@ljdentists.example',
  attendeeEmail: 'jane.doe@example.com',
  attendeeName: 'Jane Doe',
  method: 'REQUEST',
  sequence: 0,
  now: new Date('2031-01-02T03:04:05.678Z'),
};

describe('calendar invite (.ics)', () => {
  it('is a VCALENDAR with one VEVENT: UID, SEQUENCE, METHOD, times in UTC for the offset given', () => {
    const ics = parseIcs(renderCalendarInvite(base));
    expect(ics.lines[0]).toBe('BEGIN:VCALENDAR');
    expect(ics.lines.at(-1)).toBe('END:VCALENDAR');
    expect(ics.lines.filter((line) => line === 'BEGIN:VEVENT')).toHaveLength(1);
    expect(ics.get('VERSION')).toBe('2.0');
    expect(ics.get('METHOD')).toBe('REQUEST');
    expect(ics.get('UID')).toBe('8d2f6a4e-5b1c-4e8a-9f3d-2c7b1a0e9d42@ljdentists.example');
    expect(ics.get('SEQUENCE')).toBe('0');
    expect(ics.get('STATUS')).toBe('CONFIRMED');
    // 09:30 at +01:00 is 08:30 UTC; 30 minutes long.
    expect(ics.get('DTSTART')).toBe('20310314T083000Z');
    expect(new Date(stampToIso(ics.get('DTSTART')!)).getTime()).toBe(Date.parse(base.appointmentDateTime));
    expect(ics.get('DTEND')).toBe('20310314T090000Z');
    expect(ics.get('DTSTAMP')).toBe('20310102T030405Z');
    expect(ics.get('DESCRIPTION')).toContain('09:30 (UTC+01:00)');
    expect(ics.get('ORGANIZER')).toBe('mailto:bookings@ljdentists.example');
    expect(ics.get('ATTENDEE')).toBe('mailto:jane.doe@example.com');
  });

  it('keeps the UID across changes, with a higher SEQUENCE; a cancellation is METHOD:CANCEL of the same UID', () => {
    const moved = parseIcs(renderCalendarInvite({ ...base, appointmentDateTime: '2031-03-15T14:00:00+00:00', sequence: 1 }));
    const cancelled = parseIcs(renderCalendarInvite({ ...base, method: 'CANCEL', sequence: 2 }));
    const booked = parseIcs(renderCalendarInvite(base));
    expect(new Set([booked.get('UID'), moved.get('UID'), cancelled.get('UID')]).size).toBe(1);
    expect([booked, moved, cancelled].map((ics) => Number(ics.get('SEQUENCE')))).toEqual([0, 1, 2]);
    expect(moved.get('DTSTART')).toBe('20310315T140000Z');
    expect(cancelled.get('METHOD')).toBe('CANCEL');
    expect(cancelled.get('STATUS')).toBe('CANCELLED');
    expect(inviteContentType('CANCEL')).toBe('text/calendar; charset=UTF-8; method=CANCEL');
  });

  it('escapes text and names so no value can add a property or a line', () => {
    const ics = renderCalendarInvite({ ...base, attendeeName: 'Eve "X"\r\nATTENDEE:mailto:evil@example.com', dentist: 'Dr. A; B, C\\D' });
    const parsed = parseIcs(ics);
    expect(parsed.lines.filter((line) => line.startsWith('ATTENDEE'))).toHaveLength(1);
    expect(parsed.get('SUMMARY')).toBe('Dental appointment with Dr. A; B, C\\D');
    expect(escapeText('a;b,c\\d\ne')).toBe('a\\;b\\,c\\\\d\\ne');
  });

  it('folds every line at 75 octets without splitting a character, and unfolds back to the same text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        const folded = foldLine(`DESCRIPTION:${text}`);
        for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
        expect(folded.replace(/\r\n /g, '')).toBe(`DESCRIPTION:${text}`);
      }),
      { seed: fuzzSeed(), numRuns: 300 },
    );
  });

  it('refuses a bad sequence, duration or date-time', () => {
    expect(() => renderCalendarInvite({ ...base, sequence: -1 })).toThrow('sequence');
    expect(() => renderCalendarInvite({ ...base, durationMinutes: 0 })).toThrow('durationMinutes');
    expect(() => renderCalendarInvite({ ...base, appointmentDateTime: 'tomorrow' })).toThrow();
  });
});
