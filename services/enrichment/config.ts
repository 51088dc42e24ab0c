import { readAwsConnection, requireString, type AwsConnection, type Environment } from '../common/config-env';

export interface EnrichmentConfig {
  contactsTableName: string;
  aws: AwsConnection;
}

export function loadEnrichmentConfig(env: Environment): EnrichmentConfig {
  return { contactsTableName: requireString(env, 'CONTACTS_TABLE_NAME'), aws: readAwsConnection(env) };
}

/** Read once, at cold start: a misconfigured function fails its first invocation, naming the variable. */
export const config: EnrichmentConfig = loadEnrichmentConfig(process.env);
