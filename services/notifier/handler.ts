import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { NOTIFICATION_OUTCOME_LOG_MESSAGE, NOTIFICATION_RESULT_LOG_KEY, type EnrichedAppointment, type NotificationResult } from '../../contracts';
import { BUSINESS_METRICS, type NotificationFailureKind } from '../../contracts/metrics';
import { createDynamoDbClient, createSecretsManagerClient, createSesClient, createSnsClient } from '../common/aws-clients';
import { instantOf } from '../common/date-time';
import { errorName, isTransientAwsError } from '../common/errors';
import { logger, recordLogger, type RecordLogger } from '../common/logger';
import { countMetric, publishMetrics } from '../common/metrics';
import { maskEmail, maskPersonalData, maskPhone } from '../common/pii';
import { manageTokenExpiry, signManageToken } from '../common/security/manage-token';
import { secretKeySource } from '../common/security/secret-key';
import { idempotentDelivery, type DeliveryKey } from './adapters/idempotent-delivery';
import { recipientKey, recipientQuota } from './adapters/recipient-quota';
import { recordFailure, recordOutcome } from './adapters/record-outcome';
import { sendEmail } from './adapters/send-email';
import { sendSms } from './adapters/send-sms';
import { config } from './config';
import { renderAppointmentEmail } from './domain/email-template';
import { InvalidNotificationMessageError, parseNotificationMessage } from './domain/parse-message';
import { notificationResult, planNotification, type NotificationPlan } from './domain/plan-notification';
import { renderAppointmentSms } from './domain/sms-template';

const dynamodb = createDynamoDbClient(config.aws);
const ses = createSesClient(config.aws);
const sns = createSnsClient(config.aws);

/** Exported for tests, as in Powertools' own batch examples. */
export const processor = new BatchProcessor(EventType.SQS);

const delivery = idempotentDelivery({ client: dynamodb, tableName: config.idempotencyTableName, expiresAfterSeconds: config.idempotencyExpirySeconds });
const quota = recipientQuota({ client: dynamodb, tableName: config.recipientQuotaTableName, cap: config.notificationsPerRecipientPerDay });
const manageTokenKey = secretKeySource(createSecretsManagerClient(config.aws), config.manageTokenSecretArn);

type SendPlan = Exclude<NotificationPlan, { channel: 'none' }>;

/** The manage link e-mailed to the booking's address: the token is in the fragment, which browsers never send to a server. */
async function manageUrl(appointment: EnrichedAppointment): Promise<string> {
  const startsAt = instantOf(appointment.appointmentDateTime);
  const token = signManageToken(await manageTokenKey.get(), {
    appointmentId: appointment.id,
    email: appointment.email,
    expiresAt: manageTokenExpiry(startsAt, config.manageTokenValiditySeconds),
  });
  return `${config.siteUrl}/manage?appointment=${appointment.id}#token=${token}`;
}

/**
 * Runs once per appointment and channel (idempotent): takes a slot of the recipient's 24-hour
 * quota, then sends. Over the quota it sends nothing and the outcome is `suppressed`, which the
 * idempotency record keeps, so a redelivery neither sends nor takes another slot.
 */
const deliverOnce = delivery.wrap(async (key: DeliveryKey, { appointment, plan, log }: { appointment: EnrichedAppointment; plan: SendPlan; log: RecordLogger }) => {
  const now = new Date();
  const decision = await quota.reserve(recipientKey(plan.channel, plan.to), now);
  if (!decision.allowed) {
    const suppressedReason = `the recipient already had ${decision.sentInWindow} notifications in 24 hours (cap ${config.notificationsPerRecipientPerDay})`;
    log.warn('notification suppressed', { appointmentId: key.appointmentId, channel: key.channel, reason: 'recipient-cap', recipient: maskedRecipient(plan), sentInWindow: decision.sentInWindow, suppressedCount: 1 });
    return { suppressedReason, suppressedAt: now.toISOString() };
  }
  let providerMessageId: string;
  try {
    providerMessageId =
      plan.channel === 'email'
        ? await sendEmail(ses, config.senderEmail, plan.to, renderAppointmentEmail(appointment, { manageUrl: await manageUrl(appointment) }))
        : await sendSms(sns, plan.to, renderAppointmentSms(appointment));
  } catch (error) {
    // The attempt never reached the patient: its slot goes back, so retries do not use up the quota.
    await quota.release(recipientKey(plan.channel, plan.to), decision.slot).catch((releaseError: unknown) =>
      log.warn('could not give back the recipient quota slot of a failed send', { appointmentId: key.appointmentId, errorName: errorName(releaseError) }),
    );
    throw error;
  }
  log.debug('notification sent', { appointmentId: key.appointmentId, channel: key.channel });
  return { providerMessageId, sentAt: new Date().toISOString() };
});

const maskedRecipient = (plan: SendPlan): string => (plan.channel === 'email' ? maskEmail(plan.to) : maskPhone(plan.to));

