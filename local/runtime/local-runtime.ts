import { rm } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startApiServer, type RunningApiServer } from '../api';
import { DEFAULT_LOCAL_REGION, startEmulators, withIdentityProvider, type EmulatorPorts, type RunningEmulators, type StartEmulatorsOptions } from '../emulators';
import { startSqsEventSource, type RunningSqsEventSource, type SqsEventSourceEvent } from '../event-sources';
import { createFaultInjector, resolveFaultOptions, startFaultProxy, type FaultInjector, type FaultOptions, type FaultStats, type ResolvedFaultOptions } from '../faults';
import { createFaultCounter } from '../faults/fault-stats';
import { createFunctionHost, type FunctionHost, type InvokeResult } from '../lambda';
import { FileCheckpointStore, InMemoryCheckpointStore, type CheckpointStore } from '../pipes';
import { provisionResources, type ProvisionedResources } from '../provision/provision-resources';
import { readCloudAssembly, synthesizeAssemblyInChildProcess, type DeploymentStage, type Topology, type TopologyWithWarnings } from '../topology';
import { deadLetterQueuesOf, runtimePipesOf } from './dead-letter-queues';
import { startPipeRunners, type RunningPipes } from './pipe-wiring';
import type { RuntimeState } from './runtime-state';
import { provisionIdentity, type LocalIdentity } from './local-identity';
import { startRuntimeScheduler, type RuntimeScheduler, type SchedulerClockMode } from './scheduler-wiring';
import type { PipeRunnerEvent } from '../pipes/pipe-runner-events';
import { startSiteServer, type RunningSiteServer } from '../site/site-server';

export interface LocalRuntimeOptions {
  /** Which environment of the CDK app to synthesize (default `dev`). Ignored with `assemblyDir`. */
  stage?: DeploymentStage;
  /** The module exporting the CDK app's `buildApp` (default: this repository's `cdk/app`). Ignored with `assemblyDir`. */
  cdkApp?: string;
  /** Run an already-synthesized cloud assembly instead of synthesizing the app. */
  assemblyDir?: string;
  /** Keep emulator state here across restarts (where the emulator supports it). */
  dataDir?: string;
  /**
   * `api`: the first REST API's port; `site`: the first CloudFront distribution's (both free ports by
   * default). A site's manage links carry the template's site URL: synthesize with
   * `context: { siteUrl: 'http://127.0.0.1:<site port>' }` (or use the port the configuration names).
   */
  ports?: EmulatorPorts & { api?: number; site?: number };
  /** Extra CDK context for synthesis, as `-c key=value` (ignored with `assemblyDir`). */
  context?: Record<string, unknown>;
  /**
   * The Scheduler emulator's clock: `real` (default) is the wall clock, which `runtime.scheduler`
   * (or `POST /_clock`) can still move forward; `manual` stands still until moved (tests).
   */
  schedulerClock?: SchedulerClockMode;
  /** Progress and notices for a person; silent when absent. */
  write?: (line: string) => void;
  /** Every function log line (Powertools JSON), with the function's short name (as `onFunctionLog` below). */
  onFunctionLog?: (functionName: string, line: string) => void;
  /**
   * Called once, before the compute starts and the API opens, to subscribe observers that must not
   * miss an event (a pipe resuming a `dataDir` checkpoint may deliver records during start-up).
   * Subscribing on the resolved runtime instead sees everything from then on.
   */
  observe?: (observation: RuntimeObservation) => void;
  /** Pipe runner poll interval and retry backoff; tests shorten them. */
  pipe?: { pollIntervalMs?: number; retryBaseDelayMs?: number; retryMaxDelayMs?: number };
  /** Concurrent execution environments per function (Lambda scales out; a laptop has 2 cores). */
  maxEnvironmentsPerFunction?: number;
  /** Long-poll wait of the SQS event sources (20 s like Lambda's pollers; tests may shorten it). */
  sqsWaitTimeSeconds?: number;
  /** Fault injection (SES/SMS errors, enrichment errors, crashes of SQS-invoked functions); off when absent. */
  faults?: FaultOptions;
}

/**
 * What the runtime sees as it runs, for observers that only read (progress lines, tests,
 * benchmarks). Each `on…` subscribes and returns the unsubscribe function; a listener that throws
 * is ignored, it never changes what flows.
 */
