import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { NotificationResult } from '../../../contracts';

export type RecordOutcomeResult = 'recorded' | 'appointment-missing';

/**
 * Records the outcome on the appointment item. The condition keeps a deleted appointment from
 * being resurrected as a status-only item. This is an UpdateItem, so its stream record is a MODIFY,
 * which the pipe's INSERT-only filter drops: recording cannot trigger another notification.
 */
export async function recordOutcome(client: DynamoDBClient, tableName: string, result: NotificationResult): Promise<RecordOutcomeResult> {
  // Why a notification was suppressed or went by another channel is kept with the outcome.
  const reason = result.suppressedReason ?? result.fallbackReason;
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { id: { S: result.appointmentId } },
        UpdateExpression: reason
          ? 'SET #status = :status, #channel = :channel, #notifiedAt = :notifiedAt, #reason = :reason REMOVE #error'
          : 'SET #status = :status, #channel = :channel, #notifiedAt = :notifiedAt REMOVE #error, #reason',
        ConditionExpression: 'attribute_exists(#id)',
        ExpressionAttributeNames: {
          '#id': 'id',
          '#status': 'notificationStatus',
          '#channel': 'notificationChannel',
          '#notifiedAt': 'notifiedAt',
          '#error': 'lastNotificationError',
          '#reason': 'notificationReason',
        },
        ExpressionAttributeValues: {
          ':status': { S: result.outcome },
          ':channel': { S: result.channel },
          ':notifiedAt': { S: result.notifiedAt },
          ...(reason ? { ':reason': { S: reason.slice(0, 200) } } : {}),
        },
      }),
    );
    return 'recorded';
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return 'appointment-missing';
    throw error;
  }
}

export interface NotificationFailure {
  code: string;
  message: string;
  at: string;
  receiveCount: number;
}

/**
 * Records why the latest attempt failed, while the appointment is still pending, so that an
 * operator (and `npm run dlq -- list`) can see the cause of a notification that ends in the DLQ.
 * A MODIFY like the outcome update, so the pipe's INSERT-only filter drops it too. The condition
 * keeps a late failure from touching an appointment another delivery already notified.
 */
export async function recordFailure(client: DynamoDBClient, tableName: string, appointmentId: string, failure: NotificationFailure): Promise<void> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { id: { S: appointmentId } },
        UpdateExpression: 'SET #error = :error',
        ConditionExpression: 'attribute_exists(#id) AND #status = :pending',
        ExpressionAttributeNames: { '#id': 'id', '#status': 'notificationStatus', '#error': 'lastNotificationError' },
        ExpressionAttributeValues: {
          ':pending': { S: 'pending' },
          ':error': {
            M: {
              code: { S: failure.code.slice(0, 100) || 'Error' },
              message: { S: failure.message.slice(0, 500) || 'no message' },
              at: { S: failure.at },
              receiveCount: { N: String(failure.receiveCount) },
            },
          },
        },
      }),
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return;
    throw error;
  }
}
