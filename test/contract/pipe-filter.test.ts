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
import { matchesEventPattern } from '../../local/pipes/event-pattern';
import type { AppointmentRequest } from '../../contracts';
import { handler as booking } from '../../services/booking/handler';
import { logger } from '../../services/common/logger';
import { loadFixture } from '../fixtures/load-fixture';
import { streamRecordFromImage } from '../fixtures/stream-records';
import { apiEvent, lambdaContext } from '../unit/services/support/lambda';


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

describe('the synthesized pipe filter on real booking stream records', () => {
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
    const image = await bookedImage();
    const notified = marshall({ ...unmarshall(image), notificationStatus: 'sent', notificationChannel: 'email', notifiedAt: new Date().toISOString() });

    const insert = streamRecordFromImage(image, 'INSERT');
    const modify = streamRecordFromImage(notified, 'MODIFY');
    const remove = streamRecordFromImage(image, 'REMOVE');

    expect(matchesEventPattern(patterns[0], insert, { dialect: 'pipes' })).toBe(true);
    expect(matchesEventPattern(patterns[0], modify, { dialect: 'pipes' })).toBe(false);
    expect(matchesEventPattern(patterns[0], remove, { dialect: 'pipes' })).toBe(false);
  });
});
