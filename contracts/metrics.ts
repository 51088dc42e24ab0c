/**
 * The business metrics the functions emit (Powertools Metrics, EMF) and the dashboard and alarms
 * read: one definition of their names and dimensions for both sides. Every metric also has the
 * `service` dimension (the function's POWERTOOLS_SERVICE_NAME), which Powertools adds itself.
 * Dimension values come from small fixed sets; never ids, addresses or free text.
 */
export const BUSINESS_METRICS = {
  /** Notifier: one per notification outcome recorded; dimensions `channel` (email|sms|none) and `outcome` (sent|skipped|suppressed). */
  notifications: 'Notifications',
  /** Notifier: a notification not sent because the recipient's 24-hour cap was reached (no dimension but `service`). */
  notificationsSuppressed: 'NotificationsSuppressed',
  /** Notifier: a record failed and will be retried or dead-lettered; dimension `failure` (transient|rejected|invalid-message). */
  notificationFailures: 'NotificationFailures',
  /** Booking: an appointment was stored (no dimension but `service`). */
  appointmentsCreated: 'AppointmentsCreated',
  /** Booking: a request the function answered with a 4xx; dimension `statusCode` (the code, e.g. 401, 403). */
  requestsRejected: 'RequestsRejected',
  /** Enrichment: an appointment enriched; dimension `preferredMethod` (email|sms|none). */
  appointmentsEnriched: 'AppointmentsEnriched',
} as const;

export const PREFERRED_METHOD_DIMENSIONS = ['email', 'sms', 'none'] as const;
export const NOTIFICATION_FAILURES = ['transient', 'rejected', 'invalid-message'] as const;
export type NotificationFailureKind = (typeof NOTIFICATION_FAILURES)[number];

/** The 4xx codes the booking function answers with (409: a change of a cancelled or started appointment, or a version conflict); any other 4xx is counted as `other`, which keeps the dimension small. */
export const REJECTION_STATUS_CODES = ['400', '401', '403', '404', '405', '409', '413', '415'] as const;

export function rejectionStatusDimension(statusCode: number): string {
  const code = String(statusCode);
  return (REJECTION_STATUS_CODES as readonly string[]).includes(code) ? code : 'other';
}
