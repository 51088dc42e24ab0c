/**
 * The system's message contracts: JSON Schemas (draft 2020-12), precompiled at build time into
 * ajv's standalone validators (contracts/validators, `npm run types`: no schema is compiled at
 * cold start and no function ships ajv's compiler), exposed as typed `parseX` (throws),
 * `validateX` (problems) and `isX` (guard). The types are generated from the same schemas
 * (contracts/types). Every export is a plain function declaration, so a bundler keeps only the
 * validators a function calls (contracts/validators/package.json marks them free of side effects).
 */
import type { ErrorObject } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';

import { validate as appointmentRequestValidator, patternMessages as appointmentRequestPatterns } from './validators/appointment-request';
import { validate as appointmentValidator, patternMessages as appointmentPatterns } from './validators/appointment';
import { validate as enrichedAppointmentValidator, patternMessages as enrichedAppointmentPatterns } from './validators/enriched-appointment';
import { validate as contactRequestValidator, patternMessages as contactRequestPatterns } from './validators/contact-request';
import { validate as contactValidator, patternMessages as contactPatterns } from './validators/contact';
import { validate as notificationResultValidator, patternMessages as notificationResultPatterns } from './validators/notification-result';
import { validate as errorResponseValidator, patternMessages as errorResponsePatterns } from './validators/error-response';
import { validate as appointmentChangeValidator, patternMessages as appointmentChangePatterns } from './validators/appointment-change';
import { validate as appointmentCancellationValidator, patternMessages as appointmentCancellationPatterns } from './validators/appointment-cancellation';
import { validate as appointmentViewValidator, patternMessages as appointmentViewPatterns } from './validators/appointment-view';
import { validate as notificationValidator, patternMessages as notificationPatterns } from './validators/notification';
import { validate as reminderRequestValidator, patternMessages as reminderRequestPatterns } from './validators/reminder-request';

import appointmentRequestSchema from './schemas/appointment-request.schema.json';
import appointmentSchema from './schemas/appointment.schema.json';
import enrichedAppointmentSchema from './schemas/enriched-appointment.schema.json';
import contactRequestSchema from './schemas/contact-request.schema.json';
import contactSchema from './schemas/contact.schema.json';
import notificationResultSchema from './schemas/notification-result.schema.json';
import errorResponseSchema from './schemas/error-response.schema.json';
import appointmentChangeSchema from './schemas/appointment-change.schema.json';
import appointmentCancellationSchema from './schemas/appointment-cancellation.schema.json';
import appointmentViewSchema from './schemas/appointment-view.schema.json';
import notificationSchema from './schemas/notification.schema.json';
import reminderRequestSchema from './schemas/reminder-request.schema.json';

import type { AppointmentRequest } from './types/appointment-request';
import type { Appointment } from './types/appointment';
import type { EnrichedAppointment } from './types/enriched-appointment';
import type { ContactRequest } from './types/contact-request';
import type { Contact } from './types/contact';
import type { NotificationResult } from './types/notification-result';
import type { ErrorResponse } from './types/error-response';
import type { AppointmentChange } from './types/appointment-change';
import type { AppointmentCancellation } from './types/appointment-cancellation';
import type { AppointmentView } from './types/appointment-view';
import type { Notification } from './types/notification';
import type { ReminderRequest } from './types/reminder-request';

export type {
  AppointmentRequest,
  Appointment,
  EnrichedAppointment,
  ContactRequest,
  Contact,
  NotificationResult,
  ErrorResponse,
  AppointmentChange,
  AppointmentCancellation,
  AppointmentView,
  Notification,
  ReminderRequest,
};

export type PreferredMethod = EnrichedAppointment['preferredMethod'];
export type NotificationStatus = Notification['status'];
export type NotificationKind = Notification['kind'];
export type ChangeKind = Appointment['lastChange']['kind'];
export type AppointmentStatus = Appointment['status'];
export type NotificationChannel = NotificationResult['channel'];

