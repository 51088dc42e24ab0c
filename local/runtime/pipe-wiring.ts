import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { FunctionHost } from '../lambda';
import { FileCheckpointStore, startPipeRunner, type CheckpointStore, type PipeRunner } from '../pipes';
import type { PipeRunnerEvent } from '../pipes/pipe-runner-events';
import type { ProvisionedResources } from '../provision/provision-resources';
import type { Topology } from '../topology';

export interface PipeTimings {
  pollIntervalMs?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
}

export interface StartPipesOptions {
  topology: Topology;
  provisioned: ProvisionedResources;
  streams: DynamoDBStreamsClient;
  sqs: SQSClient;
  functions: FunctionHost;
  write: (line: string) => void;
  pipe?: PipeTimings;
  /** Checkpoints are kept here (so a restart resumes where it stopped); in memory otherwise. */
  dataDir?: string;
  /**
   * The checkpoint store of each pipe, when the caller keeps them (so pipes restarted in the same
   * process resume where they stopped); takes precedence over `dataDir`.
   */
  checkpointStore?: (pipeName: string) => CheckpointStore;
  /** Fault injection: an error to fail an enrichment invocation with, as if the function threw. */
  enrichmentFault?: () => { errorType: string; errorMessage: string } | undefined;
}

export interface RunningPipes {
  runners: PipeRunner[];
  onEvent(listener: (event: PipeRunnerEvent) => void): () => void;
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** An enrichment failure as Lambda's Invoke reports it, for the pipe runner's error handling. */
class EnrichmentInvokeError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
  ) {
    super(`${errorType}: ${errorMessage}`);
    this.name = 'EnrichmentInvokeError';
  }
}

/** One pipe runner per `AWS::Pipes::Pipe`, reading its table's real local stream. */
export function startPipeRunners(options: StartPipesOptions): RunningPipes {
  const { topology, provisioned, functions } = options;
  const listeners = new Set<(event: PipeRunnerEvent) => void>();
  const queue = (id: string) => {
    const found = provisioned.queues[id];
    if (!found) throw new Error(`queue ${id} was not provisioned`);
    return found;
  };
  const runners = topology.pipes.map((pipe) => {
    const table = provisioned.tables[pipe.source.tableId];
    if (!table?.latestStreamArn) throw new Error(`pipe ${pipe.name} reads ${pipe.source.tableId}, which has no stream locally`);
    const enrichment = pipe.enrichmentFunctionId ? topology.functions.find((fn) => fn.id === pipe.enrichmentFunctionId) : undefined;
    if (pipe.enrichmentFunctionId && !enrichment) throw new Error(`pipe ${pipe.name} enriches with ${pipe.enrichmentFunctionId}, which the assembly does not define`);
    return startPipeRunner({
      pipe,
      streamArn: table.latestStreamArn,
      streams: options.streams,
      sqs: options.sqs,
      queueUrl: (id) => queue(id).queueUrl,
      queueArn: (id) => queue(id).queueArn,
      ...(enrichment
        ? {
            enrichmentArn: enrichment.arn,
            invokeEnrichment: async (payload: unknown) => {
              const fault = options.enrichmentFault?.();
              if (fault) throw new EnrichmentInvokeError(fault.errorType, fault.errorMessage);
              const result = await functions.invoke(enrichment.id, payload);
              if (!result.ok) throw new EnrichmentInvokeError(result.errorType, result.errorMessage);
              return result.payload;
            },
          }
        : {}),
      ...(options.pipe?.pollIntervalMs !== undefined ? { pollIntervalMs: options.pipe.pollIntervalMs } : {}),
      retryBackoff: {
        ...(options.pipe?.retryBaseDelayMs !== undefined ? { baseMs: options.pipe.retryBaseDelayMs } : {}),
        ...(options.pipe?.retryMaxDelayMs !== undefined ? { maxMs: options.pipe.retryMaxDelayMs } : {}),
      },
      ...(options.checkpointStore
        ? { checkpoints: options.checkpointStore(pipe.name) }
        : options.dataDir
          ? { checkpoints: new FileCheckpointStore({ dataDir: options.dataDir, pipeName: pipe.name }) }
          : {}),
      onEvent: (event) => {
        reportPipeProblem(options.write, event);
        for (const listener of listeners) listener(event);
      },
    });
  });
  return {
    runners,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    idle: async () => {
      await Promise.all(runners.map((runner) => runner.idle()));
    },
    stop: async () => {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
  };
}

/**
 * What a person must see whatever observes the pipes: records the pipe dropped and failures of
 * the runner itself. Everything else is for observers (`RuntimeObservation.onPipeEvent`).
 */
export function reportPipeProblem(write: (line: string) => void, event: PipeRunnerEvent): void {
  switch (event.type) {
    case 'batch-discarded':
      write(`pipe ${event.pipeName}: ${event.warning}`);
      return;
    case 'poll-failed':
    case 'dead-letter-failed':
    case 'checkpoint-save-failed':
      write(`pipe ${event.pipeName}: ${event.type}: ${event.error.message}`);
      return;
    default:
      return;
  }
}
