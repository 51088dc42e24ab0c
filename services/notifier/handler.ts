import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { NOTIFICATION_OUTCOME_LOG_MESSAGE, NOTIFICATION_RESULT_LOG_KEY, type Appointment, type EnrichedAppointment, type NotificationKind, type NotificationResult, type ReminderRequest } from '../../contracts';
import { BUSINESS_METRICS, type NotificationFailureKind } from '../../contracts/metrics';
import { createDynamoDbClient, createSchedulerClient, createSecretsManagerClient, createSesClient, createSnsClient } from '../common/aws-clients';
import { preferredChannel } from '../common/contact-preference';
import { instantOf } from '../common/date-time';
import { errorName, isTransientAwsError } from '../common/errors';
import { logger, recordLogger, type RecordLogger } from '../common/logger';
import { countMetric, publishMetrics } from '../common/metrics';
import { maskEmail, maskPersonalData, maskPhone } from '../common/pii';
import { manageTokenExpiry, signManageToken } from '../common/security/manage-token';
import { secretKeySource } from '../common/security/secret-key';
import { idempotentDelivery, type DeliveryKey } from './adapters/idempotent-delivery';
import { recordAttemptFailure, recordOutcome, recordReminderPlan } from './adapters/notification-rows';
import { readAppointmentNow, readContactNow } from './adapters/read-current';
import { recipientKey, recipientQuota } from './adapters/recipient-quota';
import { sendEmail } from './adapters/send-email';
import { sendSms } from './adapters/send-sms';
import { config } from './config';
import { InvalidNotificationMessageError, parseNotificationMessage } from './domain/parse-message';
import { notificationResult, planNotification, type NotificationPlan, type Recipient } from './domain/plan-notification';
import { notificationEmail } from './domain/notification-email';
import type { NotifiedAppointment } from './domain/notification-details';
import { reminderSkipCause } from './domain/reminder-causes';
import { renderNotificationSms } from './domain/sms-template';
import { reminderScheduler } from './reminders/reminder-scheduler';

const dynamodb = createDynamoDbClient(config.aws);
const ses = createSesClient(config.aws);
const sns = createSnsClient(config.aws);

/** Exported for tests, as in Powertools' own batch examples. */
export const processor = new BatchProcessor(EventType.SQS);

const delivery = idempotentDelivery({ client: dynamodb, tableName: config.idempotencyTableName, expiresAfterSeconds: config.idempotencyExpirySeconds });
const quota = recipientQuota({ client: dynamodb, tableName: config.recipientQuotaTableName, cap: config.notificationsPerRecipientPerDay });
const manageTokenKey = secretKeySource(createSecretsManagerClient(config.aws), config.manageTokenSecretArn);
const reminders = reminderScheduler(createSchedulerClient(config.aws), {
  groupName: config.reminders.scheduleGroupName,
  roleArn: config.reminders.schedulerRoleArn,
  targetArn: config.reminders.targetArn,
  deadLetterArn: config.reminders.deadLetterArn,
  leadSeconds: config.reminders.leadSeconds,
  maximumRetryAttempts: config.reminders.maximumRetryAttempts,
  maximumEventAgeSeconds: config.reminders.maximumEventAgeSeconds,
});

type SendPlan = Exclude<NotificationPlan, { channel: 'none' }>;
/** What a notification's message is made of: the appointment as the change (or the reminder) left it. */
type Subject = NotifiedAppointment & Pick<Appointment, 'version' | 'email'>;

/** The manage link e-mailed to the booking's address: the token is in the fragment, which browsers never send to a server. */
async function manageUrl(appointment: Subject): Promise<string> {
  const startsAt = instantOf(appointment.appointmentDateTime);
  const token = signManageToken(await manageTokenKey.get(), {
    appointmentId: appointment.id,
    email: appointment.email,
    expiresAt: manageTokenExpiry(startsAt, config.manageTokenValiditySeconds),
  });
  return `${config.siteUrl}/manage?appointment=${appointment.id}#token=${token}`;
}

