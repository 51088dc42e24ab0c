import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/emulators/dynamodb-local';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import { provisionResources, ProvisioningError, queuesInCreationOrder } from '../../../local/provision/provision-resources';
import type { QueueSpec, Topology } from '../../../local/topology/types';

const region = 'eu-west-2';
const account = '000000000000';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A small hand-written topology shaped like the app's, with names unique to this run. */
function smallTopology(suffix: string): Topology {
  const queue = (id: string, queueName: string, extra: Partial<QueueSpec> = {}): QueueSpec => ({
    id: `Dev-Stateless/${id}`,
    queueName,
    arn: `arn:aws:sqs:${region}:${account}:${queueName}`,
    fifo: false,
    visibilityTimeoutSeconds: 30,
    messageRetentionPeriodSeconds: 345600,
    receiveMessageWaitTimeSeconds: 0,
    ...extra,
  });
  return {
    environment: 'dev',
    region,
    accountId: account,
    tables: [
      {
        id: 'Dev-Stateful/Appointments',
        tableName: `appointments-${suffix}`,
        arn: `arn:aws:dynamodb:${region}:${account}:table/appointments-${suffix}`,
        keySchema: [{ attributeName: 'id', keyType: 'HASH' }],
        attributeDefinitions: [
          { attributeName: 'id', attributeType: 'S' },
          { attributeName: 'email', attributeType: 'S' },
          { attributeName: 'createdAt', attributeType: 'S' },
        ],
        globalSecondaryIndexes: [
          {
            indexName: 'by-email',
            keySchema: [
              { attributeName: 'email', keyType: 'HASH' },
              { attributeName: 'createdAt', keyType: 'RANGE' },
            ],
            projectionType: 'INCLUDE',
            nonKeyAttributes: ['notificationStatus'],
          },
        ],
        streamViewType: 'NEW_IMAGE',
      },
      {
        id: 'Dev-Stateful/Idempotency',
        tableName: `idempotency-${suffix}`,
        arn: `arn:aws:dynamodb:${region}:${account}:table/idempotency-${suffix}`,
        keySchema: [{ attributeName: 'id', keyType: 'HASH' }],
        attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }],
        globalSecondaryIndexes: [],
        timeToLiveAttribute: 'expiration',
      },
    ],
    // The source queue comes before its DLQ on purpose: the provisioner must order them.
    queues: [
      queue('Notifications', `notifications-${suffix}`, {
        visibilityTimeoutSeconds: 45,
        messageRetentionPeriodSeconds: 86400,
        receiveMessageWaitTimeSeconds: 5,
        redrivePolicy: { deadLetterQueueId: 'Dev-Stateless/NotificationsDlq', maxReceiveCount: 3 },
      }),
      queue('NotificationsDlq', `notifications-dlq-${suffix}`, { messageRetentionPeriodSeconds: 1209600 }),
      queue('Ordered', `ordered-${suffix}.fifo`, { fifo: true }),
    ],
    topics: [{ id: 'Dev-Stateless/OpsTopic', topicName: `ops-${suffix}`, arn: `arn:aws:sns:${region}:${account}:ops-${suffix}` }],
    functions: [],
    restApis: [],
    sqsEventSourceMappings: [],
    pipes: [],
  };
}

