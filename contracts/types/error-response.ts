/* eslint-disable */
/**
 * GENERATED from contracts/schemas/error-response.schema.json by contracts/generate-types.ts: do not edit.
 * Change the schema and run `npm run types`.
 */

/**
 * JSON body of every 4xx/5xx response of the booking API.
 */
export interface ErrorResponse {
  /**
   * Stable machine-readable code, e.g. ValidationFailed, NotFound.
   */
  code: string;
  /**
   * What was wrong, for a person.
   */
  message: string;
  /**
   * Every problem found, e.g. one line per schema violation.
   *
   * @maxItems 100
   */
  details?: string[];
  /**
   * The API Gateway request id, for support.
   */
  requestId: string;
}
