import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { Appointment } from '../../contracts';
import type { RouteKey } from '../../contracts/api-routes';
import { BUSINESS_METRICS, rejectionStatusDimension } from '../../contracts/metrics';
import { createDynamoDbClient, createSecretsManagerClient } from '../common/aws-clients';
import { HttpError, errorName, isTransientAwsError, notFound } from '../common/errors';
import { errorResponse, jsonResponse } from '../common/http-response';
import { logger } from '../common/logger';
import { countMetric, publishMetrics } from '../common/metrics';
import { maskEmail } from '../common/pii';
import { secretKeySource } from '../common/security/secret-key';
import { VersionConflictError, appointmentsTable } from './adapters/appointments-table';
import { contactsTable } from './adapters/contacts-table';
import { notificationsTable } from './adapters/notifications-table';
import { config } from './config';
import { authorize, type Caller } from './domain/access-policy';
import { appointmentView, etagOf, ifMatchAllows } from './domain/appointment-view';
import { assertChangeable, parseCancellationRequest, parseChangeRequest, planCancellation, planReschedule, type ChangePlan, type ChangedBy } from './domain/change-appointment';
import { createAppointment, pendingChangeNotification } from './domain/create-appointment';
import { parseAppointmentId, parseContactEmail } from './domain/identifiers';
import { parseDayListQuery, encodeNextToken } from './domain/list-query';
import { setContactPreference } from './domain/set-contact-preference';
import { identifyCaller } from './http/identify-caller';
import { headerValue, readJsonBody, readOptionalJsonBody } from './http/read-json-body';
import { methodsOf, resolveRoute, routeDefinition } from './http/routes';

const dynamodb = createDynamoDbClient(config.aws);
const appointments = appointmentsTable(dynamodb, config.appointmentsTableName, config.appointmentsByDateIndexName, config.notificationsTableName);
const notifications = notificationsTable(dynamodb, config.notificationsTableName);
const contacts = contactsTable(dynamodb, config.contactsTableName);
const manageTokenKey = secretKeySource(createSecretsManagerClient(config.aws), config.manageTokenSecretArn);
const dentistNames = config.dentists.map((dentist) => dentist.name);

interface RouteInput {
  event: APIGatewayProxyEvent;
  pathParameters: Record<string, string>;
  caller: Caller;
  /** The appointment the patient's manage token opened (read once, to check the token). */
  tokenAppointment?: Appointment;
}
type RouteHandler = (input: RouteInput) => Promise<APIGatewayProxyResult>;

function found(id: string, appointment: Appointment | undefined): Appointment {
  if (!appointment) throw notFound('AppointmentNotFound', `appointment ${id} does not exist`);
  return appointment;
}

async function findAppointment(id: string, known?: Appointment): Promise<Appointment> {
  return found(id, known ?? (await appointments.get(id)));
}

/** The appointment view (appointment + notifications) with its ETag. */
function viewOf(appointment: Appointment, rows: Parameters<typeof appointmentView>[1]): APIGatewayProxyResult {
  return jsonResponse(200, appointmentView(appointment, rows), { etag: etagOf(appointment) });
}

async function viewResponse(appointment: Appointment): Promise<APIGatewayProxyResult> {
  return viewOf(appointment, await notifications.list(appointment.id));
}

async function readAppointment(id: string, known?: Appointment): Promise<APIGatewayProxyResult> {
  if (known) return viewResponse(known);
  // Both reads at once: the notifications of an id that turns out not to exist are simply not shown.
  const [appointment, rows] = await Promise.all([appointments.get(id), notifications.list(id)]);
  return viewOf(found(id, appointment), rows);
}

const byOf = (caller: Caller): ChangedBy => (caller.kind === 'staff' ? 'staff' : 'patient');

/**
 * PATCH and cancel: the precondition (If-Match, 409 VersionConflict when stale), the lifecycle (409 when cancelled or started),
 * then the planned change, written conditionally on the version read; 409 VersionConflict to the
 * loser of a race. A plan with nothing to change answers the current view and writes nothing.
 */
