import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { validateAppointment, type Appointment } from '../../../contracts';

export interface RecordProblem {
  /** `eventID` of the stream record, or its position when it has none. */
  record: string;
  sequenceNumber: string | undefined;
  problems: string[];
}

/**
 * The batch holds a record that does not carry a valid appointment. The whole batch fails on
 * purpose (see parseAppointmentInserts), and the message names every bad record and problem so the
 * pipe's log and DLQ entry say exactly what to fix.
 */
export class InvalidStreamRecordError extends Error {
  readonly code = 'InvalidStreamRecord';
  override readonly name = 'InvalidStreamRecordError';
  constructor(readonly records: RecordProblem[]) {
    super(
      `${records.length} invalid stream record(s): ` +
        records
          .map(({ record, sequenceNumber, problems }) => `record ${record} (SequenceNumber ${sequenceNumber ?? 'unknown'}): ${problems.join('; ')}`)
          .join(' | '),
    );
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseRecord(record: unknown, index: number): { appointment?: Appointment; problem?: RecordProblem } {
  if (!isObject(record)) return { problem: { record: `#${index}`, sequenceNumber: undefined, problems: ['is not a stream record object'] } };
  const eventId = typeof record.eventID === 'string' ? record.eventID : `#${index}`;
  const dynamodb = isObject(record.dynamodb) ? record.dynamodb : undefined;
  const sequenceNumber = typeof dynamodb?.SequenceNumber === 'string' ? dynamodb.SequenceNumber : undefined;
  const fail = (...problems: string[]) => ({ problem: { record: eventId, sequenceNumber, problems } });

  // Which events are notified is the pipe filter's decision alone (a booking's INSERT, a
  // reschedule's or cancellation's MODIFY): whatever passes it with a new image is enriched, the
  // image as stored after the change. A REMOVE has no image to notify about.
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') {
    return fail(`eventName is ${JSON.stringify(record.eventName ?? null)}: only INSERT or MODIFY records carry an appointment to notify (check the pipe filter)`);
  }
  if (!dynamodb || !isObject(dynamodb.NewImage)) {
    return fail('dynamodb.NewImage is missing: the table stream must use the NEW_IMAGE or NEW_AND_OLD_IMAGES view type');
  }
  let item: Record<string, unknown>;
  try {
    item = unmarshall(dynamodb.NewImage as Record<string, AttributeValue>);
  } catch (error) {
    return fail(`dynamodb.NewImage does not unmarshall: ${error instanceof Error ? error.message : String(error)}`);
  }
  const problems = validateAppointment(item);
  return problems.length > 0 ? fail(...problems.map((problem) => `NewImage${problem.startsWith('/ ') ? problem.slice(1) : problem}`)) : { appointment: item as unknown as Appointment };
}

/**
 * Turns the pipe's batch of DynamoDB stream records (those its filter passed) into appointments,
 * in input order.
 *
 * Any invalid record fails the whole batch with InvalidStreamRecordError (rather than dropping
 * it, or returning fewer results than records, which would misalign the pipe's output): the pipe
 * then retries, bisects the batch down to the bad record and sends that record to its DLQ with
 * this message, while the good records of the batch go through.
 */
export function parseAppointmentInserts(batch: unknown): Appointment[] {
  if (!Array.isArray(batch)) {
    throw new InvalidStreamRecordError([{ record: 'batch', sequenceNumber: undefined, problems: ['the enrichment input must be a JSON array of stream records'] }]);
  }
  const appointments: Appointment[] = [];
  const invalid: RecordProblem[] = [];
  batch.forEach((record, index) => {
    const { appointment, problem } = parseRecord(record, index);
    if (problem) invalid.push(problem);
    else if (appointment) appointments.push(appointment);
  });
  if (invalid.length > 0) throw new InvalidStreamRecordError(invalid);
  return appointments;
}
