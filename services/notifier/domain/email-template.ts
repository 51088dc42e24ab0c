import type { EnrichedAppointment } from '../../../contracts';
import { describeAppointmentTime } from './appointment-time';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every value from a booking is escaped before it enters HTML: names and notes are user input. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

/** Subjects are a single header line: user input must not bring line breaks (or tabs) into it. */
const oneLine = (value: string): string => value.replace(/\s+/g, ' ').trim();

export interface EmailLinks {
  /** The patient's manage link (with its token); only e-mails carry it, since only the address is proved. */
  manageUrl: string;
}

/**
 * The confirmation e-mail. Words of the practice only: the caller's free-text `notes` never appear
 * (they would read as the practice's own words, from its own address); the dentist is one of the
 * practice's list. The manage link is the only way to reach the booking, so it is shown in full.
 */
export function renderAppointmentEmail(appointment: EnrichedAppointment, links: EmailLinks): EmailContent {
  const when = describeAppointmentTime(appointment.appointmentDateTime);
  const whenText = `${when.date} at ${when.time} (${when.zone})`;
  const where = appointment.clinic ? ` at ${appointment.clinic}` : '';

  const subject = oneLine(`Your appointment with ${appointment.dentist} on ${when.shortDate} at ${when.time}`);

  const text = [
    `Dear ${appointment.patientName},`,
    '',
    `Your appointment with ${appointment.dentist}${where} is booked for ${whenText}.`,
    '',
    'See or manage your appointment and how we contact you:',
    links.manageUrl,
    '',
    `Appointment reference: ${appointment.id}`,
    '',
    'If you did not make this booking, you can ignore this e-mail; keep the link above to yourself.',
    '',
    'LJ Dentists',
  ].join('\n');

  const html = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head><body>',
    `<p>Dear ${escapeHtml(appointment.patientName)},</p>`,
    `<p>Your appointment with <strong>${escapeHtml(appointment.dentist)}</strong>${escapeHtml(where)} is booked for <strong>${escapeHtml(whenText)}</strong>.</p>`,
    `<p><a href="${escapeHtml(links.manageUrl)}">See or manage your appointment</a> and how we contact you.</p>`,
    `<p>Appointment reference: ${escapeHtml(appointment.id)}</p>`,
    '<p>If you did not make this booking, you can ignore this e-mail; keep the link above to yourself.</p>',
    '<p>LJ Dentists</p>',
    '</body></html>',
  ]
    .filter((line) => line !== '')
    .join('\n');

  return { subject, text, html };
}
