import { OrderedCheckpointTracker } from '../../../local/pipes/ordered-checkpoint-tracker';

const seq = (n: number): string => String(n).padStart(21, '0');

describe('OrderedCheckpointTracker', () => {
  it('moves over a batch that settles in order, and says where to', () => {
    const tracker = new OrderedCheckpointTracker();
    const records = [1, 2, 3].map((n) => tracker.track(seq(n)));

    expect(tracker.settle(records)).toBe(seq(3));
    expect(tracker.checkpoint).toBe(seq(3));
    expect(tracker.unsettled).toBe(0);
  });

  it('does not pass a record still in flight when a later batch (another lane) completes first', () => {
    const tracker = new OrderedCheckpointTracker();
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => tracker.track(seq(n)));

    expect(tracker.settle([c, d])).toBeUndefined();
    expect(tracker.checkpoint).toBeUndefined();
    expect(tracker.unsettled).toBe(4);

    expect(tracker.settle([a])).toBe(seq(1));
    expect(tracker.unsettled).toBe(3);

    // Settling the gap jumps over everything already settled behind it.
    expect(tracker.settle([b])).toBe(seq(4));
    expect(tracker.unsettled).toBe(0);
  });

  it('moves over the settled prefix of bisected halves, one half at a time', () => {
    const tracker = new OrderedCheckpointTracker(seq(0));
    const records = [1, 2, 3, 4, 5].map((n) => tracker.track(seq(n)));

    expect(tracker.settle(records.slice(3))).toBeUndefined();
    expect(tracker.checkpoint).toBe(seq(0));
    expect(tracker.settle(records.slice(0, 3))).toBe(seq(5));
  });

  it('starts from the stored checkpoint and keeps it until something settles', () => {
    const tracker = new OrderedCheckpointTracker(seq(7));
    tracker.track(seq(8));

    expect(tracker.checkpoint).toBe(seq(7));
    expect(tracker.settle([])).toBeUndefined();
    expect(tracker.checkpoint).toBe(seq(7));
  });

  it('settling the same records twice does not move it again', () => {
    const tracker = new OrderedCheckpointTracker();
    const [a] = [tracker.track(seq(1)), tracker.track(seq(2))];

    expect(tracker.settle([a])).toBe(seq(1));
    expect(tracker.settle([a])).toBeUndefined();
    expect(tracker.unsettled).toBe(1);
  });

  it('keeps counting right across the compaction of a long settled prefix', () => {
    const tracker = new OrderedCheckpointTracker();
    const first = Array.from({ length: 3000 }, (_, i) => tracker.track(seq(i + 1)));
    const held = tracker.track(seq(3001));
    const after = tracker.track(seq(3002));

    expect(tracker.settle(first)).toBe(seq(3000));
    expect(tracker.settle([after])).toBeUndefined();
    expect(tracker.unsettled).toBe(2);
    expect(tracker.settle([held])).toBe(seq(3002));
    expect(tracker.unsettled).toBe(0);
  });
});
