import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';

/**
 * The Powertools Logger singleton every module of a function imports. Service name and level come
 * from POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL, which Powertools reads itself. Never log
 * raw e-mail addresses or phone numbers: mask them with `pii.ts`.
 */
export const logger = new Logger();

/** The logger of one record: each line it writes carries the record's `correlation_id`. */
export interface RecordLogger {
  readonly correlationId: string;
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

/**
 * A logger for the lines about one record (one booking): the records of a batch run concurrently,
 * so the correlation id is never set on the shared logger, where records would overwrite each
 * other's. Each line goes through `parent` with the id added, so it keeps the parent's context.
 * Not Powertools' `createChild()`: a child created during a warm invocation reports
 * `cold_start: true` (its own cold-start flag starts fresh; checked with Logger 2.36).
 */
export function recordLogger(correlationId: string, parent: Logger = logger): RecordLogger {
  if (typeof correlationId !== 'string' || correlationId.length === 0) throw new TypeError('a record logger needs a non-empty correlation id');
  const line = (attributes: LogAttributes | undefined): LogAttributes => ({ ...attributes, correlation_id: correlationId });
  return {
    correlationId,
    debug: (message, attributes) => parent.debug(message, line(attributes)),
    info: (message, attributes) => parent.info(message, line(attributes)),
    warn: (message, attributes) => parent.warn(message, line(attributes)),
    error: (message, attributes) => parent.error(message, line(attributes)),
  };
}
