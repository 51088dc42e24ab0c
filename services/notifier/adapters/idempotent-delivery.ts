import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { NotificationKind } from '../../../contracts';
import type { DeliveryChannel } from '../domain/plan-notification';

/**
 * What identifies one notification: the change (or reminder) of the appointment, never the
 * appointment alone. A pipe resend, an SQS redelivery or a second firing of a reminder carries the
 * same four values and sends nothing; two real changes (two versions) send twice.
 */
export interface DeliveryKey {
  appointmentId: string;
  kind: NotificationKind;
  version: number;
  channel: DeliveryChannel;
}

/** What one delivery came to: sent (with the provider's id), or suppressed by the recipient's quota. */
export type Delivery = { providerMessageId: string; sentAt: string } | { suppressedReason: string; suppressedAt: string };

export interface IdempotentDeliveryOptions {
  client: DynamoDBClient;
  tableName: string;
  expiresAfterSeconds: number;
}

/**
 * Wraps a send so it runs at most once per change and channel (Powertools idempotency on
 * DynamoDB). The key comes from the message body, never the SQS messageId, which changes with every
 * pipe resend. A completed record returns the first send's MessageId without sending; an
 * in-progress one throws IdempotencyAlreadyInProgressError, failing the SQS record so it is retried
 * later. The key prefix is fixed (not the function name) so a redeployed function keeps its records;
 * it is unchanged from when the key was [appointmentId, channel]: the record id is the hash of the
 * key's values, which now has four of them, so an older record can never answer a change.
 */
export function idempotentDelivery(options: IdempotentDeliveryOptions) {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[appointmentId, kind, version, channel]',
    expiresAfterSeconds: options.expiresAfterSeconds,
    throwOnNoIdempotencyKey: true,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.client });
  return {
    config,
    /** Only the key (first argument) is hashed; the content is what to send. */
    wrap<Content>(send: (key: DeliveryKey, content: Content) => Promise<Delivery>): (key: DeliveryKey, content: Content) => Promise<Delivery> {
      // Widened to `unknown` so Powertools' options type resolves (it branches on the 2nd parameter's type).
      const widened = send as (key: DeliveryKey, content: unknown) => Promise<Delivery>;
      return makeIdempotent(widened, { persistenceStore, config, keyPrefix: 'notifier.delivery', dataIndexArgument: 0 });
    },
  };
}