export interface RuntimeObservation {
  /** Every function log line (Powertools JSON), with the function's short name. */
  onFunctionLog(listener: (functionName: string, line: string) => void): () => void;
  /** Every API invocation: the proxy event the API gave the function and the function's result. */
  onApiResponse(listener: (event: unknown, result: InvokeResult) => void): () => void;
  /** Every SQS event-source batch, before its function is invoked with it. */
  onSqsInvocation(listener: (mappingId: string, event: unknown) => void): () => void;
  /** Every SQS event-source event, with the source queue's redrive `maxReceiveCount` (if any). */
  onSqsOutcome(listener: (event: SqsEventSourceEvent, maxReceiveCount: number | undefined) => void): () => void;
  /** Every pipe runner event (progress, retries, dead-letters). */
  onPipeEvent(listener: (event: PipeRunnerEvent) => void): () => void;
}

/** Where the start-up time went (milliseconds). */
export interface StartupBreakdown {
  /** Synthesizing the CDK app, bundling included (0 when an assembly was given). */
  synthesisMs: number;
  /** esbuild's own share of synthesis. */
  bundlingMs: number;
  /** All four emulators ready (they start concurrently). */
  emulatorsMs: number;
  /** Creating the template's tables, queues and topics in the emulators. */
  provisioningMs: number;
  /** Function host, pipes, event sources and API (after provisioning). */
  computeMs: number;
  /** Whether synthesis and the emulators ran at the same time. */
  parallel: boolean;
}

