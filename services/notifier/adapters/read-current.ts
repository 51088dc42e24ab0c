import { GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Appointment } from '../../../contracts';
import { contactKeyOf, contactPreferenceOf, type ContactPreference } from '../../common/contact-preference';

/** The appointments table holds an item the notifier cannot read as an appointment: the record fails, naming what is wrong. */
export class InvalidStoredAppointmentError extends Error {
  readonly code = 'InvalidStoredAppointment';
  override readonly name = 'InvalidStoredAppointmentError';
  constructor(
    readonly appointmentId: string,
    readonly problems: string[],
  ) {
    super(`stored appointment ${appointmentId} cannot be notified about: ${problems.join('; ')}`);
  }
}

const TEXT_FIELDS = ['id', 'patientName', 'email', 'dentist', 'appointmentDateTime'] as const;

/**
 * The fields the reminder rule and the reminder's message read, checked by hand: the booking
 * function validated the whole item when it wrote it, and the full `appointment` validator
 * (~30 KiB) is kept out of the notifier's bundle budget.
 */
function readAppointment(appointmentId: string, item: Record<string, unknown>): Appointment {
  const problems: string[] = [];
  for (const field of TEXT_FIELDS) if (typeof item[field] !== 'string' || item[field] === '') problems.push(`${field} is not a non-empty string`);
  if (item.status !== 'booked' && item.status !== 'cancelled') problems.push('status is not booked or cancelled');
  if (typeof item.version !== 'number' || !Number.isInteger(item.version) || item.version < 1) problems.push('version is not a whole number >= 1');
  const lastChange = item.lastChange as Record<string, unknown> | undefined;
  if (typeof lastChange !== 'object' || lastChange === null || typeof lastChange.kind !== 'string') problems.push('lastChange is missing its kind');
  if (item.id !== appointmentId) problems.push('id differs from the key read');
  if (problems.length > 0) throw new InvalidStoredAppointmentError(appointmentId, problems);
  return item as unknown as Appointment;
}

/** The appointment as it is now (strongly consistent: a change just written must be seen), or undefined when there is none. */
export async function readAppointmentNow(client: DynamoDBClient, tableName: string, appointmentId: string): Promise<Appointment | undefined> {
  const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: appointmentId } }, ConsistentRead: true }));
  return Item ? readAppointment(appointmentId, unmarshall(Item as Record<string, AttributeValue>)) : undefined;
}

/** The patient's contact preference now, by the enrichment's rule; undefined for a patient with none. */
export async function readContactNow(client: DynamoDBClient, tableName: string, email: string): Promise<ContactPreference | undefined> {
  const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: contactKeyOf(email) } } }));
  return Item ? contactPreferenceOf(unmarshall(Item as Record<string, AttributeValue>)) : undefined;
}
