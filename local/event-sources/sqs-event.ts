import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { InvokeResult } from '../lambda/function-host';

/** The region of an SQS queue ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export function regionOfQueueArn(queueArn: string): string {
  const region = /^arn:[^:]+:sqs:([^:]+):[^:]*:[^:]+$/.exec(queueArn)?.[1];
  if (!region) throw new Error(`not an SQS queue ARN: ${JSON.stringify(queueArn)}`);
  return region;
}

function base64(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('base64');
}

function toEventAttribute(value: MessageAttributeValue): SQSMessageAttributes[string] {
  const binaryValue = base64(value.BinaryValue);
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(binaryValue !== undefined ? { binaryValue } : {}),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map((bytes) => base64(bytes) as string),
    dataType: value.DataType ?? 'String',
  };
}

/**
 * One SQS event record as Lambda's SQS event source builds it from a received message: the
 * message's id, receipt handle, body, its system attributes as SQS returned them, its message
 * attributes in the event's lower-camel shape (binary values base64), and the source queue.
 */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  if (!message.MessageId || !message.ReceiptHandle) throw new Error('a received SQS message has no MessageId or ReceiptHandle');
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) messageAttributes[name] = toEventAttribute(value);
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes: { ...(message.Attributes ?? {}) } as SQSRecord['attributes'],
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

export function buildSqsEvent(messages: Message[], queueArn: string): SQSEvent {
  const region = regionOfQueueArn(queueArn);
  return { Records: messages.map((message) => toSqsRecord(message, queueArn, region)) };
}

export type BatchOutcome =
  /** Every message is done: delete them all. */
  | { kind: 'success'; deleteMessageIds: string[] }
  /** The function reported some failures: delete the rest, leave those for redelivery. */
  | { kind: 'partial'; deleteMessageIds: string[]; failedMessageIds: string[] }
  /** The whole batch failed: delete nothing. */
  | { kind: 'failure'; reason: string };

/**
 * What Lambda's SQS event source does with a batch after the invocation (the Lambda developer
 * guide, "Handling errors for an SQS event source"): a function error fails the whole batch;
 * without ReportBatchItemFailures any successful invocation deletes the batch; with it, a null,
 * empty or absent `batchItemFailures` is complete success, and a response it cannot use (not an
 * object, `batchItemFailures` not a list, an entry whose `itemIdentifier` is missing, empty, or
 * not a message of the batch) fails the whole batch.
 */
export function evaluateBatchResult(messageIds: string[], result: InvokeResult, reportBatchItemFailures: boolean): BatchOutcome {
  if (!result.ok) return { kind: 'failure', reason: `function error ${result.errorType}: ${result.errorMessage}` };
  if (!reportBatchItemFailures) return { kind: 'success', deleteMessageIds: [...messageIds] };
  const payload = result.payload;
  if (payload === null || payload === undefined) return { kind: 'success', deleteMessageIds: [...messageIds] };
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    return { kind: 'failure', reason: `invalid batch response: expected an object with batchItemFailures, got ${JSON.stringify(payload)}` };
  }
  const failures = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { kind: 'success', deleteMessageIds: [...messageIds] };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: `invalid batch response: batchItemFailures is not a list: ${JSON.stringify(failures)}` };
  if (failures.length === 0) return { kind: 'success', deleteMessageIds: [...messageIds] };
  const inBatch = new Set(messageIds);
  const failed = new Set<string>();
  for (const [index, failure] of failures.entries()) {
    const identifier = failure !== null && typeof failure === 'object' ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof identifier !== 'string' || identifier === '') {
      return { kind: 'failure', reason: `invalid batch response: batchItemFailures[${index}] has no itemIdentifier: ${JSON.stringify(failure)}` };
    }
    if (!inBatch.has(identifier)) {
      return { kind: 'failure', reason: `invalid batch response: batchItemFailures[${index}].itemIdentifier ${identifier} is not a message of this batch` };
    }
    failed.add(identifier);
  }
  return { kind: 'partial', deleteMessageIds: messageIds.filter((id) => !failed.has(id)), failedMessageIds: [...failed] };
}