// Event names and stable keys other parts of the system match on: the shared facts.
export { APPOINTMENT_INSERT_EVENT_NAME, NOTIFICATION_OUTCOME_LOG_MESSAGE, NOTIFICATION_RESULT_LOG_KEY, CORRELATION_ID_LOG_KEY } from './system-facts';
export const PREFERRED_METHODS: readonly PreferredMethod[] = ['email', 'sms', 'none'];
export const NOTIFICATION_STATUSES: readonly NotificationStatus[] = ['pending', 'sent', 'skipped', 'suppressed', 'failed'];
export const NOTIFICATION_KINDS: readonly NotificationKind[] = ['booked', 'rescheduled', 'cancelled', 'reminder'];
export const CHANGE_KINDS: readonly ChangeKind[] = ['booked', 'rescheduled', 'cancelled'];

export const SCHEMAS = {
  appointmentRequest: appointmentRequestSchema,
  appointment: appointmentSchema,
  enrichedAppointment: enrichedAppointmentSchema,
  contactRequest: contactRequestSchema,
  contact: contactSchema,
  notificationResult: notificationResultSchema,
  errorResponse: errorResponseSchema,
  appointmentChange: appointmentChangeSchema,
  appointmentCancellation: appointmentCancellationSchema,
  appointmentView: appointmentViewSchema,
  notification: notificationSchema,
  reminderRequest: reminderRequestSchema,
} as const;
export type ContractName = keyof typeof SCHEMAS;

/** Thrown by every `parseX` when the data breaks the contract; `errors` lists every problem. */
export class ContractValidationError extends Error {
  readonly code = 'ContractValidation';
  override readonly name = 'ContractValidationError';
  constructor(
    readonly contract: ContractName,
    readonly errors: string[],
  ) {
    super(`invalid ${contract}: ${errors.join('; ')}`);
  }
}

// A schema may carry `x-pattern-message`: what its `pattern` means, in words, because
// "must match pattern ^\+[1-9]\d{6,14}$" helps nobody who sent a phone number. The generator
// exports them by schema path (`patternMessages` of each validator module).
type PatternMessages = Readonly<Record<string, string>>;

/** A generated standalone validator: true when valid, else its problems in `errors`. */
type CompiledValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

function describe(error: ErrorObject, patternMessages: PatternMessages): string {
  const where = error.instancePath === '' ? '/' : error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where} must NOT have additional property "${String(error.params.additionalProperty)}"`;
    case 'required':
      return `${where === '/' ? '' : where}/${String(error.params.missingProperty)} is required`;
    case 'pattern': {
      const hint = patternMessages[error.schemaPath];
      return `${where} ${hint ?? error.message ?? 'is invalid'}`;
    }
    case 'minProperties':
      return `${where} must not be empty: name at least one field`;
    case 'const':
      return `${where} must be ${JSON.stringify(error.params.allowedValue)}`;
    case 'format':
      return error.params.format === 'date-time'
        ? `${where} must match format "date-time" (RFC 3339 with a time-zone offset, e.g. 2030-01-31T09:30:00+01:00)`
        : `${where} ${error.message ?? 'is invalid'}`;
    case 'enum':
      return `${where} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

/** ajv reports a failed `if`/`then` twice (the branch and "must match then schema"); keep the cause. */
function describeAll(errors: readonly ErrorObject[] | null | undefined, patternMessages: PatternMessages): string[] {
  const messages = (errors ?? []).filter((error) => error.keyword !== 'if').map((error) => describe(error, patternMessages));
  return [...new Set(messages)];
}

function problemsOf(validator: CompiledValidator, patternMessages: PatternMessages, data: unknown): string[] {
  return validator(data) ? [] : describeAll(validator.errors, patternMessages);
}

