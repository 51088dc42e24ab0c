import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface PeekedMessage {
  messageId: string;
  body: string;
  /** How often SQS has handed this message out, this peek included. */
  receiveCount: number;
  sentAt?: Date;
  messageAttributes: Record<string, string>;
}

export interface PeekOptions {
  /** Stop after this many messages. */
  max: number;
  /** Seconds the peeked messages stay hidden while we read them; they are made visible again after. */
  holdSeconds?: number;
}

/**
 * Reads up to `max` messages without removing them: receive with a short hold, then set their
 * visibility back to 0 so the queue looks as it did (only the receive count goes up, as with any
 * SQS read). Each message is reported once, however often SQS hands it out while we page.
 */
export async function peekMessages(sqs: SQSClient, queueUrl: string, options: PeekOptions): Promise<PeekedMessage[]> {
  const holdSeconds = options.holdSeconds ?? 30;
  const seen = new Map<string, PeekedMessage>();
  const handles: { id: string; receiptHandle: string }[] = [];
  try {
    while (seen.size < options.max) {
      const response = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, options.max - seen.size),
          VisibilityTimeout: holdSeconds,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = response.Messages ?? [];
      if (messages.length === 0) break;
      let fresh = 0;
      for (const message of messages) {
        if (!message.MessageId || !message.ReceiptHandle) continue;
        handles.push({ id: `m${handles.length}`, receiptHandle: message.ReceiptHandle });
        if (!seen.has(message.MessageId)) {
          seen.set(message.MessageId, toPeeked(message));
          fresh += 1;
        }
      }
      if (fresh === 0) break;
    }
  } finally {
    await releaseMessages(sqs, queueUrl, handles);
  }
  return [...seen.values()];
}

async function releaseMessages(sqs: SQSClient, queueUrl: string, handles: { id: string; receiptHandle: string }[]): Promise<void> {
  for (let start = 0; start < handles.length; start += 10) {
    const entries = handles.slice(start, start + 10).map((handle) => ({ Id: handle.id, ReceiptHandle: handle.receiptHandle, VisibilityTimeout: 0 }));
    // A release that fails only delays the message by the hold; it never loses it.
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries })).catch(() => undefined);
  }
}

function toPeeked(message: Message): PeekedMessage {
  const attributes = message.Attributes ?? {};
  const sentTimestamp = Number(attributes.SentTimestamp);
  const messageAttributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) messageAttributes[name] = value.StringValue;
  }
  return {
    messageId: message.MessageId ?? '',
    body: message.Body ?? '',
    receiveCount: Number(attributes.ApproximateReceiveCount ?? '0'),
    ...(Number.isFinite(sentTimestamp) && sentTimestamp > 0 ? { sentAt: new Date(sentTimestamp) } : {}),
    messageAttributes,
  };
}
