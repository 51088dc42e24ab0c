import type { EnrichedAppointment, NotificationKind, NotificationResult } from '../../../contracts';

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
export interface PlanRules {
  /** Country calling codes SMS may go to (digits, e.g. `44`); empty allows none. */
  smsCountryCallingCodes: readonly string[];
}

/** Whether an E.164 number is in one of the allowed country calling codes (codes are prefix-free, ITU E.164). */
export function smsAllowed(phone: string, rules: PlanRules): boolean {
  return rules.smsCountryCallingCodes.some((code) => phone.startsWith(`+${code}`));
}

/** Who is told, and how they asked to be: a change's enriched appointment, or a reminder's appointment with the contact read now. */
export type Recipient = Pick<EnrichedAppointment, 'email' | 'phoneNumber' | 'preferredMethod' | 'contactPhoneNumber'>;

export function planNotification(appointment: Recipient, rules: PlanRules): NotificationPlan {
  switch (appointment.preferredMethod) {
    case 'none':
      return { channel: 'none' };
    case 'email':
      return { channel: 'email', to: appointment.email };
    case 'sms': {
      const phone = appointment.contactPhoneNumber ?? appointment.phoneNumber;
      if (!phone) return { channel: 'email', to: appointment.email, fallbackReason: 'sms preferred but no phone number is known; sent by e-mail' };
      // SMS pumping: texts to premium or far-away ranges cost the practice; only listed countries.
      if (!smsAllowed(phone, rules)) {
        return { channel: 'email', to: appointment.email, fallbackReason: `sms preferred but the number is outside the countries the practice texts (+${rules.smsCountryCallingCodes.join(', +')}); sent by e-mail` };
      }
      return { channel: 'sms', to: phone };
    }
  }
}

/** What a notification is about: the appointment, the kind and the version it was made for. */
export interface NotificationSubject {
  appointmentId: string;
  kind: NotificationKind;
  version: number;
  preferredMethod: EnrichedAppointment['preferredMethod'];
}

export function notificationResult(
  subject: NotificationSubject,
  plan: NotificationPlan,
  delivery: { providerMessageId: string; sentAt: string } | { skippedAt: string } | { suppressedReason: string; suppressedAt: string },
): NotificationResult {
  const base = { appointmentId: subject.appointmentId, kind: subject.kind, version: subject.version, preferredMethod: subject.preferredMethod };
  const result: NotificationResult =
    'providerMessageId' in delivery
      ? { ...base, channel: plan.channel, outcome: 'sent', providerMessageId: delivery.providerMessageId, notifiedAt: delivery.sentAt }
      : 'suppressedReason' in delivery
        ? { ...base, channel: plan.channel, outcome: 'suppressed', suppressedReason: delivery.suppressedReason, notifiedAt: delivery.suppressedAt }
        : { ...base, channel: 'none', outcome: 'skipped', notifiedAt: delivery.skippedAt };
  if (plan.channel === 'email' && plan.fallbackReason) result.fallbackReason = plan.fallbackReason;
  return result;
}
