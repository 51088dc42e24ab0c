import { ContractValidationError, parseAppointmentRequest, type Appointment } from '../../../contracts';
import { badRequest } from '../../shared/errors';

const TRIMMED_FIELDS = ['patientName', 'email', 'phoneNumber', 'dentist', 'clinic', 'appointmentDateTime', 'notes'] as const;

/**
 * Surrounding whitespace is noise from forms, not data: trim the known string fields before the
 * schema (which rejects untrimmed values) sees them. Everything else is copied as own properties
 * (never through a prototype), so unknown keys, `__proto__` included, still reach the schema's
 * additionalProperties check.
 */
export function trimRequestFields(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const copy = Object.fromEntries(Object.entries(body));
  for (const field of TRIMMED_FIELDS) {
    const value = copy[field];
    if (typeof value === 'string') copy[field] = value.trim();
  }
  return copy;
}

/**
 * Milliseconds of a schema-valid RFC 3339 date-time. `Date.parse` rejects a leap second (`:60`,
 * which RFC 3339 and the schema allow) with NaN, which would read as "in the past"; it is the
 * instant after `:59`.
 */
function instantOf(dateTime: string): number {
  const leapSecond = /^(.{17})60(.*)$/.exec(dateTime);
  return leapSecond ? Date.parse(`${leapSecond[1]}59${leapSecond[2]}`) + 1_000 : Date.parse(dateTime);
}

export interface NewAppointmentContext {
  id: string;
  now: Date;
}

/**
 * Validates a booking request and builds the appointment to store. Throws `HttpError` 400 with
 * every schema problem, or with code AppointmentInPast: a booking for a time that has already
 * begun cannot be notified meaningfully (a domain rule, so not in the schema).
 */
export function createAppointment(body: unknown, { id, now }: NewAppointmentContext): Appointment {
  let request;
  try {
    request = parseAppointmentRequest(trimRequestFields(body));
  } catch (error) {
    if (error instanceof ContractValidationError) {
      throw badRequest('ValidationFailed', 'The appointment request is invalid', error.errors);
    }
    throw error;
  }
  const startsAt = instantOf(request.appointmentDateTime);
  if (!(startsAt > now.getTime())) {
    throw badRequest('AppointmentInPast', `appointmentDateTime ${request.appointmentDateTime} is in the past`, [
      `/appointmentDateTime must be in the future (now is ${now.toISOString()})`,
    ]);
  }
  return { id, ...request, createdAt: now.toISOString(), notificationStatus: 'pending' };
}
