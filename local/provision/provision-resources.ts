import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  SQSClient,
  type QueueAttributeName,
} from '@aws-sdk/client-sqs';
import type { QualifiedLogicalId, QueueSpec, TableSpec, TopicSpec, Topology } from '../topology/types';

/**
 * Creates the topology's tables, queues and topics in the local emulators (DynamoDB Local and
 * fauxqs), and reports what the emulators actually assigned: queue URLs and ARNs, topic ARNs,
 * table stream ARNs. Idempotent: resources that already exist are reused (and brought in line
 * where the emulator allows), so it can run against a persistent DynamoDB Local data directory.
 *
 * The SNS client must point at fauxqs (topics), not at the SMS sink.
 */

export interface ProvisioningClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  /** Needed only when the topology has topics. */
  sns?: SNSClient;
}

export interface ProvisionedTable {
  id: QualifiedLogicalId;
  tableName: string;
  tableArn: string;
  /** Present when the table has a stream. */
  latestStreamArn?: string;
  /** True when the table already existed and was reused. */
  reused: boolean;
}

export interface ProvisionedQueue {
  id: QualifiedLogicalId;
  queueName: string;
  queueUrl: string;
  /** The ARN as the emulator reports it (the one redrive policies must name). */
  queueArn: string;
  /** The dead-letter queue's topology id, when the queue has a redrive policy. */
  deadLetterQueueId?: QualifiedLogicalId;
}

export interface ProvisionedTopic {
  id: QualifiedLogicalId;
  topicName: string;
  topicArn: string;
}

export interface ProvisionedResources {
  tables: Record<QualifiedLogicalId, ProvisionedTable>;
  queues: Record<QualifiedLogicalId, ProvisionedQueue>;
  topics: Record<QualifiedLogicalId, ProvisionedTopic>;
}

export type ProvisionedResourceKind = 'table' | 'queue' | 'topic' | 'topology';

export class ProvisioningError extends Error {
  readonly code = 'ProvisioningFailed';

  constructor(
    readonly resourceKind: ProvisionedResourceKind,
    readonly resourceId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`Could not provision ${resourceKind} ${resourceId}: ${message}`, options);
    this.name = 'ProvisioningError';
  }
}

const TABLE_ACTIVE_DEADLINE_MS = 30_000;

export async function provisionResources(topology: Topology, clients: ProvisioningClients): Promise<ProvisionedResources> {
  await assertClientRegion(topology, clients);
  if (topology.topics.length > 0 && clients.sns === undefined) {
    throw new ProvisioningError('topic', topology.topics[0].id, 'the topology has topics but no SNS client (pointed at fauxqs) was given');
  }
  const tables: ProvisionedResources['tables'] = {};
  const queues: ProvisionedResources['queues'] = {};
  const topics: ProvisionedResources['topics'] = {};
  // Tables (DynamoDB Local), queues and topics (fauxqs) do not depend on one another: all are
  // created at once, the tables in parallel too. Queues go in creation order, each dead-letter
  // queue before the queues that redrive to it. Every branch runs to its end; the first failure
  // (in that order) is thrown.
  const results = await Promise.allSettled([
    ...topology.tables.map(async (table) => {
      tables[table.id] = await provisionTable(table, clients.dynamodb);
    }),
    (async () => {
      for (const queue of queuesInCreationOrder(topology.queues)) {
        queues[queue.id] = await provisionQueue(queue, queues, clients.sqs);
      }
    })(),
    ...topology.topics.map(async (topic) => {
      topics[topic.id] = await provisionTopic(topic, clients.sns as SNSClient);
    }),
  ]);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  // Keys in the topology's order, whatever order the creations finished in.
  const ordered = <T>(ids: readonly string[], values: Record<string, T>): Record<string, T> => Object.fromEntries(ids.map((id) => [id, values[id] as T]));
  return {
    tables: ordered(topology.tables.map((table) => table.id), tables),
    queues: ordered(queuesInCreationOrder(topology.queues).map((queue) => queue.id), queues),
    topics: ordered(topology.topics.map((topic) => topic.id), topics),
  };
}

/**
 * fauxqs puts the region the client signs with into queue URLs and ARNs, so a client in another
 * region than the functions' would create queues the functions cannot see.
 */
async function assertClientRegion(topology: Topology, clients: ProvisioningClients): Promise<void> {
  const checks: Array<[string, { config: { region: unknown } } | undefined]> = [
    ['SQS', clients.sqs],
    ['SNS', clients.sns],
  ];
  for (const [service, client] of checks) {
    if (client === undefined) continue;
    const configured = client.config.region;
    const region = typeof configured === 'function' ? await (configured as () => Promise<string>)() : configured;
    if (region !== topology.region) {
      throw new ProvisioningError(
        'topology',
        topology.environment,
        `the ${service} client signs for region ${String(region)} but the topology is in ${topology.region}; fauxqs keys queues and topics by region, so use ${topology.region}`,
      );
    }
  }
}

