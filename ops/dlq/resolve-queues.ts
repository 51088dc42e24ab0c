import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { STATEFUL_OUTPUTS, STATELESS_OUTPUTS, isStage, stackName as stackNameOf, type StackKind } from '../../contracts/system-facts';
import { readRuntimeState } from '../../local/runtime/runtime-state';
import { DlqToolError, type DeadLetterQueue, type DeadLetterQueueSet } from './dead-letter-queue';
import { localNotificationsTableName } from './notification-cause';

/** The dead-letter queues of the local runtime started by `npm start`, from its state file. */
export async function resolveLocalQueues(runtimeStateFile: string): Promise<DeadLetterQueueSet> {
  const state = await readRuntimeState(runtimeStateFile);
  if (!state) {
    throw new DlqToolError(
      'RuntimeNotRunning',
      `no local runtime is running (no live ${runtimeStateFile}): start it with \`npm start\`, or pass --env <stage> for a deployed environment`,
    );
  }
  // Best effort: without the notifications table the list still shows each message, without its recorded cause.
  const notificationsTableName = await localNotificationsTableName(state);
  return {
    environment: 'local',
    region: state.region,
    sqsEndpoint: state.endpoints.sqs,
    apiUrl: state.apiUrl,
    queues: state.deadLetterQueues,
    ...(notificationsTableName ? { notificationsTable: { tableName: notificationsTableName, dynamodbEndpoint: state.endpoints.dynamodb } } : {}),
  };
}

/**
 * The dead-letter queues of a deployed environment, from the `<Stage>-Stateless` stack's outputs
 * (see cdk/): the notifications queue and its DLQ, and the pipe's DLQ.
 */
export async function resolveDeployedQueues(stage: string, region: string | undefined, cloudFormation?: CloudFormationClient): Promise<DeadLetterQueueSet> {
  const client = cloudFormation ?? new CloudFormationClient(region ? { region } : {});
  const stackName = deployedStackName(stage, 'Stateless');
  const response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = response.Stacks?.[0]?.Outputs ?? [];
  const resolvedRegion = region ?? (await client.config.region());
  const get = (key: string): string => {
    const value = findOutput(outputs, key);
    if (!value) throw new DlqToolError('StackOutputsMissing', `stack ${stackName} has no output ${key}: deploy the current cdk app first`);
    return value;
  };
  const arnOf = (url: string): string => queueArnFromUrl(url, resolvedRegion);
  const notificationsUrl = get(DEPLOYED_OUTPUTS.notificationsQueueUrl);
  const notificationsDlqUrl = get(DEPLOYED_OUTPUTS.notificationsDeadLetterQueueUrl);
  const pipeDlqUrl = get(DEPLOYED_OUTPUTS.pipeDeadLetterQueueUrl);
  const queues: DeadLetterQueue[] = [
    {
      label: 'notifications',
      kind: 'sqs-redrive',
      queue: { url: notificationsDlqUrl, arn: arnOf(notificationsDlqUrl) },
      source: { url: notificationsUrl, arn: arnOf(notificationsUrl) },
    },
    { label: 'pipe', kind: 'pipe', queue: { url: pipeDlqUrl, arn: arnOf(pipeDlqUrl) } },
  ];
  const apiUrl = findOutput(outputs, DEPLOYED_OUTPUTS.apiUrl);
  // The notifications table (each notification's recorded cause) is the stateful stack's output; best effort.
  const stateful = await client.send(new DescribeStacksCommand({ StackName: deployedStackName(stage, 'Stateful') })).catch(() => undefined);
  const notificationsTableName = findOutput(stateful?.Stacks?.[0]?.Outputs ?? [], STATEFUL_OUTPUTS.notificationsTableName);
  return { environment: stage, region: resolvedRegion, queues, ...(apiUrl ? { apiUrl } : {}), ...(notificationsTableName ? { notificationsTable: { tableName: notificationsTableName } } : {}) };
}

/** Output keys of the stateless stack this tool reads (kept in step with cdk/ by a test). */
/** The stateless stack's outputs the tool reads: the shared facts the CDK app writes them under. */
export const DEPLOYED_OUTPUTS = STATELESS_OUTPUTS;

function findOutput(outputs: Output[], key: string): string | undefined {
  return outputs.find((output) => output.OutputKey === key)?.OutputValue;
}

/** The stack of a deployed stage; an unknown stage is a usage error naming the stages. */
export function deployedStackName(stage: string, kind: StackKind): string {
  if (!isStage(stage)) throw new DlqToolError('UsageError', `unknown environment ${JSON.stringify(stage)}: use --env dev, staging or prod`);
  return stackNameOf(stage, kind);
}

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` → `arn:aws:sqs:<region>:<account>:<name>`. */
export function queueArnFromUrl(url: string, region: string): string {
  const parts = new URL(url).pathname.split('/').filter(Boolean);
  if (parts.length !== 2) throw new DlqToolError('QueueNotFound', `not an SQS queue URL: ${url}`);
  const [account, name] = parts;
  return `arn:aws:sqs:${region}:${account}:${name}`;
}