describe('provisionResources', () => {
  let dynamodbLocal: RunningDynamoDbLocal;
  let fauxqs: RunningFauxqs;
  let clients: { dynamodb: DynamoDBClient; sqs: SQSClient; sns: SNSClient };

  beforeAll(async () => {
    [dynamodbLocal, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs({ region })]);
    clients = {
      dynamodb: new DynamoDBClient({ endpoint: dynamodbLocal.endpoint, region, credentials }),
      sqs: new SQSClient({ endpoint: fauxqs.endpoint, region, credentials }),
      sns: new SNSClient({ endpoint: fauxqs.endpoint, region, credentials }),
    };
  }, 90_000);

  afterAll(async () => {
    Object.values(clients ?? {}).forEach((client) => client.destroy());
    await Promise.all([dynamodbLocal?.stop(), fauxqs?.stop()]);
  });

  it('creates tables with keys, GSIs, on-demand billing, the stream and TTL', async () => {
    const topology = smallTopology(randomUUID().slice(0, 8));

    const provisioned = await provisionResources(topology, clients);
    const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: topology.tables[0].tableName }));
    const { TimeToLiveDescription } = await clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: topology.tables[1].tableName }),
    );

    expect(Table?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'by-email',
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['notificationStatus'] },
    });
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(provisioned.tables['Dev-Stateful/Appointments']).toMatchObject({
      tableName: topology.tables[0].tableName,
      latestStreamArn: Table?.LatestStreamArn,
      reused: false,
    });
    expect(provisioned.tables['Dev-Stateful/Idempotency'].latestStreamArn).toBeUndefined();
    expect(TimeToLiveDescription).toMatchObject({ AttributeName: 'expiration' });
    expect(['ENABLED', 'ENABLING']).toContain(TimeToLiveDescription?.TimeToLiveStatus);
  });

  it('creates queues with their attributes and a redrive policy naming the DLQ ARN fauxqs reports, and topics', async () => {
    const topology = smallTopology(randomUUID().slice(0, 8));

    const provisioned = await provisionResources(topology, clients);
    const notifications = provisioned.queues['Dev-Stateless/Notifications'];
    const dlq = provisioned.queues['Dev-Stateless/NotificationsDlq'];
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: notifications.queueUrl, AttributeNames: ['All'] }));
    const { Attributes: dlqAttributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.queueUrl, AttributeNames: ['QueueArn'] }));
    const { Attributes: fifoAttributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: provisioned.queues['Dev-Stateless/Ordered'].queueUrl, AttributeNames: ['FifoQueue'] }),
    );
    const { Topics } = await clients.sns.send(new ListTopicsCommand({}));

    expect(notifications.queueUrl).toBe(fauxqs.queueUrl(topology.queues[0].queueName));
    expect(notifications.deadLetterQueueId).toBe('Dev-Stateless/NotificationsDlq');
    expect(Attributes).toMatchObject({ VisibilityTimeout: '45', MessageRetentionPeriod: '86400', ReceiveMessageWaitTimeSeconds: '5' });
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: dlqAttributes?.QueueArn, maxReceiveCount: 3 });
    expect(dlq.queueArn).toBe(dlqAttributes?.QueueArn);
    expect(fifoAttributes?.FifoQueue).toBe('true');
    expect(provisioned.topics['Dev-Stateless/OpsTopic'].topicArn).toBe(topology.topics[0].arn);
    expect(Topics?.map((topic) => topic.TopicArn)).toContain(topology.topics[0].arn);
  });

  it('is idempotent: a second run reuses tables and returns the same URLs and ARNs', async () => {
    const topology = smallTopology(randomUUID().slice(0, 8));
    const first = await provisionResources(topology, clients);

    const second = await provisionResources(topology, clients);

    expect(Object.values(second.tables).map((table) => table.reused)).toEqual([true, true]);
    expect(second.tables['Dev-Stateful/Appointments'].latestStreamArn).toBe(first.tables['Dev-Stateful/Appointments'].latestStreamArn);
    expect(second.queues).toEqual(first.queues);
    expect(second.topics).toEqual(first.topics);
  });

  it('brings an existing queue in line when the topology changed its attributes', async () => {
    const topology = smallTopology(randomUUID().slice(0, 8));
    const first = await provisionResources(topology, clients);
    topology.queues[0].visibilityTimeoutSeconds = 120;

    const second = await provisionResources(topology, clients);
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: second.queues['Dev-Stateless/Notifications'].queueUrl, AttributeNames: ['VisibilityTimeout'] }),
    );

    expect(second.queues['Dev-Stateless/Notifications'].queueUrl).toBe(first.queues['Dev-Stateless/Notifications'].queueUrl);
    expect(Attributes?.VisibilityTimeout).toBe('120');
  });

  it('names the table when an existing one has another key schema', async () => {
    const topology = smallTopology(randomUUID().slice(0, 8));
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: topology.tables[0].tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );

    const failure = provisionResources(topology, clients);

    await expect(failure).rejects.toBeInstanceOf(ProvisioningError);
    await expect(failure).rejects.toThrow(`Could not provision table Dev-Stateful/Appointments (${topology.tables[0].tableName}): a table with this name already exists with key schema [pk:HASH]`);
  });

  it('names the queue when the emulator rejects its attributes', async () => {
    const topology = smallTopology(randomUUID().slice(0, 8));
    topology.queues[1].visibilityTimeoutSeconds = 99_999;

    await expect(provisionResources(topology, clients)).rejects.toThrow(
      new RegExp(`Could not provision queue Dev-Stateless/NotificationsDlq \\(${topology.queues[1].queueName}\\): CreateQueue failed: .*VisibilityTimeout`),
    );
  });

  it('refuses a redrive policy naming a queue that is not in the topology', () => {
    const [source] = smallTopology('x').queues;

    expect(() => queuesInCreationOrder([source])).toThrow(/queue Dev-Stateless\/Notifications .*dead-letter queue Dev-Stateless\/NotificationsDlq, which is not in the topology/);
  });

  it('refuses clients that sign for another region than the topology', async () => {
    const otherRegion = new SQSClient({ endpoint: fauxqs.endpoint, region: 'us-east-1', credentials });
    try {
      await expect(provisionResources(smallTopology('y'), { ...clients, sqs: otherRegion })).rejects.toThrow(
        /SQS client signs for region us-east-1 but the topology is in eu-west-2/,
      );
    } finally {
      otherRegion.destroy();
    }
  });

  it('asks for an SNS client when the topology has topics', async () => {
    const topology = smallTopology(randomUUID().slice(0, 8));

    await expect(provisionResources(topology, { dynamodb: clients.dynamodb, sqs: clients.sqs })).rejects.toThrow(
      /topic Dev-Stateless\/OpsTopic: the topology has topics but no SNS client/,
    );
  });
});
