import '../support/test-env';
import { DynamoDBClient, GetItemCommand, QueryCommand, TransactWriteItemsCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { validateAppointmentView, validateErrorResponse, type Appointment, type Notification } from '../../../../contracts';
import { handler } from '../../../../services/booking/handler';
import { logger } from '../../../../services/common/logger';
import { loadFixture } from '../../../fixtures/load-fixture';
import { bearer, manageToken, mockManageTokenSecret, staffClaims } from '../support/credentials';
import { apiEvent, lambdaContext } from '../support/lambda';

const dynamodb = mockClient(DynamoDBClient);
const secretsManager = mockManageTokenSecret();
const stored = (): Appointment => loadFixture<Appointment>('appointment', 'stored');
const ID = stored().id;
const bodyOf = (response: APIGatewayProxyResult): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;

function expectError(response: APIGatewayProxyResult, status: number, code: string): Record<string, unknown> {
  expect([response.statusCode, bodyOf(response).code]).toEqual([status, code]);
  expect(validateErrorResponse(bodyOf(response))).toEqual([]);
  return bodyOf(response);
}

const row = (overrides: Partial<Notification>): Notification => ({ appointmentId: ID, notificationId: 'change-1', kind: 'booked', version: 1, status: 'sent', updatedAt: '2030-03-01T12:00:05.000Z', ...overrides });

/** The appointments table holds `appointment`; the notifications table `rows`. */
function store(appointment: Appointment | undefined, rows: Notification[] = [row({})]): void {
  dynamodb.on(GetItemCommand, { TableName: 'test-appointments' }).resolves(appointment ? { Item: marshall(appointment, { removeUndefinedValues: true }) } : {});
  dynamodb.on(QueryCommand, { TableName: 'test-notifications' }).resolves({ Items: rows.map((item) => marshall(item)) });
  dynamodb.on(TransactWriteItemsCommand).resolves({});
}

type Who = 'patient' | 'staff';
function call(who: Who, method: 'GET' | 'PATCH' | 'POST', options: { body?: string | null; headers?: Record<string, string>; id?: string; appointment?: Appointment } = {}) {
  const id = options.id ?? ID;
  const cancel = method === 'POST';
  const resource = `${who === 'staff' ? '/staff' : ''}/appointments/{id}${cancel ? '/cancel' : ''}`;
  const credentials = who === 'patient' ? bearer(manageToken({ id, email: (options.appointment ?? stored()).email })) : { 'Content-Type': 'application/json' };
  return handler(
    apiEvent({
      method,
      resource,
      pathParameters: { id },
      body: options.body ?? null,
      headers: { ...credentials, ...options.headers },
      ...(who === 'staff' ? { claims: staffClaims() } : {}),
    }),
    lambdaContext(),
  );
}
const patch = (who: Who, change: unknown, headers?: Record<string, string>) => call(who, 'PATCH', { body: JSON.stringify(change), ...(headers ? { headers } : {}) });
const cancel = (who: Who, body: string | null = null, headers?: Record<string, string>) => call(who, 'POST', { body, ...(headers ? { headers } : {}) });

/** The one TransactWriteItems the handler sent: the appointment update and the change's notification row. */
function writtenTransaction() {
  expect(dynamodb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
  const [update, put] = dynamodb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
  return { update: update!.Update!, put: put!.Put! };
}

/** The attributes an UpdateExpression `SET #a = :a, ...` assigns, unmarshalled. */
function assigned(update: ReturnType<typeof writtenTransaction>['update']): Record<string, unknown> {
  const values = unmarshall(update.ExpressionAttributeValues!);
  const assignments = /^SET (.*)$/.exec(update.UpdateExpression!)![1]!.split(', ');
  return Object.fromEntries(assignments.map((assignment) => {
    const [name, value] = assignment.split(' = ');
    return [update.ExpressionAttributeNames![name!], values[value!]];
  }));
}

const conditionalFailure = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: [{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }, { Code: 'None' }],
  });

