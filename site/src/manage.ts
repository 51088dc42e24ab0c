/**
 * The manage page (`/manage?appointment=<id>#token=<token>`, the link in every e-mail): the
 * appointment and its notifications, reschedule, cancel, and how the address is told.
 *
 * The token is in the fragment, which the browser never sends to a server nor puts in a Referer.
 * It is read once, removed from the address bar, kept in memory and sent only as
 * `Authorization: Bearer`. It is never logged.
 */
import { callApi } from './api';
import { fieldErrorsOf, type ApiError } from './api-errors';
import { checkNewTime, checkPreference, describeDateTime, localDateTime } from './checks';
import { announce, byId, clearFieldErrors, fillDentists, setFieldError, today, value, type Dentist } from './dom';

interface NotificationRow {
  kind?: string;
  channel?: string;
  status?: string;
  updatedAt?: string;
  sentAt?: string;
  cause?: string;
}
interface AppointmentView {
  id: string;
  patientName: string;
  email: string;
  dentist: string;
  appointmentDateTime: string;
  status?: 'booked' | 'cancelled';
  notifications?: NotificationRow[];
  reminderDueAt?: string;
  // The appointment as released before the lifecycle: one notification's outcome on the item.
  notificationStatus?: string;
  notificationChannel?: string;
  notifiedAt?: string;
  notificationReason?: string;
}
interface Contact {
  preferredMethod: 'email' | 'sms' | 'none';
  phoneNumber?: string;
}

const params = new URLSearchParams(location.search);
const appointmentId = params.get('appointment') ?? '';
const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') ?? '';
// Out of the address bar (and so out of bookmarks, history and screenshots) at once.
if (location.hash) history.replaceState(null, '', `${location.pathname}${location.search}`);

let current: AppointmentView | undefined;
let etag: string | null = null;

function show(view: 'loading' | 'invalid' | 'manage' | 'failed'): void {
  byId('loading').hidden = view !== 'loading';
  byId('invalid-link').hidden = view !== 'invalid';
  byId('manage').hidden = view !== 'manage';
  byId('load-failed').hidden = view !== 'failed';
  const heading = view === 'invalid' ? byId('invalid-heading') : view === 'manage' ? byId('manage-heading') : undefined;
  heading?.focus();
}

/** 401 (wrong, expired or missing token) and 404 look the same to a patient: the link does not work. */
function isInvalidLink(error: ApiError): boolean {
  return error.status === 401 || error.status === 403 || error.status === 404;
}

function failed(error: ApiError): void {
  if (isInvalidLink(error)) {
    show('invalid');
    return;
  }
  announce('load-error', `Your appointment could not be loaded: ${error.message}`, error.requestId ? [`Reference: ${error.requestId}`] : []);
  show('failed');
}

async function load(): Promise<void> {
  if (!appointmentId || !token) {
    show('invalid');
    return;
  }
  const result = await callApi<AppointmentView>('GET', `/appointments/${encodeURIComponent(appointmentId)}`, { token });
  if (!result.ok) {
    failed(result.error);
    return;
  }
  etag = result.headers.get('etag');
  render(result.body);
  show('manage');
  void loadDentists(result.body.dentist);
  void loadPreference(result.body.email);
}

function text(tag: string, content: string): HTMLElement {
  const element = document.createElement(tag);
  element.textContent = content;
  return element;
}

function describeNotification(row: NotificationRow): string[] {
  const when = row.sentAt ?? row.updatedAt;
  return [row.kind ?? 'booked', row.channel ?? '-', row.status ?? 'pending', when ? new Date(when).toLocaleString('en-GB') : '-', row.cause ?? ''];
}

function render(appointment: AppointmentView): void {
  current = appointment;
  const cancelled = appointment.status === 'cancelled';
  byId('detail-dentist').textContent = appointment.dentist;
  byId('detail-when').textContent = describeDateTime(appointment.appointmentDateTime);
  byId('detail-name').textContent = appointment.patientName;
  byId('detail-email').textContent = appointment.email;
  byId('detail-status').textContent = cancelled ? 'Cancelled' : 'Booked';
  byId('detail-reminder').textContent = appointment.reminderDueAt ? new Date(appointment.reminderDueAt).toLocaleString('en-GB') : 'none planned';

  const rows: NotificationRow[] =
    appointment.notifications ??
    (appointment.notificationStatus
      ? [{ kind: 'booked', status: appointment.notificationStatus, ...(appointment.notificationChannel ? { channel: appointment.notificationChannel } : {}), ...(appointment.notifiedAt ? { sentAt: appointment.notifiedAt } : {}), ...(appointment.notificationReason ? { cause: appointment.notificationReason } : {}) }]
      : []);
  const body = byId('notifications-body');
  body.replaceChildren();
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const cell of describeNotification(row)) tr.append(text('td', cell));
    body.append(tr);
  }
  byId('notifications-empty').hidden = rows.length > 0;

  byId('reschedule-section').hidden = cancelled;
  byId('cancel-section').hidden = cancelled;
  byId('cancelled-note').hidden = !cancelled;
}

async function loadDentists(selected: string): Promise<void> {
  const result = await callApi<{ dentists: Dentist[] }>('GET', '/dentists');
  if (result.ok) fillDentists(byId<HTMLSelectElement>('newDentist'), result.body.dentists, selected);
}