export interface LocalRuntime extends RuntimeObservation {
  stage: string;
  assemblyDir: string;
  topology: TopologyWithWarnings;
  emulators: RunningEmulators;
  provisioned: ProvisionedResources;
  functions: FunctionHost;
  /** The (first) REST API's invoke URL, with the stage, e.g. `http://127.0.0.1:4010/dev/`. */
  apiUrl: string;
  /** The (first) CloudFront distribution served locally, e.g. `http://127.0.0.1:8080`; undefined when the assembly has none. */
  siteUrl: string | undefined;
  emailViewerUrl: string;
  smsOutboxUrl: string;
  /** The local Cognito identity provider and the template's pools in it; undefined without user pools. */
  identity: LocalIdentity | undefined;
  /** The local EventBridge Scheduler (the template's schedule groups; delivers as the template's scheduler roles allow). */
  scheduler: RuntimeScheduler;
  /** Milliseconds from the call to a ready runtime. */
  startupMs: number;
  startup: StartupBreakdown;
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient };
  /** What other local tools (the DLQ tool) need to reach this runtime. */
  state(): RuntimeState;
  /** Resolves when the pipes and event sources have nothing in flight. */
  idle(): Promise<void>;
  /** The faults being injected (every rate and the seed), or undefined when fault injection is off. */
  faults: ResolvedFaultOptions | undefined;
  /** How many faults of each kind were injected so far (all zero when off), and compute restarts. */
  faultStats(): FaultStats;
  /**
   * Kills and restarts the compute: the function host (every environment, mid-invocation or not),
   * the pipe runners (resuming from their checkpoints) and the SQS event sources. The emulators,
   * standing in for AWS's managed services, keep their state: records not checkpointed are read
   * again and SQS messages in flight reappear after their visibility timeout. The API keeps its
   * port; calls made during the restart wait for it.
   */
  restartCompute(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the deployable system on this machine: synthesizes the CDK app (or reads a given cloud
 * assembly), starts the emulators, creates the template's tables and queues in them, and runs the
 * template's functions, API, pipe and event-source mappings against them. Nothing here knows the
 * product: every name, setting, filter and wiring comes from the assembly.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const startedAt = Date.now();
  const write = options.write ?? (() => undefined);
  const stage = options.stage ?? 'dev';
  // Bad fault options fail before anything starts.
  const faults = options.faults ? resolveFaultOptions(options.faults) : undefined;
  const injector: FaultInjector | undefined = faults ? createFaultInjector(faults) : undefined;
  const restartCounter = createFaultCounter();
  const observation = createObservation();
  if (options.onFunctionLog) observation.onFunctionLog(options.onFunctionLog);
  const identityOf = (topology: Pick<Topology, 'userPools' | 'userPoolClients'>) => ({ userPools: topology.userPools ?? [], userPoolClients: topology.userPoolClients ?? [] });
  const emulatorOptions = (region: string, identity?: ReturnType<typeof identityOf>): StartEmulatorsOptions => ({
    region,
    ...(identity ? { identity } : {}),
    ...(options.ports ? { ports: options.ports } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(injector && faults && faults.snsErrorRate > 0 ? { smsFaultHook: injector.smsFaultHook } : {}),
  });
  let assemblyDir: string;
  let emulators: RunningEmulators;
  const startup: StartupBreakdown = { synthesisMs: 0, bundlingMs: 0, emulatorsMs: 0, provisioningMs: 0, computeMs: 0, parallel: false };
  if (options.assemblyDir) {
    assemblyDir = options.assemblyDir;
    // Read once for the region the emulators must use, then again with the queue endpoint, so any
    // queue URL in a function's environment is one the emulator answers to.
    const initial = readCloudAssembly(assemblyDir, { environment: stage });
    // Pools and clients do not depend on emulator endpoints: the identity provider starts with the rest.
    emulators = await startEmulators(emulatorOptions(initial.region, identityOf(initial)));
    startup.emulatorsMs = emulators.startupMs;
  } else {
    // Synthesis (CPU-bound, in a child process) and the emulators (DynamoDB Local's JVM above all)
    // start together. The emulators take the region the app synthesizes to (CDK_DEFAULT_REGION, else
    // the app's default); should the assembly say otherwise, they are restarted with its region.
    startup.parallel = true;
    // Without CDK's template validation: the runtime runs the templates, validating them is the
    // job of `npm run synth`/`cdk deploy` and of the infra tests (it is a third of synthesis here).
    const synthesis = synthesizeAssemblyInChildProcess({ stage, templateValidation: false, ...(options.cdkApp ? { app: options.cdkApp } : {}), ...(options.context ? { context: options.context } : {}) });
    const starting = startEmulators(emulatorOptions(process.env.CDK_DEFAULT_REGION || DEFAULT_LOCAL_REGION));
    const [synthesized, started] = await Promise.allSettled([synthesis, starting]);
    if (synthesized.status === 'rejected' || started.status === 'rejected') {
      if (synthesized.status === 'fulfilled') await rm(synthesized.value.directory, { recursive: true, force: true });
      if (started.status === 'fulfilled') await started.value.stopAll().catch(() => undefined);
      throw synthesized.status === 'rejected' ? synthesized.reason : (started as PromiseRejectedResult).reason;
    }
    assemblyDir = synthesized.value.directory;
    startup.synthesisMs = synthesized.value.synthesisMs;
    startup.bundlingMs = synthesized.value.bundlingMs;
    emulators = started.value;
    startup.emulatorsMs = emulators.startupMs;
    try {
      const initial = readCloudAssembly(assemblyDir, { environment: stage });
      if (initial.region !== emulators.region) {
        write(`note: the assembly's region is ${initial.region}: restarting the emulators for it`);
        await emulators.stopAll();
        emulators = await startEmulators(emulatorOptions(initial.region, identityOf(initial)));
      } else {
        // The user pools are known only now that the assembly exists.
        const identityStartedAt = Date.now();
        emulators = await withIdentityProvider(emulators, identityOf(initial), emulatorOptions(initial.region));
        startup.emulatorsMs += Date.now() - identityStartedAt;
      }
    } catch (error) {
      await emulators.stopAll().catch(() => undefined);
      await rm(assemblyDir, { recursive: true, force: true });
      throw error;
    }
  }
  // An assembly synthesized here is ours to remove when the runtime stops; a given one is not.
  const removeAssembly = async (): Promise<void> => {
    if (!options.assemblyDir) await rm(assemblyDir, { recursive: true, force: true });
  };
  const cleanups: Array<() => Promise<void>> = [removeAssembly, () => emulators.stopAll()];
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => errors.push(error));
    cleanups.length = 0;
    if (errors.length > 0) throw new AggregateError(errors, 'stopping the local runtime failed');
  };

  try {
    const topology = readCloudAssembly(assemblyDir, { environment: stage, sqsEndpoint: emulators.fauxqs.endpoint });
    // Resource types the runtime has no emulator for (IAM, alarms, log groups) are named by type only.
    for (const warning of topology.warnings) write(`note: ${warning.replace(/^(not emulated locally: AWS::[\w:]+ \(\d+\)):.*$/, '$1')}`);
    const env = emulators.environment;
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
    const region = topology.region;
    const dynamodb = new DynamoDBClient({ region, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, credentials });
    const streams = new DynamoDBStreamsClient({ region, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, credentials });
    const sqs = new SQSClient({ region, endpoint: env.AWS_ENDPOINT_URL_SQS, credentials });
    // Topics live in fauxqs; the functions' SNS endpoint is the SMS sink.
    const sns = new SNSClient({ region, endpoint: emulators.fauxqs.endpoint, credentials });
    cleanups.push(async () => [dynamodb, streams, sqs, sns].forEach((client) => client.destroy()));

    const provisioningStartedAt = Date.now();
    const provisioned = await provisionResources(topology, { dynamodb, sqs, sns });
    await emulators.secretsManager.provision(topology.secrets ?? []);
    const identity = emulators.cognito ? await provisionIdentity(topology, emulators.cognito) : undefined;
    // A managed service like the other emulators: it keeps its schedules across compute restarts.
    const scheduler = await startRuntimeScheduler({
      topology,
      provisioned,
      sqs,
      write,
      ...(options.schedulerClock !== undefined ? { clock: options.schedulerClock } : {}),
      ...(options.ports?.scheduler !== undefined ? { port: options.ports.scheduler } : {}),
    });
    cleanups.push(() => scheduler.stop());
    const userPoolKeys = new Map((identity?.userPools ?? []).map((pool) => [pool.id, { issuer: pool.issuer, jwksUri: pool.jwksUri }]));
    startup.provisioningMs = Date.now() - provisioningStartedAt;
    const computeStartedAt = Date.now();
    const functionName = shortFunctionNames(topology);

    // SES faults: the functions reach aws-ses-v2-local through a proxy that fails some calls.
    let functionEnvironment: Record<string, string> = env;
    if (injector && faults && faults.sesErrorRate > 0) {
      const proxy = await startFaultProxy({ target: emulators.ses.endpoint, decide: () => injector.sesFault() });
      cleanups.push(() => proxy.stop());
      functionEnvironment = { ...env, AWS_ENDPOINT_URL_SESV2: proxy.endpoint };
    }
    functionEnvironment = { ...functionEnvironment, AWS_ENDPOINT_URL_SCHEDULER: scheduler.endpoint };

    // One store per pipe for the runtime's life, so a compute restart resumes where it stopped.
    const checkpointStores = new Map<string, CheckpointStore>();
    const checkpointStore = (pipeName: string): CheckpointStore => {
      let store = checkpointStores.get(pipeName);
      if (!store) {
        store = options.dataDir ? new FileCheckpointStore({ dataDir: options.dataDir, pipeName }) : new InMemoryCheckpointStore();
        checkpointStores.set(pipeName, store);
      }
      return store;
    };

    /** The function host, pipe runners and SQS event sources: what restartCompute() replaces. */
    const startCompute = (): Compute => {
      const functions = createFunctionHost({
        functions: topology.functions,
        environmentOverrides: functionEnvironment,
        ...(options.maxEnvironmentsPerFunction ? { maxEnvironmentsPerFunction: options.maxEnvironmentsPerFunction } : {}),
        onLog: (functionId, line) => observation.emitFunctionLog(functionName(functionId), line),
      });
      const eventSources: RunningSqsEventSource[] = [];
      const started: Compute = { functions, eventSources, pipes: undefined };
      try {
        for (const mapping of topology.sqsEventSourceMappings) {
          const queue = provisioned.queues[mapping.queueId];
          const spec = topology.queues.find((candidate) => candidate.id === mapping.queueId);
          if (!queue || !spec) throw new Error(`event source ${mapping.id} reads queue ${mapping.queueId}, which the assembly does not define`);
          eventSources.push(
            startSqsEventSource({
              mapping,
              queueUrl: queue.queueUrl,
              queueArn: queue.queueArn,
              sqs,
              ...(options.sqsWaitTimeSeconds !== undefined ? { waitTimeSeconds: options.sqsWaitTimeSeconds } : {}),
              invoke: async (event): Promise<InvokeResult> => {
                observation.emitSqsInvocation(mapping.id, event);
                const crashAfterMs = injector?.crashAfterMs(mapping.functionId);
                const result = await functions.invoke(mapping.functionId, event, crashAfterMs !== undefined ? { crashAfterMs } : {});
                if (result.ok) injector?.observeDuration(mapping.functionId, result.durationMs);
                else if (result.crashInjected) injector?.crashed();
                return result;
              },
              onEvent: (event) => observation.emitSqsOutcome(event, spec.redrivePolicy?.maxReceiveCount),
            }),
          );
        }
        started.pipes = startPipeRunners({
          topology,
          provisioned,
          streams,
          sqs,
          functions,
          write,
          checkpointStore,
          ...(options.pipe ? { pipe: options.pipe } : {}),
          ...(injector && faults && faults.enrichmentErrorRate > 0 ? { enrichmentFault: () => injector.enrichmentFault() } : {}),
        });
        started.pipes.onEvent((event) => observation.emitPipeEvent(event));
        return started;
      } catch (error) {
        void stopCompute(started, 'graceful').catch(() => undefined);
        throw error;
      }
    };
    options.observe?.(observation.subscriptions);
    let compute = startCompute();
    // Resolves when the compute is up; a restart replaces it with one that waits for the new compute.
    let computeReady: Promise<void> = Promise.resolve();
    let restarting: Promise<void> | undefined;
    let stopped = false;
    cleanups.push(async () => {
      stopped = true;
      await restarting?.catch(() => undefined);
      await stopCompute(compute, 'graceful');
    });

    const apis: RunningApiServer[] = [];
    for (const [index, api] of topology.restApis.entries()) {
      const server = await startApiServer({
        api,
        accountId: topology.accountId,
        port: index === 0 ? (options.ports?.api ?? 0) : 0,
        userPools: userPoolKeys,
        invoke: async (functionId, event) => {
          await computeReady;
          const result = await compute.functions.invoke(functionId, event);
          observation.emitApiResponse(event, result);
          return result;
        },
      });
      apis.push(server);
      cleanups.push(() => server.stop());
    }
    if (apis.length === 0) throw new Error(`the cloud assembly ${assemblyDir} defines no REST API to serve`);

    // The template's CloudFront distributions: the site's files from the assembly's assets, the API paths to the local API.
    const apiOrigins = new Map(topology.restApis.map((api, index) => [api.id, apis[index] ? new URL(apis[index].url).origin : undefined]));
    const sites: RunningSiteServer[] = [];
    for (const [index, site] of (topology.sites ?? []).entries()) {
      const server = await startSiteServer({ site, port: index === 0 ? (options.ports?.site ?? 0) : 0, apiOrigin: (id) => apiOrigins.get(id) });
      sites.push(server);
      cleanups.push(() => server.stop());
    }

    const restartCompute = async (): Promise<void> => {
      if (stopped) throw new Error('the local runtime was stopped; its compute cannot be restarted');
      const previous = restarting ?? Promise.resolve();
      const run = previous.catch(() => undefined).then(async () => {
        if (stopped) throw new Error('the local runtime was stopped; its compute cannot be restarted');
        let ready: () => void = () => undefined;
        computeReady = new Promise<void>((resolve) => (ready = resolve));
        try {
          // A runner that failed to stop cleanly must not leave the runtime without compute.
          const stopFailure = await stopCompute(compute, 'abrupt').then(
            () => undefined,
            (error: unknown) => error,
          );
          compute = startCompute();
          restartCounter.countRestart();
          write('compute restarted: function environments replaced; pipes resumed from their checkpoints; SQS messages in flight return after their visibility timeout');
          if (stopFailure !== undefined) throw stopFailure;
        } finally {
          ready();
        }
      });
      restarting = run;
      return run;
    };

    const apiUrl = apis[0].url;
    const runtime: LocalRuntime = {
      stage,
      assemblyDir,
      topology,
      emulators,
      provisioned,
      get functions() {
        return compute.functions;
      },
      apiUrl,
      siteUrl: sites[0]?.url,
      emailViewerUrl: emulators.ses.viewerUrl,
      smsOutboxUrl: emulators.sms.viewerUrl,
      identity,
      scheduler,
      startupMs: Date.now() - startedAt,
      startup: { ...startup, computeMs: Date.now() - computeStartedAt },
      clients: { dynamodb, sqs },
      state: () => ({
        pid: process.pid,
        startedAt: new Date(startedAt).toISOString(),
        stage,
        region,
        apiUrl,
        emailViewerUrl: emulators.ses.viewerUrl,
        smsOutboxUrl: emulators.sms.viewerUrl,
        endpoints: {
          dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB,
          sqs: env.AWS_ENDPOINT_URL_SQS,
          sesv2: env.AWS_ENDPOINT_URL_SESV2,
          sns: env.AWS_ENDPOINT_URL_SNS,
          secretsManager: env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
          scheduler: scheduler.endpoint,
          ...(identity ? { cognitoIdentityProvider: identity.endpoint } : {}),
        },
        ...(identity ? { userPools: identity.userPools } : {}),
        deadLetterQueues: deadLetterQueuesOf(topology, provisioned),
        pipes: runtimePipesOf(topology, provisioned),
      }),
      ...observation.subscriptions,
      idle: async () => {
        await computeReady;
        const current = compute;
        await current.pipes?.idle();
        await Promise.all(current.eventSources.map((source) => source.idle()));
      },
      faults,
      faultStats: () => ({ ...(injector?.stats() ?? restartCounter.snapshot()), computeRestarts: restartCounter.snapshot().computeRestarts }),
      restartCompute,
      stop: stopAll,
    };
    return runtime;
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

interface Compute {
  functions: FunctionHost;
  eventSources: RunningSqsEventSource[];
  pipes: RunningPipes | undefined;
}

/**
 * `graceful` (the runtime stopping) lets batches in flight finish before the functions stop;
 * `abrupt` (a restart) kills the functions while the pollers stop, so invocations in flight fail
 * as they would when Lambda's hosts die: the pipe abandons the batch without a checkpoint, and the
 * SQS messages stay in flight until their visibility timeout.
 */
async function stopCompute(compute: Compute, mode: 'graceful' | 'abrupt'): Promise<void> {
  // Each stop() marks its runner as stopping before its first await, so no new batch starts.
  const pollers = Promise.allSettled([...(compute.pipes ? [compute.pipes.stop()] : []), ...compute.eventSources.map((source) => source.stop())]);
  const results: PromiseSettledResult<void>[] = [];
  if (mode === 'abrupt') {
    results.push(...(await Promise.allSettled([compute.functions.stop()])), ...(await pollers));
  } else {
    results.push(...(await pollers), ...(await Promise.allSettled([compute.functions.stop()])));
  }
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length > 0) throw new AggregateError(failures, 'stopping the compute failed');
}

