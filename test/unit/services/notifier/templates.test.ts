import fc from 'fast-check';
import type { EnrichedAppointment } from '../../../../contracts';
import { describeAppointmentTime } from '../../../../services/notifier/domain/appointment-time';
import { escapeHtml, renderNotificationEmail } from '../../../../services/notifier/domain/email-template';
import { MAX_SMS_SEPTETS, gsmLength, isGsm7, renderNotificationSms, toGsm7, truncateGsm } from '../../../../services/notifier/domain/sms-template';
import { loadFixture } from '../../../fixtures/load-fixture';

const appointment = (overrides: Partial<EnrichedAppointment> = {}): EnrichedAppointment => ({
  ...loadFixture<EnrichedAppointment>('enriched-appointment', 'email'),
  ...overrides,
});

describe('appointment time', () => {
  it.each([
    ['2030-03-14T09:30:00+01:00', { date: 'Thursday 14 March 2030', shortDate: 'Thu 14 Mar 2030', time: '09:30', zone: 'UTC+01:00' }],
    ['2030-06-01T16:45:00-04:00', { date: 'Saturday 1 June 2030', shortDate: 'Sat 1 Jun 2030', time: '16:45', zone: 'UTC-04:00' }],
    ['2030-12-31T23:59:59.999Z', { date: 'Tuesday 31 December 2030', shortDate: 'Tue 31 Dec 2030', time: '23:59', zone: 'UTC' }],
    ['2030-01-01T00:15:00+00:00', { date: 'Tuesday 1 January 2030', shortDate: 'Tue 1 Jan 2030', time: '00:15', zone: 'UTC' }],
  ])('shows %s in its own offset', (value, expected) => {
    expect(describeAppointmentTime(value)).toEqual(expected);
  });

  it('keeps the wall-clock date even when UTC is on another day', () => {
    // 23:30 at -05:00 is already the next day in UTC (where Lambda runs).
    expect(describeAppointmentTime('2030-03-14T23:30:00-05:00')).toMatchObject({ date: 'Thursday 14 March 2030', time: '23:30' });
  });

  it('refuses a date-time without an offset', () => {
    expect(() => describeAppointmentTime('2030-03-14T09:30:00')).toThrow('is not an RFC 3339 date-time with an offset');
  });
});

