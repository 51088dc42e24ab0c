import '../support/test-env';
import { loadBookingConfig } from '../../../../services/booking/config';
import { ConfigurationError } from '../../../../services/common/config-env';
import { HttpError } from '../../../../services/common/errors';
import { localTimeOf, openingHoursProblems, openingHoursViolation, openingSlot, type OpeningHours } from '../../../../services/booking/domain/opening-hours';
import { TEST_ENV } from '../support/test-env';

/** The practice's hours as the CDK config passes them (Europe/London, Mon-Fri 08:00-18:00, Sat 09:00-13:00). */
const LONDON = JSON.parse(TEST_ENV.OPENING_HOURS) as OpeningHours;
const inHours = (dateTime: string, hours: OpeningHours = LONDON): boolean => openingHoursViolation(dateTime, hours) === undefined;

describe('opening hours, on the practice clock', () => {
  it.each([
    ['Monday at opening (inclusive)', '2031-03-17T08:00:00Z', true],
    ['Monday one second before opening', '2031-03-17T07:59:59Z', false],
    ['Monday in the last minute', '2031-03-17T17:59:59.999Z', true],
    ['Monday at closing (exclusive)', '2031-03-17T18:00:00Z', false],
    ['Saturday morning', '2031-03-15T12:59:00Z', true],
    ['Saturday at its own closing', '2031-03-15T13:00:00Z', false],
    ['Sunday (closed)', '2031-03-16T10:00:00Z', false],
  ])('%s: %s -> %s', (_case, dateTime, expected) => {
    expect(inHours(dateTime)).toBe(expected);
  });

  it('follows summer time: 08:30 BST (07:30 UTC) on the Monday after the change is open, 17:30 UTC (18:30 BST) is not', () => {
    expect(inHours('2031-03-31T07:30:00Z')).toBe(true);
    expect(inHours('2031-03-31T08:30:00+01:00')).toBe(true);
    expect(inHours('2031-03-31T17:30:00Z')).toBe(false);
    // The same UTC times a week earlier, in GMT.
    expect(inHours('2031-03-24T07:30:00Z')).toBe(false);
    expect(inHours('2031-03-24T17:30:00Z')).toBe(true);
  });

  it('is DST-correct on the change day itself (30 March 2031, 01:00 GMT -> 02:00 BST)', () => {
    const sundayNight: OpeningHours = { timeZone: 'Europe/London', weekly: { 7: { opens: '00:30', closes: '03:00' } } };
    expect(inHours('2031-03-30T00:45:00Z', sundayNight)).toBe(true); // 00:45 GMT
    expect(inHours('2031-03-30T01:30:00Z', sundayNight)).toBe(true); // 02:30 BST
    // 02:30 UTC is 03:30 BST: closed, though 02:30 would be open on a clock that ignored the change.
    expect(inHours('2031-03-30T02:30:00Z', sundayNight)).toBe(false);
    expect(localTimeOf(Date.parse('2031-03-30T02:30:00Z'), 'Europe/London')).toMatchObject({ date: '2031-03-30', weekday: 7, time: '03:30' });
  });

  it('judges the day on the practice clock when the written offset moves it', () => {
    // Friday 23:30 at -10:00 is Saturday 09:30 in London: open on Saturday's hours.
    expect(inHours('2031-03-14T23:30:00-10:00')).toBe(true);
    // Saturday 12:30 at +14:00 is Friday 22:30 in London: closed, though 12:30 is within Saturday's hours.
    expect(inHours('2031-03-15T12:30:00+14:00')).toBe(false);
    // Saturday 02:00 at +14:00 is Friday 12:00 in London: open.
    expect(inHours('2031-03-15T02:00:00+14:00')).toBe(true);
  });

  it('reads a leap second as the instant after :59 (23:59:60 UTC is 09:00:00 in Tokyo, its opening)', () => {
    const tokyo: OpeningHours = { timeZone: 'Asia/Tokyo', weekly: { 1: { opens: '09:00', closes: '18:00' } } };
    expect(inHours('2030-06-30T23:59:60Z', tokyo)).toBe(true);
    expect(inHours('2030-06-30T23:59:59Z', tokyo)).toBe(false);
  });

  it('answers 400 OutsideOpeningHours naming the field, the local time and the day\'s hours', () => {
    const closed = openingHoursViolation('2031-03-16T10:00:00Z', LONDON);
    expect(closed).toBeInstanceOf(HttpError);
    expect(closed).toMatchObject({ statusCode: 400, code: 'OutsideOpeningHours' });
    expect(closed!.message).toBe("appointmentDateTime 2031-03-16T10:00:00Z is outside the practice's opening hours (Sunday 2031-03-16 10:00 in Europe/London; the practice is closed on Sundays)");
    expect(closed!.details).toEqual(['/appointmentDateTime must start within opening hours: Sunday closed (Europe/London); it is 10:00 there']);

    const early = openingHoursViolation('2031-07-14T07:30:00+01:00', LONDON);
    expect(early!.details).toEqual(['/appointmentDateTime must start within opening hours: Monday 08:00-18:00 (Europe/London); it is 07:30 there']);
    expect(early!.message).toContain('on Mondays appointments start from 08:00 and before 18:00');
  });
});

