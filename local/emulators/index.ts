import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from './dynamodb-local';
import { EmulatorStartError, EmulatorStopError } from './errors';
import type { EmulatorLogListener, RunningEmulator } from './emulator-types';
import { DEFAULT_LOCAL_REGION, startFauxqs, type RunningFauxqs } from './fauxqs';
import { startSesV2Local, type RunningSesV2Local } from './ses-v2-local';
import { startSmsSink, type RunningSmsSink, type SmsFaultHook } from './sms-sink';
import { startSecretsManager, type RunningSecretsManager } from './secrets-manager';
import { startCognitoLocal, type RunningCognitoLocal } from './cognito-local';
import type { UserPoolClientSpec, UserPoolSpec } from '../topology/types';

export * from './errors';
export type { EmulatorLogLine, EmulatorLogListener, RunningEmulator } from './emulator-types';
export { startDynamoDbLocal, assertJavaAvailable, type RunningDynamoDbLocal, type DynamoDbLocalOptions } from './dynamodb-local';
export { startFauxqs, FAUXQS_ACCOUNT_ID, DEFAULT_LOCAL_REGION, type RunningFauxqs, type FauxqsOptions } from './fauxqs';
export { startSesV2Local, SES_V2_SEND_EMAIL_PATH, type RunningSesV2Local, type StoredEmail } from './ses-v2-local';
export {
  startSmsSink,
  E164_PATTERN,
  SMS_OUTBOX_FILE,
  type RunningSmsSink,
  type RecordedSms,
  type SmsFaultHook,
  type SmsSinkFault,
  type SmsPublishRequest,
} from './sms-sink';
export { startSecretsManager, SECRETS_MANAGER_FILE, type RunningSecretsManager, type ProvisionedSecret } from './secrets-manager';
export { startCognitoLocal, cognitoIdentityCall, type RunningCognitoLocal, type CognitoLocalOptions } from './cognito-local';
export {
  startSchedulerEmulator,
  SchedulerCore,
  SchedulerApiError,
  SCHEDULER_NAME,
  DEFAULT_SCHEDULE_GROUP,
  type RunningScheduler,
  type SchedulerEmulatorOptions,
  type ScheduleDescription,
  type ScheduleTarget,
  type DeliverFunction,
  type DeliveryContext,
  type SchedulerEvent,
} from './scheduler';
export {
  createManualClock,
  createRealClock,
  createShiftableRealClock,
  isAdvanceableClock,
  parseDuration,
  type SchedulerClock,
  type ManualClock,
  type AdvanceableClock,
  type ShiftableRealClock,
} from './scheduler-clock';

/** Dummy credentials: the emulators accept any, and real ones must never reach them. */
export const LOCAL_ACCESS_KEY_ID = 'local';
export const LOCAL_SECRET_ACCESS_KEY = 'local';

export interface EmulatorPorts {
  dynamodb?: number;
  /** fauxqs: SQS and SNS topics. */
  sqs?: number;
  ses?: number;
  sms?: number;
  secretsManager?: number;
  cognito?: number;
  /** The EventBridge Scheduler emulator (started by the runtime once the template's groups are known). */
  scheduler?: number;
}

export interface StartEmulatorsOptions {
  /** Fixed ports per emulator; absent or 0 picks a free port. */
  ports?: EmulatorPorts;
  /**
   * Keep state here: DynamoDB Local in `<dataDir>/dynamodb`, the SMS outbox in
   * `<dataDir>/sms-outbox.jsonl`. fauxqs and aws-ses-v2-local have no persistence (their
   * `persistent` is false). Absent: everything in memory.
   */
  dataDir?: string;
  /** Region for queue/topic ARNs and the functions' `AWS_REGION`. Default `eu-west-2`. */
  region?: string;
  onLog?: EmulatorLogListener;
  smsFaultHook?: SmsFaultHook;
  dynamodbStartTimeoutMs?: number;
  /** Account of the Secrets Manager emulator's ARNs (default `000000000000`). */
  accountId?: string;
  /**
   * The template's user pools and app clients: when there is at least one pool, cognito-local is
   * started with them (its store in `<dataDir>/cognito`, else a temporary directory).
   */
  identity?: { userPools: readonly UserPoolSpec[]; userPoolClients: readonly UserPoolClientSpec[] };
}

