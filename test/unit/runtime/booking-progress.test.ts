import { createBookingProgress, formatStageLine, type BookingStageEvent } from '../../../local-app/booking-progress';

describe('booking progress', () => {
  it('writes one line per stage with the time since the booking was stored', () => {
    let clock = Date.UTC(2026, 10, 25, 9, 0, 0);
    const lines: string[] = [];
    const progress = createBookingProgress({ write: (line) => lines.push(line), now: () => clock });

    progress.mark('3f2a9c1e-0000-4000-8000-000000000001', 'stored', 'POST /appointments 201');
    clock += 180;
    progress.mark('3f2a9c1e-0000-4000-8000-000000000001', 'queued');
    clock += 220;
    progress.mark('3f2a9c1e-0000-4000-8000-000000000001', 'emailed', 'p***@e***.com');

    expect(lines).toEqual([
      '09:00:00.000  booking 3f2a9c1e  stored            +0 ms  POST /appointments 201',
      '09:00:00.180  booking 3f2a9c1e  queued          +180 ms',
      '09:00:00.400  booking 3f2a9c1e  e-mailed        +400 ms  p***@e***.com',
    ]);
  });

  it('tells listeners every stage and stops after unsubscribe', () => {
    const progress = createBookingProgress({ now: () => 0 });
    const seen: BookingStageEvent[] = [];
    const unsubscribe = progress.onStage((event) => seen.push(event));

    progress.mark('a', 'stored');
    unsubscribe();
    progress.mark('a', 'skipped');

    expect(seen.map((event) => event.stage)).toEqual(['stored']);
  });

  it('forgets the oldest bookings past its bound, restarting their clock', () => {
    let clock = 0;
    const seen: BookingStageEvent[] = [];
    const progress = createBookingProgress({ now: () => clock, maxTracked: 2 });
    progress.onStage((event) => seen.push(event));

    progress.mark('a', 'stored');
    progress.mark('b', 'stored');
    progress.mark('c', 'stored');
    clock = 50;
    progress.mark('a', 'queued');
    progress.mark('c', 'queued');

    expect(seen.slice(-2).map((event) => event.elapsedMs)).toEqual([0, 50]);
  });

  it('formats a line without detail', () => {
    expect(formatStageLine({ appointmentId: 'abcdefgh-1', stage: 'dead-lettered', elapsedMs: 1234.4, at: Date.UTC(2026, 0, 1) })).toBe(
      '00:00:00.000  booking abcdefgh  dead-lettered  +1234 ms',
    );
  });
});
