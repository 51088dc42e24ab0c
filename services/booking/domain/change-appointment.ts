import {
  ContractValidationError,
  parseAppointmentCancellation,
  parseAppointmentChange,
  type Appointment,
  type AppointmentCancellation,
  type AppointmentChange,
} from '../../../contracts';
import { instantOf } from '../../common/date-time';
import { HttpError, badRequest } from '../../common/errors';
import type { ChangedField } from '../adapters/appointments-table';
import { appointmentDateOf, pastStartViolation, trimRequestFields, unknownDentistViolation } from './create-appointment';
import { openingHoursViolation, type OpeningHours } from './opening-hours';

export type ChangedBy = Appointment['lastChange']['by'];

export interface ChangeContext {
  now: Date;
  by: ChangedBy;
  dentistNames: readonly string[];
  openingHours: OpeningHours;
}

/** A change to write: the next state and the attributes it sets; or nothing to write. */
export type ChangePlan = { kind: 'unchanged' } | { kind: 'changed'; next: Appointment; fields: ChangedField[] };

/** The body of a PATCH, validated (400 ValidationFailed listing every problem; `{}` names no field). */
export function parseChangeRequest(body: unknown): AppointmentChange {
  try {
    return parseAppointmentChange(trimRequestFields(body));
  } catch (error) {
    if (error instanceof ContractValidationError) throw badRequest('ValidationFailed', 'The appointment change is invalid', error.errors);
    throw error;
  }
}

/** The body of a cancel, validated; no body at all is `{}`. */
export function parseCancellationRequest(body: unknown): AppointmentCancellation {
  const input = body === undefined ? {} : body;
  const trimmed =
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? Object.fromEntries(Object.entries(input).map(([key, value]) => [key, key === 'reason' && typeof value === 'string' ? value.trim() : value]))
      : input;
  try {
    return parseAppointmentCancellation(trimmed);
  } catch (error) {
    if (error instanceof ContractValidationError) throw badRequest('ValidationFailed', 'The cancellation is invalid', error.errors);
    throw error;
  }
}

/** 409 unless the appointment can still be changed: booked, and not yet started. */
export function assertChangeable(current: Appointment, now: Date): void {
  if (current.status === 'cancelled') {
    throw new HttpError(409, 'AppointmentCancelled', `appointment ${current.id} is cancelled; a cancelled appointment cannot be changed`);
  }
  if (!(instantOf(current.appointmentDateTime) > now.getTime())) {
    throw new HttpError(409, 'AppointmentInPast', `appointment ${current.id} started at ${current.appointmentDateTime}; it can no longer be changed`);
  }
}

/**
 * A reschedule of `current` (already checked changeable): a new time must be in the future and in
 * opening hours, a new dentist one of the practice's. The same instant written in another offset,
 * or the dentist it already has, is no change: a retried PATCH writes nothing.
 */
export function planReschedule(current: Appointment, change: AppointmentChange, context: ChangeContext): ChangePlan {
  const newTime = change.appointmentDateTime !== undefined && instantOf(change.appointmentDateTime) !== instantOf(current.appointmentDateTime) ? change.appointmentDateTime : undefined;
  const newDentist = change.dentist !== undefined && change.dentist !== current.dentist ? change.dentist : undefined;
  if (newTime !== undefined) {
    const violation = pastStartViolation(newTime, context.now) ?? openingHoursViolation(newTime, context.openingHours);
    if (violation) throw violation;
  }
  if (newDentist !== undefined) {
    const violation = unknownDentistViolation(newDentist, context.dentistNames);
    if (violation) throw violation;
  }
  if (newTime === undefined && newDentist === undefined) return { kind: 'unchanged' };
  const at = context.now.toISOString();
  const appointmentDateTime = newTime ?? current.appointmentDateTime;
  const next: Appointment = {
    ...current,
    appointmentDateTime,
    appointmentDate: appointmentDateOf(appointmentDateTime),
    dentist: newDentist ?? current.dentist,
    version: current.version + 1,
    updatedAt: at,
    lastChange: {
      kind: 'rescheduled',
      at,
      by: context.by,
      ...(newTime !== undefined ? { previousAppointmentDateTime: current.appointmentDateTime } : {}),
      ...(newDentist !== undefined ? { previousDentist: current.dentist } : {}),
    },
  };
  return { kind: 'changed', next, fields: ['appointmentDateTime', 'appointmentDate', 'dentist', 'version', 'updatedAt', 'lastChange'] };
}

/** The cancellation of `current` (already checked changeable). */
export function planCancellation(current: Appointment, cancellation: AppointmentCancellation, context: Pick<ChangeContext, 'now' | 'by'>): ChangePlan & { kind: 'changed' } {
  const at = context.now.toISOString();
  const next: Appointment = {
    ...current,
    status: 'cancelled',
    version: current.version + 1,
    updatedAt: at,
    lastChange: { kind: 'cancelled', at, by: context.by },
    ...(cancellation.reason !== undefined ? { cancellationReason: cancellation.reason } : {}),
  };
  const fields: ChangedField[] = ['status', 'version', 'updatedAt', 'lastChange'];
  if (cancellation.reason !== undefined) fields.push('cancellationReason');
  return { kind: 'changed', next, fields };
}
