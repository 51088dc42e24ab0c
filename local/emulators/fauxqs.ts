import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { EmulatorStartError, InvalidEmulatorOptionError } from './errors';
import { LOOPBACK_HOST, type CommonEmulatorOptions, type RunningEmulator } from './emulator-types';
import { endpointFor, requestedPort } from './ports';

export const FAUXQS_NAME = 'fauxqs';
/** fauxqs writes this account id into every queue URL and ARN; it cannot be changed. */
export const FAUXQS_ACCOUNT_ID = '000000000000';
export const DEFAULT_LOCAL_REGION = 'eu-west-2';

export interface FauxqsOptions extends Omit<CommonEmulatorOptions, 'dataDir'> {
  /** Region of queues and topics created without a SigV4 region (SDK clients sign with theirs). Default `eu-west-2`. */
  region?: string;
  /** Must be `000000000000` (or absent): fauxqs hard-codes it in URLs and ARNs. */
  accountId?: string;
  /**
   * fauxqs keeps all state in memory and has no persistence. Passing a data directory is accepted
   * so the runtime can pass one directory to every emulator, but it is not used: the result says
   * `persistent: false`.
   */
  dataDir?: string;
  startTimeoutMs?: number;
}

export interface RunningFauxqs extends RunningEmulator {
  name: typeof FAUXQS_NAME;
  persistent: false;
  region: string;
  accountId: typeof FAUXQS_ACCOUNT_ID;
  /** Why state is not kept, for the runtime to show when a data directory was asked for. */
  persistenceNote: string;
  /** `http://127.0.0.1:<port>/000000000000/<name>`: the URL shape fauxqs gives SQS queues here. */
  queueUrl(queueName: string): string;
  queueArn(queueName: string, region?: string): string;
  topicArn(topicName: string, region?: string): string;
}

type WorkerMessage =
  | { type: 'ready'; port: number }
  | { type: 'log'; message: string }
  | { type: 'fatal'; message: string; code?: string }
  | { type: 'stopped'; error?: string };

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Starts fauxqs (SQS with redrive to dead-letter queues, and SNS topics) through its programmatic
 * API in a worker thread. All its state is in memory.
 *
 * fauxqs 1.9 behaviour the runners rely on (read from its source, checked by the tests):
 * - Visibility timeouts are applied lazily: expired in-flight messages return to the queue when a
 *   ReceiveMessage arrives (and every 20 ms while a long poll waits), as SQS does observably.
 * - Redrive happens on receive, like SQS: the receive that would be number maxReceiveCount + 1
 *   moves the message to the dead-letter queue instead of returning it.
 * - MessageRetentionPeriod is validated and stored but not enforced: messages never expire.
 * - Queue and topic ARNs use the region the client signs with, and always account 000000000000.
 */
export async function startFauxqs(options: FauxqsOptions = {}): Promise<RunningFauxqs> {
  const startedAt = performance.now();
  const port = requestedPort(FAUXQS_NAME, options.port);
  const region = options.region ?? DEFAULT_LOCAL_REGION;
  if (!REGION_PATTERN.test(region)) {
    throw new InvalidEmulatorOptionError(FAUXQS_NAME, 'region', `expected an AWS region name such as eu-west-2, got ${JSON.stringify(region)}`);
  }
  if (options.accountId !== undefined && options.accountId !== FAUXQS_ACCOUNT_ID) {
    throw new InvalidEmulatorOptionError(
      FAUXQS_NAME,
      'accountId',
      `fauxqs always uses account ${FAUXQS_ACCOUNT_ID} in queue URLs and ARNs; got ${JSON.stringify(options.accountId)}`,
    );
  }
  const onLog = options.onLog;
  const worker = new Worker(join(__dirname, 'fauxqs-worker.mjs'), {
    workerData: { port, host: LOOPBACK_HOST, region, log: onLog !== undefined },
    stdout: true,
    stderr: true,
  });
  // Whatever the worker prints goes to the log callback only, never to the terminal.
  worker.stdout.on('data', (chunk: Buffer) => onLog?.({ emulator: FAUXQS_NAME, stream: 'stdout', message: chunk.toString('utf8').trimEnd() }));
  worker.stderr.on('data', (chunk: Buffer) => onLog?.({ emulator: FAUXQS_NAME, stream: 'stderr', message: chunk.toString('utf8').trimEnd() }));

  let exited = false;
  const exitedPromise = new Promise<number>((resolve) => worker.once('exit', (code) => {
    exited = true;
    resolve(code);
  }));
  let stoppedListener: ((message: WorkerMessage) => void) | undefined;
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'log') onLog?.({ emulator: FAUXQS_NAME, stream: 'event', message: message.message });
    stoppedListener?.(message);
  });

  const actualPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new EmulatorStartError(FAUXQS_NAME, `not listening after ${options.startTimeoutMs ?? 15_000} ms`));
    }, options.startTimeoutMs ?? 15_000);
    const settle = (action: () => void): void => {
      clearTimeout(timer);
      worker.removeListener('message', onMessage);
      worker.removeListener('error', onError);
      worker.removeListener('exit', onExit);
      action();
    };
    const onMessage = (message: WorkerMessage): void => {
      if (message.type === 'ready') settle(() => resolve(message.port));
      else if (message.type === 'fatal') {
        const detail = message.code === 'EADDRINUSE' ? `port ${port} is already in use` : message.message;
        settle(() => reject(new EmulatorStartError(FAUXQS_NAME, detail)));
      }
    };
    const onError = (error: Error): void => settle(() => reject(new EmulatorStartError(FAUXQS_NAME, error.message, { cause: error })));
    const onExit = (code: number): void => settle(() => reject(new EmulatorStartError(FAUXQS_NAME, `worker exited with code ${code}`)));
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exited) return;
      // Close the server first so the port is released cleanly, then end the thread.
      const closed = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        stoppedListener = (message) => {
          if (message.type === 'stopped') {
            clearTimeout(timer);
            resolve();
          }
        };
      });
      worker.postMessage({ type: 'stop' });
      await Promise.race([closed, exitedPromise]);
      await worker.terminate();
    })();
    return stopping;
  };

  const endpoint = endpointFor(actualPort);
  return {
    name: FAUXQS_NAME,
    endpoint,
    port: actualPort,
    persistent: false,
    region,
    accountId: FAUXQS_ACCOUNT_ID,
    persistenceNote:
      options.dataDir === undefined
        ? 'fauxqs keeps all state in memory'
        : `fauxqs keeps all state in memory and has no persistence; the data directory ${options.dataDir} is not used for SQS/SNS`,
    startupMs: Math.round(performance.now() - startedAt),
    queueUrl: (queueName) => `${endpoint}/${FAUXQS_ACCOUNT_ID}/${queueName}`,
    queueArn: (queueName, queueRegion = region) => `arn:aws:sqs:${queueRegion}:${FAUXQS_ACCOUNT_ID}:${queueName}`,
    topicArn: (topicName, topicRegion = region) => `arn:aws:sns:${topicRegion}:${FAUXQS_ACCOUNT_ID}:${topicName}`,
    stop,
  };
}
