import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ErrorResponse } from '../../contracts';

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const;

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** A 4xx/5xx with an `error-response` body; `details` only when there is something to list. */
export function errorResponse(
  statusCode: number,
  error: { code: string; message: string; details?: string[] },
  requestId: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  const body: ErrorResponse = { code: error.code, message: error.message.slice(0, 500), requestId };
  if (error.details && error.details.length > 0) body.details = error.details.slice(0, 100).map((detail) => detail.slice(0, 500));
  return jsonResponse(statusCode, body, headers);
}