/**
 * Runs once per change (or reminder) and channel (idempotent): takes a slot of the recipient's
 * 24-hour quota, then sends. Over the quota it sends nothing and the outcome is `suppressed`, which
 * the idempotency record keeps, so a redelivery neither sends nor takes another slot.
 */
const deliverOnce = delivery.wrap(async (key: DeliveryKey, { appointment, plan, log }: { appointment: Subject; plan: SendPlan; log: RecordLogger }) => {
  const now = new Date();
  const decision = await quota.reserve(recipientKey(plan.channel, plan.to), now);
  if (!decision.allowed) {
    const suppressedReason = `the recipient already had ${decision.sentInWindow} notifications in 24 hours (cap ${config.notificationsPerRecipientPerDay})`;
    log.warn('notification suppressed', { appointmentId: key.appointmentId, kind: key.kind, channel: key.channel, reason: 'recipient-cap', recipient: maskedRecipient(plan), sentInWindow: decision.sentInWindow, suppressedCount: 1 });
    return { suppressedReason, suppressedAt: now.toISOString() };
  }
  let providerMessageId: string;
  try {
    if (plan.channel === 'email') {
      // A cancelled booking cannot be changed: its e-mail offers the booking page, not a manage link.
      const link = key.kind === 'cancelled' ? {} : { manageUrl: await manageUrl(appointment) };
      const content = notificationEmail(key.kind, appointment, { ...link, bookUrl: config.siteUrl, organizerEmail: config.senderEmail, now });
      providerMessageId = await sendEmail(ses, config.senderEmail, plan.to, content);
    } else {
      providerMessageId = await sendSms(sns, plan.to, renderNotificationSms(key.kind, appointment));
    }
  } catch (error) {
    // The attempt never reached the patient: its slot goes back, so retries do not use up the quota.
    await quota.release(recipientKey(plan.channel, plan.to), decision.slot).catch((releaseError: unknown) =>
      log.warn('could not give back the recipient quota slot of a failed send', { appointmentId: key.appointmentId, errorName: errorName(releaseError) }),
    );
    throw error;
  }
  log.debug('notification sent', { appointmentId: key.appointmentId, kind: key.kind, channel: key.channel });
  return { providerMessageId, sentAt: new Date().toISOString() };
});

const maskedRecipient = (plan: SendPlan): string => (plan.channel === 'email' ? maskEmail(plan.to) : maskPhone(plan.to));

interface Attempt {
  kind: NotificationKind;
  appointment: Subject;
  recipient: Recipient;
  receiveCount: number;
  log: RecordLogger;
}

/** Plans the channel, delivers once per [appointmentId, kind, version, channel], and records the outcome row. */
async function notify({ kind, appointment, recipient, receiveCount, log }: Attempt): Promise<NotificationResult> {
  const plan = planNotification(recipient, { smsCountryCallingCodes: config.smsCountryCallingCodes });
  const subject = { appointmentId: appointment.id, kind, version: appointment.version, preferredMethod: recipient.preferredMethod };
  let result: NotificationResult;
  if (plan.channel === 'none') {
    result = notificationResult(subject, plan, { skippedAt: new Date().toISOString() });
  } else {
    if (plan.channel === 'email' && plan.fallbackReason) {
      log.warn('falling back to e-mail', { appointmentId: appointment.id, kind, reason: plan.fallbackReason, recipient: maskEmail(plan.to) });
    }
    try {
      const sent = await deliverOnce({ appointmentId: appointment.id, kind, version: appointment.version, channel: plan.channel }, { appointment, plan, log });
      result = notificationResult(subject, plan, sent);
    } catch (error) {
      const context = { appointmentId: appointment.id, kind, version: appointment.version, channel: plan.channel, recipient: maskedRecipient(plan), errorName: errorName(error) };
      if (errorName(error) === 'IdempotencyAlreadyInProgressError') {
        log.info('notification already in progress elsewhere; the message will be retried', context);
      } else {
        if (isTransientAwsError(error)) {
          log.warn('notification failed transiently; the message will be retried', context);
        } else {
          // Rejections (MessageRejected, an unverified sender, an invalid number) will not heal on
          // retry; the record still fails, so after maxReceiveCount it rests in the DLQ with this log.
          log.error('notification failed', { ...context, errorMessage: maskPersonalData(error instanceof Error ? error.message : String(error)) });
        }
        await rememberFailure(appointment, kind, error, receiveCount, log);
      }
      throw error;
    }
  }
  log.info(NOTIFICATION_OUTCOME_LOG_MESSAGE, { [NOTIFICATION_RESULT_LOG_KEY]: result });
  // If this fails after a send, the record fails and SQS redelivers it; the idempotency record then
  // returns the first send's result without sending, and this write is tried again.
  if ((await recordOutcome(dynamodb, config.notificationsTableName, result)) === 'kept') {
    log.info('notification row already completed; kept as it is', { appointmentId: result.appointmentId, kind, version: result.version });
  }
  // Counted once the outcome is recorded, so a redelivery after a failed write is not counted twice.
  countMetric(BUSINESS_METRICS.notifications, { channel: result.channel, outcome: result.outcome });
  if (result.outcome === 'suppressed') countMetric(BUSINESS_METRICS.notificationsSuppressed);
  return result;
}