/** The listener sets behind `RuntimeObservation`, and how the runtime emits to them. */
function createObservation() {
  const channel = <A extends unknown[]>() => {
    const listeners = new Set<(...args: A) => void>();
    const subscribe = (listener: (...args: A) => void): (() => void) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    };
    const emit = (...args: A): void => {
      for (const listener of listeners) {
        try {
          listener(...args);
        } catch {
          // An observer's failure must not change what flows.
        }
      }
    };
    return { subscribe, emit };
  };
  const functionLog = channel<[functionName: string, line: string]>();
  const apiResponse = channel<[event: unknown, result: InvokeResult]>();
  const sqsInvocation = channel<[mappingId: string, event: unknown]>();
  const sqsOutcome = channel<[event: SqsEventSourceEvent, maxReceiveCount: number | undefined]>();
  const pipeEvent = channel<[event: PipeRunnerEvent]>();
  const subscriptions: RuntimeObservation = {
    onFunctionLog: functionLog.subscribe,
    onApiResponse: apiResponse.subscribe,
    onSqsInvocation: sqsInvocation.subscribe,
    onSqsOutcome: sqsOutcome.subscribe,
    onPipeEvent: pipeEvent.subscribe,
  };
  return {
    subscriptions,
    onFunctionLog: functionLog.subscribe,
    emitFunctionLog: functionLog.emit,
    emitApiResponse: apiResponse.emit,
    emitSqsInvocation: sqsInvocation.emit,
    emitSqsOutcome: sqsOutcome.emit,
    emitPipeEvent: pipeEvent.emit,
  };
}

/** `Dev-Stateless/NotifierFunctionAF3DBB87` → `notifier`: what a person reads in log prefixes. */
function shortFunctionNames(topology: Topology): (functionId: string) => string {
  const names = new Map(
    topology.functions.map((fn) => [fn.id, (fn.environment.POWERTOOLS_SERVICE_NAME ?? fn.functionName).toLowerCase()]),
  );
  return (functionId) => names.get(functionId) ?? functionId;
}
