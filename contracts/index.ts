/**
 * The system's message contracts: JSON Schemas (draft 2020-12) compiled once, at module scope,
 * into ajv validators, exposed as typed `parseX` (throws), `validateX` (problems) and `isX` (guard).
 * The types are generated from the same schemas (contracts/types, `npm run types`).
 */
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import appointmentRequestSchema from './schemas/appointment-request.schema.json';
import appointmentSchema from './schemas/appointment.schema.json';
import enrichedAppointmentSchema from './schemas/enriched-appointment.schema.json';
import contactRequestSchema from './schemas/contact-request.schema.json';
import contactSchema from './schemas/contact.schema.json';
import notificationResultSchema from './schemas/notification-result.schema.json';
import errorResponseSchema from './schemas/error-response.schema.json';

import type { AppointmentRequest } from './types/appointment-request';
import type { Appointment } from './types/appointment';
import type { EnrichedAppointment } from './types/enriched-appointment';
import type { ContactRequest } from './types/contact-request';
import type { Contact } from './types/contact';
import type { NotificationResult } from './types/notification-result';
import type { ErrorResponse } from './types/error-response';

export type {
  AppointmentRequest,
  Appointment,
  EnrichedAppointment,
  ContactRequest,
  Contact,
  NotificationResult,
  ErrorResponse,
};

export type PreferredMethod = EnrichedAppointment['preferredMethod'];
export type NotificationStatus = Appointment['notificationStatus'];
export type NotificationChannel = NotificationResult['channel'];

// Event names and stable keys other parts of the system match on.
/** The only DynamoDB stream event the pipe lets through (its filter is `{"eventName":["INSERT"]}`). */
export const APPOINTMENT_INSERT_EVENT_NAME = 'INSERT';
/** Message of the notifier's one structured log line per outcome. */
export const NOTIFICATION_OUTCOME_LOG_MESSAGE = 'notification outcome';
/** Key of that log line holding a `notification-result`. */
export const NOTIFICATION_RESULT_LOG_KEY = 'notificationResult';
export const PREFERRED_METHODS: readonly PreferredMethod[] = ['email', 'sms', 'none'];
export const NOTIFICATION_STATUSES: readonly NotificationStatus[] = ['pending', 'sent', 'skipped', 'suppressed', 'failed'];

export const SCHEMAS = {
  appointmentRequest: appointmentRequestSchema,
  appointment: appointmentSchema,
  enrichedAppointment: enrichedAppointmentSchema,
  contactRequest: contactRequestSchema,
  contact: contactSchema,
  notificationResult: notificationResultSchema,
  errorResponse: errorResponseSchema,
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
// "must match pattern ^\+[1-9]\d{6,14}$" helps nobody who sent a phone number.
const PATTERN_MESSAGE_KEYWORD = 'x-pattern-message';

const ajv = new Ajv2020({ allErrors: true, verbose: true });
addFormats(ajv);
ajv.addKeyword({ keyword: PATTERN_MESSAGE_KEYWORD, schemaType: 'string' });

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? '/' : error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where} must NOT have additional property "${String(error.params.additionalProperty)}"`;
    case 'required':
      return `${where === '/' ? '' : where}/${String(error.params.missingProperty)} is required`;
    case 'pattern': {
      const hint = (error.parentSchema as Record<string, unknown> | undefined)?.[PATTERN_MESSAGE_KEYWORD];
      return `${where} ${typeof hint === 'string' ? hint : error.message ?? 'is invalid'}`;
    }
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
function describeAll(errors: readonly ErrorObject[] | null | undefined): string[] {
  const messages = (errors ?? []).filter((error) => error.keyword !== 'if').map(describe);
  return [...new Set(messages)];
}

interface Contract<T> {
  validate: (data: unknown) => string[];
  is: (data: unknown) => data is T;
  parse: (data: unknown) => T;
}

function contract<T>(name: ContractName): Contract<T> {
  const compiled = ajv.compile(SCHEMAS[name]) as ValidateFunction<T>;
  return {
    validate: (data) => (compiled(data) ? [] : describeAll(compiled.errors)),
    is: (data): data is T => compiled(data),
    parse: (data) => {
      if (compiled(data)) return data;
      throw new ContractValidationError(name, describeAll(compiled.errors));
    },
  };
}

const appointmentRequest = contract<AppointmentRequest>('appointmentRequest');
const appointment = contract<Appointment>('appointment');
const enrichedAppointment = contract<EnrichedAppointment>('enrichedAppointment');
const contactRequest = contract<ContactRequest>('contactRequest');
const contact = contract<Contact>('contact');
const notificationResult = contract<NotificationResult>('notificationResult');
const errorResponse = contract<ErrorResponse>('errorResponse');

export const parseAppointmentRequest = appointmentRequest.parse;
export const validateAppointmentRequest = appointmentRequest.validate;
export const isAppointmentRequest = appointmentRequest.is;

export const parseAppointment = appointment.parse;
export const validateAppointment = appointment.validate;
export const isAppointment = appointment.is;

export const parseEnrichedAppointment = enrichedAppointment.parse;
export const validateEnrichedAppointment = enrichedAppointment.validate;
export const isEnrichedAppointment = enrichedAppointment.is;

export const parseContactRequest = contactRequest.parse;
export const validateContactRequest = contactRequest.validate;
export const isContactRequest = contactRequest.is;

export const parseContact = contact.parse;
export const validateContact = contact.validate;
export const isContact = contact.is;

export const parseNotificationResult = notificationResult.parse;
export const validateNotificationResult = notificationResult.validate;
export const isNotificationResult = notificationResult.is;

export const parseErrorResponse = errorResponse.parse;
export const validateErrorResponse = errorResponse.validate;
export const isErrorResponse = errorResponse.is;

/** Validates against any contract by name (fixtures, contract tests). */
export function validateContract(name: ContractName, data: unknown): string[] {
  return { appointmentRequest, appointment, enrichedAppointment, contactRequest, contact, notificationResult, errorResponse }[
    name
  ].validate(data);
}