async function provisionTable(table: TableSpec, dynamodb: DynamoDBClient): Promise<ProvisionedTable> {
  const fail = (message: string, cause?: unknown): ProvisioningError =>
    new ProvisioningError('table', `${table.id} (${table.tableName})`, message, cause === undefined ? undefined : { cause });
  let reused = false;
  let description: TableDescription | undefined;
  try {
    const created = await dynamodb.send(
      new CreateTableCommand({
        TableName: table.tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: table.keySchema.map((key) => ({ AttributeName: key.attributeName, KeyType: key.keyType })),
        AttributeDefinitions: table.attributeDefinitions.map((definition) => ({
          AttributeName: definition.attributeName,
          AttributeType: definition.attributeType,
        })),
        ...(table.globalSecondaryIndexes.length > 0
          ? {
              GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
                IndexName: index.indexName,
                KeySchema: index.keySchema.map((key) => ({ AttributeName: key.attributeName, KeyType: key.keyType })),
                Projection: {
                  ProjectionType: index.projectionType,
                  ...(index.nonKeyAttributes && index.nonKeyAttributes.length > 0 ? { NonKeyAttributes: index.nonKeyAttributes } : {}),
                },
              })),
            }
          : {}),
        ...(table.streamViewType !== undefined
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.streamViewType } }
          : {}),
      }),
    );
    description = created.TableDescription;
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') throw fail(`CreateTable failed: ${errorMessage(error)}`, error);
    reused = true;
  }

  try {
    description = await waitForActiveTable(dynamodb, table.tableName);
  } catch (error) {
    throw fail(errorMessage(error), error);
  }
  if (reused) {
    assertSameKeySchema(table, description, fail);
    description = await alignStream(table, description, dynamodb, fail);
  }
  if (table.timeToLiveAttribute !== undefined) await enableTimeToLive(table, dynamodb, fail);

  const latestStreamArn = description.LatestStreamArn;
  if (table.streamViewType !== undefined && latestStreamArn === undefined) {
    throw fail(`the table has no stream ARN although the topology asks for a ${table.streamViewType} stream`);
  }
  return {
    id: table.id,
    tableName: table.tableName,
    tableArn: description.TableArn ?? table.arn,
    ...(table.streamViewType !== undefined && latestStreamArn !== undefined ? { latestStreamArn } : {}),
    reused,
  };
}

async function waitForActiveTable(dynamodb: DynamoDBClient, tableName: string): Promise<TableDescription> {
  const deadline = Date.now() + TABLE_ACTIVE_DEADLINE_MS;
  for (;;) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return Table;
    if (Date.now() >= deadline) throw new Error(`still ${Table?.TableStatus ?? 'unknown'} after ${TABLE_ACTIVE_DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function assertSameKeySchema(table: TableSpec, description: TableDescription, fail: (message: string) => ProvisioningError): void {
  const wanted = table.keySchema.map((key) => `${key.attributeName}:${key.keyType}`).join(',');
  const existing = (description.KeySchema ?? []).map((key) => `${key.AttributeName ?? ''}:${key.KeyType ?? ''}`).join(',');
  if (wanted !== existing) {
    throw fail(`a table with this name already exists with key schema [${existing}], but the topology wants [${wanted}]; delete the table (or the local data directory) and start again`);
  }
}

/** A reused table (from a data directory) may predate a stream change in the topology. */
async function alignStream(
  table: TableSpec,
  description: TableDescription,
  dynamodb: DynamoDBClient,
  fail: (message: string, cause?: unknown) => ProvisioningError,
): Promise<TableDescription> {
  const current = description.StreamSpecification?.StreamEnabled ? description.StreamSpecification.StreamViewType : undefined;
  if (current === table.streamViewType) return description;
  try {
    if (current !== undefined) {
      await dynamodb.send(new UpdateTableCommand({ TableName: table.tableName, StreamSpecification: { StreamEnabled: false } }));
      await waitForActiveTable(dynamodb, table.tableName);
    }
    if (table.streamViewType !== undefined) {
      await dynamodb.send(
        new UpdateTableCommand({ TableName: table.tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: table.streamViewType } }),
      );
    }
    return await waitForActiveTable(dynamodb, table.tableName);
  } catch (error) {
    throw fail(`could not change the existing table's stream from ${current ?? 'none'} to ${table.streamViewType ?? 'none'}: ${errorMessage(error)}`, error);
  }
}

async function enableTimeToLive(
  table: TableSpec,
  dynamodb: DynamoDBClient,
  fail: (message: string, cause?: unknown) => ProvisioningError,
): Promise<void> {
  const attributeName = table.timeToLiveAttribute as string;
  try {
    const { TimeToLiveDescription } = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    const status = TimeToLiveDescription?.TimeToLiveStatus;
    if ((status === 'ENABLED' || status === 'ENABLING') && TimeToLiveDescription?.AttributeName === attributeName) return;
    if (status === 'ENABLED' || status === 'ENABLING') {
      throw new Error(`TTL is already enabled on attribute ${TimeToLiveDescription?.AttributeName ?? '?'}, not ${attributeName}`);
    }
    await dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName: table.tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: attributeName } }),
    );
  } catch (error) {
    throw fail(`could not enable TTL on ${attributeName}: ${errorMessage(error)}`, error);
  }
}

