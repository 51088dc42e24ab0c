import { HttpError, badRequest } from '../../common/errors';

/** Largest request body accepted (decoded bytes). A booking is well under 2 KiB; 16 KiB leaves room. */
export const MAX_BODY_BYTES = 16 * 1024;

export interface HttpRequestParts {
  body: string | null;
  isBase64Encoded: boolean;
  headers: Record<string, string | undefined> | null;
}

/** Header lookup ignoring case: clients and gateways disagree on header name casing. */
export function headerValue(headers: HttpRequestParts['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

// `application/json`, optionally with a UTF-8 charset (JSON is UTF-8 by RFC 8259); parameters such
// as a quoted charset are allowed, other media types and charsets are not.
const JSON_MEDIA_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*(?:"utf-8"|utf-8)\s*)?$/i;

// A JavaScript string that is not valid UTF-16 cannot have come from UTF-8 bytes.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes and parses a JSON request body the way the API promises: 415 for another content type,
 * 413 past MAX_BODY_BYTES, 400 for an empty body, bytes that are not UTF-8, or malformed JSON.
 */
export function readJsonBody(request: HttpRequestParts): unknown {
  const contentType = headerValue(request.headers, 'content-type');
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType.trim())) {
    throw new HttpError(415, 'UnsupportedMediaType', `content-type must be application/json (UTF-8), got ${JSON.stringify(contentType ?? null)}`);
  }
  const raw = request.body ?? '';
  let text: string;
  if (request.isBase64Encoded) {
    // Check the size before decoding: 4 base64 characters carry 3 bytes. Line breaks and spaces
    // (MIME-wrapped base64) carry none, so they are dropped first.
    const compact = raw.replace(/\s+/g, '');
    if (Math.floor((compact.length * 3) / 4) > MAX_BODY_BYTES + 3) throw tooLarge();
    if (!BASE64.test(compact)) throw badRequest('InvalidEncoding', 'the request body is marked base64 but is not valid base64');
    const bytes = Buffer.from(compact, 'base64');
    if (bytes.length > MAX_BODY_BYTES) throw tooLarge();
    try {
      text = utf8.decode(bytes);
    } catch {
      throw badRequest('InvalidEncoding', 'the request body is not valid UTF-8');
    }
  } else {
    if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw tooLarge();
    if (LONE_SURROGATE.test(raw)) throw badRequest('InvalidEncoding', 'the request body is not valid UTF-8');
    text = raw;
  }
  if (text.trim() === '') throw badRequest('EmptyBody', 'the request body is empty: send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // Never the parser's message itself: it quotes the text around the error (`Unexpected token
    // 'j', "jane@example.com" is not valid JSON`), which is personal data, and the rejection is logged.
    const position = error instanceof Error ? /\bposition (\d+)\b/.exec(error.message)?.[1] : undefined;
    throw badRequest('MalformedJson', 'the request body is not valid JSON', [
      position === undefined ? `the body (${text.length} characters) is not valid JSON` : `the body is not valid JSON at position ${position}`,
    ]);
  }
}

function tooLarge(): HttpError {
  return new HttpError(413, 'PayloadTooLarge', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
}

/**
 * For routes whose body is optional (cancel): no body at all, or only whitespace, is `undefined`
 * (whatever the content type); anything else is read as `readJsonBody` reads it.
 */
export function readOptionalJsonBody(request: HttpRequestParts): unknown {
  const raw = request.body ?? '';
  if ((request.isBase64Encoded ? raw.replace(/\s+/g, '') : raw.trim()) === '') return undefined;
  return readJsonBody(request);
}
