/**
 * A dead-letter queue the operator tool works on, with where its messages came from.
 *
 * `sqs-redrive`: SQS's own redrive moved the messages here from `source` after `maxReceiveCount`
 * receives (the notifications queue); they can be moved back.
 * `pipe`: EventBridge Pipes wrote here the metadata of stream batches that kept failing; the
 * records themselves stay in the DynamoDB stream (24 h), so there is no queue to move them back to;
 * `replay` reads them back and delivers them as the pipe would have (see pipe-replay.ts).
 */
export type DeadLetterQueueKind = 'sqs-redrive' | 'pipe';

export interface QueueRef {
  url: string;
  arn: string;
}

export interface DeadLetterQueue {
  /** Short name an operator types: `notifications`, `pipe`. */
  label: string;
  kind: DeadLetterQueueKind;
  queue: QueueRef;
  /** The queue SQS redrove from (for `sqs-redrive`). */
  source?: QueueRef;
}

/** Where the dead-letter queues live and how to reach them. */
export interface DeadLetterQueueSet {
  /** `local` or the deployed stage name. */
  environment: string;
  region: string;
  /** SQS endpoint override (the local emulator); absent for AWS. */
  sqsEndpoint?: string;
  /** The booking API, used to show each dead-lettered booking's recorded failure. */
  apiUrl?: string;
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
