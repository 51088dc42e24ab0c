import { UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { NotificationKind, NotificationResult } from '../../../contracts';

/**
 * The notifications table (key appointmentId + notificationId), one row per notification: the
 * outcome of each change's notification (`change-<version>`, first written `pending` by the booking
 * function in the same transaction as the change) and the appointment's one reminder (`reminder`).
 * Every write is an UpdateItem, so a row missing for any reason is created, and none touches the
 * appointments table: recording can never reach the pipe. A completed row (sent, skipped,
 * suppressed) is never overwritten by an attempt's failure, and a reminder row never goes back to
 * an older version (conditions); a write the condition refuses is reported, not thrown.
 */
export type RowWrite = 'recorded' | 'kept';

export const REMINDER_NOTIFICATION_ID = 'reminder';
export const changeNotificationId = (version: number): string => `change-${version}`;
export const notificationIdOf = (kind: NotificationKind, version: number): string => (kind === 'reminder' ? REMINDER_NOTIFICATION_ID : changeNotificationId(version));

/** The schema's bound on `cause`. */
export const MAX_CAUSE_LENGTH = 300;
const cap = (cause: string): string => (cause.length > MAX_CAUSE_LENGTH ? `${cause.slice(0, MAX_CAUSE_LENGTH - 3)}...` : cause) || 'unknown';

export const SKIPPED_BY_PREFERENCE = 'the patient asked for no notifications';

const NAMES = {
  '#status': 'status',
  '#kind': 'kind',
  '#version': 'version',
  '#updatedAt': 'updatedAt',
  '#channel': 'channel',
  '#sentAt': 'sentAt',
  '#providerMessageId': 'providerMessageId',
  '#cause': 'cause',
  '#attempts': 'attempts',
  '#dueAt': 'dueAt',
} as const;
type Name = keyof typeof NAMES;

/** The row is still open: no completed outcome yet (a failed one may still complete after a DLQ redrive). */
const OPEN = 'attribute_not_exists(#status) OR #status IN (:pending, :failed)';

interface Write {
  set: Partial<Record<Name, AttributeValue>>;
  remove?: Name[];
  condition: string;
  values?: Record<string, AttributeValue>;
}

async function write(client: DynamoDBClient, tableName: string, appointmentId: string, notificationId: string, change: Write): Promise<RowWrite> {
  const sets = Object.entries(change.set).map(([name]) => `${name} = :${name.slice(1)}`);
  const values: Record<string, AttributeValue> = { ...change.values };
  for (const [name, value] of Object.entries(change.set)) values[`:${name.slice(1)}`] = value;
  const used = new Set<string>([...Object.keys(change.set), ...(change.remove ?? []), ...(change.condition.match(/#\w+/g) ?? [])]);
  const names = Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => used.has(placeholder)));
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { appointmentId: { S: appointmentId }, notificationId: { S: notificationId } },
        UpdateExpression: `SET ${sets.join(', ')}${change.remove && change.remove.length > 0 ? ` REMOVE ${change.remove.join(', ')}` : ''}`,
        ConditionExpression: change.condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return 'recorded';
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return 'kept';
    throw error;
  }
}

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const STATUS_VALUES = { ':pending': S('pending'), ':failed': S('failed'), ':skipped': S('skipped') };

/** The reminder row follows its version: a write for the version it holds, or a newer one, never an older one. */
const REMINDER_SAME_VERSION = 'attribute_not_exists(#version) OR #version = :version';

/** The completed outcome of a notification: sent (channel, sentAt, provider id), skipped (cause), suppressed (cause = the limit). */
export function recordOutcome(client: DynamoDBClient, tableName: string, result: NotificationResult): Promise<RowWrite> {
  const cause = result.outcome === 'skipped' ? SKIPPED_BY_PREFERENCE : (result.suppressedReason ?? result.fallbackReason);
  const set: Write['set'] = {
    '#status': S(result.outcome),
    '#kind': S(result.kind),
    '#version': N(result.version),
    '#updatedAt': S(result.notifiedAt),
    '#channel': S(result.channel),
  };
  const remove: Name[] = [];
  if (result.outcome === 'sent' && result.providerMessageId) {
    set['#sentAt'] = S(result.notifiedAt);
    set['#providerMessageId'] = S(result.providerMessageId);
  }
  if (cause) set['#cause'] = S(cap(cause));
  else remove.push('#cause');
  const reminder = result.kind === 'reminder';
  return write(client, tableName, result.appointmentId, notificationIdOf(result.kind, result.version), {
    set,
    remove,
    condition: reminder ? `(${OPEN}) AND (${REMINDER_SAME_VERSION})` : OPEN,
    values: { ':pending': STATUS_VALUES[':pending'], ':failed': STATUS_VALUES[':failed'] },
  });
}

export interface AttemptFailure {
  appointmentId: string;
  kind: NotificationKind;
  version: number;
  /** "<ErrorName>: <message>", personal data already masked. */
  cause: string;
  /** The SQS receive count of the attempt. */
  attempts: number;
  /** The last allowed attempt (receive count >= maxReceiveCount): the message goes to the DLQ, the row to `failed`. */
  final: boolean;
  at: string;
}

/** A failed attempt: `pending` with its cause while SQS will retry, `failed` on the last allowed attempt. */
export function recordAttemptFailure(client: DynamoDBClient, tableName: string, failure: AttemptFailure): Promise<RowWrite> {
  const reminder = failure.kind === 'reminder';
  return write(client, tableName, failure.appointmentId, notificationIdOf(failure.kind, failure.version), {
    set: {
      '#status': S(failure.final ? 'failed' : 'pending'),
      '#kind': S(failure.kind),
      '#version': N(failure.version),
      '#updatedAt': S(failure.at),
      '#cause': S(cap(failure.cause)),
      '#attempts': N(Math.min(1000, Math.max(0, failure.attempts))),
    },
    condition: reminder ? `(${OPEN}) AND (${REMINDER_SAME_VERSION})` : OPEN,
    values: { ':pending': STATUS_VALUES[':pending'], ':failed': STATUS_VALUES[':failed'] },
  });
}

export type ReminderRowPlan =
  | { status: 'pending'; version: number; dueAt: string }
  | { status: 'skipped'; version: number; cause: string; onlyIfRowExists: boolean };

/**
 * The reminder row after a reconcile. `pending` with `dueAt` when a schedule was made or moved:
 * written for a newer version over anything (the row is the appointment's one reminder: a sent
 * one is followed by the next), for the same version only over `pending` or `skipped`. `skipped`
 * with the cause when none is due: only over a `pending` or `skipped` row of that version or an
 * older one (a reminder already sent, suppressed or failed keeps its outcome), and only over an
 * existing row unless asked to create one (a booking already inside the lead time).
 */
export function recordReminderPlan(client: DynamoDBClient, tableName: string, appointmentId: string, plan: ReminderRowPlan, at: string): Promise<RowWrite> {
  const open = '#status IN (:pending, :skipped) AND #version <= :version';
  const condition =
    plan.status === 'pending'
      ? 'attribute_not_exists(#version) OR #version < :version OR (#version = :version AND #status IN (:pending, :skipped))'
      : plan.onlyIfRowExists
        ? open
        : `attribute_not_exists(#status) OR (${open})`;
  const common = { '#kind': S('reminder'), '#version': N(plan.version), '#updatedAt': S(at) };
  const cleared: Name[] = ['#channel', '#sentAt', '#providerMessageId', '#attempts'];
  return plan.status === 'pending'
    ? write(client, tableName, appointmentId, REMINDER_NOTIFICATION_ID, {
        set: { '#status': S('pending'), ...common, '#dueAt': S(plan.dueAt) },
        remove: [...cleared, '#cause'],
        condition,
        values: { ':pending': STATUS_VALUES[':pending'], ':skipped': STATUS_VALUES[':skipped'] },
      })
    : write(client, tableName, appointmentId, REMINDER_NOTIFICATION_ID, {
        set: { '#status': S('skipped'), ...common, '#cause': S(cap(plan.cause)) },
        remove: [...cleared, '#dueAt'],
        condition,
        values: { ':pending': STATUS_VALUES[':pending'], ':skipped': STATUS_VALUES[':skipped'] },
      });
}
