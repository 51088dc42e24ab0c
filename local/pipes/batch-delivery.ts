import type { SQSClient } from '@aws-sdk/client-sqs';
import type { PipeSpec } from '../topology/types';
import { eventsFromEnrichmentResult } from './enrichment-result';
import { summarizeError } from './error-summary';
import { EnrichmentFailedError, EnrichmentResultTooLargeError, InputTemplateError, PipeConfigurationError } from './errors';
import { compileEventPattern, type CompiledEventPattern } from './event-pattern';
import { compileInputTemplate, readPath, type CompiledInputTemplate, type TemplateContext } from './input-template';
import { batchEventBase, type BatchOfRecords, type ErrorSummary, type PipeRunnerEvent } from './pipe-runner-events';
import { sendToSqsTarget, SQS_MAX_BATCH_ENTRIES, type SqsTargetMessage } from './sqs-target';
import type { DynamoDbStreamPipeEvent } from './stream-record';

export interface DeliveryCounters {
  enrichmentInvocations: number;
  enrichmentFailures: number;
  targetFailures: number;
  messagesSent: number;
}

export interface BatchDeliveryOptions {
  pipe: PipeSpec;
  pipeArn: string;
  streamArn: string;
  targetArn: string;
  targetQueueUrl: string;
  enrichmentArn?: string;
  sqs: SQSClient;
  invokeEnrichment?(payload: unknown): Promise<unknown>;
  now(): number;
  /** Once true, a call that returns is not followed by the next step: its batch stays unsettled. */
  stopping(): boolean;
  emit(event: PipeRunnerEvent): void;
  counters: DeliveryCounters;
}

export type AttemptResult = { type: 'ok' } | { type: 'failed'; error: ErrorSummary } | { type: 'abandoned' };

/**
 * The stages of the pipe itself: the filter (per record, as records are read), then for a batch
 * the enrichment and the SQS target. Patterns and templates are compiled here once, so a pipe
 * Pipes would refuse fails the start, as CreatePipe would.
 */
export class BatchDelivery {
  private readonly filters: CompiledEventPattern[];
  private readonly enrichmentTemplate: CompiledInputTemplate | undefined;
  private readonly targetTemplate: CompiledInputTemplate | undefined;

  constructor(private readonly options: BatchDeliveryOptions) {
    const { pipe } = options;
    this.filters = pipe.filterPatterns.map((pattern, index) => {
      try {
        return compileEventPattern(pattern, { dialect: 'pipes' });
      } catch (error) {
        throw new PipeConfigurationError(pipe.name, `filterPatterns[${index}]`, (error as Error).message);
      }
    });
    this.enrichmentTemplate = compileTemplate(pipe.name, 'enrichmentInputTemplate', pipe.enrichmentInputTemplate);
    this.targetTemplate = compileTemplate(pipe.name, 'target.inputTemplate', pipe.target.inputTemplate);
  }

  /**
   * Patterns are OR-ed; no patterns lets everything through ("Event filtering"). A record that
   * matches none is consumed: never retried and never sent on ("Properly filtering Kinesis and
   * DynamoDB messages").
   */
  passesFilter(event: DynamoDbStreamPipeEvent): boolean {
    return this.filters.length === 0 || this.filters.some((filter) => filter.matches(event));
  }

  /** One attempt at the whole batch; partial batch failure is not supported, so any failure fails it all. */
  async attempt(batch: BatchOfRecords): Promise<AttemptResult> {
    const { pipe, invokeEnrichment } = this.options;
    const sourceEvents = batch.records.map((record) => record.event);
    let events: unknown[] = sourceEvents;
    if (pipe.enrichmentFunctionId !== undefined && invokeEnrichment) {
      let payload: unknown[];
      try {
        // The enrichment always gets a JSON array, even for one record ("Batching and concurrency").
        const template = this.enrichmentTemplate;
        payload = template ? sourceEvents.map((event) => templateOutput(template, event, this.templateContext())) : sourceEvents;
      } catch (error) {
        return this.enrichmentFailed(batch, error);
      }
      this.options.counters.enrichmentInvocations += 1;
      let result: unknown;
      try {
        result = await invokeEnrichment(payload);
      } catch (error) {
        if (this.options.stopping()) return { type: 'abandoned' };
        return this.enrichmentFailed(batch, toEnrichmentError(error));
      }
      if (this.options.stopping()) return { type: 'abandoned' };
      events = eventsFromEnrichmentResult(result);
      this.options.emit({ type: 'enrichment-succeeded', eventCount: events.length, ...this.eventBase(batch) });
      if (events.length === 0) {
        this.options.emit({ type: 'target-skipped', reason: 'empty-enrichment-result', ...this.eventBase(batch) });
        return { type: 'ok' };
      }
    }
    try {
      // "if the array is larger than the batch size supported by the target, the pipe won't invoke the target".
      if (events.length > SQS_MAX_BATCH_ENTRIES) throw new EnrichmentResultTooLargeError(events.length, SQS_MAX_BATCH_ENTRIES);
      const messages = events.map((event) => this.targetMessage(event));
      const sent = await sendToSqsTarget(this.options.sqs, this.options.targetQueueUrl, messages);
      this.options.counters.messagesSent += sent.messageIds.length;
      this.options.emit({ type: 'target-sent', messageIds: sent.messageIds, requests: sent.requests, ...this.eventBase(batch) });
      return { type: 'ok' };
    } catch (error) {
      if (this.options.stopping()) return { type: 'abandoned' };
      this.options.counters.targetFailures += 1;
      const summary = summarizeError(error);
      this.options.emit({ type: 'target-failed', error: summary, ...this.eventBase(batch) });
      return { type: 'failed', error: summary };
    }
  }

