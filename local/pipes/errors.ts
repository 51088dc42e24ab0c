/** Typed errors of the local Pipes runner, each with a stable `code`. */

export type PipeRunnerErrorCode =
  | 'InvalidPipeConfiguration'
  | 'InvalidInputTemplate'
  | 'EnrichmentFailed'
  | 'EnrichmentResultTooLarge'
  | 'TargetFailed'
  | 'DeadLetterFailed'
  | 'CheckpointStoreFailed';

export abstract class PipeRunnerError extends Error {
  abstract readonly code: PipeRunnerErrorCode;
}

/** The pipe's settings cannot run as Pipes would run them (rejected at start, like CreatePipe would). */
export class PipeConfigurationError extends PipeRunnerError {
  readonly code = 'InvalidPipeConfiguration' as const;
  constructor(
    readonly pipeName: string,
    readonly setting: string,
    message: string,
  ) {
    super(`pipe ${pipeName}: ${setting}: ${message}`);
    this.name = 'PipeConfigurationError';
  }
}

/** An `InputTemplate` that cannot be parsed, or that renders to something its kind does not allow. */
export class InputTemplateError extends PipeRunnerError {
  readonly code = 'InvalidInputTemplate' as const;
  constructor(
    readonly template: string,
    message: string,
  ) {
    super(`input template ${JSON.stringify(template.length > 200 ? `${template.slice(0, 200)}…` : template)}: ${message}`);
    this.name = 'InputTemplateError';
  }
}

/** The enrichment function failed, threw, or timed out; carries what the function reported. */
export class EnrichmentFailedError extends PipeRunnerError {
  readonly code = 'EnrichmentFailed' as const;
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    options?: { cause?: unknown },
  ) {
    super(`enrichment failed: ${errorType}: ${errorMessage}`, options);
    this.name = 'EnrichmentFailedError';
  }
}

/** The enrichment returned more events than the target takes in one batch (Pipes then does not invoke the target). */
export class EnrichmentResultTooLargeError extends PipeRunnerError {
  readonly code = 'EnrichmentResultTooLarge' as const;
  constructor(
    readonly eventCount: number,
    readonly targetMaximum: number,
  ) {
    super(`the enrichment returned ${eventCount} events, more than the ${targetMaximum} the SQS target accepts in one batch`);
    this.name = 'EnrichmentResultTooLargeError';
  }
}

export interface FailedTargetEntry {
  index: number;
  code: string;
  message: string;
  senderFault: boolean;
}

/** SendMessageBatch threw, or reported `Failed` entries, or a message could not be built. */
export class TargetFailedError extends PipeRunnerError {
  readonly code = 'TargetFailed' as const;
  constructor(
    message: string,
    readonly failedEntries: FailedTargetEntry[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TargetFailedError';
  }
}

export class DeadLetterFailedError extends PipeRunnerError {
  readonly code = 'DeadLetterFailed' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeadLetterFailedError';
  }
}

export class CheckpointStoreError extends PipeRunnerError {
  readonly code = 'CheckpointStoreFailed' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckpointStoreError';
  }
}

/** A readable one-liner for any thrown value, keeping the typed code when there is one. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof PipeRunnerError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: 'Error', message: String(error) };
}
