import '../support/test-env';
import { DynamoDBClient, GetItemCommand, PutItemCommand, ProvisionedThroughputExceededException, QueryCommand, TransactWriteItemsCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { validateAppointment, validateContact, validateErrorResponse, type AppointmentRequest } from '../../../../contracts';
import { API_ROUTES, routeKey } from '../../../../contracts/api-routes';
import { ROUTE_HANDLERS, handler } from '../../../../services/booking/handler';
import { logger } from '../../../../services/common/logger';
import { loadFixture } from '../../../fixtures/load-fixture';
import { bearer, manageToken, mockManageTokenSecret, staffClaims } from '../support/credentials';
import { apiEvent, lambdaContext } from '../support/lambda';
import { captureStdout } from '../support/stdout';
import { rejectionStatusDimension } from '../../../../contracts/metrics';

const dynamodb = mockClient(DynamoDBClient);
const secretsManager = mockManageTokenSecret();
const request = (): AppointmentRequest => loadFixture<AppointmentRequest>('appointment-request', 'valid');
const bodyOf = (response: APIGatewayProxyResult): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;
const post = (body: unknown, headers?: Record<string, string>) =>
  handler(apiEvent({ method: 'POST', resource: '/appointments', body: JSON.stringify(body), ...(headers ? { headers } : {}) }), lambdaContext());
const awsError = <T>(ErrorClass: new (options: { message: string; $metadata: object }) => T): T =>
  new ErrorClass({ message: 'internal detail: table test-appointments', $metadata: { httpStatusCode: 400 } });

function expectErrorBody(response: APIGatewayProxyResult, status: number, code: string): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expect(response.headers?.['content-type']).toBe('application/json');
  const body = bodyOf(response);
  expect(validateErrorResponse(body)).toEqual([]);
  expect(body.code).toBe(code);
  return body;
}

beforeEach(() => {
  dynamodb.reset();
  secretsManager.arm();
  // The notifications of an appointment (GET answers them): none unless a test says otherwise.
  dynamodb.on(QueryCommand, { TableName: 'test-notifications' }).resolves({ Items: [] });
});

/** The appointments table answers GetItem with this booking (the manage token's own, or the one read). */
const storeAppointment = (appointment: Record<string, unknown> | undefined) =>
  dynamodb.on(GetItemCommand, { TableName: 'test-appointments' }).resolves(appointment ? { Item: marshall(appointment) } : {});

function expectUnauthorized(response: APIGatewayProxyResult): Record<string, unknown> {
  const body = expectErrorBody(response, 401, 'Unauthorized');
  expect(response.headers?.['www-authenticate']).toBe('Bearer');
  return body;
}

