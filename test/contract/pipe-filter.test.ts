/**
 * The pipe's filter, exactly as CDK synthesizes it, against the stream records a real booking
 * produces: its INSERT must pass, the MODIFY of the notifier's status update must not (or every
 * notification would trigger another one).
 */
import '../unit/services/support/test-env';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../cdk/app';
import type { AppointmentRequest } from '../../contracts';
import { handler as booking } from '../../services/booking/handler';
import { logger } from '../../services/shared/logger';
import { loadFixture } from '../fixtures/load-fixture';
import { streamRecordFromImage } from '../fixtures/stream-records';
import { apiEvent, lambdaContext } from '../unit/services/support/lambda';

interface EventPatternEngine {
  matchesEventPattern(pattern: unknown, event: unknown): boolean;
}

const enginePath = path.resolve(__dirname, '..', '..', 'local', 'pipes', 'event-pattern.ts');
// The filter engine is another part of the project; until it lands this suite reports as skipped.
const describeWithEngine = fs.existsSync(enginePath) ? describe : describe.skip;

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

describeWithEngine('the synthesized pipe filter on real booking stream records', () => {
  const dynamodb = mockClient(DynamoDBClient);
  let patterns: string[];

  beforeAll(() => {
    patterns = synthesizedFilterPatterns();
  }, 120_000);

  beforeEach(() => {
    dynamodb.reset();
    dynamodb.on(PutItemCommand).resolves({});
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  async function bookedImage() {
    const request = loadFixture<AppointmentRequest>('appointment-request', 'valid');
    await booking(apiEvent({ method: 'POST', resource: '/appointments', body: JSON.stringify(request) }), lambdaContext('booking'));
    return dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
  }

  it('finds exactly one filter pattern', () => {
    expect(patterns).toHaveLength(1);
  });

  it("passes the booking's INSERT and drops the MODIFY of its status update", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const engine = require(enginePath) as EventPatternEngine;
    const image = await bookedImage();
    const notified = marshall({ ...unmarshall(image), notificationStatus: 'sent', notificationChannel: 'email', notifiedAt: new Date().toISOString() });

    const insert = streamRecordFromImage(image, 'INSERT');
    const modify = streamRecordFromImage(notified, 'MODIFY');
    const remove = streamRecordFromImage(image, 'REMOVE');

    expect(engine.matchesEventPattern(patterns[0], insert)).toBe(true);
    expect(engine.matchesEventPattern(patterns[0], modify)).toBe(false);
    expect(engine.matchesEventPattern(patterns[0], remove)).toBe(false);
  });
});
