import { type Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A dead-letter queue as every one in this app is built: SQS-managed encryption (or the given key), HTTPS only, the
 * given retention, and cdk-nag's "a DLQ has no DLQ of its own" finding acknowledged with why that
 * is right (an ops alarm fires on any message in it). Created directly in `scope` under `id`, so a
 * construct's logical ids do not depend on this helper.
 */
export function createDeadLetterQueue(scope: Construct, id: string, props: { retentionPeriod: Duration; purpose: string; encryptionKey?: kms.IKey }): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    ...(props.encryptionKey
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
    enforceSSL: true,
    retentionPeriod: props.retentionPeriod,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This is ${props.purpose}; an alarm fires on any message in it.`,
  });
  return queue;
}
