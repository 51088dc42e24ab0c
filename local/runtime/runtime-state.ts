import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { DeadLetterQueue } from '../../ops/dlq/dead-letter-queue';
import type { LocalUserPool } from './local-identity';

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
  endpoints: { dynamodb: string; sqs: string; sesv2: string; sns: string; secretsManager?: string; cognitoIdentityProvider?: string };
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

/** Reads the state file; undefined when there is none or its process is gone (a stale file). */
export async function readRuntimeState(file: string): Promise<RuntimeState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const state = JSON.parse(text) as RuntimeState;
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