describe('POST /appointments', () => {
  it('stores a booked appointment (version 1) and its change-1 pending notification in one transaction, and returns 201 with its location and ETag', async () => {
    dynamodb.on(TransactWriteItemsCommand).resolves({});

    const response = await post({ ...request(), patientName: '  Jane O\'Neil  ' });

    expect(response.statusCode).toBe(201);
    expect(response.headers?.['content-type']).toBe('application/json');
    const body = bodyOf(response);
    expect(validateAppointment(body)).toEqual([]);
    expect(body).toMatchObject({ ...request(), patientName: "Jane O'Neil", appointmentDate: '2030-03-14', status: 'booked', version: 1, updatedAt: body.createdAt, lastChange: { kind: 'booked', at: body.createdAt, by: 'patient' } });
    expect(response.headers?.location).toBe(`/appointments/${String(body.id)}`);
    expect(response.headers?.etag).toBe('"1"');
    // The manage token is e-mailed, never returned: the caller may have typed somebody else's address.
    expect(response.body).not.toMatch(/m1\.|token/i);
    expect(dynamodb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
    const [appointment, notification] = dynamodb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
    expect(appointment!.Put).toMatchObject({ TableName: 'test-appointments', ConditionExpression: 'attribute_not_exists(id)' });
    expect(unmarshall(appointment!.Put!.Item!)).toEqual(body);
    expect(notification!.Put!.TableName).toBe('test-notifications');
    expect(unmarshall(notification!.Put!.Item!)).toEqual({ appointmentId: body.id, notificationId: 'change-1', kind: 'booked', version: 1, status: 'pending', updatedAt: body.createdAt });
  });

  it('assigns a distinct UUID to every booking', async () => {
    dynamodb.on(TransactWriteItemsCommand).resolves({});

    const first = bodyOf(await post(request()));
    const second = bodyOf(await post(request()));

    expect(first.id).not.toBe(second.id);
  });

  it.each([
    ['application/json', 'content-type'],
    ['application/json; charset=utf-8', 'Content-Type'],
    ['Application/JSON;charset="UTF-8"', 'CONTENT-TYPE'],
  ])('accepts content type %s sent as header %s', async (value, name) => {
    dynamodb.on(TransactWriteItemsCommand).resolves({});

    const response = await post(request(), { [name]: value });

    expect(response.statusCode).toBe(201);
  });

  it('decodes a base64 body', async () => {
    dynamodb.on(TransactWriteItemsCommand).resolves({});

    const response = await handler(
      apiEvent({ method: 'POST', resource: '/appointments', body: Buffer.from(JSON.stringify(request())).toString('base64'), isBase64Encoded: true }),
      lambdaContext(),
    );

    expect(response.statusCode).toBe(201);
  });

  it('rejects an appointment in the past with 400 naming the field', async () => {
    const response = await post({ ...request(), appointmentDateTime: '2001-01-01T09:00:00Z' });

    const body = expectErrorBody(response, 400, 'AppointmentInPast');
    expect(body.message).toContain('appointmentDateTime 2001-01-01T09:00:00Z is in the past');
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  it('dates the appointment by its own offset, not by UTC (nor by the practice clock)', async () => {
    dynamodb.on(TransactWriteItemsCommand).resolves({});

    // Saturday 02:00 at +14:00 is Friday 12:00 in London: open, and dated the 15th as written.
    const body = bodyOf(await post({ ...request(), appointmentDateTime: '2031-03-15T02:00:00+14:00' }));

    expect(body.appointmentDate).toBe('2031-03-15');
  });

  it.each([
    ['on a Sunday', '2031-03-16T10:00:00Z', 'Sunday closed (Europe/London); it is 10:00 there'],
    ['before opening, in summer time', '2031-07-14T07:30:00+01:00', 'Monday 08:00-18:00 (Europe/London); it is 07:30 there'],
    ['after Saturday closing, written in another offset', '2031-03-15T09:30:00-05:00', 'Saturday 09:00-13:00 (Europe/London); it is 14:30 there'],
  ])('rejects a booking %s with 400 OutsideOpeningHours naming the field and the day\'s hours', async (_case, appointmentDateTime, detail) => {
    const response = await post({ ...request(), appointmentDateTime });

    const body = expectErrorBody(response, 400, 'OutsideOpeningHours');
    expect(body.details).toEqual([`/appointmentDateTime must start within opening hours: ${detail}`]);
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  it.each(['Dr Evil', 'dr lopez', 'Dr Lopez (call +447700900123 now)'])('rejects the dentist %j that is not one of the practice\'s with 400 UnknownDentist', async (dentist) => {
    const response = await post({ ...request(), dentist });

    const body = expectErrorBody(response, 400, 'UnknownDentist');
    expect(body.details).toEqual(['/dentist must be one of: Dr. Lee Jones, Dr Lopez, Dr Jones']);
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  // The parser's own messages quote the text around the error (`Unexpected token 'j', "ja@ex.com" is not valid JSON`).
  it.each([
    ['a bare address', 'ja@ex.com', 'ja@ex'],
    ['an unquoted phone number', '{"email":"jo@example.com","phoneNumber":+447700900123}', '7700900'],
    ['an object cut short', '{"patientName":"Jane Secret","email":"jane.secret@example.com" x', 'jane.secret'],
  ])('answers a body that is not JSON (%s) with 400 MalformedJson, never quoting the body in the answer or the log', async (_case, body, secret) => {
    const info = jest.spyOn(logger, 'info');
    try {
      const response = await handler(apiEvent({ method: 'POST', resource: '/appointments', body }), lambdaContext());

      const error = expectErrorBody(response, 400, 'MalformedJson');
      expect(error.message).toBe('the request body is not valid JSON');
      const logged = JSON.stringify(info.mock.calls);
      expect(logged).toContain('MalformedJson');
      for (const text of [response.body, logged]) expect(text).not.toContain(secret);
    } finally {
      info.mockRestore();
    }
  });

  it('lists every schema problem in one 400', async () => {
    const response = await post({ ...request(), email: 'nope', phoneNumber: '123', unexpected: 1 });

    const body = expectErrorBody(response, 400, 'ValidationFailed');
    expect(body.details).toEqual([
      '/ must NOT have additional property "unexpected"',
      '/email must match format "email"',
      '/phoneNumber must be an E.164 phone number such as +447700900123 (a +, then 7 to 15 digits, no spaces)',
    ]);
  });

  it.each([
    ['ProvisionedThroughputExceededException', () => awsError(ProvisionedThroughputExceededException)],
    ['ThrottlingException', () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })],
    ['a 503 ServiceUnavailable', () => Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } })],
  ])('answers %s with 503 and Retry-After', async (_case, makeError) => {
    dynamodb.on(TransactWriteItemsCommand).rejects(makeError());

    const response = await post(request());

    const body = expectErrorBody(response, 503, 'ServiceUnavailable');
    expect(response.headers?.['retry-after']).toBe('1');
    expect(body.requestId).toMatch(/^api-request-/);
  });

  it('answers any other AWS failure with 500, a request id and no internals', async () => {
    dynamodb.on(TransactWriteItemsCommand).rejects(Object.assign(new Error('User is not authorized on table test-appointments'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));

    const response = await post(request());

    const body = expectErrorBody(response, 500, 'InternalError');
    expect(body.requestId).toMatch(/^api-request-/);
    expect(response.body).not.toContain('test-appointments');
    expect(response.body).not.toContain('authorized');
  });

  it('answers an id collision (the transaction cancelled on the appointment\'s condition) with 500 rather than overwriting', async () => {
    const error = jest.spyOn(logger, 'error');
    try {
      dynamodb.on(TransactWriteItemsCommand).rejects(
        new TransactionCanceledException({ message: 'Transaction cancelled [ConditionalCheckFailed, None]', $metadata: { httpStatusCode: 400 }, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }),
      );

      expectErrorBody(await post(request()), 500, 'InternalError');
      expect(error.mock.calls[0]?.[1]).toMatchObject({ errorName: 'AppointmentIdCollisionError' });
    } finally {
      error.mockRestore();
    }
  });
});

describe('GET /dentists', () => {
  it("lists the practice's dentists, cacheable, without reading any table", async () => {
    const response = await handler(apiEvent({ method: 'GET', resource: '/dentists' }), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      dentists: [
        { id: 'lee-jones', name: 'Dr. Lee Jones' },
        { id: 'lopez', name: 'Dr Lopez' },
        { id: 'jones', name: 'Dr Jones' },
      ],
    });
    expect(response.headers?.['cache-control']).toBe('public, max-age=300');
    expect(dynamodb.calls()).toHaveLength(0);
  });
});

describe('GET /appointments/{id} (patient, with the manage token)', () => {
  const stored = () => loadFixture<Record<string, unknown>>('appointment', 'stored');
  const get = (id: string, headers?: Record<string, string>) =>
    handler(apiEvent({ method: 'GET', resource: '/appointments/{id}', pathParameters: { id }, ...(headers ? { headers } : {}) }), lambdaContext());
  const tokenOf = (appointment = stored()) => manageToken({ id: String(appointment.id), email: String(appointment.email) });

  it('returns the stored appointment with its notifications and its ETag', async () => {
    storeAppointment(stored());

    const response = await get(String(stored().id).toUpperCase(), bearer(tokenOf()));

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ ...stored(), notifications: [] });
    expect(response.headers?.etag).toBe('"1"');
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).toMatchObject({ TableName: 'test-appointments', Key: { id: { S: stored().id } } });
    // The read that checked the token is the answer: the appointment is read once.
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  it('answers 401 with a Bearer challenge without a token, and reads nothing', async () => {
    const body = expectUnauthorized(await get(String(stored().id), { 'Content-Type': 'application/json' }));

    expect(body.message).toContain('Authorization: Bearer');
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it.each([
    ['a malformed header', () => `Token ${tokenOf()}`],
    ['a token that is not one', () => 'Bearer not-a-token'],
    ['a token signed with another key', () => `Bearer ${manageToken({ id: String(stored().id), email: String(stored().email) }, { key: 'x'.repeat(40) })}`],
    ['a token for another address', () => `Bearer ${manageToken({ id: String(stored().id), email: 'someone.else@example.com' })}`],
    ['a token for another purpose', () => `Bearer ${manageToken({ id: String(stored().id), email: String(stored().email) }, { purpose: 'unsubscribe' })}`],
    ['an expired token', () => `Bearer ${manageToken({ id: String(stored().id), email: String(stored().email) }, { expiresAt: Math.floor(Date.now() / 1000) - 60 })}`],
  ])('answers 401 for %s', async (_case, authorization) => {
    storeAppointment(stored());

    const response = await get(String(stored().id), { Authorization: authorization() });

    expectUnauthorized(response);
    expect(response.body).not.toContain(String(stored().email));
  });

  it('answers an unknown appointment with the same 401 as a wrong token: existence is not revealed', async () => {
    storeAppointment(undefined);
    const unknown = '00000000-0000-4000-8000-000000000000';

    const response = await get(unknown, bearer(manageToken({ id: unknown, email: 'jane.oneil@example.com' })));

    const body = expectUnauthorized(response);
    expect(body.message).not.toContain(unknown);
  });

  it("answers 403 for a valid token of another appointment, without returning this one", async () => {
    const other = { ...stored(), id: '1b6f0c3e-2a4d-4f5e-8a9b-0c1d2e3f4a5b' };
    storeAppointment(other);

    const response = await get(String(stored().id), bearer(tokenOf(other)));

    expectErrorBody(response, 403, 'Forbidden');
    expect(response.body).not.toContain(String(stored().patientName));
  });

  it('answers 401, not 400, for a malformed id without credentials', async () => {
    expectUnauthorized(await get('123'));
  });

  it('answers 400 for a malformed id once the token is proved', async () => {
    storeAppointment(stored());

    expectErrorBody(await get('not-a-uuid', bearer(tokenOf())), 400, 'InvalidAppointmentId');
  });
});

describe('staff routes (claims from the Cognito authorizer)', () => {
  const stored = () => loadFixture<Record<string, unknown>>('appointment', 'stored');
  const staffGet = (resource: string, options: { pathParameters?: Record<string, string>; query?: Record<string, string>; claims?: Record<string, string> | null } = {}) =>
    handler(
      apiEvent({
        method: 'GET',
        resource,
        pathParameters: options.pathParameters ?? null,
        queryStringParameters: options.query ?? null,
        ...(options.claims === null ? {} : { claims: options.claims ?? staffClaims() }),
      }),
      lambdaContext(),
    );

  it('GET /staff/appointments/{id} returns any appointment', async () => {
    storeAppointment(stored());

    const response = await staffGet('/staff/appointments/{id}', { pathParameters: { id: String(stored().id) } });

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ ...stored(), notifications: [] });
    expect(response.headers?.etag).toBe('"1"');
  });

  it('GET /staff/appointments/{id} answers 404 for an unknown id', async () => {
    storeAppointment(undefined);

    const body = expectErrorBody(await staffGet('/staff/appointments/{id}', { pathParameters: { id: '00000000-0000-4000-8000-000000000000' } }), 404, 'AppointmentNotFound');
    expect(body.message).toBe('appointment 00000000-0000-4000-8000-000000000000 does not exist');
  });

  it.each(['123', 'not-a-uuid', '00000000-0000-4000-8000-00000000000g'])('GET /staff/appointments/{id} answers 400 for the non-UUID id %s without reading', async (id) => {
    expectErrorBody(await staffGet('/staff/appointments/{id}', { pathParameters: { id } }), 400, 'InvalidAppointmentId');
    expect(dynamodb).not.toHaveReceivedCommand(GetItemCommand);
  });

  it('GET /staff/appointments/{id} answers 500 when the stored item breaks the contract', async () => {
    storeAppointment({ ...stored(), status: 'bogus' });

    expectErrorBody(await staffGet('/staff/appointments/{id}', { pathParameters: { id: String(stored().id) } }), 500, 'InternalError');
  });

  it.each([
    ['no claims (the authorizer did not run)', null],
    ['claims without a subject', { 'cognito:groups': 'staff' }],
  ])('answers 401 with %s', async (_case, claims) => {
    expectUnauthorized(await staffGet('/staff/appointments/{id}', { pathParameters: { id: String(stored().id) }, claims }));
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it.each(['', 'patients', '[admin, visitors]'])('answers 403 for a signed-in user whose groups are %j', async (groups) => {
    expectErrorBody(await staffGet('/staff/appointments/{id}', { pathParameters: { id: String(stored().id) }, claims: staffClaims({ groups }) }), 403, 'Forbidden');
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('accepts the staff group among others, as API Gateway formats the claim', async () => {
    storeAppointment(stored());

    const response = await staffGet('/staff/appointments/{id}', { pathParameters: { id: String(stored().id) }, claims: staffClaims({ groups: '[admin, staff]' }) });

    expect(response.statusCode).toBe(200);
  });

  it('a manage token does not open a staff route', async () => {
    storeAppointment(stored());
    const event = apiEvent({ method: 'GET', resource: '/staff/appointments/{id}', pathParameters: { id: String(stored().id) }, headers: bearer(manageToken({ id: String(stored().id), email: String(stored().email) })) });

    expectUnauthorized(await handler(event, lambdaContext()));
  });

  it("GET /staff/appointments lists a day's appointments from the by-date index, with a next token", async () => {
    const appointment = { ...stored(), appointmentDate: '2030-03-14' };
    const lastKey = { id: String(stored().id), appointmentDate: '2030-03-14', appointmentDateTime: String(stored().appointmentDateTime) };
    dynamodb.on(QueryCommand).resolves({ Items: [marshall(appointment)], LastEvaluatedKey: marshall(lastKey) });

    const response = await staffGet('/staff/appointments', { query: { date: '2030-03-14', limit: '1' } });

    expect(response.statusCode).toBe(200);
    const body = bodyOf(response);
    expect(body).toMatchObject({ date: '2030-03-14', appointments: [appointment] });
    expect(typeof body.nextToken).toBe('string');
    expect(dynamodb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'test-appointments',
      IndexName: 'byAppointmentDate',
      KeyConditionExpression: '#date = :date',
      ExpressionAttributeNames: { '#date': 'appointmentDate' },
      ExpressionAttributeValues: { ':date': { S: '2030-03-14' } },
      Limit: 1,
    });

    // The next page starts where this one stopped.
    dynamodb.on(QueryCommand).resolves({ Items: [] });
    const next = await staffGet('/staff/appointments', { query: { date: '2030-03-14', nextToken: String(body.nextToken) } });
    expect(next.statusCode).toBe(200);
    expect(bodyOf(next)).toEqual({ date: '2030-03-14', appointments: [] });
    expect(dynamodb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual(marshall(lastKey));
  });

  it.each([
    ['no date', {}, 'InvalidQuery'],
    ['an impossible date', { date: '2030-02-30' }, 'InvalidQuery'],
    ['a limit over 100', { date: '2030-03-14', limit: '101' }, 'InvalidQuery'],
    ['an unknown parameter', { date: '2030-03-14', email: 'jane@example.com' }, 'InvalidQuery'],
    ['a next token that was not ours', { date: '2030-03-14', nextToken: 'bm90LW91cnM' }, 'InvalidNextToken'],
  ])('GET /staff/appointments answers 400 for %s without querying', async (_case, query, code) => {
    expectErrorBody(await staffGet('/staff/appointments', { query }), 400, code);
    expect(dynamodb).not.toHaveReceivedCommand(QueryCommand);
  });

  it('GET /staff/appointments answers 401 before validating the query', async () => {
    expectUnauthorized(await staffGet('/staff/appointments', { query: { date: 'yesterday' }, claims: null }));
  });
});

describe('contacts (patient, with the manage token)', () => {
  /** The booking whose manage token the patient holds: its address is the contact's. */
  const booking: Record<string, unknown> = { ...loadFixture<Record<string, unknown>>('appointment', 'stored'), email: 'Ravi@Example.NET' };
  const token = () => manageToken({ id: String(booking.id), email: String(booking.email) });
  const put = (email: string, body: unknown, headers: Record<string, string> = bearer(token())) =>
    handler(apiEvent({ method: 'PUT', resource: '/contacts/{email}', pathParameters: { email }, body: JSON.stringify(body), headers }), lambdaContext());
  const get = (email: string, headers: Record<string, string> = bearer(token())) =>
    handler(apiEvent({ method: 'GET', resource: '/contacts/{email}', pathParameters: { email }, headers }), lambdaContext());

  beforeEach(() => storeAppointment(booking));

  it('PUT stores the preference under the decoded, lower-cased e-mail and returns it', async () => {
    dynamodb.on(PutItemCommand).resolves({});

    const response = await put('Ravi%40Example.NET', { preferredMethod: 'sms', phoneNumber: '+15555550123' });

    expect(response.statusCode).toBe(200);
    const body = bodyOf(response);
    expect(validateContact(body)).toEqual([]);
    expect(body).toMatchObject({ id: 'ravi@example.net', preferredMethod: 'sms', phoneNumber: '+15555550123' });
    const input = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(input.TableName).toBe('test-contacts');
    expect(unmarshall(input.Item!)).toEqual(body);
  });

  it('PUT accepts an already decoded e-mail', async () => {
    dynamodb.on(PutItemCommand).resolves({});

    expect((await put('ravi@example.net', { preferredMethod: 'email' })).statusCode).toBe(200);
  });

  it('PUT answers 401 without a token and stores nothing', async () => {
    expectUnauthorized(await put('ravi@example.net', { preferredMethod: 'none' }, { 'Content-Type': 'application/json' }));
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it("PUT answers 403 for another address than the token's booking and stores nothing", async () => {
    expectErrorBody(await put('jane@example.com', { preferredMethod: 'none' }), 403, 'Forbidden');
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it.each([
    ['sms without a phone number', 'ravi@example.net', { preferredMethod: 'sms' }, 'ValidationFailed', '/phoneNumber is required'],
    ['an unknown method', 'ravi@example.net', { preferredMethod: 'pigeon' }, 'ValidationFailed', '/preferredMethod must be one of "email", "sms", "none"'],
    ['the e-mail in the body', 'ravi@example.net', { preferredMethod: 'none', id: 'x@example.com' }, 'ValidationFailed', '/ must NOT have additional property "id"'],
    ['an invalid e-mail in the path', 'not-an-email', { preferredMethod: 'none' }, 'InvalidContactEmail', '/email must match format "email"'],
    ['broken percent-encoding', 'a%40b%E0%A4%A.com', { preferredMethod: 'none' }, 'InvalidContactEmail', '/email must be percent-encoded UTF-8'],
  ])('PUT rejects %s with 400', async (_case, email, body, code, detail) => {
    const response = await put(email, body);

    const error = expectErrorBody(response, 400, code);
    expect(error.details).toContain(detail);
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('GET returns the stored preference', async () => {
    const contact = loadFixture<Record<string, unknown>>('contact', 'sms');
    dynamodb.on(GetItemCommand, { TableName: 'test-contacts' }).resolves({ Item: marshall(contact) });

    const response = await get('RAVI@example.net');

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual(contact);
    const contactRead = dynamodb.commandCalls(GetItemCommand).find((call) => call.args[0].input.TableName === 'test-contacts');
    expect(contactRead!.args[0].input.Key).toEqual({ id: { S: 'ravi@example.net' } });
  });

  it('GET answers 404 for an unknown contact, without echoing the address', async () => {
    dynamodb.on(GetItemCommand, { TableName: 'test-contacts' }).resolves({});

    const body = expectErrorBody(await get('ravi@example.net'), 404, 'ContactNotFound');
    expect(body.message).toBe('no contact preference is set for this address');
  });

  it('GET answers 503 when the table throttles', async () => {
    dynamodb.on(GetItemCommand, { TableName: 'test-contacts' }).rejects(awsError(ProvisionedThroughputExceededException));

    expectErrorBody(await get('ravi@example.net'), 503, 'ServiceUnavailable');
  });

  it('staff PUT /staff/contacts/{email} sets any address with staff claims and no token', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    const event = apiEvent({ method: 'PUT', resource: '/staff/contacts/{email}', pathParameters: { email: 'jane@example.com' }, body: JSON.stringify({ preferredMethod: 'none' }), claims: staffClaims() });

    const response = await handler(event, lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ id: 'jane@example.com', preferredMethod: 'none' });
  });
});

describe('routing', () => {
  it('has exactly one handler per route of the shared definition (the one the CDK API deploys)', () => {
    expect(Object.keys(ROUTE_HANDLERS).sort()).toEqual(API_ROUTES.map(routeKey).sort());
  });

  it('answers an unknown route with 404 JSON', async () => {
    const response = await handler(apiEvent({ method: 'GET', resource: '/prescriptions', path: '/prescriptions' }), lambdaContext());

    expectErrorBody(response, 404, 'RouteNotFound');
  });

  it.each([
    ['DELETE', '/appointments', 'POST'],
    ['GET', '/appointments', 'POST'],
    ['POST', '/contacts/{email}', 'GET, PUT'],
    ['DELETE', '/staff/appointments', 'GET'],
    ['DELETE', '/appointments/{id}', 'GET, PATCH'],
    ['GET', '/staff/appointments/{id}/cancel', 'POST'],
  ])('answers %s %s with 405 and Allow: %s', async (method, resource, allow) => {
    const response = await handler(apiEvent({ method, resource, pathParameters: resource.includes('{email}') ? { email: 'a@b.com' } : resource.includes('{id}') ? { id: '8d2f6a4e-5b1c-4e8a-9f3d-2c7b1a0e9d42' } : null }), lambdaContext());

    expectErrorBody(response, 405, 'MethodNotAllowed');
    expect(response.headers?.allow).toBe(allow);
  });

  it('routes by path when the event has no resource (as a local router may send)', async () => {
    const booking: Record<string, unknown> = { ...loadFixture<Record<string, unknown>>('appointment', 'stored'), email: 'a@b.com' };
    storeAppointment(booking);
    dynamodb.on(GetItemCommand, { TableName: 'test-contacts' }).resolves({});
    const event = apiEvent({ method: 'GET', resource: '/contacts/{email}', pathParameters: { email: 'a@b.com' }, headers: bearer(manageToken({ id: String(booking.id), email: 'a@b.com' })) });

    const response = await handler({ ...event, resource: '', pathParameters: null }, lambdaContext());

    expectErrorBody(response, 404, 'ContactNotFound');
  });
});

describe('booking metrics (EMF on stdout, one document per request)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('counts a stored appointment as AppointmentsCreated, and nothing as rejected', async () => {
    dynamodb.on(TransactWriteItemsCommand).resolves({});
    const stdout = captureStdout();

    expect((await post(request())).statusCode).toBe(201);

    expect(stdout.metrics()).toEqual([
      { namespace: 'UnitTest', name: 'AppointmentsCreated', unit: 'Count', value: 1, dimensions: { service: 'unit-test' } },
    ]);
  });

  it('counts each 4xx answer as RequestsRejected by its status code (401 and 403 apart)', async () => {
    const stdout = captureStdout();
    const stored = loadFixture<Record<string, unknown>>('appointment', 'stored');
    storeAppointment(stored);
    const getOwn = (headers: Record<string, string>) =>
      handler(apiEvent({ method: 'GET', resource: '/appointments/{id}', pathParameters: { id: String(stored.id) }, headers }), lambdaContext());
    const staffGet = (groups: string) =>
      handler(apiEvent({ method: 'GET', resource: '/staff/appointments/{id}', pathParameters: { id: String(stored.id) }, claims: staffClaims({ groups }) }), lambdaContext());

    expect((await getOwn({ 'Content-Type': 'application/json' })).statusCode).toBe(401);
    expect((await getOwn({ Authorization: 'Bearer not-a-token' })).statusCode).toBe(401);
    expect((await staffGet('patients')).statusCode).toBe(403);
    expect((await post({ ...request(), email: 'not an address' })).statusCode).toBe(400);
    expect((await handler(apiEvent({ method: 'GET', resource: '/nowhere' }), lambdaContext())).statusCode).toBe(404);

    expect(stdout.count('RequestsRejected', { statusCode: '401' })).toBe(2);
    expect(stdout.count('RequestsRejected', { statusCode: '403' })).toBe(1);
    expect(stdout.count('RequestsRejected', { statusCode: '400' })).toBe(1);
    expect(stdout.count('RequestsRejected', { statusCode: '404' })).toBe(1);
    expect(stdout.count('AppointmentsCreated')).toBe(0);
    for (const metric of stdout.metrics()) expect(Object.keys(metric.dimensions).sort()).toEqual(['service', 'statusCode']);
  });

  it('does not count a transient AWS failure (503) as a rejection', async () => {
    dynamodb.on(TransactWriteItemsCommand).rejects(awsError(ProvisionedThroughputExceededException));
    const stdout = captureStdout();

    expect((await post(request())).statusCode).toBe(503);

    expect(stdout.metrics()).toEqual([]);
  });

  it('keeps the status dimension small: codes it does not know are counted as other', () => {
    expect(rejectionStatusDimension(401)).toBe('401');
    expect(rejectionStatusDimension(403)).toBe('403');
    expect(rejectionStatusDimension(418)).toBe('other');
    expect(rejectionStatusDimension(4010)).toBe('other');
  });
});
