import fc from 'fast-check';
import { CHANGE_KINDS, NOTIFICATION_KINDS, type Appointment, type NotificationKind } from '../../../../contracts';
import { renderNotificationEmail } from '../../../../services/notifier/domain/email-template';
import { INVITE_FILE_NAME, notificationEmail } from '../../../../services/notifier/domain/notification-email';
import { MAX_SMS_SEPTETS, gsmLength, isGsm7, renderNotificationSms } from '../../../../services/notifier/domain/sms-template';
import { loadFixture } from '../../../fixtures/load-fixture';

const booked = loadFixture<Appointment>('appointment', 'lifecycle-booked');
const rescheduled = loadFixture<Appointment>('appointment', 'lifecycle-rescheduled');
const cancelled = loadFixture<Appointment>('appointment', 'lifecycle-cancelled');
const BY_KIND: Record<NotificationKind, Appointment> = { booked, rescheduled, cancelled, reminder: rescheduled };
const MANAGE_URL = 'https://book.lj-dentists.example/manage?appointment=5f0c2b7e-9a41-4d3c-8e26-7b1d9f4a2c85#token=m1.abc';
const BOOK_URL = 'https://book.lj-dentists.example';
const links = { manageUrl: MANAGE_URL, bookUrl: BOOK_URL };

/** The unfolded content lines of an .ics, by property name (parameters dropped). */
function parseIcs(ics: string): Map<string, string[]> {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n').filter((line) => line !== '');
  const properties = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).split(';')[0]!;
    properties.set(name, [...(properties.get(name) ?? []), line.slice(colon + 1)]);
  }
  return properties;
}

describe('e-mail per kind', () => {
  it('booked: the confirmation with the time in its own offset, named, and the manage link', () => {
    const email = renderNotificationEmail('booked', booked, links);
    expect(email.subject).toBe('Your appointment with Dr Lopez on Fri 14 Mar 2031 at 09:30');
    expect(email.text).toContain('Your appointment with Dr Lopez at LJ Dentists Camden is booked for Friday 14 March 2031 at 09:30 (UTC).');
    expect(email.text).toContain(MANAGE_URL);
    expect(email.html).toContain(`<a href="${MANAGE_URL.replace(/&/g, '&amp;')}">`);
  });

  it('rescheduled: old -> new time, each in its own offset, and the old and new dentist', () => {
    const email = renderNotificationEmail('rescheduled', rescheduled, links);
    expect(email.subject).toBe('Your appointment is changed: Dr Jones on Wed 2 Apr 2031 at 15:00');
    expect(email.text).toContain('has moved from Friday 14 March 2031 at 09:30 (UTC) to Wednesday 2 April 2031 at 15:00 (UTC+01:00).');
    expect(email.text).toContain('It was with Dr Lopez; it is now with Dr Jones.');
    expect(email.html).toContain('<strong>Wednesday 2 April 2031 at 15:00 (UTC+01:00)</strong>');
    expect(email.text).toContain(MANAGE_URL);
  });

  it('rescheduled with only the dentist changed says so, without a move', () => {
    const dentistOnly = { ...rescheduled, lastChange: { kind: 'rescheduled' as const, at: rescheduled.updatedAt, by: 'staff' as const, previousDentist: 'Dr Lopez' } };
    const email = renderNotificationEmail('rescheduled', dentistOnly, links);
    expect(email.text).toContain('Your appointment at LJ Dentists Camden on Wednesday 2 April 2031 at 15:00 (UTC+01:00) is now with Dr Jones.');
    expect(email.text).not.toContain('moved');
    expect(email.text).toContain('It was with Dr Lopez');
  });

  it('cancelled: says cancelled and offers the booking page, not the manage link (a cancelled booking cannot be changed)', () => {
    const email = renderNotificationEmail('cancelled', cancelled, links);
    expect(email.subject).toBe('Cancelled: your appointment with Dr Jones on Wed 2 Apr 2031 at 15:00');
    expect(email.text).toContain('Wednesday 2 April 2031 at 15:00 (UTC+01:00) is cancelled.');
    expect(email.text).toContain(`To book another appointment:\n${BOOK_URL}\n`);
    expect(email.text).not.toContain('manage?');
    expect(email.html).not.toContain('manage?');
  });

  it('reminder: the time and the manage link', () => {
    const email = renderNotificationEmail('reminder', rescheduled, links);
    expect(email.subject).toBe('Reminder: your appointment with Dr Jones on Wed 2 Apr 2031 at 15:00');
    expect(email.text).toContain('A reminder of your appointment with Dr Jones at LJ Dentists Camden on Wednesday 2 April 2031 at 15:00 (UTC+01:00).');
    expect(email.text).toContain(MANAGE_URL);
  });

  it.each(NOTIFICATION_KINDS)('%s: never the notes nor the cancellation reason, and every value escaped in the HTML', (kind) => {
    const hostile = { ...BY_KIND[kind], patientName: '<img src=x onerror=alert(1)>', clinic: 'O\'Brien <b>', notes: 'NOTE-MARKER', cancellationReason: 'REASON-MARKER' };
    const email = renderNotificationEmail(kind, hostile, links);
    for (const part of [email.subject, email.text, email.html]) {
      expect(part).not.toContain('NOTE-MARKER');
      expect(part).not.toContain('REASON-MARKER');
    }
    expect(email.html).not.toMatch(/<img|<b>/);
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.html).toContain('O&#39;Brien &lt;b&gt;');
    expect(email.subject).not.toMatch(/[\r\n]/);
  });
});

