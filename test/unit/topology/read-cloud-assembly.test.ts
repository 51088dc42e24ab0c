import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFunctionHost } from '../../../local/lambda';
import { readCloudAssembly, type TopologyWithWarnings } from '../../../local/topology';
import { buildFixtureApp, FIXTURE_FILTER } from '../../fixtures/cdk-apps/two-stack-app';

/**
 * The reader against a real synthesized CDK app (two stacks, cross-stack references, a bundled
 * NodejsFunction), so what it maps is what CDK actually writes.
 */
describe('readCloudAssembly on a synthesized two-stack CDK app', () => {
  let assemblyDir: string;
  let topology: TopologyWithWarnings;
  const id = (prefix: string, list: Array<{ id: string }>): string => {
    const found = list.find((item) => item.id.startsWith(prefix));
    if (!found) throw new Error(`no ${prefix} in ${list.map((item) => item.id).join(', ')}`);
    return found.id;
  };

  beforeAll(() => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fixture-assembly-'));
    assemblyDir = buildFixtureApp(outdir).synth().directory;
    topology = readCloudAssembly(assemblyDir);
  }, 120_000);

  afterAll(() => {
    fs.rmSync(assemblyDir, { recursive: true, force: true });
  });

  it('records the environment, region and account', () => {
    expect(topology).toMatchObject({ environment: 'fixture', region: 'eu-west-2', accountId: '000000000000' });
    expect(readCloudAssembly(assemblyDir, { region: 'us-east-1', accountId: '111111111111', environment: 'dev' })).toMatchObject({
      environment: 'dev',
      region: 'us-east-1',
      accountId: '111111111111',
    });
  });

  it('maps the table with its keys, index, stream and TTL', () => {
    expect(topology.tables).toEqual([
      {
        id: id('Fixture-Data/ItemsTable', topology.tables),
        tableName: 'Fixture-Data-ItemsTable',
        arn: 'arn:aws:dynamodb:eu-west-2:000000000000:table/Fixture-Data-ItemsTable',
        keySchema: [
          { attributeName: 'id', keyType: 'HASH' },
          { attributeName: 'version', keyType: 'RANGE' },
        ],
        attributeDefinitions: [
          { attributeName: 'id', attributeType: 'S' },
          { attributeName: 'version', attributeType: 'N' },
          { attributeName: 'owner', attributeType: 'S' },
        ],
        globalSecondaryIndexes: [{ indexName: 'byOwner', keySchema: [{ attributeName: 'owner', keyType: 'HASH' }], projectionType: 'INCLUDE', nonKeyAttributes: ['status'] }],
        streamViewType: 'NEW_IMAGE',
        timeToLiveAttribute: 'expiresAt',
      },
    ]);
  });

  it('maps queues with defaults, the redrive policy to the DLQ, and a FIFO queue', () => {
    const dlqId = id('Fixture-Compute/WorkDeadLetters', topology.queues);
    expect(topology.queues.find((queue) => queue.id === dlqId)).toMatchObject({ queueName: 'Fixture-Compute-WorkDeadLetters', visibilityTimeoutSeconds: 30, messageRetentionPeriodSeconds: 345600, fifo: false });
    expect(topology.queues.find((queue) => queue.id.startsWith('Fixture-Compute/WorkQueue'))).toMatchObject({
      queueName: 'Fixture-Compute-WorkQueue',
      arn: 'arn:aws:sqs:eu-west-2:000000000000:Fixture-Compute-WorkQueue',
      visibilityTimeoutSeconds: 45,
      receiveMessageWaitTimeSeconds: 5,
      redrivePolicy: { deadLetterQueueId: dlqId, maxReceiveCount: 4 },
    });
    expect(topology.queues.find((queue) => queue.id.startsWith('Fixture-Compute/OrderedQueue'))).toMatchObject({ queueName: 'Fixture-Compute-OrderedQueue.fifo', fifo: true });
    expect(topology.topics).toEqual([{ id: id('Fixture-Compute/AlertsTopic', topology.topics), topicName: 'Fixture-Compute-AlertsTopic', arn: 'arn:aws:sns:eu-west-2:000000000000:Fixture-Compute-AlertsTopic' }]);
  });

  it('maps the NodejsFunction to its bundled asset, with every environment variable resolved across stacks', () => {
    const echo = topology.functions.find((fn) => fn.id.startsWith('Fixture-Compute/EchoFunction'));

    expect(echo).toMatchObject({
      functionName: 'Fixture-Compute-EchoFunction',
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      architecture: 'arm64',
      timeoutSeconds: 7,
      memorySizeMb: 128,
      environment: {
        TABLE_NAME: 'Fixture-Data-ItemsTable',
        TABLE_ARN: 'arn:aws:dynamodb:eu-west-2:000000000000:table/Fixture-Data-ItemsTable',
        QUEUE_URL: 'https://sqs.eu-west-2.amazonaws.com/000000000000/Fixture-Compute-WorkQueue',
        QUEUE_NAME: 'Fixture-Compute-WorkQueue',
        TOPIC_ARN: 'arn:aws:sns:eu-west-2:000000000000:Fixture-Compute-AlertsTopic',
        GREETING: 'hello, eu-west-2 ${Literal}',
        SUB_WITH_VARIABLES: 'Fixture-Compute-WorkQueue@000000000000',
        STAGE: 'not-production',
        FIRST_PART: 'b',
        JOINED: 'aws|amazonaws.com|Fixture-Compute',
      },
    });
    expect(echo?.codeDirectory.startsWith(assemblyDir)).toBe(true);
    expect(fs.existsSync(path.join(echo?.codeDirectory ?? '', 'index.js'))).toBe(true);
    expect(topology.functions.find((fn) => fn.id.startsWith('Fixture-Compute/DefaultsFunction'))).toMatchObject({ timeoutSeconds: 3, memorySizeMb: 128, architecture: 'x86_64', environment: {} });
  });

  it('runs the bundled function from the assembly with the function host', async () => {
    const echo = topology.functions.find((fn) => fn.id.startsWith('Fixture-Compute/EchoFunction'));
    if (!echo) throw new Error('no echo function');
    const host = createFunctionHost({ functions: [echo] });
    try {
      const result = await host.invoke(echo.id, { hello: 'world' });

      expect(result).toMatchObject({ ok: true, payload: { event: { hello: 'world' }, tableName: 'Fixture-Data-ItemsTable', queueUrl: echo.environment.QUEUE_URL } });
    } finally {
      await host.stop();
    }
  });

  it('maps the REST API routes (proxy integrations only), with the stage', () => {
    const echoId = id('Fixture-Compute/EchoFunction', topology.functions);

    expect(topology.restApis).toEqual([
      {
        id: id('Fixture-Compute/ItemsApi', topology.restApis),
        name: 'fixture-items',
        stageName: 'test',
        routes: [
          { method: 'ANY', resourcePath: '/files/{proxy+}', functionId: echoId },
          { method: 'POST', resourcePath: '/items', functionId: echoId },
          { method: 'GET', resourcePath: '/items/{id}', functionId: echoId },
        ],
      },
    ]);
    expect(topology.warnings).toContainEqual(expect.stringMatching(/OPTIONS \/items\/\{id\} .* has a MOCK integration/));
  });

  it('maps the SQS event source mapping', () => {
    expect(topology.sqsEventSourceMappings).toEqual([
      {
        id: expect.stringMatching(/^Fixture-Compute\/EchoFunctionSqsEventSource/),
        functionId: id('Fixture-Compute/EchoFunction', topology.functions),
        queueId: id('Fixture-Compute/WorkQueue', topology.queues),
        batchSize: 5,
        maximumBatchingWindowInSeconds: 2,
        reportBatchItemFailures: true,
        maximumConcurrency: 3,
        enabled: true,
      },
    ]);
  });

  it('maps the pipe: the stream table across stacks, AWS defaults, filter, enrichment, target and templates', () => {
    expect(topology.pipes).toEqual([
      {
        id: 'Fixture-Compute/ItemsPipe',
        name: 'Fixture-Compute-ItemsPipe',
        desiredState: 'RUNNING',
        source: {
          kind: 'dynamodb-stream',
          tableId: id('Fixture-Data/ItemsTable', topology.tables),
          startingPosition: 'LATEST',
          batchSize: 4,
          maximumBatchingWindowInSeconds: 0,
          maximumRetryAttempts: -1,
          maximumRecordAgeInSeconds: -1,
          parallelizationFactor: 1,
          deadLetterQueueId: id('Fixture-Compute/WorkDeadLetters', topology.queues),
        },
        filterPatterns: [JSON.stringify(FIXTURE_FILTER)],
        enrichmentFunctionId: id('Fixture-Compute/EchoFunction', topology.functions),
        enrichmentInputTemplate: '{"id": <$.dynamodb.Keys.id.S>}',
        target: { kind: 'sqs', queueId: id('Fixture-Compute/WorkQueue', topology.queues), inputTemplate: '{"item": <$.id>}' },
      },
    ]);
  });

  it('lists what it does not emulate as warnings', () => {
    expect(topology.warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/^not emulated locally: AWS::IAM::Role \(3\)/), expect.stringMatching(/^not emulated locally: AWS::CloudWatch::Alarm \(1\)/)]),
    );
  });
});
