import { accountOutcomes, BookingProgressLog, duplicatedAppointments, KILLED_INVOCATION, type DeliveryAudit } from '../../../harness/outcome-accounting';
import type { BookingStage, BookingStageEvent } from '../../../local-app/booking-progress';

const event = (appointmentId: string, stage: BookingStage, at: number, detail?: string): BookingStageEvent => ({ appointmentId, stage, at, elapsedMs: 0, ...(detail ? { detail } : {}) });
const audit = (emails: Record<string, number> = {}, sms: Record<string, number> = {}): DeliveryAudit => ({ emails: new Map(Object.entries(emails)), sms: new Map(Object.entries(sms)) });

function account(events: BookingStageEvent[], bookingIds: string[], deliveries: DeliveryAudit, deadLettered: Record<string, string> = {}) {
  const log = new BookingProgressLog();
  for (const e of events) log.observe(e);
  return { log, result: accountOutcomes({ bookingIds, firstAt: log.firstAt, killed: log.killed, deliveries, deadLettered: new Map(Object.entries(deadLettered)) }) };
}

describe('BookingProgressLog', () => {
  it('keeps the first time of each stage, counts failed attempts, and notes kills from failed or dead-lettered details', () => {
    const log = new BookingProgressLog();
    log.observe(event('a', 'queued', 10));
    log.observe(event('a', 'failed', 20, 'SES throttled'));
    log.observe(event('a', 'failed', 30, `notifier: ${KILLED_INVOCATION}`));
    log.observe(event('a', 'queued', 40));
    log.observe(event('b', 'dead-lettered', 50, `gave up after ${KILLED_INVOCATION}`));
    log.observe(event('c', 'emailed', 60, `${KILLED_INVOCATION} in the detail of a success is no kill`));

    expect(log.firstAt.get('a')).toEqual(new Map([['queued', 10], ['failed', 20]]));
    expect(log.failedAttempts.get('a')).toBe(2);
    expect(log.totalFailedAttempts).toBe(2);
    expect([...log.killed].sort()).toEqual(['a', 'b']);
  });
});

describe('accountOutcomes', () => {
  it('notified, skipped, suppressed, dead-lettered and lost: each booking in exactly one, by its first final stage', () => {
    const { result } = account(
      [
        event('mail', 'emailed', 100),
        event('text', 'sms', 110),
        event('none', 'skipped', 120),
        event('capped', 'suppressed', 125, 'the recipient already had 10 notifications in 24 hours (cap 10)'),
        event('pipe-dlq', 'dead-lettered', 130, 'pipe gave up'),
        event('queue-dlq', 'failed', 140),
        event('lost', 'queued', 150),
      ],
      ['mail', 'text', 'none', 'capped', 'pipe-dlq', 'queue-dlq', 'lost'],
      audit({ mail: 1 }, { text: 1 }),
      { 'pipe-dlq': 'pipe', 'queue-dlq': 'notifications' },
    );

    expect(result).toMatchObject({
      emailed: 1,
      sms: 1,
      notified: 2,
      skipped: 1,
      suppressed: 1,
      deadLettered: 2,
      deadLetteredByQueue: { pipe: 1, notifications: 1 },
      lostIds: ['lost'],
      duplicatedIds: [],
      resentAfterKillIds: [],
      notifiedWithoutMessage: 0,
    });
    expect(result.byId.get('pipe-dlq')).toEqual({ kind: 'dead-lettered', queue: 'pipe', at: 130 });
    expect(result.byId.get('queue-dlq')).toEqual({ kind: 'dead-lettered', queue: 'notifications' });
    expect(result.byId.get('mail')).toEqual({ kind: 'notified', channel: 'emailed', at: 100, delivered: true });
    expect(result.byId.get('capped')).toEqual({ kind: 'suppressed', at: 125 });
  });

  it('a booking in no stage and no DLQ at all is lost too', () => {
    expect(account([], ['never-seen'], audit()).result.lostIds).toEqual(['never-seen']);
  });

  it('a second e-mail or SMS with no kill is a duplicate; after a kill it is counted apart as re-sent', () => {
    const { result } = account(
      [event('twice', 'emailed', 1), event('killed', 'failed', 1, KILLED_INVOCATION), event('killed', 'sms', 2), event('once', 'emailed', 3)],
      ['twice', 'killed', 'once'],
      audit({ twice: 2, once: 1 }, { killed: 2 }),
    );

    expect(result.duplicatedIds).toEqual(['twice']);
    expect(result.resentAfterKillIds).toEqual(['killed']);
    // Sent more than once is still notified once: the outcome does not double.
    expect(result.notified).toBe(3);
  });

  it('notified first wins over a later dead letter, and skipped over a DLQ entry', () => {
    const { result } = account(
      [event('a', 'sms', 5), event('a', 'dead-lettered', 9), event('b', 'skipped', 5)],
      ['a', 'b'],
      audit({}, { a: 1 }),
      { a: 'notifications', b: 'notifications' },
    );

    expect(result.byId.get('a')).toMatchObject({ kind: 'notified', channel: 'sms' });
    expect(result.byId.get('b')).toEqual({ kind: 'skipped', at: 5 });
    expect(result.deadLettered).toBe(0);
  });

  it('the earlier of e-mail and SMS is the channel; a notification with no message in the store is flagged', () => {
    const { result } = account([event('a', 'sms', 7), event('a', 'emailed', 3)], ['a'], audit());

    expect(result.byId.get('a')).toEqual({ kind: 'notified', channel: 'emailed', at: 3, delivered: false });
    expect(result.notifiedWithoutMessage).toBe(1);
  });

  it('only counts the bookings it was given', () => {
    const { result } = account([event('other', 'emailed', 1)], ['mine'], audit({ other: 3 }));

    expect(result.duplicatedIds).toEqual([]);
    expect(result.lostIds).toEqual(['mine']);
  });

  it('refuses a booking listed twice', () => {
    expect(() => account([], ['a', 'a'], audit())).toThrow(/booking a is listed twice/);
  });
});

describe('duplicatedAppointments', () => {
  it('lists appointments with more than one e-mail or more than one SMS, in the order asked', () => {
    expect(duplicatedAppointments(audit({ a: 2, b: 1 }, { b: 1, c: 3 }), ['c', 'b', 'a', 'd'])).toEqual(['c', 'a']);
  });
});
