import type { NotificationKind } from '../../../contracts';
import { changeDetails, type NotifiedAppointment } from './notification-details';

/** One SMS segment of GSM-7 text; anything longer is split (and billed) as several. */
export const MAX_SMS_SEPTETS = 160;

// GSM 03.38 default alphabet (one septet each) and its extension table (escape + char = two).
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€');
const LOOKALIKES: Record<string, string> = { '‘': "'", '’': "'", '“': '"', '”': '"', '–': '-', '—': '-', '\u00a0': ' ', Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', œ: 'oe', Œ: 'OE' };
const ELLIPSIS = '...';

/** Septets a GSM-7 string takes (extension characters count twice). */
export function gsmLength(text: string): number {
  let length = 0;
  for (const character of text) length += GSM_EXTENDED.has(character) ? 2 : 1;
  return length;
}

export function isGsm7(text: string): boolean {
  return [...text].every((character) => GSM_BASIC.has(character) || GSM_EXTENDED.has(character));
}

/**
 * Makes user text GSM-7: one non-GSM character (an emoji, a Polish ł) would switch the whole
 * message to UCS-2 and cut a segment to 70 characters. Accents outside the alphabet are dropped
 * (ő → o); what cannot be approximated becomes `?`; whitespace runs become one space.
 */
export function toGsm7(text: string): string {
  let result = '';
  for (const character of text.replace(/\s+/g, ' ')) {
    if (GSM_BASIC.has(character) || GSM_EXTENDED.has(character)) result += character;
    else if (LOOKALIKES[character]) result += LOOKALIKES[character];
    else {
      const base = character.normalize('NFD').replace(/\p{M}/gu, '');
      result += [...base].every((c) => GSM_BASIC.has(c)) && base !== '' ? base : '?';
    }
  }
  return result.trim();
}

/** Cuts GSM-7 text to at most `septets`, whole characters only, marking the cut with `...`. */
export function truncateGsm(text: string, septets: number): string {
  if (gsmLength(text) <= septets) return text;
  let result = '';
  let used = 0;
  for (const character of text) {
    const cost = GSM_EXTENDED.has(character) ? 2 : 1;
    if (used + cost > septets - ELLIPSIS.length) break;
    result += character;
    used += cost;
  }
  return result.trimEnd() + ELLIPSIS;
}

/** Shares `budget` septets among texts fairly: a text shorter than its share leaves the rest to the others. */
function shareBudget(lengths: readonly number[], budget: number): number[] {
  const shares = lengths.map(() => 0);
  const order = lengths.map((length, index) => ({ length, index })).sort((a, b) => a.length - b.length);
  let left = budget;
  order.forEach(({ length, index }, position) => {
    const fair = Math.floor(left / (order.length - position));
    shares[index] = Math.min(length, fair);
    left -= shares[index]!;
  });
  return shares;
}

/**
 * The SMS of one notification (booked, rescheduled, cancelled, reminder): always one GSM-7 segment
 * (<= 160 septets). The clinic is dropped first when space runs out, then the names (patient,
 * dentists) are shortened, each keeping a fair share. Never notes nor cancellationReason; no link
 * (only the e-mail address is proved, so only e-mails carry the manage link).
 */
export function renderNotificationSms(kind: NotificationKind, appointment: NotifiedAppointment): string {
  const details = changeDetails(kind, appointment);
  const { when } = details;
  const previous = details.previousWhen;
  const zoneOfPrevious = previous && previous.zone !== when.zone ? ` (${previous.zone})` : '';
  const at = `${when.shortDate} at ${when.time} (${when.zone})`;
  // The names that may be shortened: patient, dentist, and the previous dentist of a reschedule.
  const names = [toGsm7(appointment.patientName), toGsm7(appointment.dentist), details.previousDentist ? toGsm7(details.previousDentist) : ''];
  const clinic = appointment.clinic ? toGsm7(appointment.clinic) : '';
  const compose = ([n, d, pd]: readonly string[], c: string): string => {
    const place = c ? ` at ${c}` : '';
    switch (kind) {
      case 'booked':
        return `LJ Dentists: ${n}, your appointment with ${d}${place} is on ${at}.`;
      case 'rescheduled': {
        const moved = previous ? ` is moved from ${previous.shortDate} ${previous.time}${zoneOfPrevious} to ${at}` : ` on ${at} is changed`;
        return `LJ Dentists: ${n}, your appointment with ${d}${place}${moved}${pd ? ` (was with ${pd})` : ''}.`;
      }
      case 'cancelled':
        return `LJ Dentists: ${n}, your appointment with ${d}${place} on ${at} is cancelled.`;
      case 'reminder':
        return `LJ Dentists: ${n}, a reminder of your appointment with ${d}${place} on ${at}.`;
    }
  };

  const full = compose(names, clinic);
  if (gsmLength(full) <= MAX_SMS_SEPTETS) return full;
  const withoutClinic = compose(names, '');
  if (gsmLength(withoutClinic) <= MAX_SMS_SEPTETS) return withoutClinic;

  const present = names.filter((name) => name !== '');
  // What the fixed words take: the message without its clinic, less the names inserted in it.
  const budget = MAX_SMS_SEPTETS - (gsmLength(withoutClinic) - present.reduce((sum, name) => sum + gsmLength(name), 0));
  const shares = shareBudget(present.map(gsmLength), budget);
  let index = 0;
  const shortened = names.map((name) => (name === '' ? '' : truncateGsm(name, shares[index++]!)));
  return compose(shortened, '');
}
