import '../support/test-env';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { validateErrorResponse, type AppointmentRequest } from '../../../../contracts';
import { handler } from '../../../../services/booking/handler';
import { MAX_BODY_BYTES } from '../../../../services/booking/http/read-json-body';
import { loadFixture } from '../../../fixtures/load-fixture';
import { apiEvent, lambdaContext } from '../support/lambda';

const dynamodb = mockClient(DynamoDBClient);
const valid = (): AppointmentRequest => loadFixture<AppointmentRequest>('appointment-request', 'valid');
const json = (value: unknown): string => JSON.stringify(value);
const withField = (field: string, value: unknown): string => json({ ...valid(), [field]: value });
const without = (field: keyof AppointmentRequest): string => {
  const copy: Record<string, unknown> = { ...valid() };
  delete copy[field];
  return json(copy);
};

interface BadBooking {
  name: string;
  body: string | null;
  status: number;
  /** Must appear in the error message or one of its details: the response names the problem. */
  mentions: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
}

const BAD_BOOKINGS: BadBooking[] = [
  // Wrong types
  { name: 'patientName is a number', body: withField('patientName', 42), status: 400, mentions: '/patientName must be string' },
  { name: 'email is an array', body: withField('email', ['a@b.com']), status: 400, mentions: '/email must be string' },
  { name: 'dentist is null', body: withField('dentist', null), status: 400, mentions: '/dentist must be string' },
  { name: 'appointmentDateTime is a timestamp number', body: withField('appointmentDateTime', 1893456000000), status: 400, mentions: '/appointmentDateTime must be string' },
  { name: 'notes is an object', body: withField('notes', { text: 'hi' }), status: 400, mentions: '/notes must be string' },
  { name: 'phoneNumber is a number', body: withField('phoneNumber', 447700900123), status: 400, mentions: '/phoneNumber must be string' },
  // Missing fields
  { name: 'patientName missing', body: without('patientName'), status: 400, mentions: '/patientName is required' },
  { name: 'email missing', body: without('email'), status: 400, mentions: '/email is required' },
  { name: 'dentist missing', body: without('dentist'), status: 400, mentions: '/dentist is required' },
  { name: 'appointmentDateTime missing', body: without('appointmentDateTime'), status: 400, mentions: '/appointmentDateTime is required' },
  { name: 'empty object', body: '{}', status: 400, mentions: '/patientName is required' },
  // Bad e-mails and phone numbers
  { name: 'email without @', body: withField('email', 'jane.example.com'), status: 400, mentions: '/email must match format "email"' },
  { name: 'email without domain dot', body: withField('email', 'jane@localhost'), status: 400, mentions: '/email must match format "email"' },
  { name: 'email with a space', body: withField('email', 'jane doe@example.com'), status: 400, mentions: '/email must match format "email"' },
  { name: 'email too long', body: withField('email', `${'a'.repeat(250)}@example.com`), status: 400, mentions: '/email must NOT have more than 254 characters' },
  { name: 'phone number not E.164', body: withField('phoneNumber', '07700 900123'), status: 400, mentions: '/phoneNumber must be an E.164 phone number' },
  // Bad dates
  { name: 'date without offset', body: withField('appointmentDateTime', '2030-03-14T09:30:00'), status: 400, mentions: '/appointmentDateTime must match format "date-time"' },
  { name: 'date only', body: withField('appointmentDateTime', '2030-03-14'), status: 400, mentions: '/appointmentDateTime must match format "date-time"' },
  { name: 'impossible date', body: withField('appointmentDateTime', '2030-02-30T09:30:00Z'), status: 400, mentions: '/appointmentDateTime must match format "date-time"' },
  { name: 'human date', body: withField('appointmentDateTime', 'next Tuesday at 3'), status: 400, mentions: '/appointmentDateTime must match format "date-time"' },
  { name: 'date in the past', body: withField('appointmentDateTime', '2020-01-01T09:00:00+00:00'), status: 400, mentions: 'is in the past' },
  // Opening hours, on the practice's clock (Europe/London)
  { name: 'a Sunday', body: withField('appointmentDateTime', '2030-03-17T10:00:00Z'), status: 400, mentions: '/appointmentDateTime must start within opening hours: Sunday closed' },
  { name: 'before opening', body: withField('appointmentDateTime', '2030-03-18T07:59:00Z'), status: 400, mentions: 'Monday 08:00-18:00 (Europe/London); it is 07:59 there' },
  { name: 'at closing time', body: withField('appointmentDateTime', '2030-07-15T18:00:00+01:00'), status: 400, mentions: 'outside the practice\'s opening hours' },
  // Huge or blank strings
  { name: 'patientName of 10,000 characters', body: withField('patientName', 'x'.repeat(10_000)), status: 400, mentions: '/patientName must NOT have more than 100 characters' },
  { name: 'notes of 1,001 characters', body: withField('notes', 'n'.repeat(1001)), status: 400, mentions: '/notes must NOT have more than 1000 characters' },
  { name: 'blank dentist', body: withField('dentist', '   '), status: 400, mentions: '/dentist' },
  // The dentist appears in the practice's e-mails: only the practice's own (GET /dentists)
  { name: 'a dentist the practice does not have', body: withField('dentist', 'Dr Nobody'), status: 400, mentions: '/dentist must be one of: Dr. Lee Jones, Dr Lopez, Dr Jones' },
  { name: 'a dentist in the wrong case', body: withField('dentist', 'DR LOPEZ'), status: 400, mentions: '/dentist must be one of' },
  { name: 'a dentist with a message appended', body: withField('dentist', 'Dr Lopez - call +447700900123 to pay'), status: 400, mentions: '/dentist must be one of' },
  { name: 'control character in patientName', body: withField('patientName', 'Jane\u0007Doe'), status: 400, mentions: '/patientName must not be blank' },
  // Prototype-pollution keys and unknown properties
  { name: '__proto__ key', body: `{${json(valid()).slice(1, -1)},"__proto__":{"isAdmin":true}}`, status: 400, mentions: 'must NOT have additional property "__proto__"' },
  { name: 'constructor key', body: `{${json(valid()).slice(1, -1)},"constructor":{"prototype":{"isAdmin":true}}}`, status: 400, mentions: 'must NOT have additional property "constructor"' },
  { name: 'prototype key', body: `{${json(valid()).slice(1, -1)},"prototype":{}}`, status: 400, mentions: 'must NOT have additional property "prototype"' },
  { name: 'unknown property', body: withField('priority', 'high'), status: 400, mentions: 'must NOT have additional property "priority"' },
  { name: 'client-chosen id', body: withField('id', '8d2f6a4e-5b1c-4e8a-9f3d-2c7b1a0e9d42'), status: 400, mentions: 'must NOT have additional property "id"' },
  // Not an object at all
  { name: 'array instead of object', body: json([valid()]), status: 400, mentions: '/ must be object' },
  { name: 'null', body: 'null', status: 400, mentions: '/ must be object' },
  { name: 'a number', body: '42', status: 400, mentions: '/ must be object' },
  { name: 'a string', body: '"book me"', status: 400, mentions: '/ must be object' },
  { name: 'true', body: 'true', status: 400, mentions: '/ must be object' },
  // Broken bodies
  { name: 'empty body', body: '', status: 400, mentions: 'the request body is empty' },
  { name: 'absent body', body: null, status: 400, mentions: 'the request body is empty' },
  { name: 'whitespace body', body: '  \n ', status: 400, mentions: 'the request body is empty' },
  { name: 'truncated JSON', body: json(valid()).slice(0, 40), status: 400, mentions: 'not valid JSON' },
  { name: 'trailing comma', body: '{"patientName":"Jane",}', status: 400, mentions: 'not valid JSON' },
  { name: 'non-UTF-8 bytes in a base64 body', body: Buffer.concat([Buffer.from('{"patientName":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]).toString('base64'), isBase64Encoded: true, status: 400, mentions: 'not valid UTF-8' },
  { name: 'invalid base64', body: '!!!not base64!!!', isBase64Encoded: true, status: 400, mentions: 'not valid base64' },
  { name: 'lone surrogate in a text body', body: `{"patientName":"\uD800"}`, status: 400, mentions: 'not valid UTF-8' },
  // Wrong content type and size
  { name: 'text/plain content type', body: json(valid()), headers: { 'Content-Type': 'text/plain' }, status: 415, mentions: 'content-type must be application/json' },
  { name: 'form content type', body: 'patientName=Jane', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, mentions: 'content-type must be application/json' },
  { name: 'JSON in Latin-1', body: json(valid()), headers: { 'content-type': 'application/json; charset=iso-8859-1' }, status: 415, mentions: 'content-type must be application/json' },
  { name: 'no content type', body: json(valid()), headers: {}, status: 415, mentions: 'content-type must be application/json' },
  { name: 'oversized body', body: withField('notes', 'x'.repeat(MAX_BODY_BYTES)), status: 413, mentions: `larger than ${MAX_BODY_BYTES} bytes` },
  { name: 'oversized base64 body', body: Buffer.from(withField('notes', 'x'.repeat(MAX_BODY_BYTES))).toString('base64'), isBase64Encoded: true, status: 413, mentions: `larger than ${MAX_BODY_BYTES} bytes` },
];

beforeEach(() => {
  dynamodb.reset();
  dynamodb.on(TransactWriteItemsCommand).resolves({});
});

describe('malformed bookings', () => {
  it('the table covers at least 30 cases', () => {
    expect(BAD_BOOKINGS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(BAD_BOOKINGS)('$name → $status naming the problem', async ({ body, status, mentions, isBase64Encoded, headers }) => {
    const event = apiEvent({ method: 'POST', resource: '/appointments', body, isBase64Encoded: isBase64Encoded ?? false, ...(headers ? { headers } : {}) });

    const response = await handler(event, lambdaContext());

    expect(response.statusCode).toBe(status);
    expect(response.headers?.['content-type']).toBe('application/json');
    const error = JSON.parse(response.body) as { message: string; details?: string[] };
    expect(validateErrorResponse(error)).toEqual([]);
    expect([error.message, ...(error.details ?? [])].join('\n')).toContain(mentions);
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  it('never pollutes Object.prototype', () => {
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});
