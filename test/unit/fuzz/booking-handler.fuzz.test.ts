import '../services/support/test-env';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, TransactionCanceledException, type AttributeValue, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { validateAppointment, validateAppointmentView, validateContact } from '../../../contracts';
import { handler } from '../../../services/booking/handler';
import { logger } from '../../../services/common/logger';
import {
  ROUTE_METHODS,
  ROUTE_TEMPLATES,
  appointmentIdParameter,
  configuredDentistNames,
  routeAccess,
  appointmentRequest,
  appointmentRequestText,
  boundarySizedRequestText,
  contactEmailParameter,
  contactRequestText,
  encodedBody,
  headerNameCase,
  httpMethod,
  nonJsonText,
  objectText,
  requestHeaders,
  resource,
  MAX_BODY_BYTES,
  type EncodedBody,
} from '../../fuzz/booking-arbitraries';
import { BOOKING_STATUSES, appointmentDateOf, appointmentVerdict, errorAnswerProblems, isValidContactRequest, normalisedContactEmail } from '../../fuzz/booking-oracle';
import { FuzzTally } from '../../fuzz/fuzz-settings';
import { TEST_ENV } from '../services/support/test-env';
import { manageToken, mockManageTokenSecret, staffClaims } from '../services/support/credentials';
import { lambdaContext } from '../services/support/lambda';

/**
 * Fuzzes the booking function in process: ~10,000 generated API Gateway events (bodies, encodings,
 * headers, methods, resources, path parameters) against an in-memory DynamoDB behind
 * aws-sdk-client-mock. DynamoDB never fails here, so any 5xx, thrown error or malformed answer is a
 * bug. Reproduce a failure with the FUZZ_SEED fast-check prints.
 */

const tally = new FuzzTally('booking handler (in process)');
const dynamodb = mockClient(DynamoDBClient);
mockManageTokenSecret();
const DENTISTS = configuredDentistNames();
const tables = new Map<string, Map<string, Record<string, AttributeValue>>>();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
const loggedErrors: unknown[][] = [];

function table(name: string): Map<string, Record<string, AttributeValue>> {
  let items = tables.get(name);
  if (!items) tables.set(name, (items = new Map()));
  return items;
}

/** The key of an item in its table: the id, or (notifications) appointmentId + notificationId. */
const keyOf = (item: Record<string, AttributeValue>): string => (item.notificationId?.S !== undefined ? `${item.appointmentId?.S ?? ''}#${item.notificationId.S}` : (item.id?.S ?? ''));

/** A condition of the booking function's writes, evaluated on the stored item (or its absence). */
function conditionHolds(condition: string | undefined, stored: Record<string, AttributeValue> | undefined, values: Record<string, AttributeValue> = {}): boolean {
  if (condition === undefined) return true;
  if (condition === 'attribute_not_exists(id)') return stored === undefined;
  if (condition === '#version = :expected AND #status = :booked') return stored !== undefined && stored.version?.N === values[':expected']?.N && stored.status?.S === values[':booked']?.S;
  throw new Error(`the table fake does not know the condition ${condition}`);
}

