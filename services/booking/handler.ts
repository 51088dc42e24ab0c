import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createDynamoDbClient } from '../shared/aws-clients';
import { HttpError, errorName, isTransientAwsError, notFound } from '../shared/errors';
import { errorResponse, jsonResponse } from '../shared/http-response';
import { logger } from '../shared/logger';
import { maskEmail } from '../shared/pii';
import { appointmentsTable } from './adapters/appointments-table';
import { contactsTable } from './adapters/contacts-table';
import { config } from './config';
import { createAppointment } from './domain/create-appointment';
import { parseAppointmentId, parseContactEmail } from './domain/identifiers';
import { setContactPreference } from './domain/set-contact-preference';
import { readJsonBody } from './http/read-json-body';
import { resolveRoute, type RouteTemplate } from './http/routes';

const dynamodb = createDynamoDbClient(config.aws);
const appointments = appointmentsTable(dynamodb, config.appointmentsTableName);
const contacts = contactsTable(dynamodb, config.contactsTableName);

type RouteHandler = (event: APIGatewayProxyEvent, pathParameters: Record<string, string>) => Promise<APIGatewayProxyResult>;

const ROUTES: Record<RouteTemplate, Partial<Record<string, RouteHandler>>> = {
  '/appointments': {
    POST: async (event) => {
      const appointment = createAppointment(readJsonBody(event), { id: randomUUID(), now: new Date() });
      // The appointment id is the flow's correlation id: the enrichment and the notifier log it too.
      logger.setCorrelationId(appointment.id);
      await appointments.put(appointment);
      logger.info('appointment created', { appointmentId: appointment.id, email: maskEmail(appointment.email) });
      return jsonResponse(201, appointment, { location: `/appointments/${appointment.id}` });
    },
  },
  '/appointments/{id}': {
    GET: async (_event, { id }) => {
      const appointmentId = parseAppointmentId(id);
      const appointment = await appointments.get(appointmentId);
      if (!appointment) throw notFound('AppointmentNotFound', `appointment ${appointmentId} does not exist`);
      return jsonResponse(200, appointment);
    },
  },
  '/contacts/{email}': {
    PUT: async (event, { email }) => {
      const contactEmail = parseContactEmail(email);
      const contact = setContactPreference(readJsonBody(event), contactEmail, new Date());
      await contacts.put(contact);
      logger.info('contact preference set', { email: maskEmail(contact.id), preferredMethod: contact.preferredMethod });
      return jsonResponse(200, contact);
    },
    GET: async (_event, { email }) => {
      const contactEmail = parseContactEmail(email);
      const contact = await contacts.get(contactEmail);
      if (!contact) throw notFound('ContactNotFound', `no contact preference is set for ${contactEmail}`);
      return jsonResponse(200, contact);
    },
  },
};

/** API Gateway REST (v1 proxy) entry point of every booking route. */
export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  logger.resetKeys();
  logger.addContext(context);
  const requestId = event.requestContext?.requestId ?? context.awsRequestId;
  const method = (event.httpMethod ?? '').toUpperCase();
  try {
    const route = resolveRoute(event.resource, event.path, event.pathParameters);
    if (!route) throw notFound('RouteNotFound', `no route for ${method} ${event.path ?? event.resource ?? ''}`.slice(0, 300));
    const methods = ROUTES[route.template];
    const routeHandler = methods[method];
    if (!routeHandler) {
      const allowed = Object.keys(methods).join(', ');
      throw new HttpError(405, 'MethodNotAllowed', `${method || '(none)'} is not allowed on ${route.template}; use ${allowed}`, [], { allow: allowed });
    }
    const response = await routeHandler(event, route.pathParameters);
    logger.info('request handled', { method, resource: route.template, statusCode: response.statusCode });
    return response;
  } catch (error) {
    return toErrorResponse(error, requestId, method, event.resource);
  }
};

function toErrorResponse(error: unknown, requestId: string, method: string, resource: string | undefined): APIGatewayProxyResult {
  if (error instanceof HttpError) {
    logger.info('request rejected', { method, resource, statusCode: error.statusCode, code: error.code, details: error.details });
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
