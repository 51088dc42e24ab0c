import { ContractValidationError, parseAppointmentRequest, type Appointment, type ChangeKind, type Notification } from '../../../contracts';
import { instantOf } from '../../common/date-time';
import { badRequest, type HttpError } from '../../common/errors';
import { openingHoursViolation, type OpeningHours } from './opening-hours';

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
  /** When an appointment may start. */
  openingHours: OpeningHours;
}

/** 400 AppointmentInPast unless the start is after `now`. */
export function pastStartViolation(dateTime: string, now: Date): HttpError | undefined {
  if (instantOf(dateTime) > now.getTime()) return undefined;
  return badRequest('AppointmentInPast', `appointmentDateTime ${dateTime} is in the past`, [`/appointmentDateTime must be in the future (now is ${now.toISOString()})`]);
}

/** 400 UnknownDentist unless `dentist` is exactly one of the practice's. */
export function unknownDentistViolation(dentist: string, dentistNames: readonly string[]): HttpError | undefined {
  if (dentistNames.includes(dentist)) return undefined;
  return badRequest('UnknownDentist', "dentist must be one of the practice's dentists (GET /dentists)", [`/dentist must be one of: ${dentistNames.join(', ')}`.slice(0, 500)]);
}

/** The pending notification row a change writes with the appointment (same transaction): `change-<version>`. */
export function pendingChangeNotification(appointment: Appointment, kind: ChangeKind = appointment.lastChange.kind): Notification {
  return {
    appointmentId: appointment.id,
    notificationId: `change-${appointment.version}`,
    kind,
    version: appointment.version,
    status: 'pending',
    updatedAt: appointment.updatedAt,
  };
}

/**
 * Validates a booking request and builds the appointment to store (version 1, booked by the
 * patient). Throws `HttpError` 400 with every schema problem, with code AppointmentInPast (a
 * booking for a time that has already begun cannot be notified meaningfully), OutsideOpeningHours
 * (the start must be within the practice's hours, on its clock), or UnknownDentist (the dentist
 * appears in the practice's e-mails, so it must be one of the practice's, not words a caller
 * chose): domain rules, not in the schema, checked in that order.
 */
export function createAppointment(body: unknown, { id, now, dentistNames, openingHours }: NewAppointmentContext): Appointment {
  let request;
  try {
    request = parseAppointmentRequest(trimRequestFields(body));
  } catch (error) {
    if (error instanceof ContractValidationError) {
      throw badRequest('ValidationFailed', 'The appointment request is invalid', error.errors);
    }
    throw error;
  }
  const violation =
    pastStartViolation(request.appointmentDateTime, now) ?? openingHoursViolation(request.appointmentDateTime, openingHours) ?? unknownDentistViolation(request.dentist, dentistNames);
  if (violation) throw violation;
  const at = now.toISOString();
  return {
    id,
    ...request,
    appointmentDate: appointmentDateOf(request.appointmentDateTime),
    createdAt: at,
    status: 'booked',
    version: 1,
    updatedAt: at,
    lastChange: { kind: 'booked', at, by: 'patient' },
  };
}

/** The day in the appointment's own offset: "2031-03-14T00:30:00+01:00" is on the 14th at the clinic. */
export function appointmentDateOf(dateTime: string): string {
  return dateTime.slice(0, 10);
}
