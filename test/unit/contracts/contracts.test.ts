import {
  ContractValidationError,
  SCHEMAS,
  isEnrichedAppointment,
  parseAppointmentRequest,
  parseContact,
  validateAppointment,
  validateAppointmentCancellation,
  validateAppointmentChange,
  validateNotification,
  validateReminderRequest,
  validateAppointmentRequest,
  validateContactRequest,
  validateEnrichedAppointment,
  validateNotificationResult,
  type AppointmentRequest,
} from '../../../contracts';
import { loadFixture } from '../../fixtures/load-fixture';

const request = (): AppointmentRequest => loadFixture<AppointmentRequest>('appointment-request', 'valid');

type Schema = { $id?: string; properties: Record<string, Record<string, unknown>>; required: string[]; additionalProperties?: boolean };
const schema = (name: keyof typeof SCHEMAS): Schema => SCHEMAS[name] as unknown as Schema;
const withoutDescription = (definition: Record<string, unknown>): Record<string, unknown> => {
  const { description: _ignored, ...rest } = definition;
  return rest;
};

describe('schemas', () => {
  it('each has a distinct $id, draft 2020-12 and closes its objects', () => {
    const ids = Object.values(SCHEMAS).map((s) => s.$id);

    expect(new Set(ids).size).toBe(ids.length);
    for (const s of Object.values(SCHEMAS)) {
      expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(s.additionalProperties).toBe(false);
    }
  });

  it('bound every string', () => {
    const unbounded: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${where}/${i}`));
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (record.type === 'string' && record.maxLength === undefined && record.enum === undefined) unbounded.push(where);
      for (const [key, value] of Object.entries(record)) visit(value, `${where}/${key}`);
    };
    for (const [name, s] of Object.entries(SCHEMAS)) visit(s, name);

    expect(unbounded).toEqual([]);
  });

  // The schemas are self-contained copies; these prove the copies cannot drift apart.
  it.each(['appointment', 'enrichedAppointment'] as const)('%s defines every request field exactly like appointment-request', (name) => {
    const source = schema('appointmentRequest');
    const target = schema(name);

    for (const [field, definition] of Object.entries(source.properties)) {
      expect(withoutDescription(target.properties[field] ?? {})).toEqual(withoutDescription(definition));
    }
    expect(target.required).toEqual(expect.arrayContaining(source.required));
  });

  it('enriched-appointment is the stored appointment plus the preference (no field removed or narrowed)', () => {
    const stored = schema('appointment');
    const enriched = schema('enrichedAppointment');

    expect(enriched.properties).toMatchObject(stored.properties);
    expect(enriched.required).toEqual([...stored.required, 'preferredMethod']);
  });
});

describe('appointment request', () => {
  it('accepts the valid fixture and returns it typed', () => {
    const parsed = parseAppointmentRequest(request());

    expect(parsed.email).toBe('Jane.ONeil@example.com');
  });

  it('lists every problem at once, naming each field', () => {
    const data = { ...request(), email: 'not-an-email', phoneNumber: '07700 900123', appointmentDateTime: '2030-03-14T09:30:00', extra: true };

    expect(validateAppointmentRequest(data)).toEqual([
      '/ must NOT have additional property "extra"',
      '/email must match format "email"',
      '/phoneNumber must be an E.164 phone number such as +447700900123 (a +, then 7 to 15 digits, no spaces)',
      '/appointmentDateTime must match format "date-time" (RFC 3339 with a time-zone offset, e.g. 2030-01-31T09:30:00+01:00)',
    ]);
  });

  it('throws a ContractValidationError with a stable code and the problems', () => {
    const { dentist: _dropped, ...data } = request();

    let thrown: unknown;
    try {
      parseAppointmentRequest(data);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ContractValidationError);
    expect(thrown).toMatchObject({ code: 'ContractValidation', contract: 'appointmentRequest', errors: ['/dentist is required'] });
  });

  it.each([
    ['Z offset', '2030-03-14T09:30:00Z', true],
    ['negative offset', '2030-03-14T09:30:00.123-05:00', true],
    ['no offset', '2030-03-14T09:30:00', false],
    ['date only', '2030-03-14', false],
    ['impossible date', '2030-02-30T09:30:00Z', false],
    ['impossible hour', '2030-03-14T24:30:00Z', false],
  ])('appointmentDateTime with %s: valid=%s', (_case, value, valid) => {
    expect(validateAppointmentRequest({ ...request(), appointmentDateTime: value }).length === 0).toBe(valid);
  });

  it.each([
    ['+447700900123', true],
    ['+15555550123', true],
    ['+1234567', true],
    ['+123456', false],
    ['+0447700900123', false],
    ['447700900123', false],
    ['+44 7700 900123', false],
    ['+4477009001234567', false],
  ])('phone number %s: valid=%s', (phoneNumber, valid) => {
    expect(validateAppointmentRequest({ ...request(), phoneNumber }).length === 0).toBe(valid);
  });

  it.each([
    ['leading space', ' Jane'],
    ['trailing space', 'Jane '],
    ['blank', '   '],
    ['empty', ''],
    ['newline', 'Jane\nDoe'],
    ['NUL', 'Jane\u0000'],
    ['101 characters', 'x'.repeat(101)],
  ])('rejects a patient name with %s', (_case, patientName) => {
    const problems = validateAppointmentRequest({ ...request(), patientName });

    expect(problems.length).toBeGreaterThan(0);
    expect(problems).toEqual(problems.map(() => expect.stringMatching(/^\/patientName /)));
  });

  it('allows line breaks in notes but bounds them at 1000 characters', () => {
    expect(validateAppointmentRequest({ ...request(), notes: 'line one\nline two\ttabbed' })).toEqual([]);
    expect(validateAppointmentRequest({ ...request(), notes: 'x'.repeat(1001) })).toEqual(['/notes must NOT have more than 1000 characters']);
  });

  it.each([
    ['__proto__', '{"__proto__":{"polluted":true}}'],
    ['constructor', '{"constructor":{"prototype":{}}}'],
    ['prototype', '{"prototype":1}'],
  ])('rejects a %s key as an unknown property without polluting prototypes', (key, json) => {
    const data = { ...request(), ...(JSON.parse(json) as object) };
    Object.defineProperty(data, key, { value: JSON.parse(json)[key], enumerable: true });

    expect(validateAppointmentRequest(data)).toContain(`/ must NOT have additional property "${key}"`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['null', null],
    ['an array', [request()]],
    ['a number', 42],
    ['a string', 'appointment'],
  ])('rejects %s instead of an object', (_case, data) => {
    expect(validateAppointmentRequest(data)).toEqual(['/ must be object']);
  });
});

describe('stored and enriched appointments', () => {
  it('require the stored fields', () => {
    expect(validateAppointment(request())).toEqual(['/id is required', '/createdAt is required', '/status is required', '/version is required', '/updatedAt is required', '/lastChange is required']);
  });

  it('reject a non-UUID id and an unknown status', () => {
    const stored = { ...loadFixture<object>('appointment', 'stored'), id: 'abc', status: 'done' };

    expect(validateAppointment(stored)).toEqual(['/id must match format "uuid"', '/status must be one of "booked", "cancelled"']);
    // Outcomes live in the notifications table: the stored appointment has no notification fields.
    expect(validateAppointment({ ...loadFixture<object>('appointment', 'stored'), notificationStatus: 'sent' })).toEqual(['/ must NOT have additional property "notificationStatus"']);
  });

  it('accept the appointment date and a cancellation reason, and bound them', () => {
    const stored = loadFixture<Record<string, unknown>>('appointment', 'stored');

    expect(validateAppointment({ ...stored, appointmentDate: '2030-03-14', cancellationReason: 'Moving abroad' })).toEqual([]);
    expect(validateAppointment({ ...stored, appointmentDate: '14/03/2030' })).toEqual(['/appointmentDate must be a date YYYY-MM-DD']);
    expect(validateAppointment({ ...stored, cancellationReason: '' })).toContain('/cancellationReason must NOT have fewer than 1 characters');
    expect(validateAppointment({ ...stored, cancellationReason: 'x'.repeat(501) })).toEqual(['/cancellationReason must NOT have more than 500 characters']);
    expect(validateEnrichedAppointment({ ...loadFixture<object>('enriched-appointment', 'sms'), appointmentDate: '2030-06-01' })).toEqual([]);
  });

  it('a change needs at least one field, a cancellation none, and both refuse unknown fields', () => {
    expect(validateAppointmentChange({})).toEqual(['/ must not be empty: name at least one field']);
    expect(validateAppointmentChange({ dentist: 'Dr. Lee Jones' })).toEqual([]);
    expect(validateAppointmentChange({ appointmentDateTime: '2031-03-12T10:00:00' })).toHaveLength(1);
    expect(validateAppointmentChange({ email: 'x@example.com' })).toEqual(['/ must NOT have additional property "email"']);
    expect(validateAppointmentCancellation({})).toEqual([]);
    expect(validateAppointmentCancellation({ reason: ' padded' })).toHaveLength(1);
  });

  it('a notification row names its change or the reminder, and a reminder request its version', () => {
    const row = { appointmentId: '1f0e5c36-4b7a-4f7e-9a6e-0c1d2e3f4a5b', notificationId: 'change-2', kind: 'rescheduled', version: 2, status: 'failed', updatedAt: '2031-03-10T10:00:00.000Z', cause: 'MessageRejected: Email address is not verified' };
    expect(validateNotification(row)).toEqual([]);
    expect(validateNotification({ ...row, notificationId: 'change-0' })).toEqual(['/notificationId must be change-<version> or reminder']);
    expect(validateNotification({ ...row, status: 'delivered' })).toHaveLength(1);
    expect(validateReminderRequest({ reminder: { appointmentId: row.appointmentId, version: 2, dueAt: '2031-03-11T10:00:00.000Z' } })).toEqual([]);
    expect(validateReminderRequest({ reminder: { appointmentId: row.appointmentId, dueAt: '2031-03-11T10:00:00.000Z' } })).toEqual(['/reminder/version is required']);
  });

  it('enriched requires a preferred method and accepts the contact phone number', () => {
    const sms = loadFixture<Record<string, unknown>>('enriched-appointment', 'sms');
    const { preferredMethod: _dropped, ...withoutMethod } = sms;

    expect(isEnrichedAppointment(sms)).toBe(true);
    expect(validateEnrichedAppointment(withoutMethod)).toEqual(['/preferredMethod is required']);
    expect(validateEnrichedAppointment({ ...sms, contactPhoneNumber: 'call me' })).toHaveLength(1);
  });
});

describe('contacts', () => {
  it('requires a phone number for sms and accepts email/none without one', () => {
    expect(validateContactRequest({ preferredMethod: 'sms' })).toEqual(['/phoneNumber is required']);
    expect(validateContactRequest({ preferredMethod: 'email' })).toEqual([]);
    expect(validateContactRequest({ preferredMethod: 'none' })).toEqual([]);
    expect(validateContactRequest({ preferredMethod: 'fax' })).toEqual(['/preferredMethod must be one of "email", "sms", "none"']);
  });

  it('stores the e-mail lower-cased as the id', () => {
    const contact = loadFixture<Record<string, unknown>>('contact', 'email');

    expect(parseContact(contact)).toEqual(contact);
    expect(() => parseContact({ ...contact, id: 'Jane@Example.com' })).toThrow('/id must be lower-cased');
  });
});

describe('notification result', () => {
  const skipped = (): Record<string, unknown> => loadFixture('notification-result', 'skipped');

  it('requires a provider message id when sent and a real channel', () => {
    expect(validateNotificationResult({ ...skipped(), outcome: 'sent', channel: 'email' })).toEqual(['/providerMessageId is required']);
    expect(validateNotificationResult({ ...skipped(), outcome: 'sent', channel: 'none', providerMessageId: 'm-1' })).toEqual([
      '/channel must be one of "email", "sms"',
    ]);
  });

  it('requires channel none when skipped', () => {
    expect(validateNotificationResult({ ...skipped(), channel: 'email' })).toEqual(['/channel must be "none"']);
  });

  it('requires a reason and a real channel when suppressed, and no provider message id', () => {
    const suppressed = { ...skipped(), preferredMethod: 'email', channel: 'email', outcome: 'suppressed', suppressedReason: 'the recipient already had 10 notifications in 24 hours (cap 10)' };

    expect(validateNotificationResult(suppressed)).toEqual([]);
    expect(validateNotificationResult({ ...suppressed, suppressedReason: undefined })).toEqual(['/suppressedReason is required']);
    expect(validateNotificationResult({ ...suppressed, channel: 'none' })).toEqual(['/channel must be one of "email", "sms"']);
    expect(validateNotificationResult({ ...skipped(), outcome: 'delivered' })).toEqual(['/outcome must be one of "sent", "skipped", "suppressed"']);
  });
});
