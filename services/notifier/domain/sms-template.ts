import type { EnrichedAppointment } from '../../../contracts';
import { describeAppointmentTime } from './appointment-time';

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

/**
 * The appointment SMS: always one GSM-7 segment (≤ 160 septets). The clinic is dropped first when
 * space runs out, then the patient's and dentist's names are shortened, each keeping a fair share.
 */
export function renderAppointmentSms(appointment: EnrichedAppointment): string {
  const when = describeAppointmentTime(appointment.appointmentDateTime);
  const name = toGsm7(appointment.patientName);
  const dentist = toGsm7(appointment.dentist);
  const clinic = appointment.clinic ? toGsm7(appointment.clinic) : '';
  const compose = (n: string, d: string, c: string): string =>
    `LJ Dentists: ${n}, your appointment with ${d}${c ? ` at ${c}` : ''} is on ${when.shortDate} at ${when.time} (${when.zone}).`;

  const full = compose(name, dentist, clinic);
  if (gsmLength(full) <= MAX_SMS_SEPTETS) return full;
  const withoutClinic = compose(name, dentist, '');
  if (gsmLength(withoutClinic) <= MAX_SMS_SEPTETS) return withoutClinic;

  const budget = MAX_SMS_SEPTETS - gsmLength(compose('', '', ''));
  const half = Math.floor(budget / 2);
  // Whichever name is short leaves its unused share to the other.
  const nameBudget = gsmLength(dentist) <= half ? budget - gsmLength(dentist) : half;
  const shortName = truncateGsm(name, nameBudget);
  const shortDentist = truncateGsm(dentist, budget - gsmLength(shortName));
  return compose(shortName, shortDentist, '');
}
