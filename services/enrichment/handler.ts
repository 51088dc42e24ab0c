import type { Context } from 'aws-lambda';
import type { EnrichedAppointment } from '../../contracts';
import { BUSINESS_METRICS } from '../../contracts/metrics';
import { createDynamoDbClient } from '../common/aws-clients';
import { logger } from '../common/logger';
import { countMetric, publishMetrics } from '../common/metrics';
import { maskEmail } from '../common/pii';
import { batchGetContacts } from './adapters/contacts-batch-get';
import { config } from './config';
import { distinctContactKeys, enrichAppointments, readContactPreference, type ContactPreference } from './domain/enrich-appointments';
import { parseAppointmentInserts } from './domain/parse-stream-records';

const dynamodb = createDynamoDbClient(config.aws);

/**
 * EventBridge Pipes enrichment: receives the pipe's batch (a JSON array of DynamoDB stream
 * records) and returns one enriched appointment per record, in the same order. Throwing fails the
 * batch; the pipe retries it and dead-letters the records that keep failing.
 */
export const handler = async (event: unknown, context: Context): Promise<EnrichedAppointment[]> => {
  logger.addContext(context);
  try {
    return await enrich(event);
  } finally {
    publishMetrics();
  }
};

async function enrich(event: unknown): Promise<EnrichedAppointment[]> {
  const appointments = parseAppointmentInserts(event);
  if (appointments.length === 0) return [];

  const items = await batchGetContacts(dynamodb, config.contactsTableName, distinctContactKeys(appointments));
  const contacts = new Map<string, ContactPreference>();
  for (const [key, item] of items) {
    const preference = readContactPreference(item);
    if (preference.problems) {
      logger.warn('contact item breaks the contact contract; using what is usable', {
        email: maskEmail(key),
        preferredMethod: preference.preferredMethod,
        problems: preference.problems,
      });
    }
    contacts.set(key, preference);
  }

  const enriched = enrichAppointments(appointments, contacts);
  // One line per appointment carrying the flow's correlation id (the appointment id), so a booking
  // can be followed from the API through the pipe to the notifier by one key. It is the only line
  // about a record, written in sequence, so the key is set on it rather than through a record logger.
  for (const { id, preferredMethod } of enriched) {
    logger.info('appointment enriched', { correlation_id: id, appointmentId: id, preferredMethod });
    countMetric(BUSINESS_METRICS.appointmentsEnriched, { preferredMethod });
  }
  return enriched;
}
