export * from './sqs-event';
export * from './sqs-event-source';