/** What a function (or any SDK client) needs to talk to the emulators instead of AWS. */
export interface EmulatorEndpointEnvironment {
  AWS_ENDPOINT_URL_DYNAMODB: string;
  /** The DynamoDB Streams API is served by DynamoDB Local on the same endpoint. */
  AWS_ENDPOINT_URL_DYNAMODB_STREAMS: string;
  AWS_ENDPOINT_URL_SQS: string;
  /** aws-ses-v2-local; the SDK appends `/v2/email/outbound-emails` for SendEmail. */
  AWS_ENDPOINT_URL_SESV2: string;
  /** The SMS sink: SNS `Publish` with a `PhoneNumber` lands there (topics are in fauxqs). */
  AWS_ENDPOINT_URL_SNS: string;
  /** Our Secrets Manager emulator (the SDK's standard per-service variable). */
  AWS_ENDPOINT_URL_SECRETS_MANAGER: string;
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  /** Index signature so the value can be merged into `process.env`-shaped records. */
  [name: string]: string;
}

export interface RunningEmulators {
  dynamodb: RunningDynamoDbLocal;
  fauxqs: RunningFauxqs;
  ses: RunningSesV2Local;
  sms: RunningSmsSink;
  secretsManager: RunningSecretsManager;
  /** cognito-local, when the template has user pools. */
  cognito?: RunningCognitoLocal;
  region: string;
  environment: EmulatorEndpointEnvironment;
  /** Wall time for all of them to be ready (they start concurrently). */
  startupMs: number;
  /** Stops every emulator; throws after trying all of them if any failed to stop. Idempotent. */
  stopAll(): Promise<void>;
}

export function endpointEnvironment(
  emulators: { dynamodb: RunningEmulator; fauxqs: RunningEmulator; ses: RunningEmulator; sms: RunningEmulator; secretsManager: RunningEmulator; cognito?: RunningEmulator },
  region: string,
): EmulatorEndpointEnvironment {
  return {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulators.secretsManager.endpoint,
    ...(emulators.cognito ? { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: emulators.cognito.endpoint } : {}),
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodb.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: emulators.dynamodb.endpoint,
    AWS_ENDPOINT_URL_SQS: emulators.fauxqs.endpoint,
    AWS_ENDPOINT_URL_SESV2: emulators.ses.endpoint,
    AWS_ENDPOINT_URL_SNS: emulators.sms.endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY,
  };
}

/**
 * Starts DynamoDB Local, fauxqs, aws-ses-v2-local, the SMS sink, the Secrets Manager emulator and
 * (with user pools) cognito-local concurrently. If any fails, the
 * ones that started are stopped and the failure is thrown (as is, when only one failed).
 */
