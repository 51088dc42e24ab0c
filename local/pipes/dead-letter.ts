import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DeadLetterFailedError } from './errors';
import type { ReadRecord } from './stream-record';

/** Why a batch was given up on; the names Pipes (and Lambda) use for stream sources. */
export type DeadLetterCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * The message Pipes sends to the DLQ of a stream source: batch metadata, not the records (a
 * DynamoDB stream DLQ message says where to read them: shard and sequence-number range). Shape as
 * delivered by Pipes for DynamoDB and Kinesis sources: `context` (`partnerResourceArn` = the pipe,
 * `condition`), `version`, `timestamp`, and `DDBStreamBatchInfo`.
 */
export interface PipeStreamDeadLetterMessage {
  context: { partnerResourceArn: string; condition: DeadLetterCondition };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export function buildDeadLetterMessage(options: {
  pipeArn: string;
  condition: DeadLetterCondition;
  streamArn: string;
  records: ReadRecord[];
  now: Date;
}): PipeStreamDeadLetterMessage {
  const { records } = options;
  if (records.length === 0) throw new DeadLetterFailedError('a dead-letter message needs at least one record');
  const first = records[0];
  const last = records[records.length - 1];
  return {
    context: { partnerResourceArn: options.pipeArn, condition: options.condition },
    version: '1.0',
    timestamp: options.now.toISOString(),
    DDBStreamBatchInfo: {
      shardId: first.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.approximateArrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.approximateArrivalMs).toISOString(),
      batchSize: records.length,
      streamArn: options.streamArn,
    },
  };
}

export async function sendDeadLetterMessage(sqs: SQSClient, queueUrl: string, message: PipeStreamDeadLetterMessage): Promise<string> {
  try {
    const output = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
    return output.MessageId ?? '';
  } catch (error) {
    throw new DeadLetterFailedError(`SendMessage to the dead-letter queue ${queueUrl} failed: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
}
