import { STAFF_GROUP, type RouteAccess } from '../../../contracts/api-routes';
import { HttpError } from '../../common/errors';

/**
 * Who is calling, as far as the credentials prove it. A patient is proved by a manage token whose
 * signature checked out against the booking's own address; staff by the claims API Gateway's
 * Cognito authorizer put on the request after verifying the ID token.
 */
export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'rejected'; reason: 'malformed' | 'invalid' | 'expired' }
  | { kind: 'patient'; appointmentId: string; email: string }
  | { kind: 'staff'; username: string; groups: string[] };

/** What a route acts on, for the patient checks: the appointment id or the contact's address in the path. */
export interface Target {
  appointmentId?: string;
  contactEmail?: string;
}

const unauthorized = (message: string): HttpError => new HttpError(401, 'Unauthorized', message, [], { 'www-authenticate': 'Bearer' });
const forbidden = (message: string): HttpError => new HttpError(403, 'Forbidden', message);

const PATIENT_CREDENTIALS = 'Send the manage token from your confirmation e-mail as "Authorization: Bearer <token>"';

/**
 * The one authorization decision of the API: allows the call, or throws 401 (no or bad
 * credentials) or 403 (good credentials that do not cover this target). Answers never say whether
 * an appointment or an address exists: a wrong token and an unknown id both get the same 401.
 */
export function authorize(access: RouteAccess, caller: Caller, target: Target): void {
  if (access === 'public') return;
  if (access === 'staff') {
    if (caller.kind !== 'staff') throw unauthorized('Sign in as staff: send a valid staff ID token as the Authorization header');
    if (!caller.groups.includes(STAFF_GROUP)) throw forbidden(`This route is for the ${STAFF_GROUP} group`);
    return;
  }
  // Patient routes.
  switch (caller.kind) {
    case 'anonymous':
      throw unauthorized(`${PATIENT_CREDENTIALS}.`);
    case 'rejected':
      throw unauthorized(caller.reason === 'expired' ? 'This manage link has expired; contact the practice' : `The token is not valid. ${PATIENT_CREDENTIALS}.`);
    case 'staff':
      throw unauthorized('Staff use the /staff routes');
    case 'patient':
      if (target.appointmentId !== undefined && target.appointmentId !== caller.appointmentId) {
        throw forbidden('This manage token is for another appointment');
      }
      if (target.contactEmail !== undefined && target.contactEmail !== caller.email.toLowerCase()) {
        throw forbidden('This manage token is for another address');
      }
      return;
  }
}

/**
 * The `cognito:groups` claim as API Gateway REST passes it to a proxy integration: a string such
 * as `staff` or `[staff, admin]` (or `staff,admin`), or an array from other callers.
 */
export function claimGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((group): group is string => typeof group === 'string');
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((group) => group !== '');
}
