import type { EnrichedAppointment, NotificationResult } from '../../../contracts';

export type DeliveryChannel = 'email' | 'sms';

export type NotificationPlan =
  | { channel: 'none' }
  | { channel: 'email'; to: string; fallbackReason?: string }
  | { channel: 'sms'; to: string };

/**
 * Chooses how to notify: the contact's preference, with one fallback. An sms preference needs a
 * number: the contact's, else the one given with the booking; with neither, e-mail (the booking
 * always has an address) is better than silence.
 */
export function planNotification(appointment: EnrichedAppointment): NotificationPlan {
  switch (appointment.preferredMethod) {
    case 'none':
      return { channel: 'none' };
    case 'email':
      return { channel: 'email', to: appointment.email };
    case 'sms': {
      const phone = appointment.contactPhoneNumber ?? appointment.phoneNumber;
      if (phone) return { channel: 'sms', to: phone };
      return { channel: 'email', to: appointment.email, fallbackReason: 'sms preferred but no phone number is known; sent by e-mail' };
    }
  }
}

export function notificationResult(
  appointment: EnrichedAppointment,
  plan: NotificationPlan,
  delivery: { providerMessageId: string; sentAt: string } | { skippedAt: string },
): NotificationResult {
  const result: NotificationResult =
    'providerMessageId' in delivery
      ? { appointmentId: appointment.id, preferredMethod: appointment.preferredMethod, channel: plan.channel, outcome: 'sent', providerMessageId: delivery.providerMessageId, notifiedAt: delivery.sentAt }
      : { appointmentId: appointment.id, preferredMethod: appointment.preferredMethod, channel: 'none', outcome: 'skipped', notifiedAt: delivery.skippedAt };
  if (plan.channel === 'email' && plan.fallbackReason) result.fallbackReason = plan.fallbackReason;
  return result;
}
