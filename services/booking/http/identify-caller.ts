import type { APIGatewayProxyEvent } from 'aws-lambda';
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

const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/**
 * Who the credentials of a request prove the caller to be, for the route's kind of access.
 * Staff: the claims API Gateway's Cognito authorizer attached (no claims, no staff). Patient: the
 * `Authorization: Bearer <manage token>` header, whose signature is checked against the address
 * of the appointment the token names. Nothing here logs a header or a token.
 */
export async function identifyCaller(access: RouteAccess, event: APIGatewayProxyEvent, deps: IdentifyDependencies): Promise<Caller> {
  if (access === 'public') return { kind: 'anonymous' };
  if (access === 'staff') {
    const claims = (event.requestContext?.authorizer as { claims?: Record<string, unknown> } | null | undefined)?.claims;
    if (!claims || typeof claims.sub !== 'string' || claims.sub === '') return { kind: 'anonymous' };
    const username = typeof claims['cognito:username'] === 'string' ? claims['cognito:username'] : claims.sub;
    return { kind: 'staff', username, groups: claimGroups(claims['cognito:groups']) };
  }
  const header = headerValue(event.headers, 'authorization');
  if (header === undefined || header.trim() === '') return { kind: 'anonymous' };
  const bearer = BEARER.exec(header);
  if (!bearer) return { kind: 'rejected', reason: 'malformed' };
  const parsed = parseManageToken(bearer[1]!);
  if (!parsed) return { kind: 'rejected', reason: 'invalid' };
  const key = await deps.manageTokenKey.get();
  const appointment = await deps.appointments.get(parsed.appointmentId);
  if (!appointment) {
    checkAgainstNothing(key, parsed);
    return { kind: 'rejected', reason: 'invalid' };
  }
  const check = checkManageToken(key, parsed, appointment.email, deps.now);
  if (check !== 'valid') return { kind: 'rejected', reason: check };
  return { kind: 'patient', appointmentId: appointment.id, email: appointment.email.toLowerCase() };
}