async function loadPreference(email: string): Promise<void> {
  const result = await callApi<Contact>('GET', `/contacts/${encodeURIComponent(email)}`, { token });
  const form = byId<HTMLFormElement>('preference-form');
  let contact: Contact = { preferredMethod: 'email' };
  if (result.ok) contact = result.body;
  else if (result.error.status !== 404) announce('preference-result', `Your current preference could not be loaded: ${result.error.message}`);
  const radio = form.querySelector<HTMLInputElement>(`input[name="preferredMethod"][value="${contact.preferredMethod}"]`);
  if (radio) radio.checked = true;
  byId<HTMLInputElement>('preferencePhone').value = contact.phoneNumber ?? '';
  byId('current-preference').textContent = { email: 'by e-mail', sms: 'by text message (SMS)', none: 'not at all' }[contact.preferredMethod] + (result.ok ? '' : ' (the default)');
}

function problemsOf(error: ApiError, fieldIds: Record<string, string>, regionId: string): void {
  const { byField, other } = fieldErrorsOf(error, Object.keys(fieldIds));
  for (const [field, message] of Object.entries(byField)) setFieldError(fieldIds[field] ?? field, message);
  announce(regionId, error.message, other);
}

const rescheduleForm = byId<HTMLFormElement>('reschedule-form');
byId<HTMLInputElement>('newDate').min = today();
rescheduleForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void reschedule();
});
async function reschedule(): Promise<void> {
  if (!current) return;
  clearFieldErrors(rescheduleForm);
  announce('reschedule-result', '');
  const dateTime = localDateTime(value(rescheduleForm, 'newDate'), value(rescheduleForm, 'newTime'));
  const dentist = value(rescheduleForm, 'newDentist');
  const problem = checkNewTime(dateTime, new Date());
  if (problem) {
    setFieldError('newDate', problem);
    announce('reschedule-result', 'Please correct the highlighted fields.', [problem]);
    byId('newDate').focus();
    return;
  }
  const change: Record<string, string> = { appointmentDateTime: dateTime };
  if (dentist && dentist !== current.dentist) change.dentist = dentist;
  const result = await callApi<AppointmentView>('PATCH', `/appointments/${encodeURIComponent(current.id)}`, { token, body: change, ...(etag ? { headers: { 'if-match': etag } } : {}) });
  if (!result.ok) {
    if (result.error.status === 401) return show('invalid');
    problemsOf(result.error, { appointmentDateTime: 'newDate', dentist: 'newDentist' }, 'reschedule-result');
    return;
  }
  etag = result.headers.get('etag');
  render(result.body);
  announce('reschedule-result', `Your appointment is now ${result.body.dentist}, ${describeDateTime(result.body.appointmentDateTime)}. We are sending you a confirmation.`);
}

const preferenceForm = byId<HTMLFormElement>('preference-form');
preferenceForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void savePreference();
});
async function savePreference(): Promise<void> {
  if (!current) return;
  clearFieldErrors(preferenceForm);
  announce('preference-result', '');
  const preferredMethod = value(preferenceForm, 'preferredMethod');
  const phoneNumber = value(preferenceForm, 'phoneNumber');
  const problems = checkPreference({ preferredMethod, phoneNumber });
  if (Object.keys(problems).length > 0) {
    if (problems.phoneNumber) setFieldError('preferencePhone', problems.phoneNumber);
    announce('preference-result', 'Please correct the highlighted fields.', Object.values(problems));
    if (problems.phoneNumber) byId('preferencePhone').focus();
    return;
  }
  const body = { preferredMethod, ...(phoneNumber ? { phoneNumber } : {}) };
  const result = await callApi<Contact>('PUT', `/contacts/${encodeURIComponent(current.email)}`, { token, body });
  if (!result.ok) {
    if (result.error.status === 401) return show('invalid');
    problemsOf(result.error, { phoneNumber: 'preferencePhone', preferredMethod: 'method-email' }, 'preference-result');
    return;
  }
  await loadPreference(current.email);
  announce('preference-result', `Saved: from now on we tell you ${byId('current-preference').textContent ?? ''}.`);
}

const cancelForm = byId<HTMLFormElement>('cancel-form');
cancelForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void cancel();
});
async function cancel(): Promise<void> {
  if (!current) return;
  clearFieldErrors(cancelForm);
  announce('cancel-result', '');
  if (!byId<HTMLInputElement>('confirmCancel').checked) {
    setFieldError('confirmCancel', 'Tick the box to confirm that you want to cancel');
    announce('cancel-result', 'Please confirm the cancellation.');
    byId('confirmCancel').focus();
    return;
  }
  const reason = value(cancelForm, 'reason');
  const result = await callApi<AppointmentView>('POST', `/appointments/${encodeURIComponent(current.id)}/cancel`, { token, body: reason ? { reason } : {}, ...(etag ? { headers: { 'if-match': etag } } : {}) });
  if (!result.ok) {
    if (result.error.status === 401) return show('invalid');
    problemsOf(result.error, { reason: 'reason' }, 'cancel-result');
    return;
  }
  etag = result.headers.get('etag');
  render(result.body);
  announce('status-result', 'Your appointment is cancelled. We are sending you a confirmation.');
}

byId('refresh-button').addEventListener('click', () => {
  void (async () => {
    const result = await callApi<AppointmentView>('GET', `/appointments/${encodeURIComponent(appointmentId)}`, { token });
    if (!result.ok) return failed(result.error);
    etag = result.headers.get('etag');
    render(result.body);
    announce('status-result', 'Updated.');
  })();
});

void load();
