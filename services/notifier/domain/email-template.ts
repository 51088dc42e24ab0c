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

export function renderAppointmentEmail(appointment: EnrichedAppointment): EmailContent {
  const when = describeAppointmentTime(appointment.appointmentDateTime);
  const whenText = `${when.date} at ${when.time} (${when.zone})`;
  const where = appointment.clinic ? ` at ${appointment.clinic}` : '';

  const subject = oneLine(`Your appointment with ${appointment.dentist} on ${when.shortDate} at ${when.time}`);

  const text = [
    `Dear ${appointment.patientName},`,
    '',
    `Your appointment with ${appointment.dentist}${where} is booked for ${whenText}.`,
    ...(appointment.notes ? ['', 'Notes from the practice:', appointment.notes] : []),
    '',
    `Appointment reference: ${appointment.id}`,
    '',
    'LJ Dentists',
  ].join('\n');

  const notesHtml = appointment.notes
    ? `<p><strong>Notes from the practice:</strong><br>${escapeHtml(appointment.notes).replace(/\r?\n/g, '<br>')}</p>`
    : '';
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head><body>',
    `<p>Dear ${escapeHtml(appointment.patientName)},</p>`,
    `<p>Your appointment with <strong>${escapeHtml(appointment.dentist)}</strong>${escapeHtml(where)} is booked for <strong>${escapeHtml(whenText)}</strong>.</p>`,
    notesHtml,
    `<p>Appointment reference: ${escapeHtml(appointment.id)}</p>`,
    '<p>LJ Dentists</p>',
    '</body></html>',
  ]
    .filter((line) => line !== '')
    .join('\n');

  return { subject, text, html };
}
