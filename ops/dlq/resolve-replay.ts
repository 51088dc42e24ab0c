import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, type Output } from '@aws-sdk/client-cloudformation';
import { readRuntimeState } from '../../local/runtime/runtime-state';
import { DlqToolError } from './dead-letter-queue';
import { localNotificationsTableName } from './notification-cause';
import type { PipeReplayTarget } from './pipe-replay';
import { DEPLOYED_OUTPUTS, deployedStackName, queueArnFromUrl } from './resolve-queues';
import { STATEFUL_OUTPUTS } from '../../contracts/system-facts';

/** Where a replay runs: the pipe's wiring, and the endpoints to reach it (none for AWS). */
export interface ReplaySetup {
  environment: string;
  region: string;
  endpoints?: { dynamodb: string; sqs: string };
  targets: PipeReplayTarget[];
}

/** The enrichment function's variable naming the contacts table (services/enrichment/config.ts). */
const CONTACTS_TABLE_VARIABLE = 'CONTACTS_TABLE_NAME';

/** The pipes of the local runtime started by `npm start`, from its state file. */
export async function resolveLocalReplay(runtimeStateFile: string): Promise<ReplaySetup> {
  const state = await readRuntimeState(runtimeStateFile);
  if (!state) {
    throw new DlqToolError(
      'RuntimeNotRunning',
      `no local runtime is running (no live ${runtimeStateFile}): start it with \`npm start\`, or pass --env <stage> for a deployed environment`,
    );
  }
  if (!state.pipes) throw new DlqToolError('ReplayNotPossible', `${runtimeStateFile} describes no pipes: restart the local runtime with the current code`);
  const targets = state.pipes.map((pipe): PipeReplayTarget => {
    const dlq = state.deadLetterQueues.find((queue) => queue.kind === 'pipe' && queue.label === pipe.label);
    if (!dlq) throw new DlqToolError('ReplayNotPossible', `pipe ${pipe.name} has no dead-letter queue`);
    if (pipe.hasInputTemplate) {
      throw new DlqToolError('ReplayNotPossible', `pipe ${pipe.name} uses an input template, which replay does not render; replay it by hand`);
    }
    const contactsTableName = pipe.enrichmentEnvironment?.[CONTACTS_TABLE_VARIABLE];
    if (!contactsTableName) {
      throw new DlqToolError('ReplayNotPossible', `pipe ${pipe.name}'s enrichment has no ${CONTACTS_TABLE_VARIABLE}: replay only knows the appointment enrichment`);
    }
    return {
      label: pipe.label,
      deadLetterQueue: dlq.queue,
      targetQueueUrl: pipe.targetQueueUrl,
      filterPatterns: pipe.filterPatterns,
      contactsTableName,
      appointmentsTableName: pipe.sourceTableName,
    };
  });
  const notificationsTableName = await localNotificationsTableName(state);
  return {
    environment: 'local',
    region: state.region,
    endpoints: { dynamodb: state.endpoints.dynamodb, sqs: state.endpoints.sqs },
    targets: notificationsTableName ? targets.map((target) => ({ ...target, notificationsTableName })) : targets,
  };
}

/** Output keys of the stateful stack a replay reads: the shared facts the CDK app writes them under. */
export const STATEFUL_REPLAY_OUTPUTS = {
  appointmentsTableName: STATEFUL_OUTPUTS.appointmentsTableName,
  contactsTableName: STATEFUL_OUTPUTS.contactsTableName,
  notificationsTableName: STATEFUL_OUTPUTS.notificationsTableName,
} as const;

/**
 * The appointment pipe of a deployed environment: its DLQ and target from the `<Stage>-Stateless`
 * outputs, its filter from that stack's deployed template, the tables from `<Stage>-Stateful`.
 */
export async function resolveDeployedReplay(stage: string, region: string | undefined, cloudFormation?: CloudFormationClient): Promise<ReplaySetup> {
  const client = cloudFormation ?? new CloudFormationClient(region ? { region } : {});
  const statelessStack = deployedStackName(stage, 'Stateless');
  const statefulStack = deployedStackName(stage, 'Stateful');
  const outputsOf = async (stackName: string): Promise<(key: string) => string> => {
    const response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs: Output[] = response.Stacks?.[0]?.Outputs ?? [];
    return (key) => {
      const value = outputs.find((output) => output.OutputKey === key)?.OutputValue;
      if (!value) throw new DlqToolError('StackOutputsMissing', `stack ${stackName} has no output ${key}: deploy the current cdk app first`);
      return value;
    };
  };
  const stateless = await outputsOf(statelessStack);
  const stateful = await outputsOf(statefulStack);
  const resolvedRegion = region ?? (await client.config.region());

  const template = await client.send(new GetTemplateCommand({ StackName: statelessStack, TemplateStage: 'Original' }));
  const pipe = pipeOfTemplate(template.TemplateBody ?? '', statelessStack);
  const pipeDlqUrl = stateless(DEPLOYED_OUTPUTS.pipeDeadLetterQueueUrl);
  return {
    environment: stage,
    region: resolvedRegion,
    targets: [
      {
        label: 'pipe',
        deadLetterQueue: { url: pipeDlqUrl, arn: queueArnFromUrl(pipeDlqUrl, resolvedRegion) },
        // The pipe's target in the cdk app is the notifications queue.
        targetQueueUrl: stateless(DEPLOYED_OUTPUTS.notificationsQueueUrl),
        filterPatterns: pipe.filterPatterns,
        contactsTableName: stateful(STATEFUL_REPLAY_OUTPUTS.contactsTableName),
        appointmentsTableName: stateful(STATEFUL_REPLAY_OUTPUTS.appointmentsTableName),
        notificationsTableName: stateful(STATEFUL_REPLAY_OUTPUTS.notificationsTableName),
      },
    ],
  };
}

/** The one `AWS::Pipes::Pipe` of a deployed template: its filter patterns; refuses input templates. */
export function pipeOfTemplate(templateBody: string, stackName: string): { filterPatterns: string[] } {
  let template: { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }> };
  try {
    template = JSON.parse(templateBody) as typeof template;
  } catch {
    throw new DlqToolError('ReplayNotPossible', `the template of ${stackName} is not JSON`);
  }
  const pipes = Object.values(template.Resources ?? {}).filter((resource) => resource.Type === 'AWS::Pipes::Pipe');
  if (pipes.length !== 1) throw new DlqToolError('ReplayNotPossible', `${stackName} defines ${pipes.length} pipes; replay expects exactly one`);
  const properties = pipes[0].Properties ?? {};
  const source = (properties.SourceParameters ?? {}) as { FilterCriteria?: { Filters?: Array<{ Pattern?: unknown }> } };
  const filterPatterns = (source.FilterCriteria?.Filters ?? []).map((filter) => filter.Pattern);
  if (filterPatterns.some((pattern) => typeof pattern !== 'string')) {
    throw new DlqToolError('ReplayNotPossible', `the pipe filter of ${stackName} is not a literal pattern`);
  }
  const enrichmentParameters = properties.EnrichmentParameters as { InputTemplate?: unknown } | undefined;
  const targetParameters = properties.TargetParameters as { InputTemplate?: unknown } | undefined;
  if (enrichmentParameters?.InputTemplate !== undefined || targetParameters?.InputTemplate !== undefined) {
    throw new DlqToolError('ReplayNotPossible', `the pipe of ${stackName} uses an input template, which replay does not render; replay it by hand`);
  }
  return { filterPatterns: filterPatterns as string[] };
}
