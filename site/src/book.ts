/** The booking page (`/`): choose a dentist, a date and time, say who you are; the API books it. */
import { callApi } from './api';
import { fieldErrorsOf } from './api-errors';
import { BOOKING_LABELS, checkBooking, describeDateTime, localDateTime } from './checks';
import { announce, byId, clearFieldErrors, fillDentists, setFieldError, today, value, type Dentist } from './dom';

const FIELDS = ['patientName', 'email', 'phoneNumber', 'dentist', 'appointmentDateTime'] as const;
/** Where each API field's error is shown (the date and time are two inputs). */
const FIELD_ELEMENT: Record<string, string> = { patientName: 'patientName', email: 'email', phoneNumber: 'phoneNumber', dentist: 'dentist', appointmentDateTime: 'appointmentDate' };

interface BookedAppointment {
  id: string;
  dentist: string;
  appointmentDateTime: string;
  email: string;
}

const form = byId<HTMLFormElement>('booking-form');
const dentistSelect = byId<HTMLSelectElement>('dentist');
byId<HTMLInputElement>('appointmentDate').min = today();

async function loadDentists(): Promise<void> {
  const result = await callApi<{ dentists: Dentist[] }>('GET', '/dentists');
  if (!result.ok) {
    announce('form-error', `The list of dentists could not be loaded: ${result.error.message}`);
    return;
  }
  fillDentists(dentistSelect, result.body.dentists);
}

function showProblems(problems: Record<string, string>, summary: string, other: string[] = []): void {
  for (const [field, message] of Object.entries(problems)) setFieldError(FIELD_ELEMENT[field] ?? field, message);
  const lines = [...Object.entries(problems).map(([field, message]) => (message.startsWith(BOOKING_LABELS[field] ?? '\u0000') ? message : `${BOOKING_LABELS[field] ?? field}: ${message}`)), ...other];
  announce('form-error', summary, lines);
  const first = Object.keys(problems)[0];
  if (first) document.getElementById(FIELD_ELEMENT[first] ?? first)?.focus();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void submit();
});

async function submit(): Promise<void> {
  clearFieldErrors(form);
  announce('form-error', '');
  announce('result', '');
  const values: Record<string, string> = {
    patientName: value(form, 'patientName'),
    email: value(form, 'email'),
    phoneNumber: value(form, 'phoneNumber'),
    dentist: value(form, 'dentist'),
    appointmentDateTime: localDateTime(value(form, 'appointmentDate'), value(form, 'appointmentTime')),
  };
  const problems = checkBooking(values, new Date());
  if (Object.keys(problems).length > 0) {
    showProblems(problems, 'Please correct the highlighted fields.');
    return;
  }
  const request = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
  const button = byId<HTMLButtonElement>('book-button');
  button.disabled = true;
  try {
    const result = await callApi<BookedAppointment>('POST', '/appointments', { body: request });
    if (!result.ok) {
      const { byField, other } = fieldErrorsOf(result.error, FIELDS);
      showProblems(byField, result.error.message, other);
      return;
    }
    const booked = result.body;
    form.reset();
    announce('result', `Booked: ${booked.dentist}, ${describeDateTime(booked.appointmentDateTime)}. We are sending a confirmation to ${booked.email} with a link to manage your appointment.`);
    byId('result').focus();
  } finally {
    button.disabled = false;
  }
}

void loadDentists();