function parseWith<T>(name: ContractName, validator: CompiledValidator, patternMessages: PatternMessages, data: unknown): T {
  if (validator(data)) return data as T;
  throw new ContractValidationError(name, describeAll(validator.errors, patternMessages));
}

export function parseAppointmentRequest(data: unknown): AppointmentRequest {
  return parseWith<AppointmentRequest>('appointmentRequest', appointmentRequestValidator as CompiledValidator, appointmentRequestPatterns, data);
}
export function validateAppointmentRequest(data: unknown): string[] {
  return problemsOf(appointmentRequestValidator as CompiledValidator, appointmentRequestPatterns, data);
}
export function isAppointmentRequest(data: unknown): data is AppointmentRequest {
  return (appointmentRequestValidator as CompiledValidator)(data);
}

export function parseAppointment(data: unknown): Appointment {
  return parseWith<Appointment>('appointment', appointmentValidator as CompiledValidator, appointmentPatterns, data);
}
export function validateAppointment(data: unknown): string[] {
  return problemsOf(appointmentValidator as CompiledValidator, appointmentPatterns, data);
}
export function isAppointment(data: unknown): data is Appointment {
  return (appointmentValidator as CompiledValidator)(data);
}

export function parseEnrichedAppointment(data: unknown): EnrichedAppointment {
  return parseWith<EnrichedAppointment>('enrichedAppointment', enrichedAppointmentValidator as CompiledValidator, enrichedAppointmentPatterns, data);
}
export function validateEnrichedAppointment(data: unknown): string[] {
  return problemsOf(enrichedAppointmentValidator as CompiledValidator, enrichedAppointmentPatterns, data);
}
export function isEnrichedAppointment(data: unknown): data is EnrichedAppointment {
  return (enrichedAppointmentValidator as CompiledValidator)(data);
}

export function parseContactRequest(data: unknown): ContactRequest {
  return parseWith<ContactRequest>('contactRequest', contactRequestValidator as CompiledValidator, contactRequestPatterns, data);
}
export function validateContactRequest(data: unknown): string[] {
  return problemsOf(contactRequestValidator as CompiledValidator, contactRequestPatterns, data);
}
export function isContactRequest(data: unknown): data is ContactRequest {
  return (contactRequestValidator as CompiledValidator)(data);
}

export function parseContact(data: unknown): Contact {
  return parseWith<Contact>('contact', contactValidator as CompiledValidator, contactPatterns, data);
}
export function validateContact(data: unknown): string[] {
  return problemsOf(contactValidator as CompiledValidator, contactPatterns, data);
}
export function isContact(data: unknown): data is Contact {
  return (contactValidator as CompiledValidator)(data);
}

export function parseNotificationResult(data: unknown): NotificationResult {
  return parseWith<NotificationResult>('notificationResult', notificationResultValidator as CompiledValidator, notificationResultPatterns, data);
}
export function validateNotificationResult(data: unknown): string[] {
  return problemsOf(notificationResultValidator as CompiledValidator, notificationResultPatterns, data);
}
export function isNotificationResult(data: unknown): data is NotificationResult {
  return (notificationResultValidator as CompiledValidator)(data);
}

export function parseErrorResponse(data: unknown): ErrorResponse {
  return parseWith<ErrorResponse>('errorResponse', errorResponseValidator as CompiledValidator, errorResponsePatterns, data);
}
export function validateErrorResponse(data: unknown): string[] {
  return problemsOf(errorResponseValidator as CompiledValidator, errorResponsePatterns, data);
}
export function isErrorResponse(data: unknown): data is ErrorResponse {
  return (errorResponseValidator as CompiledValidator)(data);
}

export function parseAppointmentChange(data: unknown): AppointmentChange {
  return parseWith<AppointmentChange>('appointmentChange', appointmentChangeValidator as CompiledValidator, appointmentChangePatterns, data);
}
export function validateAppointmentChange(data: unknown): string[] {
  return problemsOf(appointmentChangeValidator as CompiledValidator, appointmentChangePatterns, data);
}
export function isAppointmentChange(data: unknown): data is AppointmentChange {
  return (appointmentChangeValidator as CompiledValidator)(data);
}