/** Dead-letter queues before the queues that redrive to them; unknown or cyclic references fail. */
export function queuesInCreationOrder(queues: QueueSpec[]): QueueSpec[] {
  const byId = new Map(queues.map((queue) => [queue.id, queue]));
  const ordered: QueueSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (queue: QueueSpec, path: string[]): void => {
    if (state.get(queue.id) === 'done') return;
    if (state.get(queue.id) === 'visiting') {
      throw new ProvisioningError('queue', queue.id, `redrive policies form a cycle: ${[...path, queue.id].join(' -> ')}`);
    }
    state.set(queue.id, 'visiting');
    const deadLetterQueueId = queue.redrivePolicy?.deadLetterQueueId;
    if (deadLetterQueueId !== undefined) {
      const deadLetterQueue = byId.get(deadLetterQueueId);
      if (deadLetterQueue === undefined) {
        throw new ProvisioningError('queue', `${queue.id} (${queue.queueName})`, `its redrive policy names dead-letter queue ${deadLetterQueueId}, which is not in the topology`);
      }
      visit(deadLetterQueue, [...path, queue.id]);
    }
    state.set(queue.id, 'done');
    ordered.push(queue);
  };
  for (const queue of queues) visit(queue, []);
  return ordered;
}

async function provisionQueue(
  queue: QueueSpec,
  provisioned: ProvisionedResources['queues'],
  sqs: SQSClient,
): Promise<ProvisionedQueue> {
  const fail = (message: string, cause?: unknown): ProvisioningError =>
    new ProvisioningError('queue', `${queue.id} (${queue.queueName})`, message, cause === undefined ? undefined : { cause });
  if (queue.fifo !== queue.queueName.endsWith('.fifo')) {
    throw fail(queue.fifo ? 'a FIFO queue name must end with .fifo' : 'a standard queue name must not end with .fifo');
  }
  const settable: Partial<Record<QueueAttributeName, string>> = {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.messageRetentionPeriodSeconds),
    ReceiveMessageWaitTimeSeconds: String(queue.receiveMessageWaitTimeSeconds),
  };
  if (queue.redrivePolicy !== undefined) {
    const deadLetterQueue = provisioned[queue.redrivePolicy.deadLetterQueueId];
    if (deadLetterQueue === undefined) throw fail(`dead-letter queue ${queue.redrivePolicy.deadLetterQueueId} was not provisioned first`);
    settable.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: deadLetterQueue.queueArn,
      maxReceiveCount: queue.redrivePolicy.maxReceiveCount,
    });
  }
  const attributes: Partial<Record<QueueAttributeName, string>> = { ...settable, ...(queue.fifo ? { FifoQueue: 'true' } : {}) };

  let queueUrl: string | undefined;
  try {
    ({ QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queue.queueName, Attributes: attributes })));
  } catch (error) {
    // Real SQS names it QueueNameExists; fauxqs answers with the awsQuery code AWS.SimpleQueueService.QueueNameExists.
    if (!/(^|\.)(QueueNameExists|QueueAlreadyExists)$/.test(errorName(error) ?? '')) throw fail(`CreateQueue failed: ${errorMessage(error)}`, error);
    // It exists with other attributes (a changed topology): reuse it and apply the wanted ones.
    try {
      ({ QueueUrl: queueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue.queueName })));
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: settable }));
    } catch (updateError) {
      throw fail(`it exists with other attributes and could not be updated: ${errorMessage(updateError)}`, updateError);
    }
  }
  if (queueUrl === undefined) throw fail('CreateQueue returned no QueueUrl');

  let queueArn: string | undefined;
  try {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    queueArn = Attributes?.QueueArn;
  } catch (error) {
    throw fail(`GetQueueAttributes failed: ${errorMessage(error)}`, error);
  }
  if (queueArn === undefined) throw fail('GetQueueAttributes returned no QueueArn');
  return {
    id: queue.id,
    queueName: queue.queueName,
    queueUrl,
    queueArn,
    ...(queue.redrivePolicy !== undefined ? { deadLetterQueueId: queue.redrivePolicy.deadLetterQueueId } : {}),
  };
}

async function provisionTopic(topic: TopicSpec, sns: SNSClient): Promise<ProvisionedTopic> {
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topic.topicName }));
    if (TopicArn === undefined) throw new Error('CreateTopic returned no TopicArn');
    return { id: topic.id, topicName: topic.topicName, topicArn: TopicArn };
  } catch (error) {
    throw new ProvisioningError('topic', `${topic.id} (${topic.topicName})`, errorMessage(error), { cause: error });
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