async function changeAppointment(input: RouteInput, plan: (current: Appointment, now: Date) => ChangePlan): Promise<APIGatewayProxyResult> {
  const id = parseAppointmentId(input.pathParameters.id);
  const now = new Date();
  const current = await findAppointment(id, input.tokenAppointment);
  if (!ifMatchAllows(headerValue(input.event.headers, 'if-match'), current.version)) {
    // 409 like the loser of a race, not 412: both mean "it changed since you read it", and which of
    // the two a client of a raced pair meets depends only on timing.
    throw new HttpError(409, 'VersionConflict', `If-Match does not match the appointment's current ETag ${etagOf(current)}: read it again`, [], { etag: etagOf(current) });
  }
  assertChangeable(current, now);
  const planned = plan(current, now);
  if (planned.kind === 'unchanged') {
    logger.info('appointment change with nothing to change', { appointmentId: id, version: current.version });
    return viewResponse(current);
  }
  try {
    await appointments.change(planned.next, current.version, planned.fields, pendingChangeNotification(planned.next));
  } catch (error) {
    if (error instanceof VersionConflictError) {
      throw new HttpError(409, 'VersionConflict', 'the appointment changed since it was read; read it again');
    }
    throw error;
  }
  logger.info('appointment changed', { appointmentId: id, kind: planned.next.lastChange.kind, version: planned.next.version, by: planned.next.lastChange.by });
  return viewResponse(planned.next);
}

const rescheduleRoute: RouteHandler = async (input) => {
  // The body first: a bad request is answered before anything is read.
  const change = parseChangeRequest(readJsonBody(input.event));
  return changeAppointment(input, (current, now) => planReschedule(current, change, { now, by: byOf(input.caller), dentistNames, openingHours: config.openingHours }));
};

const cancelRoute: RouteHandler = async (input) => {
  const cancellation = parseCancellationRequest(readOptionalJsonBody(input.event));
  return changeAppointment(input, (current, now) => planCancellation(current, cancellation, { now, by: byOf(input.caller) }));
};

async function readContact(email: string): Promise<APIGatewayProxyResult> {
  const contact = await contacts.get(email);
  if (!contact) throw notFound('ContactNotFound', 'no contact preference is set for this address');
  return jsonResponse(200, contact);
}

async function writeContact(event: APIGatewayProxyEvent, email: string, caller: Caller): Promise<APIGatewayProxyResult> {
  const contact = setContactPreference(readJsonBody(event), email, new Date());
  await contacts.put(contact);
  logger.info('contact preference set', { email: maskEmail(contact.id), preferredMethod: contact.preferredMethod, by: caller.kind });
  return jsonResponse(200, contact);
}

/** Every route of the shared definition has its handler here; a test holds the two equal. */
export const ROUTE_HANDLERS: Record<RouteKey, RouteHandler> = {
  'POST /appointments': async ({ event }) => {
    const appointment = createAppointment(readJsonBody(event), { id: randomUUID(), now: new Date(), dentistNames, openingHours: config.openingHours });
    // The appointment id is the flow's correlation id: the enrichment and the notifier log it too.
    logger.setCorrelationId(appointment.id);
    // An id collision (AppointmentIdCollisionError) is a bug, answered 500, never an overwrite.
    await appointments.create(appointment, pendingChangeNotification(appointment));
    logger.info('appointment created', { appointmentId: appointment.id, email: maskEmail(appointment.email) });
    countMetric(BUSINESS_METRICS.appointmentsCreated);
    // The manage token is never in this answer: the caller may have typed somebody else's address.
    return jsonResponse(201, appointment, { location: `/appointments/${appointment.id}`, etag: etagOf(appointment) });
  },
  'GET /dentists': async () => jsonResponse(200, { dentists: config.dentists }, { 'cache-control': 'public, max-age=300' }),
  // Patient routes: the caller was identified from the manage token, which already proved the
  // appointment exists and that the token is its own.
  // authorize() held the path's id to the token's, so the appointment read to check the token is this one.
  'GET /appointments/{id}': async ({ pathParameters, tokenAppointment }) => readAppointment(parseAppointmentId(pathParameters.id), tokenAppointment),
  // The change routes use the read that checked the token as the version they change.
  'PATCH /appointments/{id}': rescheduleRoute,
  'POST /appointments/{id}/cancel': cancelRoute,
  'GET /contacts/{email}': async ({ pathParameters }) => readContact(parseContactEmail(pathParameters.email)),
  'PUT /contacts/{email}': async ({ event, pathParameters, caller }) => writeContact(event, parseContactEmail(pathParameters.email), caller),
  // Staff routes (API Gateway's Cognito authorizer verified the ID token; the group is checked here).
  'GET /staff/appointments': async ({ event }) => {
    const query = parseDayListQuery(event.queryStringParameters ?? {});
    const page = await appointments.listByDate(query.date, query.limit, query.startKey);
    return jsonResponse(200, { date: query.date, appointments: page.appointments, ...(page.nextKey ? { nextToken: encodeNextToken(page.nextKey) } : {}) });
  },
  'GET /staff/appointments/{id}': async ({ pathParameters }) => readAppointment(parseAppointmentId(pathParameters.id)),
  'PATCH /staff/appointments/{id}': rescheduleRoute,
  'POST /staff/appointments/{id}/cancel': cancelRoute,
  'GET /staff/contacts/{email}': async ({ pathParameters }) => readContact(parseContactEmail(pathParameters.email)),
  'PUT /staff/contacts/{email}': async ({ event, pathParameters, caller }) => writeContact(event, parseContactEmail(pathParameters.email), caller),
};

