import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import {
  assertJavaAvailable,
  parseJavaMajorVersion,
  startDynamoDbLocal,
  type RunningDynamoDbLocal,
} from '../../../local/emulators/dynamodb-local';
import { JavaUnavailableError } from '../../../local/emulators/errors';
import { isPortListening } from '../../../local/emulators/ports';
import { pollUntil } from './poll-until';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('DynamoDB Local emulator', () => {
  let dataDir: string;
  let dynamodbLocal: RunningDynamoDbLocal;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dynamodb-local-test-'));
    // One JVM for the whole file, persistent so the restart test can reuse the directory.
    dynamodbLocal = await startDynamoDbLocal({ dataDir });
  }, 90_000);

  afterAll(async () => {
    await dynamodbLocal?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const client = (region: string, accessKeyId = 'test'): DynamoDBClient =>
    new DynamoDBClient({ endpoint: dynamodbLocal.endpoint, region, credentials: { ...credentials, accessKeyId } });

  it('reports a loopback endpoint on the port it listens on', async () => {
    expect(dynamodbLocal.endpoint).toBe(`http://127.0.0.1:${dynamodbLocal.port}`);
    expect(dynamodbLocal.port).toBeGreaterThan(0);
    expect(dynamodbLocal.persistent).toBe(true);
    expect(await isPortListening(dynamodbLocal.port)).toBe(true);
  });

  it('shares tables across regions and credentials (-sharedDb)', async () => {
    const tableName = `shared-${randomUUID()}`;
    await client('eu-west-2', 'writer').send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
    );

    const { TableNames } = await client('us-east-1', 'reader').send(new ListTablesCommand({}));

    expect(TableNames).toContain(tableName);
  });

  it('serves a NEW_IMAGE stream whose records include the INSERT', async () => {
    const tableName = `streamed-${randomUUID()}`;
    const dynamodb = client('eu-west-2');
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    const id = randomUUID();
    await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: id }, patientName: { S: 'Ada' } } }));

    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    const streams = new DynamoDBStreamsClient({ endpoint: dynamodbLocal.endpoint, region: 'eu-west-2', credentials });
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn }));
    const shardId = StreamDescription?.Shards?.[0]?.ShardId;
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: Table?.LatestStreamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const record = await pollUntil('the INSERT stream record', async () => {
      const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
      return Records?.find((candidate) => candidate.dynamodb?.Keys?.id?.S === id);
    });

    expect(Table?.LatestStreamArn).toMatch(/^arn:aws:dynamodb:/);
    expect(StreamDescription?.StreamViewType).toBe('NEW_IMAGE');
    expect(record.eventName).toBe('INSERT');
    expect(record.dynamodb?.NewImage).toEqual({ id: { S: id }, patientName: { S: 'Ada' } });
  });

  it('refuses a fixed port that is already taken, naming the port', async () => {
    await expect(startDynamoDbLocal({ port: dynamodbLocal.port })).rejects.toThrow(`port ${dynamodbLocal.port} is already in use`);
  });

  it('keeps tables in the data directory across a restart, and stop frees the port', async () => {
    const tableName = `kept-${randomUUID()}`;
    await client('eu-west-2').send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
    );
    const oldPort = dynamodbLocal.port;

    await dynamodbLocal.stop();
    const portFreed = !(await isPortListening(oldPort));
    dynamodbLocal = await startDynamoDbLocal({ dataDir });
    const { TableNames } = await client('eu-west-2').send(new ListTablesCommand({}));

    expect(portFreed).toBe(true);
    expect(TableNames).toContain(tableName);
  }, 90_000);
});

describe('Java check', () => {
  it('reads modern and legacy version strings', () => {
    expect(parseJavaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajorVersion('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajorVersion('no java here')).toBeUndefined();
  });

  it('throws a JavaUnavailableError that says how to install Java when java cannot run', async () => {
    const failure = assertJavaAvailable(`/nonexistent/java-${randomUUID()}`);

    await expect(failure).rejects.toBeInstanceOf(JavaUnavailableError);
    await expect(failure).rejects.toMatchObject({ code: 'JavaUnavailable' });
    await expect(failure).rejects.toThrow(/scripts\/ensure-java\.sh.*openjdk-17-jre-headless/);
  });
});
