import { fieldErrorsOf } from '../../../site/src/api-errors';
import { checkBooking, checkNewTime, checkPreference, describeDateTime, localDateTime } from '../../../site/src/checks';

/** The patient pages' client-side checks: the contracts' rules, so a request they pass is one the API judges. */
describe('site client checks', () => {
  const now = new Date('2030-06-01T12:00:00Z');
  const valid = { patientName: 'Ada Lovelace', email: 'ada@example.com', phoneNumber: '', dentist: 'Dr. Lee Jones', appointmentDateTime: '2030-06-10T10:00:00+01:00' };

  it('passes a complete booking and names every missing or malformed field', () => {
    expect(checkBooking(valid, now)).toEqual({});
    expect(Object.keys(checkBooking({ patientName: '', email: '', phoneNumber: '', dentist: '', appointmentDateTime: '' }, now)).sort()).toEqual(['appointmentDateTime', 'dentist', 'email', 'patientName']);
    expect(checkBooking({ ...valid, phoneNumber: '07700 900123' }, now).phoneNumber).toMatch(/E\.164/);
    expect(checkBooking({ ...valid, patientName: ' Ada' }, now).patientName).toMatch(/whitespace/);
    expect(checkBooking({ ...valid, patientName: 'x'.repeat(101) }, now).patientName).toMatch(/at most 100/);
    expect(checkBooking({ ...valid, email: 'ada.example.com' }, now).email).toMatch(/e-mail address/);
    expect(checkBooking({ ...valid, appointmentDateTime: '2030-05-01T10:00:00+01:00' }, now).appointmentDateTime).toMatch(/future/);
  });

  it('needs a number for SMS and a future time for a reschedule', () => {
    expect(checkPreference({ preferredMethod: 'sms', phoneNumber: '' }).phoneNumber).toMatch(/required/);
    expect(checkPreference({ preferredMethod: 'sms', phoneNumber: '+447700900123' })).toEqual({});
    expect(checkPreference({ preferredMethod: 'email', phoneNumber: '' })).toEqual({});
    expect(checkPreference({ preferredMethod: 'fax', phoneNumber: '' }).preferredMethod).toMatch(/one of email, sms, none/);
    expect(checkNewTime('', now)).toMatch(/required/);
    expect(checkNewTime('2030-06-02T09:00:00+00:00', now)).toBeUndefined();
  });

  it('writes a local date and time with its offset, and reads a stored one in its own offset', () => {
    const written = localDateTime('2030-06-10', '10:30');
    expect(written).toMatch(/^2030-06-10T10:30:00[+-]\d{2}:\d{2}$/);
    expect(new Date(written).getHours()).toBe(10);
    expect(localDateTime('2030-06-10', '')).toBe('');
    expect(describeDateTime('2030-06-10T10:30:00+01:00')).toMatch(/^Monday,? 10 June 2030 at 10:30$/);
  });

  it('puts each API detail beside its field and keeps the rest for the summary', () => {
    const error = { status: 400, code: 'ValidationFailed', message: 'The appointment request is invalid', details: ['/email must match format "email"', '/phoneNumber is required', '/ must NOT have additional property "x"'] };
    expect(fieldErrorsOf(error, ['email', 'phoneNumber'])).toEqual({
      byField: { email: 'must match format "email"', phoneNumber: 'is required' },
      other: ['/ must NOT have additional property "x"'],
    });
  });
});
