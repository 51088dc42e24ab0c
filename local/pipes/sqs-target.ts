import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { TargetFailedError, type FailedTargetEntry } from './errors';

/** SQS accepts at most 10 entries per SendMessageBatch ("Batching and concurrency": SQS target batch size 10). */
export const SQS_MAX_BATCH_ENTRIES = 10;
/** SQS's classic limit on one message and on the sum of a SendMessageBatch request (256 KiB). */
export const SQS_MAX_BATCH_BYTES = 262_144;

export interface SqsTargetMessage {
  body: string;
  messageGroupId?: string;
  messageDeduplicationId?: string;
}

export interface SqsTargetResult {
  messageIds: string[];
  requests: number;
}

/**
 * Sends messages in order, in SendMessageBatch requests of at most 10 entries and 256 KiB.
 * Any `Failed` entry, or a request that throws, fails the whole send (the runner then retries the
 * batch through the whole pipe, as "Partial batch failure" describes: including the enrichment).
 * Later chunks are not sent once one fails, so a retry repeats as little as possible.
 */
export async function sendToSqsTarget(sqs: SQSClient, queueUrl: string, messages: SqsTargetMessage[]): Promise<SqsTargetResult> {
  const messageIds: string[] = [];
  let requests = 0;
  for (const chunk of chunkMessages(messages)) {
    const entries: SendMessageBatchRequestEntry[] = chunk.map(({ message }, i) => ({
      Id: `m${i}`,
      MessageBody: message.body,
      ...(message.messageGroupId !== undefined ? { MessageGroupId: message.messageGroupId } : {}),
      ...(message.messageDeduplicationId !== undefined ? { MessageDeduplicationId: message.messageDeduplicationId } : {}),
    }));
    requests += 1;
    let output;
    try {
      output = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    } catch (error) {
      throw new TargetFailedError(`SendMessageBatch to ${queueUrl} failed: ${(error as Error).message ?? String(error)}`, [], { cause: error });
    }
    const failed: FailedTargetEntry[] = (output.Failed ?? []).map((entry) => ({
      index: chunk[Number(String(entry.Id).slice(1))]?.index ?? -1,
      code: entry.Code ?? 'Unknown',
      message: entry.Message ?? '',
      senderFault: entry.SenderFault ?? false,
    }));
    if (failed.length > 0) {
      throw new TargetFailedError(
        `SendMessageBatch to ${queueUrl} reported ${failed.length} failed of ${entries.length}: ` +
          failed.map((f) => `message ${f.index}: ${f.code}${f.message ? ` (${f.message})` : ''}`).join('; '),
        failed,
      );
    }
    const idsByEntry = new Map((output.Successful ?? []).map((entry) => [entry.Id, entry.MessageId ?? '']));
    for (const entry of entries) messageIds.push(idsByEntry.get(entry.Id) ?? '');
  }
  return { messageIds, requests };
}

function chunkMessages(messages: SqsTargetMessage[]): Array<Array<{ message: SqsTargetMessage; index: number }>> {
  const chunks: Array<Array<{ message: SqsTargetMessage; index: number }>> = [];
  let current: Array<{ message: SqsTargetMessage; index: number }> = [];
  let currentBytes = 0;
  messages.forEach((message, index) => {
    const bytes = Buffer.byteLength(message.body);
    if (bytes > SQS_MAX_BATCH_BYTES) {
      throw new TargetFailedError(`message ${index} is ${bytes} bytes, more than the ${SQS_MAX_BATCH_BYTES} bytes SQS accepts`, [
        { index, code: 'MessageTooLong', message: `${bytes} bytes`, senderFault: true },
      ]);
    }
    if (current.length === SQS_MAX_BATCH_ENTRIES || (current.length > 0 && currentBytes + bytes > SQS_MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push({ message, index });
    currentBytes += bytes;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}
