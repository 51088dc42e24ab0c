import type { ReminderPlan } from '../reminders/reminder-scheduler';

/** `24 hours`, `90 minutes`, `45 seconds`: the lead time as the patient's row shows it. */
export function describeLeadTime(seconds: number): string {
  const unit = (value: number, name: string) => `${value} ${name}${value === 1 ? '' : 's'}`;
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return unit(seconds / 60, 'minute');
  return unit(seconds, 'second');
}

/** Why an appointment has no reminder: the `cause` of its skipped reminder row. */
export function reminderSkipCause(reason: Extract<ReminderPlan, { action: 'none' }>['reason'], leadSeconds: number): string {
  switch (reason) {
    case 'cancelled':
      return 'the appointment was cancelled';
    case 'started':
      return 'the appointment has already started';
    case 'within-lead-time':
      return `the appointment is less than ${describeLeadTime(leadSeconds)} away`;
  }
}