async function notify(appointment: EnrichedAppointment, plan: NotificationPlan, receiveCount: number, log: RecordLogger): Promise<NotificationResult> {
  if (plan.channel === 'none') return notificationResult(appointment, plan, { skippedAt: new Date().toISOString() });
  if (plan.channel === 'email' && plan.fallbackReason) {
    log.warn('falling back to e-mail', { appointmentId: appointment.id, reason: plan.fallbackReason, recipient: maskEmail(plan.to) });
  }
  try {
    const sent = await deliverOnce({ appointmentId: appointment.id, channel: plan.channel }, { appointment, plan, log });
    return notificationResult(appointment, plan, sent);
  } catch (error) {
    const context = { appointmentId: appointment.id, channel: plan.channel, recipient: maskedRecipient(plan), errorName: errorName(error) };
    if (errorName(error) === 'IdempotencyAlreadyInProgressError') {
      log.info('notification already in progress elsewhere; the message will be retried', context);
    } else if (isTransientAwsError(error)) {
      log.warn('notification failed transiently; the message will be retried', context);
    } else {
      // Rejections (MessageRejected, an unverified sender, an invalid number) will not heal on
      // retry; the record still fails, so after maxReceiveCount it rests in the DLQ with this log.
      log.error('notification failed', { ...context, errorMessage: maskPersonalData(error instanceof Error ? error.message : String(error)) });
    }
    if (errorName(error) !== 'IdempotencyAlreadyInProgressError') await rememberFailure(appointment.id, error, receiveCount, log);
    throw error;
  }
}

/** Best effort: the record fails either way; a failure to record the cause is only logged. */
async function rememberFailure(appointmentId: string, error: unknown, receiveCount: number, log: RecordLogger): Promise<void> {
  // Provider messages can quote the recipient ("Invalid parameter: PhoneNumber +44…"): masked before storing.
  const failure = { code: errorName(error), message: maskPersonalData(error instanceof Error ? error.message : String(error)), at: new Date().toISOString(), receiveCount };
  await recordFailure(dynamodb, config.appointmentsTableName, appointmentId, failure).catch((recordError: unknown) =>
    log.warn('could not record the notification failure on the appointment', { appointmentId, errorName: errorName(recordError) }),
  );
}

/** How a failed record is counted in NotificationFailures; undefined: not a failure (another attempt holds it). */
function failureKind(error: unknown): NotificationFailureKind | undefined {
  if (error instanceof InvalidNotificationMessageError) return 'invalid-message';
  if (errorName(error) === 'IdempotencyAlreadyInProgressError') return undefined;
  return isTransientAwsError(error) ? 'transient' : 'rejected';
}

async function recordHandler(record: SQSRecord): Promise<NotificationResult> {
  try {
    return await handleRecord(record);
  } catch (error) {
    const failure = failureKind(error);
    // Counted on every failed attempt: the last one (dead-lettered) cannot be told apart here.
    if (failure) countMetric(BUSINESS_METRICS.notificationFailures, { failure });
    throw error;
  }
}

async function handleRecord(record: SQSRecord): Promise<NotificationResult> {
  let appointment: EnrichedAppointment;
  try {
    appointment = parseNotificationMessage(record.messageId, record.body);
  } catch (error) {
    if (error instanceof InvalidNotificationMessageError) {
      logger.error('invalid notification message', { messageId: record.messageId, problems: error.problems });
    }
    throw error;
  }
  // Records of a batch run concurrently: each logs through its own record logger, so every line
  // about this booking carries its correlation id (the appointment id) and no other record's.
  const log = recordLogger(appointment.id);
  const plan = planNotification(appointment, { smsCountryCallingCodes: config.smsCountryCallingCodes });
  const receiveCount = Math.max(1, Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1);
  // The result is built by one typed function (domain/plan-notification.ts), whose every shape the
  // unit and contract tests validate against `notification-result`; not re-validating it here
  // keeps that validator (about 10 KiB) out of the bundle's size budget.
  const result = await notify(appointment, plan, receiveCount, log);
  log.info(NOTIFICATION_OUTCOME_LOG_MESSAGE, { [NOTIFICATION_RESULT_LOG_KEY]: result });

  // If this fails after a send, the record fails and SQS redelivers it; the idempotency record
  // then returns the first send's result without sending, and this update is tried again.
  const recorded = await recordOutcome(dynamodb, config.appointmentsTableName, result);
  if (recorded === 'appointment-missing') {
    log.warn('appointment no longer exists; outcome not recorded', { appointmentId: result.appointmentId });
  }
  // Counted once the outcome is recorded, so a redelivery after a failed update is not counted twice.
  countMetric(BUSINESS_METRICS.notifications, { channel: result.channel, outcome: result.outcome });
  if (result.outcome === 'suppressed') countMetric(BUSINESS_METRICS.notificationsSuppressed);
  return result;
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
