import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { LocalUserPool } from './local-identity';

/**
 * A dead-letter queue of the running system, with where its messages came from.
 *
 * `sqs-redrive`: SQS's own redrive moved the messages here from `source` after `maxReceiveCount`
 * receives (the notifications queue); they can be moved back.
 * `pipe`: EventBridge Pipes wrote here the metadata of stream batches that kept failing; the
 * records themselves stay in the DynamoDB stream (24 h), so there is no queue to move them back to;
 * `npm run dlq -- replay` reads them back and delivers them as the pipe would have.
 */
export type DeadLetterQueueKind = 'sqs-redrive' | 'pipe';

export interface QueueRef {
  url: string;
  arn: string;
}

export interface DeadLetterQueue {
  /** Short name an operator types: `notifications`, `pipe`. */
  label: string;
  kind: DeadLetterQueueKind;
  queue: QueueRef;
  /** The queue SQS redrove from (for `sqs-redrive`). */
  source?: QueueRef;
}

/**
 * What a running local runtime tells other local tools (the DLQ tool, the benchmark): where its
 * endpoints are. Written when `npm start` is ready, removed when it stops.
 */
export interface RuntimeState {
  pid: number;
  startedAt: string;
  stage: string;
  region: string;
  apiUrl: string;
  emailViewerUrl: string;
  smsOutboxUrl: string;
  endpoints: { dynamodb: string; sqs: string; sesv2: string; sns: string; secretsManager?: string; cognitoIdentityProvider?: string; /** The Scheduler emulator (its `/_clock` route moves the clock). */ scheduler?: string };
  deadLetterQueues: DeadLetterQueue[];
  /** The template's user pools in the local identity provider (`endpoints.cognitoIdentityProvider`). */
  userPools?: LocalUserPool[];
  /** Each pipe's wiring, for replaying its dead letters (`npm run dlq -- replay`). */
  pipes?: RuntimePipe[];
}

/** A pipe as the topology defines it, with local names and URLs. */
export interface RuntimePipe {
  /** The label of its dead-letter queue in `deadLetterQueues` (`pipe`). */
  label: string;
  name: string;
  sourceTableName: string;
  /** FilterCriteria patterns, as the template holds them. */
  filterPatterns: string[];
  targetQueueUrl: string;
  /** Whether the pipe rewrites the enrichment's input or the target's message with an input template. */
  hasInputTemplate: boolean;
  /** The enrichment function's environment (resolved to local names), when the pipe has one. */
  enrichmentEnvironment?: Record<string, string>;
}

export const DEFAULT_RUNTIME_STATE_FILE = resolve(process.cwd(), '.local-data', 'runtime.json');

export async function writeRuntimeState(file: string, state: RuntimeState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, 'utf8');
}

export async function removeRuntimeState(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** The state file exists but is not one a runtime wrote (hand-edited, truncated, another version). */
export class InvalidRuntimeStateError extends Error {
  readonly code = 'InvalidRuntimeState';
  override readonly name = 'InvalidRuntimeStateError';
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isUrl = (value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

function queueRefProblems(value: unknown, path: string): string[] {
  if (!isObject(value)) return [`${path} must be an object with url and arn`];
  return [...(isUrl(value.url) ? [] : [`${path}.url must be a URL`]), ...(typeof value.arn === 'string' && value.arn.startsWith('arn:') ? [] : [`${path}.arn must be an ARN`])];
}

/**
 * Checks what the tools rely on, naming every problem: a state file is input like any other, and
 * a tool acting on the wrong queue or endpoint would be worse than one that stops.
 */
export function parseRuntimeState(value: unknown, file = 'the runtime state file'): RuntimeState {
  const problems: string[] = [];
  if (!isObject(value)) throw new InvalidRuntimeStateError(`${file} is not a JSON object`);
  if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0) problems.push('pid must be a positive integer');
  for (const key of ['startedAt', 'stage', 'region']) if (typeof value[key] !== 'string' || value[key] === '') problems.push(`${key} must be a non-empty string`);
  for (const key of ['apiUrl', 'emailViewerUrl', 'smsOutboxUrl']) if (!isUrl(value[key])) problems.push(`${key} must be a URL`);
  if (!isObject(value.endpoints)) problems.push('endpoints must be an object');
  else {
    for (const key of ['dynamodb', 'sqs', 'sesv2', 'sns']) if (!isUrl(value.endpoints[key])) problems.push(`endpoints.${key} must be a URL`);
    for (const key of ['secretsManager', 'cognitoIdentityProvider', 'scheduler']) if (value.endpoints[key] !== undefined && !isUrl(value.endpoints[key])) problems.push(`endpoints.${key} must be a URL`);
  }
  if (!Array.isArray(value.deadLetterQueues)) problems.push('deadLetterQueues must be an array');
  else {
    value.deadLetterQueues.forEach((queue: unknown, index) => {
      const path = `deadLetterQueues[${index}]`;
      if (!isObject(queue)) return problems.push(`${path} must be an object`);
      if (typeof queue.label !== 'string' || queue.label === '') problems.push(`${path}.label must be a non-empty string`);
      if (queue.kind !== 'sqs-redrive' && queue.kind !== 'pipe') problems.push(`${path}.kind must be sqs-redrive or pipe`);
      problems.push(...queueRefProblems(queue.queue, `${path}.queue`));
      if (queue.source !== undefined) problems.push(...queueRefProblems(queue.source, `${path}.source`));
      return undefined;
    });
  }
  if (value.pipes !== undefined && !Array.isArray(value.pipes)) problems.push('pipes must be an array');
  if (value.userPools !== undefined && !Array.isArray(value.userPools)) problems.push('userPools must be an array');
  if (problems.length > 0) throw new InvalidRuntimeStateError(`${file} is not a valid runtime state (delete it and restart npm start): ${problems.join('; ')}`);
  return value as unknown as RuntimeState;
}

/**
 * Reads the state file; undefined when there is none or its process is gone (a stale file).
 * Throws InvalidRuntimeStateError, naming each problem, for a file that is not a valid state.
 */
export async function readRuntimeState(file: string): Promise<RuntimeState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidRuntimeStateError(`${file} is not JSON (delete it and restart npm start)`);
  }
  const state = parseRuntimeState(json, file);
  return isProcessAlive(state.pid) ? state : undefined;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
