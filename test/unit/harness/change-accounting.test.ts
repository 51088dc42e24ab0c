import { accountChanges, changeKey, messageKey, type ChangeAccountInput, type ChangeMade, type ChangeRow } from '../../../harness/change-accounting';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

function input(changes: ChangeMade[], parts: { rows?: Record<string, ChangeRow>; deadLettered?: Record<string, string>; sent?: Record<string, { emails: number; sms: number }>; killed?: string[] } = {}): ChangeAccountInput {
  return {
    changes,
    rows: new Map(Object.entries(parts.rows ?? {})),
    deadLettered: new Map(Object.entries(parts.deadLettered ?? {})),
    sent: new Map(Object.entries(parts.sent ?? {})),
    killed: new Set(parts.killed ?? []),
  };
}

describe('accountChanges', () => {
  const booked: ChangeMade = { appointmentId: A, version: 1, kind: 'booked' };
  const rescheduled: ChangeMade = { appointmentId: A, version: 2, kind: 'rescheduled' };
  const cancelled: ChangeMade = { appointmentId: A, version: 3, kind: 'cancelled' };

  it('counts each change of one appointment on its own: three changes, three notifications, no duplicate', () => {
    const account = accountChanges(
      input([booked, rescheduled, cancelled], {
        rows: { [changeKey(A, 1)]: { status: 'sent', channel: 'email' }, [changeKey(A, 2)]: { status: 'sent', channel: 'email' }, [changeKey(A, 3)]: { status: 'sent', channel: 'sms' } },
        sent: { [messageKey(A, 'booked')]: { emails: 1, sms: 0 }, [messageKey(A, 'rescheduled')]: { emails: 1, sms: 0 }, [messageKey(A, 'cancelled')]: { emails: 0, sms: 1 } },
      }),
    );
    expect(account).toMatchObject({ total: 3, notified: 3, byKind: { booked: 1, rescheduled: 1, cancelled: 1 }, lostKeys: [], duplicatedKeys: [], notifiedWithoutMessage: 0 });
  });

  it('calls a change sent twice a duplicate, unless the appointment had an invocation killed mid-send', () => {
    const rows = { [changeKey(A, 1)]: { status: 'sent' as const, channel: 'email' as const }, [changeKey(B, 1)]: { status: 'sent' as const, channel: 'email' as const } };
    const sent = { [messageKey(A, 'booked')]: { emails: 2, sms: 0 }, [messageKey(B, 'booked')]: { emails: 2, sms: 0 } };
    const account = accountChanges(input([booked, { appointmentId: B, version: 1, kind: 'booked' }], { rows, sent, killed: [B] }));
    expect(account.duplicatedKeys).toEqual([changeKey(A, 1)]);
    expect(account.resentAfterKillKeys).toEqual([changeKey(B, 1)]);
  });

  it('accepts skipped and suppressed rows as final, and a failed or pending change only when a dead-letter queue holds it', () => {
    const account = accountChanges(
      input([booked, rescheduled, cancelled, { appointmentId: B, version: 1, kind: 'booked' }], {
        rows: { [changeKey(A, 1)]: { status: 'skipped', channel: 'none' }, [changeKey(A, 2)]: { status: 'suppressed', channel: 'email' }, [changeKey(A, 3)]: { status: 'failed', channel: 'email' }, [changeKey(B, 1)]: { status: 'pending' } },
        deadLettered: { [changeKey(A, 3)]: 'notifications' },
      }),
    );
    expect(account).toMatchObject({ skipped: 1, suppressed: 1, deadLettered: 1, lostKeys: [changeKey(B, 1)] });
    expect(account.byKey.get(changeKey(B, 1))).toEqual({ kind: 'lost', lastStatus: 'pending' });
  });

  it('flags a change recorded sent whose message never reached the emulator', () => {
    const account = accountChanges(input([booked], { rows: { [changeKey(A, 1)]: { status: 'sent', channel: 'sms' } }, sent: { [messageKey(A, 'booked')]: { emails: 1, sms: 0 } } }));
    expect(account.notifiedWithoutMessage).toBe(1);
  });

  it('refuses inputs it cannot judge: a change listed twice, or two changes of one kind on one appointment', () => {
    expect(() => accountChanges(input([booked, booked]))).toThrow(/listed twice/);
    expect(() => accountChanges(input([rescheduled, { appointmentId: A, version: 4, kind: 'rescheduled' }]))).toThrow(/two rescheduled changes/);
  });
});