export async function startEmulators(options: StartEmulatorsOptions = {}): Promise<RunningEmulators> {
  const startedAt = performance.now();
  const region = options.region ?? DEFAULT_LOCAL_REGION;
  const { ports = {}, dataDir, onLog } = options;
  const results = await Promise.allSettled([
    startDynamoDbLocal({
      ...(ports.dynamodb !== undefined ? { port: ports.dynamodb } : {}),
      ...(dataDir !== undefined ? { dataDir: join(dataDir, 'dynamodb') } : {}),
      ...(options.dynamodbStartTimeoutMs !== undefined ? { startTimeoutMs: options.dynamodbStartTimeoutMs } : {}),
      ...(onLog ? { onLog } : {}),
    }),
    startFauxqs({
      region,
      ...(ports.sqs !== undefined ? { port: ports.sqs } : {}),
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(onLog ? { onLog } : {}),
    }),
    startSesV2Local({
      ...(ports.ses !== undefined ? { port: ports.ses } : {}),
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(onLog ? { onLog } : {}),
    }),
    startSmsSink({
      ...(ports.sms !== undefined ? { port: ports.sms } : {}),
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(options.smsFaultHook ? { faultHook: options.smsFaultHook } : {}),
      ...(onLog ? { onLog } : {}),
    }),
    startSecretsManager({
      region,
      ...(options.accountId !== undefined ? { accountId: options.accountId } : {}),
      ...(ports.secretsManager !== undefined ? { port: ports.secretsManager } : {}),
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(onLog ? { onLog } : {}),
    }),
    options.identity && options.identity.userPools.length > 0
      ? startCognitoLocal({
          userPools: options.identity.userPools,
          userPoolClients: options.identity.userPoolClients,
          ...(ports.cognito !== undefined ? { port: ports.cognito } : {}),
          ...(dataDir !== undefined ? { dataDir } : {}),
          ...(onLog ? { onLog } : {}),
        })
      : Promise.resolve(undefined),
  ]);
  const [dynamodb, fauxqs, ses, sms, secretsManager, cognito] = results;
  if (
    dynamodb.status === 'fulfilled' &&
    fauxqs.status === 'fulfilled' &&
    ses.status === 'fulfilled' &&
    sms.status === 'fulfilled' &&
    secretsManager.status === 'fulfilled' &&
    cognito.status === 'fulfilled'
  ) {
    const running = {
      dynamodb: dynamodb.value,
      fauxqs: fauxqs.value,
      ses: ses.value,
      sms: sms.value,
      secretsManager: secretsManager.value,
      ...(cognito.value ? { cognito: cognito.value } : {}),
    };
    let stopping: Promise<void> | undefined;
    return {
      ...running,
      region,
      environment: endpointEnvironment(running, region),
      startupMs: Math.round(performance.now() - startedAt),
      stopAll: () => {
        stopping ??= stopEmulators(Object.values(running));
        return stopping;
      },
    };
  }

  const started = results.flatMap((result) => (result.status === 'fulfilled' && result.value ? [result.value as RunningEmulator] : []));
  await stopEmulators(started).catch(() => undefined);
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length === 1) throw failures[0];
  throw new EmulatorStartError(
    'emulators',
    failures.map((failure) => (failure instanceof Error ? failure.message : String(failure))).join('; '),
    { cause: new AggregateError(failures) },
  );
}

async function stopEmulators(emulators: RunningEmulator[]): Promise<void> {
  const results = await Promise.allSettled(emulators.map((emulator) => emulator.stop()));
  const failures = results.flatMap((result, index) =>
    result.status === 'rejected' ? [`${emulators[index].name}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`] : [],
  );
  if (failures.length > 0) throw new EmulatorStopError('emulators', failures.join('; '));
}


/**
 * Starts cognito-local for the template's user pools next to emulators that are already running
 * (they were started before the assembly existed, in parallel with its synthesis), and returns the
 * same emulators with it: its endpoint in the environment, stopped with the rest. No pools: the
 * emulators as they are.
 */
export async function withIdentityProvider(
  emulators: RunningEmulators,
  identity: { userPools: readonly UserPoolSpec[]; userPoolClients: readonly UserPoolClientSpec[] },
  options: Pick<StartEmulatorsOptions, 'ports' | 'dataDir' | 'onLog'> = {},
): Promise<RunningEmulators> {
  if (emulators.cognito || identity.userPools.length === 0) return emulators;
  const cognito = await startCognitoLocal({
    userPools: identity.userPools,
    userPoolClients: identity.userPoolClients,
    ...(options.ports?.cognito !== undefined ? { port: options.ports.cognito } : {}),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  let stopping: Promise<void> | undefined;
  return {
    ...emulators,
    cognito,
    environment: endpointEnvironment({ ...emulators, cognito }, emulators.region),
    stopAll: () => {
      stopping ??= Promise.allSettled([emulators.stopAll(), cognito.stop()]).then((results) => {
        const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
        if (failures.length > 0) throw new AggregateError(failures, 'stopping the emulators failed');
      });
      return stopping;
    },
  };
}
