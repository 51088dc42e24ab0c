import type { DeadLetterQueue } from './runtime-state';
import type { RuntimePipe } from './runtime-state';
import type { ProvisionedResources } from '../provision/provision-resources';
import { stripCdkHash } from '../topology/local-names';
import type { Topology } from '../topology';

/**
 * The runtime's dead-letter queues, read from the topology: every queue another queue redrives to
 * (labelled by its source, e.g. `notifications`), and every pipe's DLQ (`pipe`, or the pipe's name
 * when there are several). The labels match what the DLQ tool uses for a deployed environment.
 */
export function deadLetterQueuesOf(topology: Topology, provisioned: ProvisionedResources): DeadLetterQueue[] {
  const ref = (queueId: string) => {
    const queue = provisioned.queues[queueId];
    if (!queue) throw new Error(`queue ${queueId} was not provisioned`);
    return { url: queue.queueUrl, arn: queue.queueArn };
  };
  const redriven: DeadLetterQueue[] = topology.queues
    .filter((queue) => queue.redrivePolicy)
    .map((source) => ({
      label: labelOf(source.id, /Queue$/),
      kind: 'sqs-redrive' as const,
      queue: ref(source.redrivePolicy?.deadLetterQueueId as string),
      source: ref(source.id),
    }));
  const pipeQueues: DeadLetterQueue[] = topology.pipes
    .filter((pipe) => pipe.source.deadLetterQueueId)
    .map((pipe) => ({
      label: topology.pipes.length === 1 ? 'pipe' : labelOf(pipe.id, /Pipe$/),
      kind: 'pipe' as const,
      queue: ref(pipe.source.deadLetterQueueId as string),
    }));
  return [...redriven, ...pipeQueues];
}

/** Each pipe's local wiring under the same label as its dead-letter queue. */
export function runtimePipesOf(topology: Topology, provisioned: ProvisionedResources): RuntimePipe[] {
  return topology.pipes.map((pipe) => {
    const enrichment = pipe.enrichmentFunctionId ? topology.functions.find((fn) => fn.id === pipe.enrichmentFunctionId) : undefined;
    return {
      label: topology.pipes.length === 1 ? 'pipe' : labelOf(pipe.id, /Pipe$/),
      name: pipe.name,
      sourceTableName: provisioned.tables[pipe.source.tableId]?.tableName ?? '',
      filterPatterns: [...pipe.filterPatterns],
      targetQueueUrl: provisioned.queues[pipe.target.queueId]?.queueUrl ?? '',
      hasInputTemplate: pipe.enrichmentInputTemplate !== undefined || pipe.target.inputTemplate !== undefined,
      ...(enrichment ? { enrichmentEnvironment: { ...enrichment.environment } } : {}),
    };
  });
}

/** `Dev-Stateless/NotificationsQueue91395D8F` → `notifications`. */
function labelOf(qualifiedId: string, suffix: RegExp): string {
  const logicalId = stripCdkHash(qualifiedId.slice(qualifiedId.lastIndexOf('/') + 1)).replace(suffix, '');
  return logicalId.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase() || qualifiedId;
}