/** What a patient route acts on, for the check that the token is this target's. */
function targetOf(pathParameters: Record<string, string>): { appointmentId?: string; contactEmail?: string } {
  return {
    ...(pathParameters.id !== undefined ? { appointmentId: parseAppointmentId(pathParameters.id) } : {}),
    ...(pathParameters.email !== undefined ? { contactEmail: parseContactEmail(pathParameters.email) } : {}),
  };
}

/** API Gateway REST (v1 proxy) entry point of every booking route. */
export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  logger.resetKeys();
  logger.addContext(context);
  const requestId = event.requestContext?.requestId ?? context.awsRequestId;
  const method = (event.httpMethod ?? '').toUpperCase();
  try {
    const route = resolveRoute(event.resource, event.path, event.pathParameters);
    if (!route) throw notFound('RouteNotFound', `no route for ${method} ${event.path ?? event.resource ?? ''}`.slice(0, 300));
    const definition = routeDefinition(method, route.template);
    if (!definition) {
      const allowed = methodsOf(route.template).join(', ');
      throw new HttpError(405, 'MethodNotAllowed', `${method || '(none)'} is not allowed on ${route.template}; use ${allowed}`, [], { allow: allowed });
    }
    const { caller, tokenAppointment } = await identifyCaller(definition.access, event, { manageTokenKey, appointments, now: new Date() });
    // Path parameters are validated (400) only after the credentials (401): an anonymous caller
    // learns nothing about which ids or addresses are well formed.
    authorize(definition.access, caller, definition.access === 'patient' && caller.kind === 'patient' ? targetOf(route.pathParameters) : {});
    if (caller.kind === 'patient') logger.setCorrelationId(caller.appointmentId);
    const response = await ROUTE_HANDLERS[`${definition.method} ${definition.path}` as RouteKey]({ event, pathParameters: route.pathParameters, caller, ...(tokenAppointment ? { tokenAppointment } : {}) });
    logger.info('request handled', { method, resource: route.template, statusCode: response.statusCode, caller: caller.kind });
    return response;
  } catch (error) {
    return toErrorResponse(error, requestId, method, event.resource);
  } finally {
    publishMetrics();
  }
};

function toErrorResponse(error: unknown, requestId: string, method: string, resource: string | undefined): APIGatewayProxyResult {
  if (error instanceof HttpError) {
    logger.info('request rejected', { method, resource, statusCode: error.statusCode, code: error.code, details: error.details });
    // 401/403 counts are the security signal (token guessing, a leaked link tried on other bookings).
    countMetric(BUSINESS_METRICS.requestsRejected, { statusCode: rejectionStatusDimension(error.statusCode) });
    return errorResponse(error.statusCode, error, requestId, error.headers);
  }
  if (isTransientAwsError(error)) {
    logger.warn('request failed on a transient AWS error', { method, resource, errorName: errorName(error) });
    return errorResponse(503, { code: 'ServiceUnavailable', message: 'The service is busy; retry shortly' }, requestId, { 'retry-after': '1' });
  }
  // Internals (table names, stack traces) stay in the log; the caller gets the request id to quote.
  logger.error('request failed', { method, resource, errorName: errorName(error), error: error as Error });
  return errorResponse(500, { code: 'InternalError', message: 'The request could not be completed' }, requestId);
}
