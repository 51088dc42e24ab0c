import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Appointment } from '../../../contracts';
import type { RouteAccess } from '../../../contracts/api-routes';
import { checkAgainstNothing, checkManageToken, parseManageToken } from '../../common/security/manage-token';
import type { SecretKeySource } from '../../common/security/secret-key';
import type { AppointmentsTable } from '../adapters/appointments-table';
import { claimGroups, type Caller } from '../domain/access-policy';
import { headerValue } from './read-json-body';

export interface IdentifyDependencies {
  manageTokenKey: SecretKeySource;
  appointments: Pick<AppointmentsTable, 'get'>;
  now: Date;
}

/** The caller, and for a patient the appointment its token opened (already read to check the token). */
export interface Identification {
  caller: Caller;
  tokenAppointment?: Appointment;
}

const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/**
 * Who the credentials of a request prove the caller to be, for the route's kind of access.
 * Staff: the claims API Gateway's Cognito authorizer attached (no claims, no staff). Patient: the
 * `Authorization: Bearer <manage token>` header, whose signature is checked against the address
 * of the appointment the token names. Nothing here logs a header or a token.
 */
export async function identifyCaller(access: RouteAccess, event: APIGatewayProxyEvent, deps: IdentifyDependencies): Promise<Identification> {
  if (access === 'public') return { caller: { kind: 'anonymous' } };
  if (access === 'staff') {
    const claims = (event.requestContext?.authorizer as { claims?: Record<string, unknown> } | null | undefined)?.claims;
    if (!claims || typeof claims.sub !== 'string' || claims.sub === '') return { caller: { kind: 'anonymous' } };
    const username = typeof claims['cognito:username'] === 'string' ? claims['cognito:username'] : claims.sub;
    return { caller: { kind: 'staff', username, groups: claimGroups(claims['cognito:groups']) } };
  }
  const header = headerValue(event.headers, 'authorization');
  if (header === undefined || header.trim() === '') return { caller: { kind: 'anonymous' } };
  const bearer = BEARER.exec(header);
  if (!bearer) return { caller: { kind: 'rejected', reason: 'malformed' } };
  const parsed = parseManageToken(bearer[1]!);
  if (!parsed) return { caller: { kind: 'rejected', reason: 'invalid' } };
  const key = await deps.manageTokenKey.get();
  const appointment = await deps.appointments.get(parsed.appointmentId);
  if (!appointment) {
    checkAgainstNothing(key, parsed);
    return { caller: { kind: 'rejected', reason: 'invalid' } };
  }
  const check = checkManageToken(key, parsed, appointment.email, deps.now);
  if (check !== 'valid') return { caller: { kind: 'rejected', reason: check } };
  return { caller: { kind: 'patient', appointmentId: appointment.id, email: appointment.email.toLowerCase() }, tokenAppointment: appointment };
}
