import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { validateNotification, type Notification } from '../../../contracts';
import { logger } from '../../common/logger';

export interface NotificationsTable {
  /** Every valid notification row of an appointment (all pages, strongly consistent); a row that breaks the contract is logged with its key and left out. */
  list(appointmentId: string): Promise<Notification[]>;
}

/** At most this many pages (1 MB each) per appointment: a runaway table cannot hold a request forever. */
const MAX_PAGES = 20;

export function notificationsTable(client: DynamoDBClient, tableName: string): NotificationsTable {
  return {
    async list(appointmentId) {
      const rows: Notification[] = [];
      let startKey: Record<string, AttributeValue> | undefined;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const { Items = [], LastEvaluatedKey } = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#appointmentId = :appointmentId',
            ExpressionAttributeNames: { '#appointmentId': 'appointmentId' },
            ExpressionAttributeValues: { ':appointmentId': { S: appointmentId } },
            ConsistentRead: true,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of Items) {
          const row: unknown = unmarshall(item);
          const problems = validateNotification(row);
          if (problems.length === 0 && (row as Notification).appointmentId === appointmentId) rows.push(row as Notification);
          else {
            // The key only: a row's other attributes (a cause, say) may hold what must not be logged.
            logger.warn('notification row breaks the contract; left out of the answer', {
              appointmentId,
              notificationId: typeof item.notificationId?.S === 'string' ? item.notificationId.S.slice(0, 40) : undefined,
              problems: problems.slice(0, 5),
            });
          }
        }
        if (!LastEvaluatedKey) return rows;
        startKey = LastEvaluatedKey;
      }
      logger.warn('notification rows of an appointment span more pages than read; the rest are left out', { appointmentId, pages: MAX_PAGES });
      return rows;
    },
  };
}