export function parseAppointmentCancellation(data: unknown): AppointmentCancellation {
  return parseWith<AppointmentCancellation>('appointmentCancellation', appointmentCancellationValidator as CompiledValidator, appointmentCancellationPatterns, data);
}
export function validateAppointmentCancellation(data: unknown): string[] {
  return problemsOf(appointmentCancellationValidator as CompiledValidator, appointmentCancellationPatterns, data);
}
export function isAppointmentCancellation(data: unknown): data is AppointmentCancellation {
  return (appointmentCancellationValidator as CompiledValidator)(data);
}

export function parseAppointmentView(data: unknown): AppointmentView {
  return parseWith<AppointmentView>('appointmentView', appointmentViewValidator as CompiledValidator, appointmentViewPatterns, data);
}
export function validateAppointmentView(data: unknown): string[] {
  return problemsOf(appointmentViewValidator as CompiledValidator, appointmentViewPatterns, data);
}
export function isAppointmentView(data: unknown): data is AppointmentView {
  return (appointmentViewValidator as CompiledValidator)(data);
}

export function parseNotification(data: unknown): Notification {
  return parseWith<Notification>('notification', notificationValidator as CompiledValidator, notificationPatterns, data);
}
export function validateNotification(data: unknown): string[] {
  return problemsOf(notificationValidator as CompiledValidator, notificationPatterns, data);
}
export function isNotification(data: unknown): data is Notification {
  return (notificationValidator as CompiledValidator)(data);
}

export function parseReminderRequest(data: unknown): ReminderRequest {
  return parseWith<ReminderRequest>('reminderRequest', reminderRequestValidator as CompiledValidator, reminderRequestPatterns, data);
}
export function validateReminderRequest(data: unknown): string[] {
  return problemsOf(reminderRequestValidator as CompiledValidator, reminderRequestPatterns, data);
}
export function isReminderRequest(data: unknown): data is ReminderRequest {
  return (reminderRequestValidator as CompiledValidator)(data);
}

/**
 * The schemas' e-mail rule (`format: email` in ajv-formats' full mode, at most 254 characters)
 * without a whole contract's validator: for a function that checks one address (the notifier's
 * sender) and ships no contract holding it.
 */
export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && (fullFormats.email as RegExp).test(value);
}

/** Validates against any contract by name (fixtures, contract tests); ships every validator. */
export function validateContract(name: ContractName, data: unknown): string[] {
  const validators: Record<ContractName, [unknown, PatternMessages]> = {
    appointmentRequest: [appointmentRequestValidator, appointmentRequestPatterns],
    appointment: [appointmentValidator, appointmentPatterns],
    enrichedAppointment: [enrichedAppointmentValidator, enrichedAppointmentPatterns],
    contactRequest: [contactRequestValidator, contactRequestPatterns],
    contact: [contactValidator, contactPatterns],
    notificationResult: [notificationResultValidator, notificationResultPatterns],
    errorResponse: [errorResponseValidator, errorResponsePatterns],
    appointmentChange: [appointmentChangeValidator, appointmentChangePatterns],
    appointmentCancellation: [appointmentCancellationValidator, appointmentCancellationPatterns],
    appointmentView: [appointmentViewValidator, appointmentViewPatterns],
    notification: [notificationValidator, notificationPatterns],
    reminderRequest: [reminderRequestValidator, reminderRequestPatterns],
  };
  const entry = Object.prototype.hasOwnProperty.call(validators, name) ? validators[name] : undefined;
  if (entry === undefined) throw new TypeError(`unknown contract ${JSON.stringify(name)}`);
  return problemsOf(entry[0] as CompiledValidator, entry[1], data);
}
