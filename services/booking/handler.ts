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
import { appointmentsTable } from './adapters/appointments-table';
import { contactsTable } from './adapters/contacts-table';
import { config } from './config';
import { authorize, type Caller } from './domain/access-policy';
import { createAppointment } from './domain/create-appointment';
import { parseAppointmentId, parseContactEmail } from './domain/identifiers';
import { parseDayListQuery, encodeNextToken } from './domain/list-query';
import { setContactPreference } from './domain/set-contact-preference';
import { identifyCaller } from './http/identify-caller';
import { readJsonBody } from './http/read-json-body';
import { methodsOf, resolveRoute, routeDefinition } from './http/routes';

const dynamodb = createDynamoDbClient(config.aws);
const appointments = appointmentsTable(dynamodb, config.appointmentsTableName, config.appointmentsByDateIndexName);
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

async function readAppointment(id: string): Promise<APIGatewayProxyResult> {
  const appointment = await appointments.get(id);
  if (!appointment) throw notFound('AppointmentNotFound', `appointment ${id} does not exist`);
  return jsonResponse(200, appointment);
}

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
    const appointment = createAppointment(readJsonBody(event), { id: randomUUID(), now: new Date(), dentistNames });
    // The appointment id is the flow's correlation id: the enrichment and the notifier log it too.
    logger.setCorrelationId(appointment.id);
    await appointments.put(appointment);
    logger.info('appointment created', { appointmentId: appointment.id, email: maskEmail(appointment.email) });
    countMetric(BUSINESS_METRICS.appointmentsCreated);
    // The manage token is never in this answer: the caller may have typed somebody else's address.
    return jsonResponse(201, appointment, { location: `/appointments/${appointment.id}` });
  },
  'GET /dentists': async () => jsonResponse(200, { dentists: config.dentists }, { 'cache-control': 'public, max-age=300' }),
  // Patient routes: the caller was identified from the manage token, which already proved the
  // appointment exists and that the token is its own.
  // authorize() held the path's id to the token's, so the appointment read to check the token is this one.
  'GET /appointments/{id}': async ({ pathParameters, tokenAppointment }) => (tokenAppointment ? jsonResponse(200, tokenAppointment) : readAppointment(parseAppointmentId(pathParameters.id))),
  'GET /contacts/{email}': async ({ pathParameters }) => readContact(parseContactEmail(pathParameters.email)),
  'PUT /contacts/{email}': async ({ event, pathParameters, caller }) => writeContact(event, parseContactEmail(pathParameters.email), caller),
  // Staff routes (API Gateway's Cognito authorizer verified the ID token; the group is checked here).
  'GET /staff/appointments': async ({ event }) => {
    const query = parseDayListQuery(event.queryStringParameters ?? {});
    const page = await appointments.listByDate(query.date, query.limit, query.startKey);
    return jsonResponse(200, { date: query.date, appointments: page.appointments, ...(page.nextKey ? { nextToken: encodeNextToken(page.nextKey) } : {}) });
  },
  'GET /staff/appointments/{id}': async ({ pathParameters }) => readAppointment(parseAppointmentId(pathParameters.id)),
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