describe('e-mail template', () => {
  const MANAGE_URL = 'https://book.lj-dentists.example/manage?appointment=8d2f6a4e-5b1c-4e8a-9f3d-2c7b1a0e9d42#token=m1.8d2f6a4e-5b1c-4e8a-9f3d-2c7b1a0e9d42.1900000000.abc_-DEF';
  const render = (value: EnrichedAppointment, manageUrl = MANAGE_URL) => renderNotificationEmail('booked', value, { manageUrl, bookUrl: 'https://book.lj-dentists.example' });

  it('renders subject, text and HTML with the appointment details and the manage link', () => {
    const email = render(appointment({ patientName: 'Jane', dentist: 'Dr Lopez' }));

    expect(email.subject).toBe('Your appointment with Dr Lopez on Thu 14 Mar 2030 at 09:30');
    expect(email.text).toContain('Dear Jane,');
    expect(email.text).toContain('Your appointment with Dr Lopez at LJ Dentists Camden is booked for Thursday 14 March 2030 at 09:30 (UTC+01:00).');
    expect(email.text).toContain(`See or manage your appointment and how we contact you:\n${MANAGE_URL}\n`);
    expect(email.text).toContain('Appointment reference: 8d2f6a4e-5b1c-4e8a-9f3d-2c7b1a0e9d42');
    expect(email.html).toContain(`<a href="${MANAGE_URL}">See or manage your appointment</a>`);
  });

  it("never shows the caller's free-text notes: they would read as the practice's words", () => {
    const email = render(appointment({ notes: 'URGENT: your card was declined, pay at http://evil.example' }));

    expect(email.text).not.toContain('evil.example');
    expect(email.html).not.toContain('evil.example');
    expect(email.text).not.toContain('Notes from the practice');
    expect(email.html).not.toContain('Notes from the practice');
  });

  it('escapes every user-supplied value in the HTML, and the link in its attribute', () => {
    const email = render(
      appointment({ patientName: '<img src=x onerror=alert(1)>', dentist: 'Dr "Quote" & Co', clinic: "O'Brien's <b>" }),
      'https://book.example/manage?appointment=x&y="><script>steal()</script>',
    );

    expect(email.html).not.toMatch(/<img|<script|<b>/);
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.html).toContain('Dr &quot;Quote&quot; &amp; Co');
    expect(email.html).toContain('O&#39;Brien&#39;s &lt;b&gt;');
    expect(email.html).toContain('href="https://book.example/manage?appointment=x&amp;y=&quot;&gt;&lt;script&gt;steal()&lt;/script&gt;"');
    // The text part is plain text: no escaping needed or wanted.
    expect(email.text).toContain('Dear <img src=x onerror=alert(1)>,');
  });

  it('omits the clinic when there is none', () => {
    const { clinic: _c, notes: _n, ...bare } = appointment();

    const email = render(bare);

    expect(email.text).toContain('Your appointment with Dr Lopez & Partners is booked for');
    expect(email.text).toContain(MANAGE_URL);
  });

  it('escapeHtml covers the five HTML-significant characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('SMS template', () => {
  const sms = (overrides: Partial<EnrichedAppointment>) => renderNotificationSms('booked', appointment({ preferredMethod: 'sms', ...overrides }));

  it('renders the details in one line', () => {
    expect(sms({ patientName: 'Jane', dentist: 'Dr Lopez', clinic: 'Camden' })).toBe(
      'LJ Dentists: Jane, your appointment with Dr Lopez at Camden is on Thu 14 Mar 2030 at 09:30 (UTC+01:00).',
    );
  });

  it('drops the clinic before shortening names', () => {
    const text = sms({ patientName: 'Jane', dentist: 'Dr Lopez', clinic: 'C'.repeat(90) });

    expect(text).toBe('LJ Dentists: Jane, your appointment with Dr Lopez is on Thu 14 Mar 2030 at 09:30 (UTC+01:00).');
  });

  it('shortens long names to fit one segment, giving a short name\'s spare room to the other', () => {
    const both = sms({ patientName: 'P'.repeat(100), dentist: 'D'.repeat(100) });
    const longDentist = sms({ patientName: 'Jo', dentist: 'D'.repeat(100) });

    expect(gsmLength(both)).toBe(MAX_SMS_SEPTETS);
    expect(both).toMatch(/^LJ Dentists: P+\.\.\., your appointment with D+\.\.\. is on/);
    expect(gsmLength(longDentist)).toBe(MAX_SMS_SEPTETS);
    expect(longDentist).toMatch(/^LJ Dentists: Jo, your appointment with D{70,}\.\.\. is on/);
  });

  it('replaces characters outside GSM-7 so the message never becomes UCS-2', () => {
    const text = sms({ patientName: 'Zoë Łukasz 😀 “Ji”', dentist: 'Dr Ğül' });

    expect(isGsm7(text)).toBe(true);
    expect(text).toContain('Zoe Lukasz ? "Ji"');
    expect(text).toContain('Dr Gül'); // ü is in the GSM-7 alphabet, Ğ is not
  });

  it('counts GSM-7 extension characters as two septets and never cuts one in half', () => {
    expect(gsmLength('€[]')).toBe(6);
    expect(truncateGsm('€€€€€€', 8)).toBe('€€...');
    expect(toGsm7('a\tb\nc')).toBe('a b c');
  });

  it('fits one segment for any names the contract allows', () => {
    const name = fc.string({ minLength: 1, maxLength: 100, unit: 'grapheme' });
    fc.assert(
      fc.property(name, name, fc.option(name, { nil: undefined }), (patientName, dentist, clinic) => {
        const text = sms({ patientName, dentist, ...(clinic === undefined ? { clinic: undefined } : { clinic }) });
        return isGsm7(text) && gsmLength(text) <= MAX_SMS_SEPTETS && text.startsWith('LJ Dentists: ');
      }),
      { numRuns: 300 },
    );
  });
});