/**
 * The cause of a failed attempt on the notification's row: `pending` while SQS will retry,
 * `failed` on the last allowed attempt. Best effort: the record fails either way; a failure to
 * write the cause is only logged.
 */
async function rememberFailure(appointment: Subject, kind: NotificationKind, error: unknown, receiveCount: number, log: RecordLogger): Promise<void> {
  // Provider messages can quote the recipient ("Invalid parameter: PhoneNumber +44…"): masked before storing.
  const cause = `${errorName(error)}: ${maskPersonalData(error instanceof Error ? error.message : String(error))}`;
  const final = receiveCount >= config.maxReceiveCount;
  await recordAttemptFailure(dynamodb, config.notificationsTableName, { appointmentId: appointment.id, kind, version: appointment.version, cause, attempts: receiveCount, final, at: new Date().toISOString() }).catch(
    (recordError: unknown) => log.warn('could not record the failed attempt on the notification row', { appointmentId: appointment.id, kind, errorName: errorName(recordError) }),
  );
}

/**
 * Makes the reminder match the appointment as it is NOW (not as the message says: changes may be
 * read out of order), then writes the reminder row: `pending` with its due time, or `skipped` with
 * the cause (only over an existing row, except for a booking already inside the lead time).
 */
async function reconcileReminder(appointmentId: string, log: RecordLogger): Promise<void> {
  const current = await readAppointmentNow(dynamodb, config.appointmentsTableName, appointmentId);
  if (!current) {
    log.warn('appointment no longer exists; reminder not reconciled', { appointmentId });
    return;
  }
  const now = new Date();
  const plan = await reminders.reconcile(current, now);
  const at = now.toISOString();
  const row =
    plan.action === 'schedule'
      ? await recordReminderPlan(dynamodb, config.notificationsTableName, appointmentId, { status: 'pending', version: plan.version, dueAt: plan.dueAt }, at)
      : await recordReminderPlan(
          dynamodb,
          config.notificationsTableName,
          appointmentId,
          { status: 'skipped', version: current.version, cause: reminderSkipCause(plan.reason, config.reminders.leadSeconds), onlyIfRowExists: plan.reason !== 'within-lead-time' },
          at,
        );
  log.info('reminder reconciled', { appointmentId, version: current.version, action: plan.action, ...(plan.action === 'schedule' ? { dueAt: plan.dueAt } : { reason: plan.reason }), row });
}

/**
 * A change from the pipe: notify by kind = lastChange.kind, and reconcile the reminder. The two are
 * independent (the reconcile reads the appointment as it is now, whatever this message says) and
 * each is safe to repeat, so they run side by side; the record fails if either does, and its retry
 * sends nothing twice.
 */
