/**
 * The booking API as the pages call it: same origin (the CloudFront distribution routes the API's
 * paths to API Gateway), JSON both ways, every failure turned into one `ApiError` shape so the
 * pages can show it. The manage token travels only in the Authorization header; nothing here logs.
 */
import type { ApiError } from './api-errors';

export type { ApiError };

export type ApiResult<T> = { ok: true; status: number; body: T; headers: Headers } | { ok: false; error: ApiError };

export interface CallOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

export async function callApi<T>(method: string, path: string, options: CallOptions = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...(options.headers ?? {}) };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    return { ok: false, error: { status: 0, code: 'NetworkError', message: 'The booking service could not be reached. Check your connection and try again.', details: [] } };
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    parsed = undefined;
  }
  if (response.ok && parsed !== undefined) return { ok: true, status: response.status, body: parsed as T, headers: response.headers };
  const body = (parsed ?? {}) as Partial<ApiError>;
  return {
    ok: false,
    error: {
      status: response.status,
      code: typeof body.code === 'string' ? body.code : 'UnexpectedResponse',
      message: typeof body.message === 'string' ? body.message : `The booking service answered with an unexpected response (HTTP ${response.status}). Please try again.`,
      details: Array.isArray(body.details) ? body.details.filter((detail): detail is string => typeof detail === 'string') : [],
      ...(typeof body.requestId === 'string' ? { requestId: body.requestId } : {}),
    },
  };
}
