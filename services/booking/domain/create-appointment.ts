import { ContractValidationError, parseAppointmentRequest, type Appointment } from '../../../contracts';
import { instantOf } from '../../common/date-time';
import { badRequest } from '../../common/errors';

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

export interface NewAppointmentContext {
  id: string;
  now: Date;
  /** The practice's dentists by name: `dentist` must be one of them (never free text a caller typed). */
  dentistNames: readonly string[];
}

/**
 * Validates a booking request and builds the appointment to store. Throws `HttpError` 400 with
 * every schema problem, with code AppointmentInPast (a booking for a time that has already begun
 * cannot be notified meaningfully), or UnknownDentist (the dentist appears in the practice's
 * e-mails, so it must be one of the practice's, not words a caller chose): domain rules, not in
 * the schema.
 */
export function createAppointment(body: unknown, { id, now, dentistNames }: NewAppointmentContext): Appointment {
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
  if (!dentistNames.includes(request.dentist)) {
    throw badRequest('UnknownDentist', 'dentist must be one of the practice\'s dentists (GET /dentists)', [
      `/dentist must be one of: ${dentistNames.join(', ')}`.slice(0, 500),
    ]);
  }
  // The day in the appointment's own offset: "2031-03-14T00:30:00+01:00" is on the 14th at the clinic.
  const appointmentDate = request.appointmentDateTime.slice(0, 10);
  return { id, ...request, appointmentDate, createdAt: now.toISOString(), notificationStatus: 'pending' };
}