beforeEach(() => {
  dynamodb.reset();
  secretsManager.arm();
});

describe.each<Who>(['patient', 'staff'])('PATCH (%s)', (who) => {
  it('reschedules the time: one transaction updating the version read (booked) and writing the change-2 pending row; 200 with the view and ETag "2"', async () => {
    store(stored());
    const newTime = '2030-03-18T15:15:00Z'; // a Monday, 15:15 GMT

    const response = await patch(who, { appointmentDateTime: newTime });

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"2"');
    const view = bodyOf(response);
    expect(validateAppointmentView(view)).toEqual([]);
    expect(view).toMatchObject({ id: ID, appointmentDateTime: newTime, appointmentDate: '2030-03-18', version: 2, status: 'booked', notifications: [row({})] });
    const { update, put } = writtenTransaction();
    expect(update).toMatchObject({
      TableName: 'test-appointments',
      Key: { id: { S: ID } },
      ConditionExpression: '#version = :expected AND #status = :booked',
    });
    expect(unmarshall(update.ExpressionAttributeValues!)).toMatchObject({ ':expected': 1, ':booked': 'booked' });
    const set = assigned(update);
    expect(set).toEqual({
      appointmentDateTime: newTime,
      appointmentDate: '2030-03-18',
      dentist: 'Dr Lopez',
      version: 2,
      updatedAt: view.updatedAt,
      lastChange: { kind: 'rescheduled', at: view.updatedAt, by: who, previousAppointmentDateTime: stored().appointmentDateTime },
    });
    expect(put.TableName).toBe('test-notifications');
    expect(unmarshall(put.Item!)).toEqual({ appointmentId: ID, notificationId: 'change-2', kind: 'rescheduled', version: 2, status: 'pending', updatedAt: view.updatedAt });
  });

  it('changes the dentist alone, naming the previous one', async () => {
    store(stored());

    const response = await patch(who, { dentist: 'Dr Jones' });

    expect(response.statusCode).toBe(200);
    expect(assigned(writtenTransaction().update)).toMatchObject({ dentist: 'Dr Jones', appointmentDateTime: stored().appointmentDateTime, lastChange: { kind: 'rescheduled', by: who, previousDentist: 'Dr Lopez' } });
    expect((assigned(writtenTransaction().update).lastChange as Record<string, unknown>).previousAppointmentDateTime).toBeUndefined();
  });

  it.each([
    ['an empty change', {}, '/ must not be empty: name at least one field'],
    ['an unknown field', { patientName: 'Someone Else' }, '/ must NOT have additional property "patientName"'],
    ['a time without an offset', { appointmentDateTime: '2030-03-18T15:15:00' }, '/appointmentDateTime must match format "date-time" (RFC 3339 with a time-zone offset, e.g. 2030-01-31T09:30:00+01:00)'],
  ])('answers %s with 400 ValidationFailed and writes nothing', async (_case, change, detail) => {
    store(stored());

    const body = expectError(await patch(who, change), 400, 'ValidationFailed');

    expect(body.details).toContain(detail);
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  it.each([
    ['a new time in the past', { appointmentDateTime: '2020-01-06T10:00:00Z' }, 'AppointmentInPast', '/appointmentDateTime must be in the future'],
    ['a new time on a Sunday', { appointmentDateTime: '2030-03-17T10:00:00Z' }, 'OutsideOpeningHours', '/appointmentDateTime must start within opening hours: Sunday closed (Europe/London)'],
    ['a new time after closing (BST)', { appointmentDateTime: '2030-07-15T17:30:00Z' }, 'OutsideOpeningHours', 'Monday 08:00-18:00 (Europe/London); it is 18:30 there'],
    ['a dentist the practice does not have', { dentist: 'Dr Nobody' }, 'UnknownDentist', '/dentist must be one of: Dr. Lee Jones, Dr Lopez, Dr Jones'],
  ])('answers %s with 400 %s naming the field, and writes nothing', async (_case, change, code, detail) => {
    store(stored());

    const body = expectError(await patch(who, change), 400, code);

    expect(String((body.details as string[])[0])).toContain(detail);
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  it('answers 409 AppointmentCancelled for a cancelled appointment', async () => {
    store({ ...stored(), status: 'cancelled', version: 2, lastChange: { kind: 'cancelled', at: '2030-03-02T00:00:00Z', by: 'patient' } });

    const body = expectError(await patch(who, { dentist: 'Dr Jones' }), 409, 'AppointmentCancelled');

    expect(body.message).toContain('cancelled appointment cannot be changed');
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  it('answers 409 AppointmentInPast for an appointment that has started', async () => {
    store({ ...stored(), appointmentDateTime: new Date(Date.now() - 60_000).toISOString() });

    expectError(await patch(who, { dentist: 'Dr Jones' }), 409, 'AppointmentInPast');
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  it('answers a change to what it already is (the same instant in another offset, the same dentist) with 200 and the view, writing nothing', async () => {
    store(stored());

    const response = await patch(who, { appointmentDateTime: '2030-03-14T08:30:00Z', dentist: 'Dr Lopez' });

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"1"');
    expect(bodyOf(response)).toEqual({ ...stored(), notifications: [row({})] });
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  it('answers the loser of a race (the version condition failed) with 409 VersionConflict', async () => {
    store(stored());
    dynamodb.on(TransactWriteItemsCommand).rejects(conditionalFailure());

    const body = expectError(await patch(who, { dentist: 'Dr Jones' }), 409, 'VersionConflict');

    expect(body.message).toBe('the appointment changed since it was read; read it again');
  });

  it('answers a transaction conflict with another writer with 503, to retry', async () => {
    store(stored());
    dynamodb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({ message: 'Transaction cancelled [TransactionConflict, None]', $metadata: { httpStatusCode: 400 }, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }] }),
    );

    const response = await patch(who, { dentist: 'Dr Jones' });

    expectError(response, 503, 'ServiceUnavailable');
    expect(response.headers?.['retry-after']).toBe('1');
  });

  it.each(['"1"', 'W/"1"', '*', '"7", "1"'])('writes with If-Match %s that matches the version read', async (ifMatch) => {
    store(stored());

    expect((await patch(who, { dentist: 'Dr Jones' }, { 'If-Match': ifMatch })).statusCode).toBe(200);
    expect(unmarshall(writtenTransaction().update.ExpressionAttributeValues!)[':expected']).toBe(1);
  });

  it.each(['"2"', '"0"', '1', 'garbage'])('answers If-Match %s that is not the current ETag with 409 VersionConflict, writing nothing', async (ifMatch) => {
    store(stored());

    const response = await patch(who, { dentist: 'Dr Jones' }, { 'if-match': ifMatch });

    const body = expectError(response, 409, 'VersionConflict');
    expect(body.message).toContain('"1"');
    expect(response.headers?.etag).toBe('"1"');
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });
});

describe.each<Who>(['patient', 'staff'])('POST .../cancel (%s)', (who) => {
  it.each([
    ['no body (and no content type)', null, {}],
    ['{}', '{}', { 'Content-Type': 'application/json' }],
  ])('cancels with %s: status cancelled, version 2, the change-2 pending row; 200 with the view', async (_case, body, headers) => {
    store(stored());

    const response = await handler(
      apiEvent({
        method: 'POST',
        resource: `${who === 'staff' ? '/staff' : ''}/appointments/{id}/cancel`,
        pathParameters: { id: ID },
        body,
        headers: who === 'patient' ? { ...headers, Authorization: bearer(manageToken(stored())).Authorization! } : headers,
        ...(who === 'staff' ? { claims: staffClaims() } : {}),
      }),
      lambdaContext(),
    );

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"2"');
    const view = bodyOf(response);
    expect(validateAppointmentView(view)).toEqual([]);
    expect(view).toMatchObject({ status: 'cancelled', version: 2, lastChange: { kind: 'cancelled', by: who } });
    expect(view.cancellationReason).toBeUndefined();
    const { update, put } = writtenTransaction();
    expect(update.ConditionExpression).toBe('#version = :expected AND #status = :booked');
    expect(assigned(update)).toEqual({ status: 'cancelled', version: 2, updatedAt: view.updatedAt, lastChange: { kind: 'cancelled', at: view.updatedAt, by: who } });
    expect(unmarshall(put.Item!)).toEqual({ appointmentId: ID, notificationId: 'change-2', kind: 'cancelled', version: 2, status: 'pending', updatedAt: view.updatedAt });
  });

  it('keeps the reason given (trimmed) on the appointment, never in the notification row', async () => {
    store(stored());

    const response = await cancel(who, JSON.stringify({ reason: '  Moving away.\nThanks!  ' }));

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response).cancellationReason).toBe('Moving away.\nThanks!');
    const { update, put } = writtenTransaction();
    expect(assigned(update).cancellationReason).toBe('Moving away.\nThanks!');
    expect(JSON.stringify(put.Item)).not.toContain('Moving away');
  });

  it.each([
    ['an empty reason', '{"reason":""}', '/reason must NOT have fewer than 1 characters'],
    ['an unknown field', '{"why":"x"}', '/ must NOT have additional property "why"'],
    ['a reason over 500 characters', JSON.stringify({ reason: 'x'.repeat(501) }), '/reason must NOT have more than 500 characters'],
    ['not an object', '"because"', '/ must be object'],
  ])('answers %s with 400 ValidationFailed', async (_case, body, detail) => {
    store(stored());

    expect(expectError(await cancel(who, body), 400, 'ValidationFailed').details).toContain(detail);
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  it('answers 409 AppointmentCancelled when already cancelled', async () => {
    store(loadFixture<Appointment>('appointment', 'cancelled'));

    expectError(await call(who, 'POST', { appointment: loadFixture<Appointment>('appointment', 'cancelled') }), 409, 'AppointmentCancelled');
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });

  it('answers 409 AppointmentInPast once the appointment has started', async () => {
    store({ ...stored(), appointmentDateTime: new Date(Date.now() - 1_000).toISOString() });

    expectError(await cancel(who), 409, 'AppointmentInPast');
  });

  it('answers 409 VersionConflict when the appointment changed meanwhile', async () => {
    store(stored());
    dynamodb.on(TransactWriteItemsCommand).rejects(conditionalFailure());

    expectError(await cancel(who), 409, 'VersionConflict');
  });

  it('answers a stale If-Match with 409', async () => {
    store({ ...stored(), version: 3 });

    expectError(await cancel(who, null, { 'If-Match': '"2"' }), 409, 'VersionConflict');
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });
});

describe('staff change routes', () => {
  it('answer 404 for an unknown appointment', async () => {
    store(undefined);

    expectError(await patch('staff', { dentist: 'Dr Jones' }), 404, 'AppointmentNotFound');
    expectError(await cancel('staff'), 404, 'AppointmentNotFound');
  });

  it('the patient routes use the read that checked the token as the version they change (one GetItem)', async () => {
    store(stored());

    expect((await patch('patient', { dentist: 'Dr Jones' })).statusCode).toBe(200);
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  it("a patient's token for another appointment changes nothing (403)", async () => {
    const other = { ...stored(), id: '1b6f0c3e-2a4d-4f5e-8a9b-0c1d2e3f4a5b' };
    store(other);
    const event = apiEvent({ method: 'PATCH', resource: '/appointments/{id}', pathParameters: { id: ID }, body: '{"dentist":"Dr Jones"}', headers: bearer(manageToken(other)) });

    expectError(await handler(event, lambdaContext()), 403, 'Forbidden');
    expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  });
});

describe.each<Who>(['patient', 'staff'])('GET the appointment view (%s)', (who) => {
  it('lists the change rows by version, then the reminder, with reminderDueAt while it is pending, and the ETag', async () => {
    const reminder = row({ notificationId: 'reminder', kind: 'reminder', version: 2, status: 'pending', dueAt: '2030-03-14T08:30:00.000Z' });
    const rows = [reminder, row({ notificationId: 'change-2', kind: 'rescheduled', version: 2, status: 'pending' }), row({})];
    store({ ...stored(), version: 2 }, rows);

    const response = await call(who, 'GET');

    expect(response.statusCode).toBe(200);
    expect(response.headers?.etag).toBe('"2"');
    const view = bodyOf(response);
    expect(validateAppointmentView(view)).toEqual([]);
    expect((view.notifications as Notification[]).map((item) => item.notificationId)).toEqual(['change-1', 'change-2', 'reminder']);
    expect(view.reminderDueAt).toBe('2030-03-14T08:30:00.000Z');
    expect(dynamodb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'test-notifications',
      KeyConditionExpression: '#appointmentId = :appointmentId',
      ExpressionAttributeValues: { ':appointmentId': { S: ID } },
      ConsistentRead: true,
    });
  });

  it('has no reminderDueAt once the reminder is no longer pending', async () => {
    store(stored(), [row({}), row({ notificationId: 'reminder', kind: 'reminder', status: 'sent', dueAt: '2030-03-13T08:30:00.000Z' })]);

    expect(bodyOf(await call(who, 'GET')).reminderDueAt).toBeUndefined();
  });

  it('has no reminderDueAt while the pending reminder is of an older version, or the appointment is cancelled', async () => {
    const oldReminder = row({ notificationId: 'reminder', kind: 'reminder', version: 1, status: 'pending', dueAt: '2030-03-13T08:30:00.000Z' });
    store({ ...stored(), version: 2 }, [row({}), oldReminder]);
    expect(bodyOf(await call(who, 'GET')).reminderDueAt).toBeUndefined();

    store({ ...stored(), status: 'cancelled' }, [row({}), row({ notificationId: 'reminder', kind: 'reminder', version: 1, status: 'pending', dueAt: '2030-03-13T08:30:00.000Z' })]);
    expect(bodyOf(await call(who, 'GET')).reminderDueAt).toBeUndefined();
  });

  it('reads every page of the notifications', async () => {
    store(stored());
    const lastKey = { appointmentId: { S: ID }, notificationId: { S: 'change-1' } };
    dynamodb
      .on(QueryCommand, { TableName: 'test-notifications' })
      .resolvesOnce({ Items: [marshall(row({}))], LastEvaluatedKey: lastKey })
      .resolvesOnce({ Items: [marshall(row({ notificationId: 'change-2', kind: 'cancelled', version: 2 }))] });

    const view = bodyOf(await call(who, 'GET'));

    expect((view.notifications as Notification[]).map((item) => item.notificationId)).toEqual(['change-1', 'change-2']);
    expect(dynamodb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual(lastKey);
  });

  it('leaves out a row that breaks the contract, logging its key, instead of failing', async () => {
    const warn = jest.spyOn(logger, 'warn');
    try {
      store(stored(), [row({}), { ...row({ notificationId: 'change-2', version: 2 }), status: 'lost' as Notification['status'], cause: 'secret +447700900123' }]);

      const response = await call(who, 'GET');

      expect(response.statusCode).toBe(200);
      expect((bodyOf(response).notifications as Notification[]).map((item) => item.notificationId)).toEqual(['change-1']);
      const logged = warn.mock.calls.find(([message]) => message === 'notification row breaks the contract; left out of the answer');
      expect(logged?.[1]).toMatchObject({ appointmentId: ID, notificationId: 'change-2' });
      expect(JSON.stringify(warn.mock.calls)).not.toContain('447700900123');
    } finally {
      warn.mockRestore();
    }
  });
});
