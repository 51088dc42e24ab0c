/** Masking for the personal data that must never reach a log line, or a stored error, in clear (docs/security.md, docs/conventions.md). */

const STARS = '***';

/** `jane.doe@example.co.uk` → `j***@e***.uk`: enough to tell addresses apart, not to use one. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return STARS;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 && dot < domain.length - 1 ? domain.slice(dot) : '';
  return `${[...local][0]}${STARS}@${[...domain][0]}${STARS}${tld}`;
}

/** `+447700900189` → `+44********89`: country code and last two digits only. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 6) return STARS;
  return `+${digits.slice(0, 2)}${'*'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}

const EMAIL_IN_TEXT = /[^\s@<>()"',;:]+@[^\s@<>()"',;:]+\.[^\s@<>()"',;:]+/g;
// An international number (+ then 7 to 15 digits), or a bare run of 10 to 15 digits (0044 7700 …),
// single spaces allowed between digits; dates, times and short counts in a message are left alone.
const PHONE_IN_TEXT = /\+\d(?: ?\d){6,14}(?!\d)|(?<![\d.:-])\d(?: ?\d){9,14}(?![\d.:-])/g;

/**
 * Masks every e-mail address and phone-number-like digit run inside free text, such as a provider's
 * error message ("Invalid parameter: PhoneNumber +447700900123"), before it is logged or stored.
 */
export function maskPersonalData(text: string): string {
  return text.replace(EMAIL_IN_TEXT, (email) => maskEmail(email)).replace(PHONE_IN_TEXT, (phone) => maskPhone(phone));
}
