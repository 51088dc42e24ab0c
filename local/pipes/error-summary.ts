import { EnrichmentFailedError, describeError } from './errors';
import type { ErrorSummary } from './pipe-runner-events';

/** Progress events carry errors as plain data, with what the enrichment reported when it failed. */
export function summarizeError(error: unknown): ErrorSummary {
  const { code, message } = describeError(error);
  if (error instanceof EnrichmentFailedError) return { code, message, errorType: error.errorType, errorMessage: error.errorMessage };
  return { code, message };
}