  private enrichmentFailed(batch: BatchOfRecords, error: unknown): AttemptResult {
    this.options.counters.enrichmentFailures += 1;
    const summary = summarizeError(error);
    this.options.emit({ type: 'enrichment-failed', error: summary, ...this.eventBase(batch) });
    return { type: 'failed', error: summary };
  }

  private targetMessage(event: unknown): SqsTargetMessage {
    let body: string;
    if (this.targetTemplate) body = this.targetTemplate.render(event, this.templateContext()).text;
    // An enrichment may return plain text; it is sent as it is, anything else as its JSON.
    else body = typeof event === 'string' ? event : JSON.stringify(event);
    const { messageGroupId, messageDeduplicationId } = this.options.pipe.target;
    return {
      body,
      ...(messageGroupId !== undefined ? { messageGroupId: dynamicParameter(messageGroupId, event) } : {}),
      ...(messageDeduplicationId !== undefined ? { messageDeduplicationId: dynamicParameter(messageDeduplicationId, event) } : {}),
    };
  }

  private templateContext(): TemplateContext {
    return {
      pipeArn: this.options.pipeArn,
      pipeName: this.options.pipe.name,
      sourceArn: this.options.streamArn,
      ...(this.options.enrichmentArn ? { enrichmentArn: this.options.enrichmentArn } : {}),
      targetArn: this.options.targetArn,
      ingestionTime: new Date(this.options.now()).toISOString(),
    };
  }

  private eventBase(batch: BatchOfRecords): ReturnType<typeof batchEventBase> {
    return batchEventBase(this.options.pipe.name, batch);
  }
}

function templateOutput(template: CompiledInputTemplate, event: unknown, context: TemplateContext): unknown {
  const rendered = template.render(event, context);
  return rendered.kind === 'json' ? rendered.value : rendered.text;
}

/** SqsQueueParameters values are static, or a `$.path` into the event. */
function dynamicParameter(value: string, event: unknown): string {
  if (!value.startsWith('$.')) return value;
  const segments = value.slice(2).split('.');
  const resolved = readPath(event, segments);
  if (resolved === undefined || resolved === null) {
    throw new InputTemplateError(value, 'the path resolves to nothing in the event');
  }
  return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
}

/** A rejected invoke may carry Lambda's `errorType`/`errorMessage`, or be any error at all. */
function toEnrichmentError(error: unknown): EnrichmentFailedError {
  if (error instanceof EnrichmentFailedError) return error;
  const carrier = (typeof error === 'object' && error !== null ? error : {}) as { errorType?: unknown; errorMessage?: unknown; name?: unknown; message?: unknown };
  const errorType = typeof carrier.errorType === 'string' ? carrier.errorType : typeof carrier.name === 'string' ? carrier.name : 'Error';
  const errorMessage = typeof carrier.errorMessage === 'string' ? carrier.errorMessage : typeof carrier.message === 'string' ? carrier.message : String(error);
  return new EnrichmentFailedError(errorType, errorMessage, { cause: error });
}

function compileTemplate(pipeName: string, setting: string, template: string | undefined): CompiledInputTemplate | undefined {
  if (template === undefined) return undefined;
  try {
    return compileInputTemplate(template);
  } catch (error) {
    throw new PipeConfigurationError(pipeName, setting, (error as Error).message);
  }
}
