import { readAwsConnection, requireString, type AwsConnection, type Environment } from '../shared/config-env';

export interface BookingConfig {
  appointmentsTableName: string;
  contactsTableName: string;
  aws: AwsConnection;
}

export function loadBookingConfig(env: Environment): BookingConfig {
  return {
    appointmentsTableName: requireString(env, 'APPOINTMENTS_TABLE_NAME'),
    contactsTableName: requireString(env, 'CONTACTS_TABLE_NAME'),
    aws: readAwsConnection(env),
  };
}

/** Read once, at cold start: a misconfigured function fails its first invocation, naming the variable. */
export const config: BookingConfig = loadBookingConfig(process.env);
