import type { PipeSpec } from '../topology/types';
import { PipeConfigurationError } from './errors';
import { SQS_MAX_BATCH_ENTRIES } from './sqs-target';

/** The limits `PipeSourceDynamoDBStreamParameters` documents, checked as CreatePipe would check them. */
export const DYNAMODB_STREAM_SOURCE_LIMITS = {
  batchSize: { min: 1, max: 10_000 },
  maximumBatchingWindowInSeconds: { min: 0, max: 300 },
  maximumRecordAgeInSeconds: { min: -1, max: 604_800 },
  maximumRetryAttempts: { min: -1, max: 10_000 },
  parallelizationFactor: { min: 1, max: 10 },
} as const;
/** FilterCriteria.Filters: at most 5 patterns. */
export const MAX_FILTER_PATTERNS = 5;
/** "the batch reaches the payload limit of 6 MB" (DynamoDB stream source page). */
export const MAX_BATCH_PAYLOAD_BYTES = 6 * 1024 * 1024;

const STREAM_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):(\d{12}):table\/([^/]+)\/stream\/(.+)$/;

export interface ParsedStreamArn {
  region: string;
  accountId: string;
  tableName: string;
}

export function parseStreamArn(pipeName: string, streamArn: string): ParsedStreamArn {
  const match = STREAM_ARN.exec(streamArn);
  if (!match) {
    throw new PipeConfigurationError(
      pipeName,
      'streamArn',
      `expected arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>, got ${JSON.stringify(streamArn)}`,
    );
  }
  return { region: match[1], accountId: match[2], tableName: match[3] };
}

/** Throws naming the first setting of the pipe that Pipes would refuse for this source and target. */
export function validatePipeSpec(pipe: PipeSpec): void {
  const source = pipe.source;
  if (source?.kind !== 'dynamodb-stream') {
    throw new PipeConfigurationError(pipe.name, 'source.kind', `only dynamodb-stream sources are supported, got ${JSON.stringify(source?.kind)}`);
  }
  if (pipe.target?.kind !== 'sqs') {
    throw new PipeConfigurationError(pipe.name, 'target.kind', `only sqs targets are supported, got ${JSON.stringify(pipe.target?.kind)}`);
  }
  if (pipe.desiredState !== 'RUNNING' && pipe.desiredState !== 'STOPPED') {
    throw new PipeConfigurationError(pipe.name, 'desiredState', `expected RUNNING or STOPPED, got ${JSON.stringify(pipe.desiredState)}`);
  }
  if (source.startingPosition !== 'TRIM_HORIZON' && source.startingPosition !== 'LATEST') {
    throw new PipeConfigurationError(
      pipe.name,
      'source.startingPosition',
      `expected TRIM_HORIZON or LATEST, got ${JSON.stringify(source.startingPosition)}`,
    );
  }
  for (const [name, { min, max }] of Object.entries(DYNAMODB_STREAM_SOURCE_LIMITS)) {
    const value = (source as unknown as Record<string, unknown>)[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new PipeConfigurationError(pipe.name, `source.${name}`, `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
  }
  // "Batching and concurrency": a pipe cannot have a larger source batch size than its target supports.
  if (source.batchSize > SQS_MAX_BATCH_ENTRIES) {
    throw new PipeConfigurationError(
      pipe.name,
      'source.batchSize',
      `${source.batchSize} is more than ${SQS_MAX_BATCH_ENTRIES}, the largest batch an SQS target accepts; Pipes refuses such a pipe`,
    );
  }
  if (source.onPartialBatchItemFailure !== undefined && source.onPartialBatchItemFailure !== 'AUTOMATIC_BISECT') {
    throw new PipeConfigurationError(
      pipe.name,
      'source.onPartialBatchItemFailure',
      `expected AUTOMATIC_BISECT or nothing, got ${JSON.stringify(source.onPartialBatchItemFailure)}`,
    );
  }
  if (!Array.isArray(pipe.filterPatterns)) {
    throw new PipeConfigurationError(pipe.name, 'filterPatterns', 'expected an array of pattern strings');
  }
  if (pipe.filterPatterns.length > MAX_FILTER_PATTERNS) {
    throw new PipeConfigurationError(
      pipe.name,
      'filterPatterns',
      `${pipe.filterPatterns.length} patterns; FilterCriteria takes at most ${MAX_FILTER_PATTERNS}`,
    );
  }
}
