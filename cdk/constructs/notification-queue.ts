import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createDeadLetterQueue } from './dead-letter-queue';

/** AWS's guidance for Lambda SQS event sources: visibility at least six times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface NotificationQueueProps {
  /** Timeout of the function that consumes the queue. */
  consumerTimeout: Duration;
  /** The consumer's batching window: a message can wait this long in a batch before the function starts. */
  consumerBatchingWindow: Duration;
  maxReceiveCount: number;
  retentionPeriod: Duration;
  deadLetterRetention: Duration;
  /**
   * The customer-managed key both queues are encrypted with: their bodies are enriched
   * appointments (names, addresses, numbers) kept for days, so only the key's users (the pipe and
   * the notifier) can read them, not everyone with sqs:ReceiveMessage in the account.
   */
  encryptionKey: kms.IKey;
}

/**
 * The `notifications` queue the pipe delivers enriched appointments to, and its dead-letter queue.
 * Both are encrypted with a customer-managed KMS key and refuse plain-HTTP access.
 */
export class NotificationQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: NotificationQueueProps) {
    super(scope, id);

    this.deadLetterQueue = createDeadLetterQueue(this, 'DeadLetterQueue', {
      retentionPeriod: props.deadLetterRetention,
      purpose: 'the dead-letter queue of the notifications queue',
      encryptionKey: props.encryptionKey,
    });

    // Six times the timeout keeps a message invisible across a few throttled retries of one batch;
    // the batching window is added because a message's visibility starts when it joins a batch.
    const visibilityTimeout = Duration.seconds(
      props.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR + props.consumerBatchingWindow.toSeconds(),
    );
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // A data key is reused for 5 minutes, so KMS is called once per 5 minutes per sender, not per message.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      visibilityTimeout,
      retentionPeriod: props.retentionPeriod,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
