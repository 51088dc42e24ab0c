import { causeFromRows } from '../../../ops/dlq/notification-cause';
import { describeDeadLetter } from '../../../ops/dlq/describe-message';
import type { DeadLetterQueue } from '../../../ops/dlq/dead-letter-queue';

const dlq: DeadLetterQueue = { label: 'notifications', kind: 'sqs-redrive', queue: { url: 'http://127.0.0.1:1/000000000000/dlq', arn: 'arn:aws:sqs:eu-west-2:000000000000:dlq' } };
const peeked = (body: string) => ({ messageId: 'm-1', body, receiveCount: 3, receiptHandle: 'r' }) as unknown as Parameters<typeof describeDeadLetter>[1];
const id = '5f0c2b7e-9a41-4d3c-8e26-7b1d9f4a2c85';

describe('the DLQ tool reads a notification\'s cause from the notifications table rows', () => {
  const rows = [
    { appointmentId: id, notificationId: 'change-1', kind: 'booked', version: 1, status: 'sent', updatedAt: '2031-03-01T12:00:01.000Z' },
    { appointmentId: id, notificationId: 'change-2', kind: 'rescheduled', version: 2, status: 'failed', cause: 'MessageRejected: Email address is not verified', attempts: 3, updatedAt: '2031-03-05T08:00:09.000Z' },
    { appointmentId: id, notificationId: 'reminder', kind: 'reminder', version: 2, status: 'pending', cause: 'ThrottlingException: slow down', attempts: 1, updatedAt: '2031-03-04T08:00:09.000Z' },
  ];

  it('names the row of the message (change-<version> or reminder) with its status and attempts', () => {
    expect(causeFromRows(rows, { notificationId: 'change-2' })).toBe('MessageRejected: Email address is not verified (rescheduled notification of version 2: failed, attempt 3)');
    expect(causeFromRows(rows, { notificationId: 'reminder' })).toBe('ThrottlingException: slow down (reminder notification of version 2: pending, attempt 1)');
  });

  it('falls back to the open row written last, and to nothing when no row names a cause', () => {
    expect(causeFromRows(rows)).toContain('MessageRejected');
    expect(causeFromRows([rows[0]!])).toBeUndefined();
    expect(causeFromRows([])).toBeUndefined();
  });

  it('tells which row a dead-lettered message is about: a change by its version, a reminder request by its shape', () => {
    expect(describeDeadLetter(dlq, peeked(JSON.stringify({ id, version: 2, lastChange: { kind: 'rescheduled' } })))).toMatchObject({ appointmentId: id, notificationId: 'change-2' });
    expect(describeDeadLetter(dlq, peeked(JSON.stringify({ reminder: { appointmentId: id, version: 2, dueAt: '2031-04-01T14:00:00.000Z' } })))).toMatchObject({ appointmentId: id, notificationId: 'reminder' });
    expect(describeDeadLetter(dlq, peeked('not json'))).not.toHaveProperty('appointmentId');
  });
});
