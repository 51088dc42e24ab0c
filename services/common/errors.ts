/**
 * Typed errors with stable codes. HTTP-facing ones carry their status so the booking handler maps
 * any of them to a response in one place; the others name what failed for logs and retries.
 */
export abstract class ServiceError extends Error {
  abstract readonly code: string;
}

/** A client error of the booking API: 4xx with a JSON body listing every problem. */
export class HttpError extends ServiceError {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, details: string[] = []): HttpError => new HttpError(400, code, message, details);
export const notFound = (code: string, message: string): HttpError => new HttpError(404, code, message);

/** AWS error names that mean "try again later", not "this request is wrong". */
const RETRYABLE_AWS_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'LimitExceededException',
]);

interface AwsLikeError {
  name?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
}

/** Throttling or a 5xx from an AWS service: transient, safe to retry. */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as AwsLikeError;
  if (typeof candidate.name === 'string' && RETRYABLE_AWS_ERRORS.has(candidate.name)) return true;
  if (candidate.$retryable !== undefined && candidate.$retryable !== null) return true;
  const status = candidate.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
