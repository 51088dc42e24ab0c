/**
 * The booking API's routes and who may call each: the one definition that the CDK app deploys
 * (methods, authorizer) and the booking function dispatches on. No CDK or SDK dependency, so
 * `cdk/`, `services/` and `local/` all import it; a test ties the template to the router.
 *
 * - `public`: anyone (rate-limited by WAF and API throttling).
 * - `patient`: a manage token (`Authorization: Bearer <token>`) that was e-mailed to the booking's
 *   address, verified by the booking function; API Gateway lets the request through.
 * - `staff`: a Cognito ID token of the staff user pool, verified by API Gateway's Cognito
 *   authorizer; the function then requires the `staff` group. A method has one authorizer, so
 *   staff's view of a patient resource has a path of its own under `/staff`.
 */
export type RouteAccess = 'public' | 'patient' | 'staff';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway resource path, e.g. `/appointments/{id}` (what `event.resource` names). */
  path: string;
  access: RouteAccess;
  /** What the route does, for the template's documentation and the docs. */
  summary: string;
  /** Method throttling of its own (requests per second, burst), tighter than the stage's. */
  throttle?: 'booking';
}

export const API_ROUTES = [
  { method: 'POST', path: '/appointments', access: 'public', summary: 'book an appointment', throttle: 'booking' },
  { method: 'GET', path: '/dentists', access: 'public', summary: "the practice's dentists, for booking forms" },
  { method: 'GET', path: '/appointments/{id}', access: 'patient', summary: 'read the appointment the manage token is for, with its notifications' },
  { method: 'PATCH', path: '/appointments/{id}', access: 'patient', summary: 'reschedule the appointment the manage token is for (time and/or dentist; If-Match optional)' },
  { method: 'POST', path: '/appointments/{id}/cancel', access: 'patient', summary: 'cancel the appointment the manage token is for (optional reason; If-Match optional)' },
  { method: 'GET', path: '/contacts/{email}', access: 'patient', summary: "read the notification preference of the token's address" },
  { method: 'PUT', path: '/contacts/{email}', access: 'patient', summary: "set the notification preference of the token's address" },
  { method: 'GET', path: '/staff/appointments', access: 'staff', summary: "list a day's appointments (?date=YYYY-MM-DD)" },
  { method: 'GET', path: '/staff/appointments/{id}', access: 'staff', summary: 'read any appointment, with its notifications' },
  { method: 'PATCH', path: '/staff/appointments/{id}', access: 'staff', summary: 'reschedule any appointment (time and/or dentist; If-Match optional)' },
  { method: 'POST', path: '/staff/appointments/{id}/cancel', access: 'staff', summary: 'cancel any appointment (optional reason; If-Match optional)' },
  { method: 'GET', path: '/staff/contacts/{email}', access: 'staff', summary: "read any contact's preference" },
  { method: 'PUT', path: '/staff/contacts/{email}', access: 'staff', summary: "set any contact's preference" },
] as const satisfies readonly ApiRoute[];

export type ApiRouteDefinition = (typeof API_ROUTES)[number];
/** `POST /appointments` and the like: exactly the method-and-path pairs the API defines. */
export type RouteKey = ApiRouteDefinition extends infer Route ? (Route extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never) : never;
export type RoutePath = ApiRouteDefinition['path'];

export const routeKey = (route: { method: string; path: string }): string => `${route.method} ${route.path}`;

/** The Cognito group a staff route requires (checked by the booking function from the token's claims). */
export const STAFF_GROUP = 'staff';
/** What a manage token is for; a token minted for another purpose does not verify as this one. */
export const MANAGE_TOKEN_PURPOSE = 'manage';
