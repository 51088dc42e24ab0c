import type { NotificationKind } from '../../../contracts';
import { changeDetails, longTime, type NotifiedAppointment } from './notification-details';

export interface EmailAttachment {
  fileName: string;
  contentType: string;
  content: string;
}

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
  attachments?: EmailAttachment[];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every value from a booking is escaped before it enters HTML: names and notes are user input. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

/** Subjects are a single header line: user input must not bring line breaks (or tabs) into it. */
const oneLine = (value: string): string => value.replace(/\s+/g, ' ').trim();

export interface EmailLinks {
  /**
   * The patient's manage link (with its token); only e-mails carry it, since only the address is
   * proved. Not given for a cancellation: a cancelled booking cannot be changed, so the e-mail
   * points to the booking page instead.
   */
  manageUrl?: string;
  /** The public booking page, offered after a cancellation to book again. */
  bookUrl: string;
}

/** One paragraph: its plain text, and its HTML with the values escaped and the important parts in bold. */
interface Paragraph {
  text: string;
  html: string;
}

const paragraph = (parts: ReadonlyArray<string | { strong: string }>): Paragraph => ({
  text: parts.map((part) => (typeof part === 'string' ? part : part.strong)).join(''),
  html: parts.map((part) => (typeof part === 'string' ? escapeHtml(part) : `<strong>${escapeHtml(part.strong)}</strong>`)).join(''),
});

/**
 * The e-mail of one notification: a booking's confirmation, a reschedule (old -> new time, and the
 * old and new dentist when that changed), a cancellation, or a reminder. Words of the practice only:
 * the caller's free-text `notes` and the `cancellationReason` never appear (they would read as the
 * practice's own words, from its own address, and the reason is personal); the dentist is one of
 * the practice's list. Times are in the appointment's own offset, named. The manage link is the
 * only way to reach the booking, so it is shown in full.
 */
export function renderNotificationEmail(kind: NotificationKind, appointment: NotifiedAppointment, links: EmailLinks): EmailContent {
  const details = changeDetails(kind, appointment);
  const { when } = details;
  const where = appointment.clinic ? ` at ${appointment.clinic}` : '';
  const dentist = { strong: appointment.dentist };
  const at = { strong: longTime(when) };

  let subject: string;
  const body: Paragraph[] = [];
  switch (kind) {
    case 'booked':
      subject = `Your appointment with ${appointment.dentist} on ${when.shortDate} at ${when.time}`;
      body.push(paragraph(['Your appointment with ', dentist, `${where} is booked for `, at, '.']));
      break;
    case 'rescheduled': {
      subject = `Your appointment is changed: ${appointment.dentist} on ${when.shortDate} at ${when.time}`;
      if (details.previousWhen) {
        body.push(paragraph(['Your appointment with ', dentist, `${where} has moved from ${longTime(details.previousWhen)} to `, at, '.']));
      } else {
        body.push(paragraph([`Your appointment${where} on `, at, ' is now with ', dentist, '.']));
      }
      if (details.previousDentist) body.push(paragraph([`It was with ${details.previousDentist}; it is now with `, dentist, '.']));
      break;
    }
    case 'cancelled':
      subject = `Cancelled: your appointment with ${appointment.dentist} on ${when.shortDate} at ${when.time}`;
      body.push(paragraph(['Your appointment with ', dentist, `${where} on `, at, ' is ', { strong: 'cancelled' }, '.']));
      break;
    case 'reminder':
      subject = `Reminder: your appointment with ${appointment.dentist} on ${when.shortDate} at ${when.time}`;
      body.push(paragraph(['A reminder of your appointment with ', dentist, `${where} on `, at, '.']));
      break;
  }
  subject = oneLine(subject);

  const text: string[] = [`Dear ${appointment.patientName},`, '', ...body.flatMap((p) => [p.text, ''])];
  const html: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head><body>',
    `<p>Dear ${escapeHtml(appointment.patientName)},</p>`,
    ...body.map((p) => `<p>${p.html}</p>`),
  ];
  if (kind !== 'cancelled' && links.manageUrl) {
    text.push('See or manage your appointment and how we contact you:', links.manageUrl, '');
    html.push(`<p><a href="${escapeHtml(links.manageUrl)}">See or manage your appointment</a> and how we contact you.</p>`);
  }
  if (kind === 'cancelled') {
    text.push('To book another appointment:', links.bookUrl, '');
    html.push(`<p><a href="${escapeHtml(links.bookUrl)}">Book another appointment</a></p>`);
  }
  text.push(`Appointment reference: ${appointment.id}`, '');
  html.push(`<p>Appointment reference: ${escapeHtml(appointment.id)}</p>`);
  if (kind === 'booked') {
    const warning = 'If you did not make this booking, you can ignore this e-mail; keep the link above to yourself.';
    text.push(warning, '');
    html.push(`<p>${escapeHtml(warning)}</p>`);
  } else if (kind !== 'cancelled' && links.manageUrl) {
    const keep = 'Keep the link above to yourself: it opens your booking.';
    text.push(keep, '');
    html.push(`<p>${escapeHtml(keep)}</p>`);
  }
  text.push('LJ Dentists');
  html.push('<p>LJ Dentists</p>', '</body></html>');

  return { subject, text: text.join('\n'), html: html.join('\n') };
}
