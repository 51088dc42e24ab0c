/**
 * The pipe's filter, exactly as CDK synthesizes it, against the stream records each change of an
 * appointment produces: a booking's INSERT, a reschedule's and a cancellation's MODIFY pass; a
 * MODIFY that is not a patient-visible change (its lastChange still says booked) and a REMOVE do
 * not. The images are the appointment contract's (validated), marshalled as DynamoDB streams them.
 */
import '../unit/services/support/test-env';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../cdk/app';
import { matchesEventPattern } from '../../local/pipes/event-pattern';
import { validateAppointment, type Appointment } from '../../contracts';
import { loadFixture } from '../fixtures/load-fixture';
import { streamRecord } from '../fixtures/stream-records';

function synthesizedFilterPatterns(): string[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-synth-'));
  try {
    // Bundling is skipped: only the pipe's template matters here, not the functions' code.
    const assembly = buildApp({ stage: 'dev', outdir, context: { 'aws:cdk:bundling-stacks': [] } }).synth();
    return assembly.stacks.flatMap((stack) =>
      Object.values(stack.template.Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>)
        .filter((resource) => resource.Type === 'AWS::Pipes::Pipe')
        .flatMap((resource) => {
          const source = resource.Properties?.SourceParameters as { FilterCriteria?: { Filters?: { Pattern: string }[] } } | undefined;
          return (source?.FilterCriteria?.Filters ?? []).map((filter) => filter.Pattern);
        }),
    );
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('the synthesized pipe filter on the stream records of each change', () => {
  let patterns: string[];
  /** Pipes passes a record that matches any filter of the FilterCriteria. */
  const passes = (record: Record<string, unknown>): boolean => patterns.some((pattern) => matchesEventPattern(pattern, record, { dialect: 'pipes' }));
  const booked = loadFixture<Appointment>('appointment', 'lifecycle-booked');
  const rescheduled = loadFixture<Appointment>('appointment', 'lifecycle-rescheduled');
  const cancelled = loadFixture<Appointment>('appointment', 'lifecycle-cancelled');

  beforeAll(() => {
    patterns = synthesizedFilterPatterns();
  }, 120_000);

  it('finds the pipe and its filters', () => {
    expect(patterns.length).toBeGreaterThanOrEqual(1);
  });

  it('uses images valid against the appointment contract', () => {
    for (const image of [booked, rescheduled, cancelled]) expect(validateAppointment(image)).toEqual([]);
  });

  it("passes a booking's INSERT", () => {
    expect(passes(streamRecord(booked, 'INSERT'))).toBe(true);
  });

  it("passes a reschedule's MODIFY", () => {
    expect(passes(streamRecord(rescheduled, 'MODIFY'))).toBe(true);
  });

  it("passes a cancellation's MODIFY", () => {
    expect(passes(streamRecord(cancelled, 'MODIFY'))).toBe(true);
  });

  it('drops a MODIFY whose lastChange kind is booked: a write that is no patient-visible change', () => {
    expect(passes(streamRecord({ ...booked, updatedAt: '2031-03-02T09:00:00.000Z', notes: 'Staff note added.' }, 'MODIFY'))).toBe(false);
  });

  it('drops a REMOVE of any image', () => {
    for (const image of [booked, rescheduled, cancelled]) expect(passes(streamRecord(image, 'REMOVE'))).toBe(false);
  });

  it('drops an INSERT that is not a booking, and an image without lastChange (the old item shape)', () => {
    expect(passes(streamRecord(rescheduled, 'INSERT'))).toBe(false);
    const { lastChange: _dropped, ...withoutChange } = booked;
    expect(passes(streamRecord(withoutChange, 'INSERT'))).toBe(false);
    expect(passes(streamRecord(withoutChange, 'MODIFY'))).toBe(false);
  });
});
