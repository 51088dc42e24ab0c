import { ConfigurationError, readAwsConnection, requireString, type AwsConnection, type Environment } from '../common/config-env';
import { openingHoursProblems, type OpeningHours } from './domain/opening-hours';

export interface Dentist {
  id: string;
  name: string;
}

export interface BookingConfig {
  appointmentsTableName: string;
  /** The appointments table's index by `appointmentDate` (staff list a day). */
  appointmentsByDateIndexName: string;
  contactsTableName: string;
  /** Secrets Manager ARN of the manage-token HMAC key. */
  manageTokenSecretArn: string;
  /** The practice's dentists: a booking must name one; `GET /dentists` lists them. */
  dentists: Dentist[];
  /** One row per notification of an appointment (the change rows are written with each change). */
  notificationsTableName: string;
  /** When a booking or a reschedule may start. */
  openingHours: OpeningHours;
  aws: AwsConnection;
}

function parseOpeningHours(raw: string): OpeningHours {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigurationError('OPENING_HOURS', 'must be JSON {"timeZone":"Europe/London","weekly":{"1":{"opens":"08:00","closes":"18:00"},...}}');
  }
  const problems = openingHoursProblems(parsed);
  if (problems.length > 0) throw new ConfigurationError('OPENING_HOURS', `is invalid: ${problems.join('; ')}`);
  return parsed as OpeningHours;
}

function parseDentists(raw: string): Dentist[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigurationError('DENTISTS', 'must be a JSON array of {"id","name"}');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new ConfigurationError('DENTISTS', 'must be a non-empty JSON array of {"id","name"}');
  return parsed.map((entry: unknown, index) => {
    const candidate = entry as { id?: unknown; name?: unknown };
    if (typeof candidate?.id !== 'string' || typeof candidate.name !== 'string' || candidate.id === '' || candidate.name === '') {
      throw new ConfigurationError('DENTISTS', `entry ${index} must have a non-empty string id and name`);
    }
    return { id: candidate.id, name: candidate.name };
  });
}

export function loadBookingConfig(env: Environment): BookingConfig {
  return {
    appointmentsTableName: requireString(env, 'APPOINTMENTS_TABLE_NAME'),
    appointmentsByDateIndexName: requireString(env, 'APPOINTMENTS_BY_DATE_INDEX_NAME'),
    contactsTableName: requireString(env, 'CONTACTS_TABLE_NAME'),
    manageTokenSecretArn: requireString(env, 'MANAGE_TOKEN_SECRET_ARN'),
    dentists: parseDentists(requireString(env, 'DENTISTS')),
    notificationsTableName: requireString(env, 'NOTIFICATIONS_TABLE_NAME'),
    openingHours: parseOpeningHours(requireString(env, 'OPENING_HOURS')),
    aws: readAwsConnection(env),
  };
}

/** Read once, at cold start: a misconfigured function fails its first invocation, naming the variable. */
export const config: BookingConfig = loadBookingConfig(process.env);
