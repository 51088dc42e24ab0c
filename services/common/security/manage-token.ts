import { createHmac, timingSafeEqual } from 'node:crypto';
import { MANAGE_TOKEN_PURPOSE } from '../../../contracts/api-routes';

/**
 * Manage tokens: what proves that a caller received the confirmation e-mail of a booking.
 *
 * `m1.<appointmentId>.<expiresAt>.<mac>`, where `expiresAt` is in seconds since the epoch and `mac`
 * is HMAC-SHA256 (base64url, 43 characters) over the version, the purpose, the appointment id, the
 * booking's e-mail address (lower-cased) and the expiry. The address is bound but not carried, so
 * a token in a URL names no person; the id is carried so the verifier knows which booking's address
 * to check against. Signed by the notifier (which e-mails it), verified by the booking API, with a
 * key from Secrets Manager that no caller ever sees. Verification is constant-time and never logs
 * the token.
 */
export const MANAGE_TOKEN_VERSION = 'm1';

const TOKEN_SHAPE = /^m1\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([1-9]\d{0,11})\.([A-Za-z0-9_-]{43})$/;
/** A token longer than this is not one of ours; it is rejected before any work. */
export const MAX_MANAGE_TOKEN_LENGTH = 120;

export interface ManageTokenClaims {
  appointmentId: string;
  email: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  purpose?: string;
}

function mac(key: string, claims: ManageTokenClaims): Buffer {
  const purpose = claims.purpose ?? MANAGE_TOKEN_PURPOSE;
  const material = [MANAGE_TOKEN_VERSION, purpose, claims.appointmentId.toLowerCase(), claims.email.toLowerCase(), String(claims.expiresAt)].join('\n');
  return createHmac('sha256', key).update(material, 'utf8').digest();
}

export function signManageToken(key: string, claims: ManageTokenClaims): string {
  if (key.length < 32) throw new Error('the manage-token key is too short (at least 32 characters)');
  if (!Number.isSafeInteger(claims.expiresAt) || claims.expiresAt <= 0) throw new Error('expiresAt must be a positive whole number of seconds');
  return `${MANAGE_TOKEN_VERSION}.${claims.appointmentId.toLowerCase()}.${claims.expiresAt}.${mac(key, claims).toString('base64url')}`;
}

/** The parts of a well-formed token, before its signature is checked; undefined for anything else. */
export function parseManageToken(token: string): { appointmentId: string; expiresAt: number; signature: Buffer } | undefined {
  if (token.length > MAX_MANAGE_TOKEN_LENGTH) return undefined;
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return undefined;
  const signature = Buffer.from(match[3]!, 'base64url');
  // base64url of 32 bytes is 43 characters; a different decoded length means stray bits.
  if (signature.length !== 32 || signature.toString('base64url') !== match[3]) return undefined;
  return { appointmentId: match[1]!, expiresAt: Number(match[2]), signature };
}

export type ManageTokenCheck = 'valid' | 'invalid' | 'expired';

/**
 * Checks a parsed token against the booking's address. `invalid` (forged, tampered, another
 * address, another purpose) and `expired` (genuine but too old) are told apart only after the
 * signature is proved, so the answer reveals nothing to someone without a real token.
 */
export function checkManageToken(
  key: string,
  parsed: { appointmentId: string; expiresAt: number; signature: Buffer },
  email: string,
  now: Date,
  purpose: string = MANAGE_TOKEN_PURPOSE,
): ManageTokenCheck {
  const expected = mac(key, { appointmentId: parsed.appointmentId, email, expiresAt: parsed.expiresAt, purpose });
  if (!timingSafeEqual(expected, parsed.signature)) return 'invalid';
  return parsed.expiresAt * 1000 > now.getTime() ? 'valid' : 'expired';
}

/**
 * Burns the same HMAC work as a real check, for a token whose appointment does not exist: an
 * unknown id then costs what a wrong token costs, so timing does not tell them apart either.
 */
export function checkAgainstNothing(key: string, parsed: { appointmentId: string; expiresAt: number; signature: Buffer }): 'invalid' {
  const expected = mac(key, { appointmentId: parsed.appointmentId, email: 'nobody@invalid', expiresAt: parsed.expiresAt });
  timingSafeEqual(expected, parsed.signature);
  return 'invalid';
}

/** When a token for an appointment starting at `appointmentDateTime` expires: `validitySeconds` after it starts. */
export function manageTokenExpiry(appointmentStartMs: number, validitySeconds: number): number {
  return Math.floor(appointmentStartMs / 1000) + validitySeconds;
}