describe('SMS per kind', () => {
  it.each([
    ['booked', booked, 'LJ Dentists: Grace Hopper, your appointment with Dr Lopez at LJ Dentists Camden is on Fri 14 Mar 2031 at 09:30 (UTC).'],
    ['rescheduled', rescheduled, 'LJ Dentists: Grace Hopper, your appointment with Dr Jones is moved from Fri 14 Mar 2031 09:30 (UTC) to Wed 2 Apr 2031 at 15:00 (UTC+01:00) (was with Dr Lopez).'],
    ['cancelled', cancelled, 'LJ Dentists: Grace Hopper, your appointment with Dr Jones at LJ Dentists Camden on Wed 2 Apr 2031 at 15:00 (UTC+01:00) is cancelled.'],
    ['reminder', rescheduled, 'LJ Dentists: Grace Hopper, a reminder of your appointment with Dr Jones at LJ Dentists Camden on Wed 2 Apr 2031 at 15:00 (UTC+01:00).'],
  ] as const)('%s fits one segment', (kind, appointment, expected) => {
    const text = renderNotificationSms(kind, appointment);
    expect(text).toBe(expected);
    expect(gsmLength(text)).toBeLessThanOrEqual(MAX_SMS_SEPTETS);
  });

  it('every kind fits one GSM-7 segment for any names the contract allows, and never carries notes or the reason', () => {
    const name = fc.string({ minLength: 1, maxLength: 100, unit: 'grapheme' });
    fc.assert(
      fc.property(fc.constantFrom(...NOTIFICATION_KINDS), name, name, name, fc.option(name, { nil: undefined }), (kind, patientName, dentist, previousDentist, clinic) => {
        const base = BY_KIND[kind];
        const appointment = { ...base, patientName, dentist, clinic, notes: 'NOTE-MARKER', lastChange: { ...base.lastChange, ...(kind === 'rescheduled' ? { previousDentist } : {}) } };
        const text = renderNotificationSms(kind, appointment);
        return isGsm7(text) && gsmLength(text) <= MAX_SMS_SEPTETS && text.startsWith('LJ Dentists: ') && !text.includes('NOTE-MARKER');
      }),
      { numRuns: 300 },
    );
  });
});

describe('calendar invite attached to the e-mail', () => {
  const now = new Date('2031-03-05T08:00:01.000Z');
  const options = { ...links, organizerEmail: 'appointments@lj-dentists.example', now };

  it.each([
    ['booked', booked, 'REQUEST', 0, '20310314T093000Z'],
    ['rescheduled', rescheduled, 'REQUEST', 1, '20310402T140000Z'],
    ['cancelled', cancelled, 'CANCEL', 2, '20310402T140000Z'],
  ] as const)('%s: METHOD, SEQUENCE = version - 1, the stable UID and the start as an instant', (kind, appointment, method, sequence, start) => {
    const email = notificationEmail(kind, appointment, options);

    expect(email.attachments).toHaveLength(1);
    const [attachment] = email.attachments!;
    expect(attachment).toMatchObject({ fileName: INVITE_FILE_NAME, contentType: `text/calendar; charset=UTF-8; method=${method}` });
    const ics = parseIcs(attachment!.content);
    expect(ics.get('METHOD')).toEqual([method]);
    expect(ics.get('UID')).toEqual(['5f0c2b7e-9a41-4d3c-8e26-7b1d9f4a2c85@lj-dentists.example']);
    expect(ics.get('SEQUENCE')).toEqual([String(sequence)]);
    // DTSTART is written in UTC: 15:00 at +01:00 is 14:00Z; the offset's own time is in the description.
    expect(ics.get('DTSTART')).toEqual([start]);
    expect(new Date(`${start.slice(0, 4)}-${start.slice(4, 6)}-${start.slice(6, 11)}:${start.slice(11, 13)}:${start.slice(13, 15)}Z`).getTime()).toBe(Date.parse(appointment.appointmentDateTime));
    expect(ics.get('STATUS')).toEqual([method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED']);
    expect(attachment!.content).not.toContain('REASON');
  });

  it('keeps one UID across the changes of an appointment, and each change has a higher SEQUENCE', () => {
    const sequences = CHANGE_KINDS.map((kind) => parseIcs(notificationEmail(kind, BY_KIND[kind], options).attachments![0]!.content));
    expect(new Set(sequences.map((ics) => ics.get('UID')![0])).size).toBe(1);
    expect(sequences.map((ics) => Number(ics.get('SEQUENCE')![0]))).toEqual([0, 1, 2]);
  });

  it('a reminder carries no invite', () => {
    expect(notificationEmail('reminder', rescheduled, options).attachments).toBeUndefined();
  });
});