describe('opening hours configuration', () => {
  it('accepts the practice hours', () => {
    expect(openingHoursProblems(LONDON)).toEqual([]);
  });

  it.each([
    ['not an object', [], 'must be a JSON object'],
    ['an unknown zone', { timeZone: 'Europe/Atlantis', weekly: { 1: { opens: '08:00', closes: '18:00' } } }, 'is not an IANA time zone'],
    ['no zone', { weekly: { 1: { opens: '08:00', closes: '18:00' } } }, 'timeZone must be an IANA time zone name'],
    ['no open day', { timeZone: 'Europe/London', weekly: {} }, 'must open on at least one day'],
    ['weekday 8', { timeZone: 'Europe/London', weekly: { 8: { opens: '08:00', closes: '18:00' } } }, 'is not an ISO weekday 1..7'],
    ['opens after closes', { timeZone: 'Europe/London', weekly: { 1: { opens: '18:00', closes: '08:00' } } }, 'with opens before closes'],
    ['a time that is not HH:MM', { timeZone: 'Europe/London', weekly: { 1: { opens: '8am', closes: '18:00' } } }, 'with opens before closes'],
    ['an unknown key', { timeZone: 'Europe/London', weekly: { 1: { opens: '08:00', closes: '18:00' } }, holidays: [] }, 'unknown key "holidays"'],
  ])('names the problem of %s', (_case, value, problem) => {
    expect(openingHoursProblems(value).join('; ')).toContain(problem);
  });

  const env = {
    APPOINTMENTS_TABLE_NAME: 'appointments',
    APPOINTMENTS_BY_DATE_INDEX_NAME: 'byAppointmentDate',
    CONTACTS_TABLE_NAME: 'contacts',
    MANAGE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:k-AbCdEf',
    DENTISTS: '[{"id":"lopez","name":"Dr Lopez"}]',
    NOTIFICATIONS_TABLE_NAME: 'notifications',
    OPENING_HOURS: JSON.stringify(LONDON),
  };
  const configurationError = (overrides: Record<string, string | undefined>): ConfigurationError => {
    try {
      loadBookingConfig({ ...env, ...overrides });
    } catch (error) {
      if (error instanceof ConfigurationError) return error;
      throw error;
    }
    throw new Error('expected a ConfigurationError');
  };

  it('loads OPENING_HOURS and NOTIFICATIONS_TABLE_NAME', () => {
    expect(loadBookingConfig(env)).toMatchObject({ openingHours: LONDON, notificationsTableName: 'notifications' });
  });

  it.each([
    ['missing', undefined, 'environment variable OPENING_HOURS is required but not set'],
    ['not JSON', 'Mon-Fri 8-6', 'environment variable OPENING_HOURS must be JSON {"timeZone"'],
    ['an unknown zone', JSON.stringify({ ...LONDON, timeZone: 'Mars/Olympus' }), 'environment variable OPENING_HOURS is invalid: timeZone "Mars/Olympus" is not an IANA time zone'],
  ])('fails at load, naming OPENING_HOURS, when it is %s', (_case, value, message) => {
    const error = configurationError({ OPENING_HOURS: value });
    expect(error.variable).toBe('OPENING_HOURS');
    expect(error.message).toContain(message);
  });

  it('requires NOTIFICATIONS_TABLE_NAME', () => {
    expect(configurationError({ NOTIFICATIONS_TABLE_NAME: undefined }).variable).toBe('NOTIFICATIONS_TABLE_NAME');
  });
});

describe('openingSlot (what demos and tests book)', () => {
  it('is in hours, in the future, written in the zone\'s real offset', () => {
    const summer = openingSlot(LONDON, { now: new Date('2031-07-09T15:00:00Z'), daysAhead: 3 });
    expect(summer).toBe('2031-07-12T10:00:00+01:00'); // Saturday, BST
    const winter = openingSlot(LONDON, { now: new Date('2031-01-10T15:00:00Z'), daysAhead: 2 });
    expect(winter).toBe('2031-01-13T10:00:00+00:00'); // Sunday 12th is closed: Monday 13th, GMT
    for (const slot of [summer, winter]) expect(inHours(slot)).toBe(true);
  });

  it('skips a day whose hours do not hold the local time', () => {
    // 15:00 is after Saturday's closing: the Monday after.
    expect(openingSlot(LONDON, { now: new Date('2031-07-10T12:00:00Z'), daysAhead: 2, localTime: '15:00' })).toBe('2031-07-14T15:00:00+01:00');
  });
});
