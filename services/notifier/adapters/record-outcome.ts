import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { NotificationResult } from '../../../contracts';

export type RecordOutcomeResult = 'recorded' | 'appointment-missing';

/**
 * Records the outcome on the appointment item. The condition keeps a deleted appointment from
 * being resurrected as a status-only item. This is an UpdateItem, so its stream record is a MODIFY,
 * which the pipe's INSERT-only filter drops: recording cannot trigger another notification.
 */
export async function recordOutcome(client: DynamoDBClient, tableName: string, result: NotificationResult): Promise<RecordOutcomeResult> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { id: { S: result.appointmentId } },
        UpdateExpression: 'SET #status = :status, #channel = :channel, #notifiedAt = :notifiedAt',
        ConditionExpression: 'attribute_exists(#id)',
        ExpressionAttributeNames: { '#id': 'id', '#status': 'notificationStatus', '#channel': 'notificationChannel', '#notifiedAt': 'notifiedAt' },
        ExpressionAttributeValues: {
          ':status': { S: result.outcome },
          ':channel': { S: result.channel },
          ':notifiedAt': { S: result.notifiedAt },
        },
      }),
    );
    return 'recorded';
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return 'appointment-missing';
    throw error;
  }
}
