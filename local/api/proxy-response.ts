/** A Lambda proxy integration response, validated as API Gateway validates it. */
export interface HttpResponse {
  statusCode: number;
  /** Header name → values; single and multi-value headers merged as API Gateway merges them. */
  headers: Record<string, string[]>;
  body: Buffer;
}

export type ProxyResponseResult = { ok: true; response: HttpResponse } | { ok: false; problem: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Maps a function's result to the HTTP response, or reports why it is malformed (API Gateway then
 * answers 502): the result must be an object with an integer `statusCode`, string-valued
 * `headers`, array-valued `multiValueHeaders`, a string `body` and a boolean `isBase64Encoded`.
 */
export function parseProxyResponse(payload: unknown): ProxyResponseResult {
  if (!isRecord(payload)) return { ok: false, problem: `the result is not an object: ${JSON.stringify(payload)}` };
  const allowed = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);
  const unknown = Object.keys(payload).filter((key) => !allowed.has(key));
  if (unknown.length > 0) return { ok: false, problem: `unexpected field(s) ${unknown.join(', ')}` };
  const statusCode = typeof payload.statusCode === 'string' && /^\d+$/.test(payload.statusCode) ? Number(payload.statusCode) : payload.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return { ok: false, problem: `statusCode must be an integer 100..599, got ${JSON.stringify(payload.statusCode)}` };
  }
  const headers: Record<string, string[]> = {};
  const add = (name: string, value: string): void => {
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
    (headers[existing ?? name] ??= []).push(value);
  };
  if (payload.headers !== undefined && payload.headers !== null) {
    if (!isRecord(payload.headers)) return { ok: false, problem: 'headers must be an object' };
    for (const [name, value] of Object.entries(payload.headers)) {
      const text = headerValue(value);
      if (text === undefined) return { ok: false, problem: `header ${name} must be a string, got ${JSON.stringify(value)}` };
      add(name, text);
    }
  }
  if (payload.multiValueHeaders !== undefined && payload.multiValueHeaders !== null) {
    if (!isRecord(payload.multiValueHeaders)) return { ok: false, problem: 'multiValueHeaders must be an object' };
    for (const [name, values] of Object.entries(payload.multiValueHeaders)) {
      if (!Array.isArray(values)) return { ok: false, problem: `multiValueHeaders.${name} must be a list` };
      for (const value of values) {
        const text = headerValue(value);
        if (text === undefined) return { ok: false, problem: `multiValueHeaders.${name} holds ${JSON.stringify(value)}` };
        // A header given in both maps keeps every distinct value.
        const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
        if (!existing || !headers[existing]?.includes(text)) add(name, text);
      }
    }
  }
  if (payload.body !== undefined && payload.body !== null && typeof payload.body !== 'string') {
    return { ok: false, problem: `body must be a string, got ${typeof payload.body}` };
  }
  if (payload.isBase64Encoded !== undefined && typeof payload.isBase64Encoded !== 'boolean') {
    return { ok: false, problem: 'isBase64Encoded must be a boolean' };
  }
  const text = typeof payload.body === 'string' ? payload.body : '';
  const body = payload.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { ok: true, response: { statusCode, headers, body } };
}
