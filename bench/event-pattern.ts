/**
 * Throughput of compiled event patterns: the pipe's INSERT filter on a realistic DynamoDB stream
 * INSERT record of an appointment, and a pattern that exercises most operators at once, also on a
 * record whose image has an attribute name with a dot (the engine then expands dotted keys, which
 * only a miss pays for).
 * Run directly with `npx tsx bench/event-pattern.ts`, or through `npm run bench`.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { compileEventPattern } from '../local/pipes/event-pattern';

export interface BenchmarkFigure {
  readonly name: string;
  readonly matchesPerSecond: number;
}

/** The figure the local Pipes runner needs so filtering never shows up next to I/O. */
export const INSERT_FILTER_TARGET_PER_SECOND = 1_000_000;
export const INSERT_FILTER_BENCHMARK = 'INSERT filter, INSERT record (object)';

const WARM_UP_MS = 300;
const RUN_MS = 400;
const RUNS = 5;

function appointmentRecord(eventName: 'INSERT' | 'MODIFY', extraAttributes: Record<string, string> = {}): Record<string, unknown> {
  const image = marshall({
    ...extraAttributes,
    id: '5b0c1f8e-8f4e-4d7a-9a39-2f6f0c1d2e3a',
    patientName: 'Ada Lovelace',
    email: 'ada@example.com',
    phoneNumber: '+447700900123',
    dentist: 'Dr Jones',
    clinic: 'Leeds Central',
    appointmentDateTime: '2030-05-01T09:30:00+01:00',
    notes: 'Prefers morning appointments',
    notificationStatus: eventName === 'INSERT' ? 'pending' : 'sent',
    createdAt: '2030-04-01T08:00:00.000Z',
  });
  return {
    eventID: 'c81e728d9d4c2f636f067f89cc14862c',
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-2',
    dynamodb: {
      ApproximateCreationDateTime: 1_900_000_000,
      Keys: { id: image.id },
      NewImage: image,
      SequenceNumber: '111100000000001234567890',
      SizeBytes: 412,
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: 'arn:aws:dynamodb:eu-west-2:123456789012:table/appointments/stream/2030-01-01T00:00:00.000',
  };
}

const complexPattern = {
  eventSource: [{ prefix: 'aws:' }],
  dynamodb: {
    ApproximateCreationDateTime: [{ numeric: ['>=', 1_000_000_000, '<', 2_000_000_000] }],
    NewImage: {
      notificationStatus: { S: [{ 'anything-but': ['sent', 'skipped'] }] },
      email: { S: [{ exists: true }] },
      cancelledAt: [{ exists: false }],
      $or: [
        { clinic: { S: [{ wildcard: 'Leeds*' }] } },
        { dentist: { S: [{ suffix: 'Smith' }] } },
      ],
    },
  },
};

/** Calls `match` for a fixed time and returns calls per second; `expected` guards against a wrong answer being measured. */
function measure(match: () => boolean, expected: boolean, durationMs: number): number {
  const batch = 10_000;
  let calls = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(durationMs) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i += 1) {
      if (match() !== expected) throw new Error(`benchmark pattern gave ${String(!expected)}, expected ${String(expected)}`);
    }
    calls += batch;
    now = process.hrtime.bigint();
  }
  return calls / (Number(now - start) / 1e9);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function benchEventPattern(): Promise<BenchmarkFigure[]> {
  const insertFilter = compileEventPattern('{"eventName":["INSERT"]}', { dialect: 'pipes' });
  const complex = compileEventPattern(complexPattern);
  const insert = appointmentRecord('INSERT');
  const modify = appointmentRecord('MODIFY');
  const modifyDotted = appointmentRecord('MODIFY', { 'referral.source': 'website' });
  const insertText = JSON.stringify(insert);
  const cases: Array<{ name: string; match: () => boolean; expected: boolean }> = [
    { name: INSERT_FILTER_BENCHMARK, match: () => insertFilter.matches(insert), expected: true },
    { name: 'INSERT filter, MODIFY record (object)', match: () => insertFilter.matches(modify), expected: false },
    { name: 'INSERT filter, INSERT record (JSON text)', match: () => insertFilter.matches(insertText), expected: true },
    { name: 'complex pattern, INSERT record (object)', match: () => complex.matches(insert), expected: true },
    { name: 'complex pattern, MODIFY record (object)', match: () => complex.matches(modify), expected: false },
    { name: 'complex pattern, MODIFY record, dotted attribute name', match: () => complex.matches(modifyDotted), expected: false },
  ];
  const figures: BenchmarkFigure[] = [];
  for (const { name, match, expected } of cases) {
    measure(match, expected, WARM_UP_MS);
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      rates.push(measure(match, expected, RUN_MS));
      // Yield between runs so a caller's timers and I/O are not starved for the whole benchmark.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    figures.push({ name, matchesPerSecond: Math.round(median(rates)) });
  }
  return figures;
}

export function formatEventPatternFigures(figures: readonly BenchmarkFigure[]): string {
  const width = Math.max(...figures.map((figure) => figure.name.length));
  const lines = figures.map((figure) => `${figure.name.padEnd(width)}  ${figure.matchesPerSecond.toLocaleString('en-GB').padStart(14)} matches/s`);
  const insert = figures.find((figure) => figure.name === INSERT_FILTER_BENCHMARK);
  if (insert !== undefined) {
    const met = insert.matchesPerSecond >= INSERT_FILTER_TARGET_PER_SECOND;
    lines.push(`target ${INSERT_FILTER_TARGET_PER_SECOND.toLocaleString('en-GB')} matches/s for the INSERT filter: ${met ? 'met' : 'NOT met'}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  benchEventPattern()
    .then((figures) => console.log(formatEventPatternFigures(figures)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
