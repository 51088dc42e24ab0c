import type { NotificationsTableRef } from './notification-cause';
// The queues' shape is the local runtime's (it writes them into its state file); ops only reads it,
// so the dependency runs one way: ops -> local.
import type { DeadLetterQueue } from '../../local/runtime/runtime-state';

export type { DeadLetterQueue, DeadLetterQueueKind, QueueRef } from '../../local/runtime/runtime-state';

/** Where the dead-letter queues live and how to reach them. */
export interface DeadLetterQueueSet {
  /** `local` or the deployed stage name. */
  environment: string;
  region: string;
  /** SQS endpoint override (the local emulator); absent for AWS. */
  sqsEndpoint?: string;
  /** The booking API. */
  apiUrl?: string;
  /** The notifications table, where each dead-lettered notification's last failure is recorded. */
  notificationsTable?: NotificationsTableRef;
  queues: DeadLetterQueue[];
}

export class DlqToolError extends Error {
  constructor(
    readonly code:
      | 'UsageError'
      | 'QueueNotFound'
      | 'RuntimeNotRunning'
      | 'StackOutputsMissing'
      | 'RedriveNotPossible'
      | 'RedriveFailed'
      | 'ReplayNotPossible',
    message: string,
  ) {
    super(message);
    this.name = 'DlqToolError';
  }
}