function installTableFake(): void {
  dynamodb.reset();
  dynamodb.on(PutItemCommand).callsFake((input: { TableName: string; Item: Record<string, AttributeValue>; ConditionExpression?: string }) => {
    const items = table(input.TableName);
    const id = input.Item.id?.S;
    if (!id) throw new Error('PutItem without a string id');
    if (input.ConditionExpression !== undefined) throw new Error('the booking function puts contacts unconditionally');
    items.set(id, input.Item);
    return {};
  });
  // All or nothing, as DynamoDB: every condition is checked before any item is written.
  dynamodb.on(TransactWriteItemsCommand).callsFake((input: { TransactItems: TransactWriteItem[] }) => {
    const reasons = input.TransactItems.map((item) => {
      if (item.Put) return conditionHolds(item.Put.ConditionExpression, table(item.Put.TableName!).get(keyOf(item.Put.Item!)), item.Put.ExpressionAttributeValues) ? 'None' : 'ConditionalCheckFailed';
      if (item.Update) return conditionHolds(item.Update.ConditionExpression, table(item.Update.TableName!).get(keyOf(item.Update.Key!)), item.Update.ExpressionAttributeValues) ? 'None' : 'ConditionalCheckFailed';
      throw new Error('the booking function only puts and updates in a transaction');
    });
    if (reasons.some((reason) => reason !== 'None')) {
      throw new TransactionCanceledException({ message: `Transaction cancelled [${reasons.join(', ')}]`, $metadata: { httpStatusCode: 400 }, CancellationReasons: reasons.map((Code) => ({ Code })) });
    }
    for (const item of input.TransactItems) {
      if (item.Put) table(item.Put.TableName!).set(keyOf(item.Put.Item!), item.Put.Item!);
      if (item.Update) {
        const { TableName, Key, UpdateExpression, ExpressionAttributeNames = {}, ExpressionAttributeValues = {} } = item.Update;
        const updated = { ...table(TableName!).get(keyOf(Key!))! };
        for (const assignment of /^SET (.*)$/.exec(UpdateExpression!)![1]!.split(', ')) {
          const [name, value] = assignment.split(' = ') as [string, string];
          updated[ExpressionAttributeNames[name]!] = ExpressionAttributeValues[value]!;
        }
        table(TableName!).set(keyOf(Key!), updated);
      }
    }
    return {};
  });
  dynamodb.on(GetItemCommand).callsFake((input: { TableName: string; Key: Record<string, AttributeValue> }) => ({ Item: table(input.TableName).get(input.Key.id?.S ?? '') }));
  // The by-date index and the notifications of an appointment, as scans: one page holds it all.
  dynamodb.on(QueryCommand).callsFake((input: { TableName: string; IndexName?: string; ExpressionAttributeValues: Record<string, AttributeValue> }) => {
    const items = [...table(input.TableName).values()];
    if (input.IndexName !== undefined) return { Items: items.filter((item) => item.appointmentDate?.S === input.ExpressionAttributeValues[':date']?.S) };
    return { Items: items.filter((item) => item.appointmentId?.S === input.ExpressionAttributeValues[':appointmentId']?.S) };
  });
}

interface EventParts {
  method: string;
  resource: string | undefined;
  path: string | undefined;
  pathParameters: Record<string, string | undefined> | null;
  headers: Record<string, string> | null;
  body: EncodedBody;
  /** Claims of a verified staff ID token (API Gateway's Cognito authorizer), when there is one. */
  claims?: Record<string, string>;
}

function proxyEvent(parts: EventParts): APIGatewayProxyEvent {
  return {
    resource: parts.resource as string,
    path: parts.path as string,
    httpMethod: parts.method,
    headers: parts.headers as APIGatewayProxyEvent['headers'],
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: parts.pathParameters as APIGatewayProxyEvent['pathParameters'],
    stageVariables: null,
    body: parts.body.body,
    isBase64Encoded: parts.body.isBase64Encoded,
    requestContext: { requestId: `fuzz-${randomUUID()}`, ...(parts.claims ? { authorizer: { claims: parts.claims } } : {}) } as APIGatewayProxyEvent['requestContext'],
  };
}

/** Invokes the handler and checks what holds for every answer; returns it for route-specific checks. */
async function invoke(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const response = await handler(event, lambdaContext('booking'));
  if (!BOOKING_STATUSES.has(response.statusCode)) {
    throw new Error(`status ${response.statusCode} (${response.body.slice(0, 300)}); logged errors: ${JSON.stringify(loggedErrors.slice(-1))}`);
  }
  if (response.statusCode >= 400) {
    const problems = errorAnswerProblems(response, event.requestContext.requestId);
    if (problems.length > 0) throw new Error(`${response.statusCode} answer breaks the error contract: ${problems.join('; ')}`);
  }
  return response;
}

function expectCreated(response: APIGatewayProxyResult, request: Record<string, unknown>): void {
  expect(response.statusCode).toBe(201);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(validateAppointment(body)).toEqual([]);
  expect(body).toEqual({
    ...request,
    id: body.id,
    appointmentDate: appointmentDateOf(String(request.appointmentDateTime)),
    createdAt: body.createdAt,
    status: 'booked',
    version: 1,
    updatedAt: body.createdAt,
    lastChange: { kind: 'booked', at: body.createdAt, by: 'patient' },
  });
  expect(DENTISTS).toContain(body.dentist);
  expect(response.headers?.location).toBe(`/appointments/${String(body.id)}`);
  const stored = table(TEST_ENV.APPOINTMENTS_TABLE_NAME).get(String(body.id));
  expect(stored && unmarshall(stored)).toEqual(body);
  // Its confirmation is pending from the same write.
  const pending = table(TEST_ENV.NOTIFICATIONS_TABLE_NAME).get(`${String(body.id)}#change-1`);
  expect(pending && unmarshall(pending)).toEqual({ appointmentId: body.id, notificationId: 'change-1', kind: 'booked', version: 1, status: 'pending', updatedAt: body.createdAt });
}

