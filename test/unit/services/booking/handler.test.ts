import '../support/test-env';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { validateAppointment, validateContact, validateErrorResponse, type AppointmentRequest } from '../../../../contracts';
import { handler } from '../../../../services/booking/handler';
import { loadFixture } from '../../../fixtures/load-fixture';
import { apiEvent, lambdaContext } from '../support/lambda';

const dynamodb = mockClient(DynamoDBClient);
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
});

describe('POST /appointments', () => {
  it('stores a pending appointment with a new id and returns 201 with its location', async () => {
    dynamodb.on(PutItemCommand).resolves({});

    const response = await post({ ...request(), patientName: '  Jane O\'Neil  ' });

    expect(response.statusCode).toBe(201);
    expect(response.headers?.['content-type']).toBe('application/json');
    const body = bodyOf(response);
    expect(validateAppointment(body)).toEqual([]);
    expect(body).toMatchObject({ ...request(), patientName: "Jane O'Neil", notificationStatus: 'pending' });
    expect(response.headers?.location).toBe(`/appointments/${String(body.id)}`);
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 1);
    const put = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ TableName: 'test-appointments', ConditionExpression: 'attribute_not_exists(id)' });
    expect(unmarshall(put.Item!)).toEqual(body);
  });

  it('assigns a distinct UUID to every booking', async () => {
    dynamodb.on(PutItemCommand).resolves({});

    const first = bodyOf(await post(request()));
    const second = bodyOf(await post(request()));

    expect(first.id).not.toBe(second.id);
  });

  it.each([
    ['application/json', 'content-type'],
    ['application/json; charset=utf-8', 'Content-Type'],
    ['Application/JSON;charset="UTF-8"', 'CONTENT-TYPE'],
  ])('accepts content type %s sent as header %s', async (value, name) => {
    dynamodb.on(PutItemCommand).resolves({});

    const response = await post(request(), { [name]: value });

    expect(response.statusCode).toBe(201);
  });

  it('decodes a base64 body', async () => {
    dynamodb.on(PutItemCommand).resolves({});

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
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
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
    dynamodb.on(PutItemCommand).rejects(makeError());

    const response = await post(request());

    const body = expectErrorBody(response, 503, 'ServiceUnavailable');
    expect(response.headers?.['retry-after']).toBe('1');
    expect(body.requestId).toMatch(/^api-request-/);
  });

  it('answers any other AWS failure with 500, a request id and no internals', async () => {
    dynamodb.on(PutItemCommand).rejects(Object.assign(new Error('User is not authorized on table test-appointments'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));

    const response = await post(request());

    const body = expectErrorBody(response, 500, 'InternalError');
    expect(body.requestId).toMatch(/^api-request-/);
    expect(response.body).not.toContain('test-appointments');
    expect(response.body).not.toContain('authorized');
  });

  it('answers an id collision (the condition failed) with 500 rather than overwriting', async () => {
    dynamodb.on(PutItemCommand).rejects(awsError(ConditionalCheckFailedException));

    expectErrorBody(await post(request()), 500, 'InternalError');
  });
});

describe('GET /appointments/{id}', () => {
  const stored = () => loadFixture<Record<string, unknown>>('appointment', 'stored');
  const get = (id: string) => handler(apiEvent({ method: 'GET', resource: '/appointments/{id}', pathParameters: { id } }), lambdaContext());

  it('returns the stored appointment with its notification status', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: marshall(stored()) });

    const response = await get(String(stored().id).toUpperCase());

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual(stored());
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input).toMatchObject({ TableName: 'test-appointments', Key: { id: { S: stored().id } } });
  });

  it('answers 404 for an unknown id', async () => {
    dynamodb.on(GetItemCommand).resolves({});

    const body = expectErrorBody(await get('00000000-0000-4000-8000-000000000000'), 404, 'AppointmentNotFound');
    expect(body.message).toBe('appointment 00000000-0000-4000-8000-000000000000 does not exist');
  });

  it.each(['123', 'not-a-uuid', '00000000-0000-4000-8000-00000000000g'])('answers 400 for the non-UUID id %s without reading', async (id) => {
    expectErrorBody(await get(id), 400, 'InvalidAppointmentId');
    expect(dynamodb).not.toHaveReceivedCommand(GetItemCommand);
  });

  it('answers 500 when the stored item breaks the contract', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: marshall({ ...stored(), notificationStatus: 'bogus' }) });

    expectErrorBody(await get(String(stored().id)), 500, 'InternalError');
  });
});

describe('contacts', () => {
  const put = (email: string, body: unknown) =>
    handler(apiEvent({ method: 'PUT', resource: '/contacts/{email}', pathParameters: { email }, body: JSON.stringify(body) }), lambdaContext());
  const get = (email: string) => handler(apiEvent({ method: 'GET', resource: '/contacts/{email}', pathParameters: { email } }), lambdaContext());

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

    expect((await put('jane@example.com', { preferredMethod: 'email' })).statusCode).toBe(200);
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
    dynamodb.on(GetItemCommand).resolves({ Item: marshall(contact) });

    const response = await get('RAVI@example.net');

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual(contact);
    expect(dynamodb.commandCalls(GetItemCommand)[0]!.args[0].input.Key).toEqual({ id: { S: 'ravi@example.net' } });
  });

  it('GET answers 404 for an unknown contact', async () => {
    dynamodb.on(GetItemCommand).resolves({});

    const body = expectErrorBody(await get('nobody@example.com'), 404, 'ContactNotFound');
    expect(body.message).toBe('no contact preference is set for nobody@example.com');
  });

  it('GET answers 503 when the table throttles', async () => {
    dynamodb.on(GetItemCommand).rejects(awsError(ProvisionedThroughputExceededException));

    expectErrorBody(await get('nobody@example.com'), 503, 'ServiceUnavailable');
  });
});

describe('routing', () => {
  it('answers an unknown route with 404 JSON', async () => {
    const response = await handler(apiEvent({ method: 'GET', resource: '/dentists', path: '/dentists' }), lambdaContext());

    expectErrorBody(response, 404, 'RouteNotFound');
  });

  it.each([
    ['DELETE', '/appointments', 'POST'],
    ['GET', '/appointments', 'POST'],
    ['POST', '/contacts/{email}', 'PUT, GET'],
  ])('answers %s %s with 405 and Allow: %s', async (method, resource, allow) => {
    const response = await handler(apiEvent({ method, resource, pathParameters: resource.includes('{email}') ? { email: 'a@b.com' } : null }), lambdaContext());

    expectErrorBody(response, 405, 'MethodNotAllowed');
    expect(response.headers?.allow).toBe(allow);
  });

  it('routes by path when the event has no resource (as a local router may send)', async () => {
    dynamodb.on(GetItemCommand).resolves({});
    const event = apiEvent({ method: 'GET', resource: '/contacts/{email}', pathParameters: { email: 'a@b.com' } });

    const response = await handler({ ...event, resource: '', pathParameters: null }, lambdaContext());

    expectErrorBody(response, 404, 'ContactNotFound');
  });
});
