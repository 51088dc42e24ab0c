/** The local EventBridge Pipes runner: DynamoDB stream source, Lambda enrichment, SQS target. */
export { startPipeRunner, type PipeRunner, type PipeRunnerOptions, type PipeRunnerStats, type PipeRunnerState, type ShardStats, type RetryBackoff } from './pipe-runner';
export type { PipeRunnerEvent, PipeRunnerEventType, RecordReference, ErrorSummary } from './pipe-runner-events';
export { InMemoryCheckpointStore, FileCheckpointStore, type CheckpointStore, type PipeCheckpoints, type ShardCheckpoint } from './checkpoint-store';
export { buildDeadLetterMessage, type PipeStreamDeadLetterMessage, type DeadLetterCondition } from './dead-letter';
export { compileInputTemplate, type CompiledInputTemplate, type RenderedTemplate, type TemplateContext } from './input-template';
export { eventsFromEnrichmentResult } from './enrichment-result';
export { toPipeEvent, type DynamoDbStreamPipeEvent, type JsonItem, type JsonAttributeValue } from './stream-record';
export { validatePipeSpec, parseStreamArn, MAX_BATCH_PAYLOAD_BYTES, MAX_FILTER_PATTERNS } from './pipe-settings';
export * from './errors';
