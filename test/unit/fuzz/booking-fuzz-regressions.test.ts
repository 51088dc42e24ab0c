import '../services/support/test-env';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { validateAppointment } from '../../../contracts';
import { handler } from '../../../services/booking/handler';
import { MAX_BODY_BYTES } from '../../../services/booking/http/read-json-body';
import { apiEvent, lambdaContext } from '../services/support/lambda';

/** The minimal inputs the booking fuzz found, kept as plain examples so they stay fixed. */
const dynamodb = mockClient(DynamoDBClient);

beforeEach(() => {
  dynamodb.reset();
  dynamodb.on(TransactWriteItemsCommand).resolves({});
});

const post = (body: string, isBase64Encoded = false) =>
  handler(apiEvent({ method: 'POST', resource: '/appointments', body, isBase64Encoded, headers: { 'content-type': 'application/json' } }), lambdaContext());

describe('booking fuzz regressions', () => {
  it('judges a future leap second (23:59:60Z, valid RFC 3339) by the opening hours instead of calling it "in the past"', async () => {
    // 23:59:60 UTC is never within the London practice's hours (opening-hours.test.ts books one in Tokyo's).
    const request = { patientName: '!', email: 'A@A.AA', dentist: 'Dr Lopez', appointmentDateTime: '2030-06-30T23:59:60Z' };

    const response = await post(JSON.stringify(request));

    expect([response.statusCode, (JSON.parse(response.body) as { code: string }).code]).toEqual([400, 'OutsideOpeningHours']);
    expect(response.body).toContain('Monday 2030-07-01 01:00 in Europe/London');
  });

  it('books a future in-hours time, written in an offset that moves the day, with its own date', async () => {
    const response = await post(JSON.stringify({ patientName: '!', email: 'A@A.AA', dentist: 'Dr Lopez', appointmentDateTime: '2030-07-02T23:30:00-10:00' }));

    expect(response.statusCode).toBe(201);
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(validateAppointment(body)).toEqual([]);
    expect(body.appointmentDate).toBe('2030-07-02');
  });

  it('still rejects a past leap second as in the past', async () => {
    const response = await post(JSON.stringify({ patientName: 'A', email: 'a@b.co', dentist: 'Dr Lopez', appointmentDateTime: '2016-12-31T23:59:60Z' }));

    expect([response.statusCode, (JSON.parse(response.body) as { code: string }).code]).toEqual([400, 'AppointmentInPast']);
  });

  it('measures a line-wrapped base64 body by its decoded size, not its wrapped length', async () => {
    const request = JSON.stringify({ patientName: 'A', email: 'a@b.co', dentist: 'Dr Jones', appointmentDateTime: '2030-01-31T10:30:00+01:00' });
    const text = `${request.slice(0, -1)}${' '.repeat(MAX_BODY_BYTES - request.length)}}`;
    const wrapped = Buffer.from(text).toString('base64').replace(/.{1,76}/g, '$&\r\n');

    const response = await post(wrapped, true);

    expect(Buffer.byteLength(text)).toBe(MAX_BODY_BYTES);
    expect(response.statusCode).toBe(201);
  });

  it('still answers 413 for a wrapped base64 body one byte over the limit', async () => {
    const text = `{"a":"${'x'.repeat(MAX_BODY_BYTES - 7)}"}`;
    const wrapped = Buffer.from(text).toString('base64').replace(/.{1,76}/g, '$&\r\n');

    const response = await post(wrapped, true);

    expect(Buffer.byteLength(text)).toBe(MAX_BODY_BYTES + 1);
    expect(response.statusCode).toBe(413);
  });
});