async function handleChange(appointment: EnrichedAppointment, receiveCount: number, log: RecordLogger): Promise<void> {
  const [notified, reconciled] = await Promise.allSettled([
    notify({ kind: appointment.lastChange.kind, appointment, recipient: appointment, receiveCount, log }),
    reconcileReminder(appointment.id, log),
  ]);
  if (notified.status === 'rejected') throw notified.reason;
  if (reconciled.status === 'rejected') throw reconciled.reason;
}

/**
 * A reminder schedule fired. Sent only for the appointment as it is now, if it is still booked, not
 * started, and at the version the schedule was made for; otherwise nothing is sent and the reminder
 * is reconciled again (which heals a schedule left stale by a race, and marks the row skipped).
 */
async function handleReminder(request: ReminderRequest['reminder'], receiveCount: number, log: RecordLogger): Promise<void> {
  const current = await readAppointmentNow(dynamodb, config.appointmentsTableName, request.appointmentId);
  if (!current) {
    log.warn('reminder for an appointment that no longer exists; not sent', { appointmentId: request.appointmentId, version: request.version });
    return;
  }
  const started = instantOf(current.appointmentDateTime) <= Date.now();
  if (current.status === 'cancelled' || started || current.version !== request.version) {
    const reason = current.status === 'cancelled' ? 'cancelled' : started ? 'started' : 'stale-version';
    log.info('reminder not sent', { appointmentId: current.id, reason, requestVersion: request.version, version: current.version });
    await reconcileReminder(current.id, log);
    return;
  }
  // A corrupt contact item is read by the same rule as in the enrichment (which logs its problems).
  const contact = await readContactNow(dynamodb, config.contactsTableName, current.email);
  const recipient: Recipient = { email: current.email, ...(current.phoneNumber ? { phoneNumber: current.phoneNumber } : {}), ...preferredChannel(contact) };
  await notify({ kind: 'reminder', appointment: current, recipient, receiveCount, log });
}

/** How a failed record is counted in NotificationFailures; undefined: not a failure (another attempt holds it). */
function failureKind(error: unknown): NotificationFailureKind | undefined {
  if (error instanceof InvalidNotificationMessageError) return 'invalid-message';
  if (errorName(error) === 'IdempotencyAlreadyInProgressError') return undefined;
  return isTransientAwsError(error) ? 'transient' : 'rejected';
}

async function recordHandler(record: SQSRecord): Promise<void> {
  try {
    await handleRecord(record);
  } catch (error) {
    const failure = failureKind(error);
    // Counted on every failed attempt (the row says which attempt was the last: `failed`).
    if (failure) countMetric(BUSINESS_METRICS.notificationFailures, { failure });
    throw error;
  }
}

async function handleRecord(record: SQSRecord): Promise<void> {
  let message: ReturnType<typeof parseNotificationMessage>;
  try {
    message = parseNotificationMessage(record.messageId, record.body);
  } catch (error) {
    if (error instanceof InvalidNotificationMessageError) {
      logger.error('invalid notification message', { messageId: record.messageId, problems: error.problems });
    }
    throw error;
  }
  const appointmentId = message.type === 'change' ? message.appointment.id : message.request.appointmentId;
  // Records of a batch run concurrently: each logs through its own record logger, so every line
  // about this booking carries its correlation id (the appointment id) and no other record's.
  const log = recordLogger(appointmentId);
  const receiveCount = Math.max(1, Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1);
  // Results are built by one typed function (domain/plan-notification.ts), whose every shape the
  // unit and contract tests validate against `notification-result`; not re-validating them here
  // keeps that validator out of the bundle's size budget.
  if (message.type === 'change') await handleChange(message.appointment, receiveCount, log);
  else await handleReminder(message.request, receiveCount, log);
}

/** SQS event source (ReportBatchItemFailures): each failed record is reported and retried alone. */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  delivery.config.registerLambdaContext(context);
  try {
    return await processPartialResponse(event, recordHandler, processor, { context });
  } finally {
    publishMetrics();
  }
};