const errorCode = (response: APIGatewayProxyResult): string => (JSON.parse(response.body) as { code: string }).code;

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  jest.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => {
    loggedErrors.push(args);
  });
  installTableFake();
});

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  jest.restoreAllMocks();
  process.stdout.write(`${tally.summary()}\n`);
});

describe('booking handler fuzz', () => {
  it('POST /appointments: a JSON body is created exactly when it is a valid future request, else a 400 naming why', async () => {
    const property = 'POST /appointments JSON bodies';
    const now = Date.now();
    const verdicts = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(appointmentRequestText(now), requestHeaders.filter(({ contentType }) => contentType.verdict === 'json'), async (text, { headers }) => {
        tally.count(property);
        const response = await invoke(proxyEvent({ method: 'POST', resource: '/appointments', path: '/appointments', pathParameters: null, headers, body: { text, body: text, isBase64Encoded: false, encoding: 'text' } }));

        const verdict = Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES ? undefined : appointmentVerdict(text, Date.now());
        verdicts.set(verdict?.kind ?? 'too-large', (verdicts.get(verdict?.kind ?? 'too-large') ?? 0) + 1);
        if (verdict === undefined) expect(response.statusCode).toBe(413);
        else if (verdict.kind === 'created') expectCreated(response, verdict.request);
        else if (verdict.kind === 'invalid') {
          expect([response.statusCode, errorCode(response)]).toEqual([400, 'ValidationFailed']);
          expect((JSON.parse(response.body) as { details?: string[] }).details).toEqual(verdict.problems.slice(0, 100).map((problem) => problem.slice(0, 500)));
        } else if (verdict.kind === 'past') expect([response.statusCode, errorCode(response)]).toEqual([400, 'AppointmentInPast']);
        else if (verdict.kind === 'outside-hours') expect([response.statusCode, errorCode(response)]).toEqual([400, 'OutsideOpeningHours']);
        else if (verdict.kind === 'unknown-dentist') {
          expect([response.statusCode, errorCode(response)]).toEqual([400, 'UnknownDentist']);
          expect((JSON.parse(response.body) as { details?: string[] }).details).toEqual([`/dentist must be one of: ${DENTISTS.join(', ')}`]);
        }
        else expect([response.statusCode, errorCode(response)]).toEqual([400, 'MalformedJson']);
      }),
      tally.parameters(property, 3_500),
    );
    expect(unhandled).toEqual([]);
    // The generators reach every domain rule: mostly a dentist of the practice at an opening
    // hour, so bookings are created, and enough others to exercise OutsideOpeningHours and UnknownDentist.
    const runs = [...verdicts.values()].reduce((sum, count) => sum + count, 0);
    expect(verdicts.get('created') ?? 0).toBeGreaterThan(runs * 0.15);
    expect(verdicts.get('outside-hours') ?? 0).toBeGreaterThan(runs * 0.02);
    expect(verdicts.get('unknown-dentist') ?? 0).toBeGreaterThan(runs * 0.02);
  }, 120_000);

  it('POST /appointments: any body, encoding and content type gets a JSON 4xx, or a 201 only for a valid request', async () => {
    const property = 'POST /appointments bodies, encodings, headers';
    const now = Date.now();
    const text = fc.oneof(appointmentRequestText(now), nonJsonText(now), boundarySizedRequestText(now));
    await fc.assert(
      fc.asyncProperty(encodedBody(text), requestHeaders, async (body, { headers, contentType }) => {
        tally.count(property);
        const response = await invoke(proxyEvent({ method: 'POST', resource: '/appointments', path: '/appointments', pathParameters: null, headers, body }));

        if (contentType.verdict === 'not-json') expect(response.statusCode).toBe(415);
        if (response.statusCode === 201) {
          // Judge what the handler was actually given, decoded the documented way.
          const sent = body.isBase64Encoded ? Buffer.from(body.body ?? '', 'base64').toString('utf8') : (body.body ?? '');
          const verdict = appointmentVerdict(sent, Date.now());
          expect(verdict.kind).toBe('created');
          if (verdict.kind === 'created') expectCreated(response, verdict.request);
        }
        // A well-formed body the client meant as this text must be judged as that text.
        const faithful = body.text !== undefined && ['text', 'base64', 'base64-wrapped', 'base64-unpadded'].includes(body.encoding);
        if (contentType.verdict === 'json' && faithful && Buffer.byteLength(body.text!, 'utf8') <= MAX_BODY_BYTES) {
          const verdict = body.text!.trim() === '' ? undefined : appointmentVerdict(body.text!, Date.now());
          if (verdict?.kind === 'created') expect(response.statusCode).toBe(201);
          else expect(response.statusCode).toBe(400);
        }
        if (contentType.verdict === 'json' && body.text !== undefined && body.encoding === 'text' && Buffer.byteLength(body.text, 'utf8') > MAX_BODY_BYTES) {
          expect(response.statusCode).toBe(413);
        }
      }),
      tally.parameters(property, 2_500),
    );
    expect(unhandled).toEqual([]);
  }, 120_000);

  it('any method, resource, path, path parameters and credentials: a JSON answer, never a 5xx; 401/403 exactly as the access model says; 2xx bodies that keep their contracts', async () => {
    const property = 'any method, resource, path, path parameters, credentials';
    const now = Date.now();
    // Seed the tables through the handler itself, so GETs can find something (contacts set by staff).
    const bookings: Array<{ id: string; email: string }> = [];
    const knownEmails: string[] = [];
    for (const request of fc.sample(appointmentRequest(now).filter((candidate) => appointmentVerdict(objectText(Object.entries(candidate)), now).kind === 'created'), { numRuns: 5, seed: 7 })) {
      const created = await handler(proxyEvent({ method: 'POST', resource: '/appointments', path: '/appointments', pathParameters: null, headers: { 'content-type': 'application/json' }, body: { body: JSON.stringify(request), isBase64Encoded: false, encoding: 'text' } }), lambdaContext());
      const appointment = JSON.parse(created.body) as { id: string; email: string };
      bookings.push({ id: appointment.id, email: appointment.email });
      const email = (request.email ?? '').trim().toLowerCase();
      const contact = await handler(
        proxyEvent({ method: 'PUT', resource: '/staff/contacts/{email}', path: `/staff/contacts/${email}`, pathParameters: { email }, headers: { 'content-type': 'application/json' }, body: { body: '{"preferredMethod":"email"}', isBase64Encoded: false, encoding: 'text' }, claims: staffClaims() }),
        lambdaContext(),
      );
      if (contact.statusCode === 200) knownEmails.push(email);
    }
    expect(bookings).toHaveLength(5);
    expect(knownEmails.length).toBeGreaterThan(0);

    type Credentials =
      | { kind: 'none' }
      | { kind: 'token'; booking: { id: string; email: string } }
      | { kind: 'bad-token'; authorization: string }
      | { kind: 'staff'; groups: string }
      | { kind: 'no-staff-group'; groups: string };
    const booking = fc.constantFrom(...bookings);
    const credentials: fc.Arbitrary<Credentials> = fc.oneof(
      { weight: 4, arbitrary: fc.constant<Credentials>({ kind: 'none' }) },
      { weight: 3, arbitrary: booking.map((value): Credentials => ({ kind: 'token', booking: value })) },
      {
        weight: 2,
        arbitrary: fc.oneof(
          booking.map((value) => `Bearer ${manageToken({ id: value.id, email: 'someone.else@example.com' })}`),
          booking.map((value) => `Bearer ${manageToken(value, { expiresAt: Math.floor(now / 1000) - 3_600 })}`),
          booking.map((value) => `Bearer ${manageToken(value, { key: 'another-key-'.repeat(4) })}`),
          booking.map((value) => manageToken(value)),
          fc.string({ maxLength: 60 }).map((value) => `Bearer ${value}`),
          fc.constantFrom('Bearer', 'Basic dXNlcjpwYXNz', 'bearer m1.x.1.y', ' '),
        ).map((authorization): Credentials => ({ kind: 'bad-token', authorization })),
      },
      { weight: 2, arbitrary: fc.constantFrom('staff', '[staff]', '[admin, staff]', 'admin,staff').map((groups): Credentials => ({ kind: 'staff', groups })) },
      { weight: 1, arbitrary: fc.constantFrom('', 'admin', '[patients]', 'staffers', 'Staff').map((groups): Credentials => ({ kind: 'no-staff-group', groups })) },
    );

    const parameters = fc.oneof(
      fc.constant(null),
      fc.record({ id: appointmentIdParameter(bookings.map((value) => value.id)) }),
      fc.record({ email: contactEmailParameter([...knownEmails, ...bookings.map((value) => value.email)]) }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), { maxKeys: 3 }),
    );
    const body = encodedBody(fc.oneof(appointmentRequestText(now), contactRequestText, nonJsonText(now)));
    const headers = fc.oneof(requestHeaders.map(({ headers: value }) => value), fc.constant(null));
    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

    /** A valid manage token on a patient route: 400 for a malformed target, 403 for another one, else allowed. */
    function patientTargetVerdict(pathParameters: Record<string, string | undefined>, owner: { id: string; email: string }): 400 | 403 | 'allowed' {
      const { id, email } = pathParameters;
      if (id !== undefined && !UUID.test(id)) return 400;
      const contactEmail = email === undefined ? undefined : normalisedContactEmail(email);
      if (email !== undefined && contactEmail === undefined) return 400;
      if (id !== undefined && id.toLowerCase() !== owner.id) return 403;
      if (contactEmail !== undefined && contactEmail !== owner.email.toLowerCase()) return 403;
      return 'allowed';
    }

    function okAnswerProblems(template: string | undefined, answer: unknown): string[] {
      const list = answer as { date?: unknown; appointments?: unknown[]; dentists?: unknown[] };
      switch (template) {
        case '/appointments/{id}':
        case '/staff/appointments/{id}':
        case '/appointments/{id}/cancel':
        case '/staff/appointments/{id}/cancel':
          return validateAppointmentView(answer);
        case '/contacts/{email}':
        case '/staff/contacts/{email}':
          return validateContact(answer);
        case '/dentists':
          return Array.isArray(list.dentists) && list.dentists.length === DENTISTS.length ? [] : ['not the dentists list'];
        case '/staff/appointments':
          return Array.isArray(list.appointments) ? list.appointments.flatMap((item) => validateAppointment(item)) : ['not a day list'];
        default:
          // Routed by path: one of the above.
          return ['/appointments/{id}', '/contacts/{email}', '/dentists', '/staff/appointments'].some((candidate) => okAnswerProblems(candidate, answer).length === 0) ? [] : ['matches no answer contract'];
      }
    }

    await fc.assert(
      fc.asyncProperty(
        httpMethod,
        resource,
        parameters,
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        body,
        headers,
        credentials,
        async (method, route, pathParameters, randomPath, payload, requestHeaders, caller) => {
          tally.count(property);
          let path = randomPath ?? route;
          for (const [name, value] of Object.entries(pathParameters ?? {})) if (path !== undefined && value !== undefined) path = path.replace(`{${name}}`, value);
          const authorization = caller.kind === 'token' ? `Bearer ${manageToken(caller.booking)}` : caller.kind === 'bad-token' ? caller.authorization : undefined;
          const sentHeaders = authorization === undefined ? requestHeaders : { ...(requestHeaders ?? {}), Authorization: authorization };
          const claims = caller.kind === 'staff' || caller.kind === 'no-staff-group' ? staffClaims({ groups: caller.groups }) : undefined;
          const response = await invoke(proxyEvent({ method, resource: route, path, pathParameters, headers: sentHeaders, body: payload, ...(claims ? { claims } : {}) }));

          const template = ROUTE_TEMPLATES.find((candidate) => candidate === route);
          if (template) {
            const allowed = ROUTE_METHODS[template]!;
            const access = routeAccess(method.toUpperCase(), template);
            if (access === undefined) expect([response.statusCode, response.headers?.allow]).toEqual([405, allowed.join(', ')]);
            else expect(response.statusCode).not.toBe(405);
            expect(response.statusCode === 404 && errorCode(response) === 'RouteNotFound').toBe(false);
            // The access model (docs/security.md), before anything about the path or body is judged.
            if (access === 'public') expect([401, 403]).not.toContain(response.statusCode);
            if (access === 'patient') {
              if (caller.kind !== 'token') {
                expect([response.statusCode, errorCode(response), response.headers?.['www-authenticate']]).toEqual([401, 'Unauthorized', 'Bearer']);
              } else {
                const verdict = patientTargetVerdict(
                  Object.fromEntries(Object.entries(pathParameters ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined)),
                  caller.booking,
                );
                if (verdict === 'allowed') expect([401, 403]).not.toContain(response.statusCode);
                else expect(response.statusCode).toBe(verdict);
              }
            }
            if (access === 'staff') {
              if (caller.kind === 'staff') expect([401, 403]).not.toContain(response.statusCode);
              else if (caller.kind === 'no-staff-group') expect([response.statusCode, errorCode(response)]).toEqual([403, 'Forbidden']);
              else expect([response.statusCode, errorCode(response), response.headers?.['www-authenticate']]).toEqual([401, 'Unauthorized', 'Bearer']);
            }
          }
          // Without credentials, nothing but the public routes answers 2xx.
          if (caller.kind === 'none' && response.statusCode < 300) {
            if (template) expect(routeAccess(method.toUpperCase(), template)).toBe('public');
            else expect(response.statusCode === 201 || okAnswerProblems('/dentists', JSON.parse(response.body) as unknown).length === 0).toBe(true);
          }
          if (response.statusCode === 200) expect(okAnswerProblems(template, JSON.parse(response.body) as unknown)).toEqual([]);
          if (response.statusCode === 201) expect(validateAppointment(JSON.parse(response.body))).toEqual([]);
        },
      ),
      tally.parameters(property, 2_500),
    );
    expect(unhandled).toEqual([]);
  }, 120_000);

  it('PUT then GET /staff/contacts/{email}: stored under the normalised e-mail exactly when path and body are valid; the patient route without a token is 401 whatever the input', async () => {
    const property = 'PUT/GET /staff/contacts/{email}';
    await fc.assert(
      fc.asyncProperty(contactEmailParameter(['known@example.com']), contactRequestText, headerNameCase('content-type'), async (email, text, contentTypeName) => {
        tally.count(property);
        const headers = { [contentTypeName]: 'application/json' };
        const anonymous = await invoke(proxyEvent({ method: 'PUT', resource: '/contacts/{email}', path: `/contacts/${email}`, pathParameters: { email }, headers, body: { text, body: text, isBase64Encoded: false, encoding: 'text' } }));
        expect([anonymous.statusCode, errorCode(anonymous)]).toEqual([401, 'Unauthorized']);

        const parts = { resource: '/staff/contacts/{email}', path: `/staff/contacts/${email}`, pathParameters: { email }, headers, claims: staffClaims() };
        const put = await invoke(proxyEvent({ ...parts, method: 'PUT', body: { text, body: text, isBase64Encoded: false, encoding: 'text' } }));

        const key = normalisedContactEmail(email);
        if (key === undefined) {
          expect([put.statusCode, errorCode(put)]).toEqual([400, 'InvalidContactEmail']);
          return;
        }
        if (!isValidContactRequest(text)) {
          expect([put.statusCode, errorCode(put)]).toEqual([400, 'ValidationFailed']);
          return;
        }
        expect(put.statusCode).toBe(200);
        const contact = JSON.parse(put.body) as Record<string, unknown>;
        expect(validateContact(contact)).toEqual([]);
        expect(contact.id).toBe(key);
        const get = await invoke(proxyEvent({ ...parts, method: 'GET', body: { body: null, isBase64Encoded: false, encoding: 'none' } }));
        expect(get.statusCode).toBe(200);
        expect(JSON.parse(get.body)).toEqual(contact);
      }),
      tally.parameters(property, 1_600),
    );
    expect(unhandled).toEqual([]);
  }, 120_000);

  it('ran at least 10,000 generated requests in all', () => {
    expect(tally.total()).toBeGreaterThanOrEqual(Math.min(10_000, Math.round(10_000 * Number(process.env.FUZZ_RUNS_SCALE ?? 1))));
  });
});
