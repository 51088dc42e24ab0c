import { runPipelineBenchmark, type PipelineReport } from '../../bench/pipeline';

/**
 * The reliability run CI does: 200 bookings, and the 60 reschedules and 60 cancellations staff make
 * of them at once, through the whole local stack with faults injected
 * (SES and SMS errors, enrichment errors, notifier environments killed mid-invocation, and one
 * compute restart half-way) on a fixed seed. Whatever fails is retried by the stream, the pipe or
 * SQS, so every change (booked, rescheduled, cancelled) must still end notified, skipped, suppressed
 * or in a dead-letter queue, and no change may be notified twice. The notifications queue's visibility timeout is 2 s in this
 * variant of the dev assembly, so redeliveries take seconds instead of the deployed 181 s.
 * Nothing here is timed: the run's figures are the benchmark's business.
 */
describe('reliability: 200 bookings, their reschedules and cancellations, under injected faults', () => {
  const BOOKINGS = 200;
  let report: PipelineReport;

  beforeAll(async () => {
    report = await runPipelineBenchmark({
      bookings: BOOKINGS,
      concurrency: 10,
      faults: { sesErrorRate: 0.1, snsErrorRate: 0.1, enrichmentErrorRate: 0.05, notifierCrashRate: 0.05, seed: 20_240_601 },
      visibilityTimeoutSeconds: 2,
      drainTimeoutSeconds: 150,
      coldStartSamples: 0,
      skipPutItemBaseline: true,
    });
  }, 300_000);

  it('accepts every booking', () => {
    expect(report.bookings.rejections).toEqual([]);
    expect(report.bookings.accepted).toBe(BOOKINGS);
  });

  it('injects faults of the configured kinds and restarts the compute', () => {
    expect(report.faults?.total).toBeGreaterThan(0);
    expect(report.faults?.computeRestarts).toBe(1);
    expect(report.settings.faults?.seed).toBe(20_240_601);
  });

  it('loses no booking: each ends notified, skipped, suppressed or dead-lettered', () => {
    expect(report.outcomes.lostIds).toEqual([]);
    expect(report.outcomes.lost).toBe(0);
    expect(report.outcomes.notified + report.outcomes.skipped + report.outcomes.suppressed + report.outcomes.deadLettered).toBe(BOOKINGS);
    // The mix sends each recipient at most half the cap, so the cap never fires here.
    expect(report.outcomes.suppressed).toBe(0);
  });

  it('notifies no appointment twice, and every notification recorded was really sent', () => {
    expect(report.outcomes.duplicatedIds).toEqual([]);
    expect(report.outcomes.duplicated).toBe(0);
    // The one exception idempotency cannot close: the notifier killed after the provider accepted
    // the message and before the idempotency record completed. Each such re-send needs a kill: an
    // injected crash, or the compute restart (which can kill at most the batches then in flight).
    const kills = (report.faults?.injected.notifierCrash ?? 0) + (report.faults?.computeRestarts ?? 0) * 20;
    expect(report.outcomes.resentAfterKill).toBeLessThanOrEqual(kills);
    expect(report.outcomes.notifiedWithoutMessage).toBe(0);
  });

  it('loses no change and sends none twice: each booking, reschedule and cancellation ends notified, skipped, suppressed or dead-lettered', () => {
    const { changes } = report;
    expect(changes.rejected).toBe(0);
    expect(changes.byKind).toEqual({ booked: BOOKINGS, rescheduled: 60, cancelled: 60 });
    expect(changes.lostKeys).toEqual([]);
    expect(changes.notified + changes.skipped + changes.suppressed + changes.deadLettered).toBe(changes.total);
    expect(changes.duplicatedKeys).toEqual([]);
    const kills = (report.faults?.injected.notifierCrash ?? 0) + (report.faults?.computeRestarts ?? 0) * 20;
    expect(changes.resentAfterKill).toBeLessThanOrEqual(kills);
    expect(changes.notifiedWithoutMessage).toBe(0);
  });

  it('skips exactly the bookings whose patient asked for nothing; a patient with no contact yet is e-mailed', () => {
    // A quarter of the mix is `none`: skipped unless its message was dead-lettered. Unknown contacts
    // are new patients, e-mailed their confirmation (with the manage link).
    const skippable = report.bookings.byContactKind.none;
    expect(report.outcomes.skipped).toBeLessThanOrEqual(skippable);
    expect(report.outcomes.notified).toBeLessThanOrEqual(BOOKINGS - skippable);
    expect(report.failures).toEqual([]);
  });
});
