import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type CommonEmulatorOptions, type EmulatorLogListener, type RunningEmulator } from './emulator-types';
import { endpointFor, listenOnLoopback, requestedPort } from './ports';
import { createRealClock, isAdvanceableClock, parseDuration, type CancelTimer, type SchedulerClock } from './scheduler-clock';
import { isKnownTimeZone, parseAtExpression, ScheduleExpressionError } from './scheduler-expression';

/**
 * A local EventBridge Scheduler: no emulator package exists, so this is ours.
 *
 * Emulated: the REST-JSON API as `@aws-sdk/client-scheduler` calls it — CreateSchedule
 * (POST /schedules/{Name}), UpdateSchedule (PUT, replacing the whole definition), GetSchedule,
 * DeleteSchedule, ListSchedules (ScheduleGroup / NamePrefix / State filters, MaxResults/NextToken),
 * CreateScheduleGroup / GetScheduleGroup / DeleteScheduleGroup / ListScheduleGroups — with
 * Scheduler's error shapes (`x-amzn-errortype` header and a JSON `Message`): ValidationException
 * 400 naming the field, ResourceNotFoundException 404, ConflictException 409. ClientToken makes a
 * repeated CreateSchedule / CreateScheduleGroup idempotent. One-time `at()` schedules in their
 * ScheduleExpressionTimezone (IANA, default UTC) fire once when the clock passes their time; an `at()`
 * already past when created or updated fires at once by default (`pastAt: 'fire'`). What Scheduler
 * itself does is not stated in its documentation; the one public account found (a code comment in a
 * third-party project) says AWS rejects a past `at()` at create, so `pastAt: 'reject'` answers a
 * ValidationException instead, for a runtime that wants to be strict. FLEXIBLE time
 * windows fire at the window's start. A failed delivery is retried per RetryPolicy
 * (MaximumRetryAttempts, MaximumEventAgeInSeconds; defaults 185 and 86400 as in Scheduler) with a
 * deterministic backoff of 1 s, 2 s, 4 s ... capped at 60 s on the emulator's clock, then handed to
 * the DeadLetterConfig target. ActionAfterCompletion DELETE removes the schedule after it fired.
 *
 * Not emulated: `rate()` and `cron()` (refused with a ValidationException saying so), StartDate /
 * EndDate (stored and returned, never applied), KMS keys, tags, IAM (RoleArn is checked for shape
 * only; the runtime's `deliver` checks the role and its policy against the template, and gets
 * the role in the delivery context), target-specific parameters (SqsParameters, EcsParameters ... are stored, not used),
 * Scheduler's 60-second invocation precision and jitter, throttling and quotas, persistence (state
 * is in memory). The emulator knows no target service: the runtime passes `deliver`.
 *
 * Not AWS: `GET /_clock` answers the emulator's time; `POST /_clock` with `{"advanceBy": "25h"}`
 * (or milliseconds) or `{"advanceTo": "<ISO instant>"}` moves it forward when its clock can be
 * moved (the manual clock, or the runtime's shiftable real clock), firing what falls due, and
 * answers once those deliveries are done. A local tool's route; Scheduler has nothing like it.
 */

export const SCHEDULER_NAME = 'scheduler';
export const DEFAULT_SCHEDULE_GROUP = 'default';
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;
const NAME_PATTERN = /^[0-9a-zA-Z\-_.]+$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ARN_PATTERN = /^arn:aws(-[a-z]+)?:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/;
const MAX_BODY_BYTES = 1024 * 1024;

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
  /** Target-specific parameters (SqsParameters, ...), kept as given. */
  [parameter: string]: unknown;
}

export interface FlexibleTimeWindow {
  Mode: 'OFF' | 'FLEXIBLE';
  MaximumWindowInMinutes?: number;
}

/** What CreateSchedule and UpdateSchedule take (timestamps as epoch seconds, as on the wire). */
export interface ScheduleDefinitionInput {
  Name?: unknown;
  GroupName?: unknown;
  ScheduleExpression?: unknown;
  ScheduleExpressionTimezone?: unknown;
  FlexibleTimeWindow?: unknown;
  Target?: unknown;
  State?: unknown;
  ActionAfterCompletion?: unknown;
  Description?: unknown;
  StartDate?: unknown;
  EndDate?: unknown;
  KmsKeyArn?: unknown;
  ClientToken?: unknown;
}

export interface ScheduleDescription {
  Arn: string;
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  FlexibleTimeWindow: FlexibleTimeWindow;
  Target: ScheduleTarget;
  State: 'ENABLED' | 'DISABLED';
  ActionAfterCompletion: 'NONE' | 'DELETE';
  Description?: string;
  StartDate?: number;
  EndDate?: number;
  KmsKeyArn?: string;
  /** Epoch seconds. */
  CreationDate: number;
  LastModificationDate: number;
}

export interface ScheduleGroupDescription {
  Arn: string;
  Name: string;
  State: 'ACTIVE';
  CreationDate: number;
  LastModificationDate: number;
}

/** Why `deliver` is called, and what Scheduler would attach to the message. */
export interface DeliveryContext {
  kind: 'target' | 'dead-letter';
  scheduleArn: string;
  groupName: string;
  /** 1 for the first try. For a dead letter: the attempts made. */
  attempt: number;
  /** The instant the schedule was due (epoch ms). */
  scheduledTimeMs: number;
  /** The schedule's execution role (Target.RoleArn): Scheduler sends to the target and to the DLQ as this role. */
  roleArn: string;
  /** For a dead letter: the last delivery error (its `name` and `message`). */
  error?: { code: string; message: string };
  /** For a dead letter: the target that failed. */
  failedTargetArn?: string;
}

/**
 * Sends a schedule's input to a target (for a dead letter: to the DeadLetterConfig queue, as
 * `{ Arn }`). Throwing (or rejecting) is a failed delivery.
 */
export type DeliverFunction = (target: ScheduleTarget | { Arn: string }, input: string, scheduleName: string, context: DeliveryContext) => Promise<void> | void;

export type SchedulerEvent =
  | { type: 'delivered'; scheduleName: string; groupName: string; attempt: number; atMs: number }
  | { type: 'delivery-failed'; scheduleName: string; groupName: string; attempt: number; atMs: number; error: string; willRetry: boolean }
  | { type: 'dead-lettered'; scheduleName: string; groupName: string; attempts: number; atMs: number; deadLetterArn: string }
  | { type: 'dropped'; scheduleName: string; groupName: string; attempts: number; atMs: number; reason: string }
  | { type: 'deleted-after-completion'; scheduleName: string; groupName: string; atMs: number };

export interface SchedulerCoreOptions {
  clock?: SchedulerClock;
  deliver: DeliverFunction;
  region?: string;
  accountId?: string;
  /** Schedule groups to create at start (the template's), besides `default`. */
  groups?: string[];
  onEvent?: (event: SchedulerEvent) => void;
  /**
   * An ENABLED `at()` whose time has passed when it is created or updated: `fire` (default) fires it
   * at once; `reject` answers a ValidationException (see the module comment for why both exist).
   */
  pastAt?: 'fire' | 'reject';
}

/** An error in Scheduler's own shape. */
export class SchedulerApiError extends Error {
  constructor(
    readonly code: 'ValidationException' | 'ResourceNotFoundException' | 'ConflictException' | 'InternalServerException' | 'UnknownOperationException',
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

const validation = (message: string): SchedulerApiError => new SchedulerApiError('ValidationException', 400, message);
const notFound = (message: string): SchedulerApiError => new SchedulerApiError('ResourceNotFoundException', 404, message);
const conflict = (message: string): SchedulerApiError => new SchedulerApiError('ConflictException', 409, message);

interface StoredSchedule {
  description: ScheduleDescription;
  dueMs: number;
  clientToken?: string;
  /** Bumped by every update and by deletion, so a stale timer knows it is stale. */
  generation: number;
  fired: boolean;
  cancelTimer?: CancelTimer;
}

interface StoredGroup {
  description: ScheduleGroupDescription;
  clientToken?: string;
}

const constraint = (field: string, value: unknown, rule: string): SchedulerApiError =>
  validation(`1 validation error detected: Value ${JSON.stringify(value)} at '${field}' failed to satisfy constraint: ${rule}`);

function requiredString(field: string, value: unknown, min: number, max: number): string {
  if (value === undefined || value === null) throw validation(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  if (typeof value !== 'string') throw constraint(field, value, 'Member must be a string');
  if (value.length < min || value.length > max) throw constraint(field, value, `Member must have length between ${min} and ${max}`);
  return value;
}

function optionalString(field: string, value: unknown, min: number, max: number): string | undefined {
  return value === undefined || value === null ? undefined : requiredString(field, value, min, max);
}

function checkName(field: string, value: unknown): string {
  const name = requiredString(field, value, 1, 64);
  if (!NAME_PATTERN.test(name)) throw constraint(field, name, `Member must satisfy regular expression pattern: ${NAME_PATTERN.source}`);
  return name;
}

function optionalInteger(field: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw constraint(field, value, 'Member must be an integer');
  if (value < min) throw constraint(field, value, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw constraint(field, value, `Member must have value less than or equal to ${max}`);
  return value;
}

function optionalEpochSeconds(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw constraint(field, value, 'Member must be a timestamp (epoch seconds)');
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkTarget(value: unknown): ScheduleTarget {
  if (value === undefined || value === null) throw validation("1 validation error detected: Value null at 'target' failed to satisfy constraint: Member must not be null");
  if (!isObject(value)) throw constraint('target', value, 'Member must be an object');
  const arn = requiredString('target.arn', value.Arn, 1, 1600);
  if (!ARN_PATTERN.test(arn)) throw constraint('target.arn', arn, 'Member must be an ARN');
  const roleArn = requiredString('target.roleArn', value.RoleArn, 1, 1600);
  if (!ROLE_ARN_PATTERN.test(roleArn)) throw constraint('target.roleArn', roleArn, `Member must satisfy regular expression pattern: ${ROLE_ARN_PATTERN.source}`);
  const input = optionalString('target.input', value.Input, 1, 8192);
  const target: ScheduleTarget = { ...value, Arn: arn, RoleArn: roleArn };
  if (input === undefined) delete target.Input;
  if (value.RetryPolicy !== undefined && value.RetryPolicy !== null) {
    if (!isObject(value.RetryPolicy)) throw constraint('target.retryPolicy', value.RetryPolicy, 'Member must be an object');
    const attempts = optionalInteger('target.retryPolicy.maximumRetryAttempts', value.RetryPolicy.MaximumRetryAttempts, 0, 185);
    const age = optionalInteger('target.retryPolicy.maximumEventAgeInSeconds', value.RetryPolicy.MaximumEventAgeInSeconds, 60, 86_400);
    target.RetryPolicy = { ...(attempts !== undefined ? { MaximumRetryAttempts: attempts } : {}), ...(age !== undefined ? { MaximumEventAgeInSeconds: age } : {}) };
  } else delete target.RetryPolicy;
  if (value.DeadLetterConfig !== undefined && value.DeadLetterConfig !== null) {
    if (!isObject(value.DeadLetterConfig)) throw constraint('target.deadLetterConfig', value.DeadLetterConfig, 'Member must be an object');
    const dlq = optionalString('target.deadLetterConfig.arn', value.DeadLetterConfig.Arn, 1, 1600);
    if (dlq !== undefined && !/^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9_.-]+$/.test(dlq)) {
      throw constraint('target.deadLetterConfig.arn', dlq, 'Member must be the ARN of an SQS queue');
    }
    target.DeadLetterConfig = dlq === undefined ? {} : { Arn: dlq };
  } else delete target.DeadLetterConfig;
  return target;
}

function checkFlexibleTimeWindow(value: unknown): FlexibleTimeWindow {
  if (value === undefined || value === null) throw validation("1 validation error detected: Value null at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null");
  if (!isObject(value)) throw constraint('flexibleTimeWindow', value, 'Member must be an object');
  const mode = value.Mode;
  if (mode !== 'OFF' && mode !== 'FLEXIBLE') throw constraint('flexibleTimeWindow.mode', mode, 'Member must satisfy enum value set: [OFF, FLEXIBLE]');
  const window = optionalInteger('flexibleTimeWindow.maximumWindowInMinutes', value.MaximumWindowInMinutes, 1, 1440);
  if (mode === 'FLEXIBLE' && window === undefined) throw validation('MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE');
  if (mode === 'OFF' && window !== undefined) throw validation('MaximumWindowInMinutes must not be set when FlexibleTimeWindow Mode is OFF');
  return mode === 'FLEXIBLE' ? { Mode: mode, MaximumWindowInMinutes: window } : { Mode: mode };
}

function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** The schedules and groups, and the firing: everything but HTTP. */
export class SchedulerCore {
  readonly clock: SchedulerClock;
  readonly region: string;
  readonly accountId: string;
  private readonly deliver: DeliverFunction;
  private readonly onEvent: ((event: SchedulerEvent) => void) | undefined;
  private readonly pastAt: 'fire' | 'reject';
  private readonly groups = new Map<string, StoredGroup>();
  /** Keyed by `group/name`. */
  private readonly schedules = new Map<string, StoredSchedule>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryTimers = new Set<CancelTimer>();
  private stopped = false;

  constructor(options: SchedulerCoreOptions) {
    if (typeof options.deliver !== 'function') throw new TypeError('the Scheduler emulator needs a deliver(target, input, scheduleName) function');
    this.clock = options.clock ?? createRealClock();
    this.deliver = options.deliver;
    this.onEvent = options.onEvent;
    if (options.pastAt !== undefined && options.pastAt !== 'fire' && options.pastAt !== 'reject') throw new TypeError(`pastAt must be 'fire' or 'reject', got ${JSON.stringify(options.pastAt)}`);
    this.pastAt = options.pastAt ?? 'fire';
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.createScheduleGroup({ Name: DEFAULT_SCHEDULE_GROUP });
    for (const group of options.groups ?? []) if (!this.groups.has(group)) this.createScheduleGroup({ Name: group });
  }

  scheduleArn(group: string, name: string): string {
    return `arn:aws:scheduler:${this.region}:${this.accountId}:schedule/${group}/${name}`;
  }

  groupArn(group: string): string {
    return `arn:aws:scheduler:${this.region}:${this.accountId}:schedule-group/${group}`;
  }

  createSchedule(input: ScheduleDefinitionInput): { ScheduleArn: string } {
    const name = checkName('name', input.Name);
    const group = input.GroupName === undefined || input.GroupName === null ? DEFAULT_SCHEDULE_GROUP : checkName('groupName', input.GroupName);
    const clientToken = optionalString('clientToken', input.ClientToken, 1, 64);
    const existing = this.schedules.get(`${group}/${name}`);
    if (existing !== undefined) {
      if (clientToken !== undefined && existing.clientToken === clientToken) return { ScheduleArn: existing.description.Arn };
      throw conflict(`Schedule ${name} already exists.`);
    }
    const definition = this.checkDefinition(input, name, group);
    const now = this.clock.now();
    const stored: StoredSchedule = {
      description: { ...definition.description, CreationDate: epochSeconds(now), LastModificationDate: epochSeconds(now) },
      dueMs: definition.dueMs,
      ...(clientToken !== undefined ? { clientToken } : {}),
      generation: 0,
      fired: false,
    };
    this.schedules.set(`${group}/${name}`, stored);
    this.arm(stored);
    return { ScheduleArn: stored.description.Arn };
  }

  /** Replaces the whole definition (fields left out return to their defaults), as Scheduler does. */
  updateSchedule(input: ScheduleDefinitionInput): { ScheduleArn: string } {
    const name = checkName('name', input.Name);
    const group = input.GroupName === undefined || input.GroupName === null ? DEFAULT_SCHEDULE_GROUP : checkName('groupName', input.GroupName);
    optionalString('clientToken', input.ClientToken, 1, 64);
    const stored = this.schedules.get(`${group}/${name}`);
    if (stored === undefined) {
      if (!this.groups.has(group)) throw notFound(`Schedule group ${group} does not exist.`);
      throw notFound(`Schedule ${name} does not exist.`);
    }
    const definition = this.checkDefinition(input, name, group);
    this.disarm(stored);
    stored.generation += 1;
    stored.fired = false;
    stored.dueMs = definition.dueMs;
    stored.description = { ...definition.description, CreationDate: stored.description.CreationDate, LastModificationDate: epochSeconds(this.clock.now()) };
    this.arm(stored);
    return { ScheduleArn: stored.description.Arn };
  }

  getSchedule(nameValue: unknown, groupValue?: unknown): ScheduleDescription {
    const stored = this.find(nameValue, groupValue);
    return structuredClone(stored.description);
  }

  deleteSchedule(nameValue: unknown, groupValue?: unknown): void {
    const stored = this.find(nameValue, groupValue);
    this.remove(stored);
  }

  listSchedules(filter: { GroupName?: string; NamePrefix?: string; State?: string; MaxResults?: number; NextToken?: string } = {}): {
    Schedules: Array<Pick<ScheduleDescription, 'Arn' | 'Name' | 'GroupName' | 'State' | 'CreationDate' | 'LastModificationDate'> & { Target: { Arn: string } }>;
    NextToken?: string;
  } {
    if (filter.GroupName !== undefined) checkName('groupName', filter.GroupName);
    if (filter.NamePrefix !== undefined) checkName('namePrefix', filter.NamePrefix);
    if (filter.State !== undefined && filter.State !== 'ENABLED' && filter.State !== 'DISABLED') throw constraint('state', filter.State, 'Member must satisfy enum value set: [ENABLED, DISABLED]');
    const pageSize = optionalInteger('maxResults', filter.MaxResults, 1, 100) ?? 100;
    const matches = [...this.schedules.values()]
      .map((stored) => stored.description)
      .filter((d) => (filter.GroupName === undefined || d.GroupName === filter.GroupName) && (filter.NamePrefix === undefined || d.Name.startsWith(filter.NamePrefix)) && (filter.State === undefined || d.State === filter.State))
      .sort((a, b) => (a.GroupName === b.GroupName ? a.Name.localeCompare(b.Name) : a.GroupName.localeCompare(b.GroupName)));
    const start = filter.NextToken === undefined ? 0 : Number(filter.NextToken);
    if (!Number.isInteger(start) || start < 0 || start > matches.length) throw validation(`Invalid NextToken ${JSON.stringify(filter.NextToken)}`);
    const page = matches.slice(start, start + pageSize);
    return {
      Schedules: page.map((d) => ({ Arn: d.Arn, Name: d.Name, GroupName: d.GroupName, State: d.State, CreationDate: d.CreationDate, LastModificationDate: d.LastModificationDate, Target: { Arn: d.Target.Arn } })),
      ...(start + pageSize < matches.length ? { NextToken: String(start + pageSize) } : {}),
    };
  }

  createScheduleGroup(input: { Name?: unknown; ClientToken?: unknown }): { ScheduleGroupArn: string } {
    const name = checkName('name', input.Name);
    const clientToken = optionalString('clientToken', input.ClientToken, 1, 64);
    const existing = this.groups.get(name);
    if (existing !== undefined) {
      if (clientToken !== undefined && existing.clientToken === clientToken) return { ScheduleGroupArn: existing.description.Arn };
      throw conflict(`Schedule group ${name} already exists.`);
    }
    const now = epochSeconds(this.clock.now());
    this.groups.set(name, { description: { Arn: this.groupArn(name), Name: name, State: 'ACTIVE', CreationDate: now, LastModificationDate: now }, ...(clientToken !== undefined ? { clientToken } : {}) });
    return { ScheduleGroupArn: this.groupArn(name) };
  }

  getScheduleGroup(nameValue: unknown): ScheduleGroupDescription {
    const name = checkName('name', nameValue);
    const group = this.groups.get(name);
    if (group === undefined) throw notFound(`Schedule group ${name} does not exist.`);
    return { ...group.description };
  }

  /** Deletes the group and every schedule in it (Scheduler does the same, asynchronously). */
  deleteScheduleGroup(nameValue: unknown): void {
    const name = checkName('name', nameValue);
    if (name === DEFAULT_SCHEDULE_GROUP) throw validation('The default schedule group cannot be deleted.');
    if (!this.groups.has(name)) throw notFound(`Schedule group ${name} does not exist.`);
    for (const stored of [...this.schedules.values()]) if (stored.description.GroupName === name) this.remove(stored);
    this.groups.delete(name);
  }

  listScheduleGroups(namePrefix?: string): { ScheduleGroups: ScheduleGroupDescription[] } {
    return { ScheduleGroups: [...this.groups.values()].map((g) => ({ ...g.description })).filter((g) => namePrefix === undefined || g.Name.startsWith(namePrefix)) };
  }

  /** Every schedule in full, with the instant it is due (for tools and tests; not an AWS operation). */
  describeAll(): Array<ScheduleDescription & { dueAt: string }> {
    return [...this.schedules.values()]
      .map((stored) => ({ ...structuredClone(stored.description), dueAt: new Date(stored.dueMs).toISOString() }))
      .sort((a, b) => (a.GroupName === b.GroupName ? a.Name.localeCompare(b.Name) : a.GroupName.localeCompare(b.GroupName)));
  }

  /** Resolves once every delivery started so far (and its retries due by now) has settled. */
  async whenIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Cancels every timer; nothing fires afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const stored of this.schedules.values()) this.disarm(stored);
    for (const cancel of this.retryTimers) cancel();
    this.retryTimers.clear();
    await this.whenIdle();
  }

  private find(nameValue: unknown, groupValue: unknown): StoredSchedule {
    const name = checkName('name', nameValue);
    const group = groupValue === undefined || groupValue === null || groupValue === '' ? DEFAULT_SCHEDULE_GROUP : checkName('groupName', groupValue);
    const stored = this.schedules.get(`${group}/${name}`);
    if (stored === undefined) {
      if (!this.groups.has(group)) throw notFound(`Schedule group ${group} does not exist.`);
      throw notFound(`Schedule ${name} does not exist.`);
    }
    return stored;
  }

  private remove(stored: StoredSchedule): void {
    this.disarm(stored);
    stored.generation += 1;
    this.schedules.delete(`${stored.description.GroupName}/${stored.description.Name}`);
  }

  private checkDefinition(input: ScheduleDefinitionInput, name: string, group: string): { description: Omit<ScheduleDescription, 'CreationDate' | 'LastModificationDate'>; dueMs: number } {
    if (!this.groups.has(group)) throw notFound(`Schedule group ${group} does not exist.`);
    const expression = requiredString('scheduleExpression', input.ScheduleExpression, 1, 256);
    const zone = optionalString('scheduleExpressionTimezone', input.ScheduleExpressionTimezone, 1, 50) ?? 'UTC';
    if (!isKnownTimeZone(zone)) throw validation(`Invalid ScheduleExpressionTimezone ${zone}: not an IANA time zone name`);
    let dueMs: number;
    try {
      dueMs = parseAtExpression(expression, zone);
    } catch (error) {
      if (error instanceof ScheduleExpressionError) throw validation(error.message);
      throw error;
    }
    const flexibleTimeWindow = checkFlexibleTimeWindow(input.FlexibleTimeWindow);
    const target = checkTarget(input.Target);
    const state = input.State ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw constraint('state', state, 'Member must satisfy enum value set: [ENABLED, DISABLED]');
    const action = input.ActionAfterCompletion ?? 'NONE';
    if (action !== 'NONE' && action !== 'DELETE') throw constraint('actionAfterCompletion', action, 'Member must satisfy enum value set: [NONE, DELETE]');
    const description = optionalString('description', input.Description, 0, 512);
    const startDate = optionalEpochSeconds('startDate', input.StartDate);
    const endDate = optionalEpochSeconds('endDate', input.EndDate);
    const kmsKeyArn = optionalString('kmsKeyArn', input.KmsKeyArn, 1, 2048);
    if (this.pastAt === 'reject' && state === 'ENABLED' && dueMs <= this.clock.now()) {
      throw validation(`Invalid Schedule Expression ${expression}: the time is in the past (now ${new Date(this.clock.now()).toISOString()})`);
    }
    return {
      dueMs,
      description: {
        Arn: this.scheduleArn(group, name),
        Name: name,
        GroupName: group,
        ScheduleExpression: expression,
        ScheduleExpressionTimezone: zone,
        FlexibleTimeWindow: flexibleTimeWindow,
        Target: target,
        State: state,
        ActionAfterCompletion: action,
        ...(description !== undefined ? { Description: description } : {}),
        ...(startDate !== undefined ? { StartDate: startDate } : {}),
        ...(endDate !== undefined ? { EndDate: endDate } : {}),
        ...(kmsKeyArn !== undefined ? { KmsKeyArn: kmsKeyArn } : {}),
      },
    };
  }

  private arm(stored: StoredSchedule): void {
    if (this.stopped || stored.fired || stored.description.State !== 'ENABLED') return;
    const generation = stored.generation;
    // A past time is due at once: the clock runs timers not in the future immediately.
    stored.cancelTimer = this.clock.setTimer(stored.dueMs, () => {
      stored.cancelTimer = undefined;
      if (stored.generation !== generation || this.stopped) return Promise.resolve();
      return this.track(this.fire(stored, generation));
    });
  }

  private disarm(stored: StoredSchedule): void {
    stored.cancelTimer?.();
    stored.cancelTimer = undefined;
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  private emit(event: SchedulerEvent): void {
    try {
      this.onEvent?.(event);
    } catch {
      // A listener's failure is not the schedule's.
    }
  }

  /** One execution: the first attempt now; retries and the dead letter follow on the clock. */
  private async fire(stored: StoredSchedule, generation: number): Promise<void> {
    stored.fired = true;
    const snapshot = structuredClone(stored.description);
    const firstAttemptMs = this.clock.now();
    const maxRetries = snapshot.Target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS;
    const maxAgeMs = (snapshot.Target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000;
    const input = snapshot.Target.Input ?? '{}';
    const base = { scheduleName: snapshot.Name, groupName: snapshot.GroupName };

    const complete = (): void => {
      if (snapshot.ActionAfterCompletion !== 'DELETE' || stored.generation !== generation) return;
      this.remove(stored);
      this.emit({ type: 'deleted-after-completion', ...base, atMs: this.clock.now() });
    };

    const attempt = async (number: number): Promise<void> => {
      try {
        await this.deliver(snapshot.Target, input, snapshot.Name, { kind: 'target', scheduleArn: snapshot.Arn, groupName: snapshot.GroupName, attempt: number, scheduledTimeMs: stored.dueMs, roleArn: snapshot.Target.RoleArn });
        this.emit({ type: 'delivered', ...base, attempt: number, atMs: this.clock.now() });
        complete();
        return;
      } catch (thrown) {
        const error = { code: thrown instanceof Error ? thrown.name : 'Error', message: thrown instanceof Error ? thrown.message : String(thrown) };
        const delayMs = Math.min(1000 * 2 ** (number - 1), 60_000);
        const retryAtMs = this.clock.now() + delayMs;
        const willRetry = !this.stopped && number <= maxRetries && retryAtMs - firstAttemptMs <= maxAgeMs;
        this.emit({ type: 'delivery-failed', ...base, attempt: number, atMs: this.clock.now(), error: `${error.code}: ${error.message}`, willRetry });
        if (willRetry) {
          const cancel = this.clock.setTimer(retryAtMs, () => {
            this.retryTimers.delete(cancel);
            return this.track(attempt(number + 1));
          });
          this.retryTimers.add(cancel);
          return;
        }
        await this.deadLetter(snapshot, input, number, error, stored.dueMs);
        complete();
      }
    };
    await attempt(1);
  }

  private async deadLetter(snapshot: ScheduleDescription, input: string, attempts: number, error: { code: string; message: string }, dueMs: number): Promise<void> {
    const base = { scheduleName: snapshot.Name, groupName: snapshot.GroupName, attempts };
    const arn = snapshot.Target.DeadLetterConfig?.Arn;
    if (arn === undefined) {
      this.emit({ type: 'dropped', ...base, atMs: this.clock.now(), reason: `retries exhausted, no DeadLetterConfig; last error ${error.code}: ${error.message}` });
      return;
    }
    try {
      await this.deliver({ Arn: arn }, input, snapshot.Name, { kind: 'dead-letter', scheduleArn: snapshot.Arn, groupName: snapshot.GroupName, attempt: attempts, scheduledTimeMs: dueMs, roleArn: snapshot.Target.RoleArn, error, failedTargetArn: snapshot.Target.Arn });
      this.emit({ type: 'dead-lettered', ...base, atMs: this.clock.now(), deadLetterArn: arn });
    } catch (thrown) {
      this.emit({ type: 'dropped', ...base, atMs: this.clock.now(), reason: `the dead-letter delivery to ${arn} failed: ${thrown instanceof Error ? thrown.message : String(thrown)}` });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP: the REST-JSON binding of @aws-sdk/client-scheduler.

export interface SchedulerEmulatorOptions extends Omit<CommonEmulatorOptions, 'dataDir'>, SchedulerCoreOptions {}

export interface RunningScheduler extends RunningEmulator {
  name: typeof SCHEDULER_NAME;
  core: SchedulerCore;
  clock: SchedulerClock;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function sendError(response: ServerResponse, error: SchedulerApiError): void {
  const text = JSON.stringify({ Message: error.message });
  response.writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-errortype': error.code, 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw validation(`The request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw validation('The request body is not valid JSON');
  }
  if (!isObject(parsed)) throw validation('The request body must be a JSON object');
  return parsed;
}

async function route(core: SchedulerCore, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://scheduler.local');
  const method = request.method ?? 'GET';
  const segments = url.pathname.split('/').filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
  const query = url.searchParams;
  const optionalQuery = (key: string): string | undefined => query.get(key) ?? undefined;

  if (segments[0] === 'schedules' && segments.length === 2) {
    const name = segments[1];
    if (method === 'POST') return sendJson(response, 200, core.createSchedule({ ...(await readJsonBody(request)), Name: name }));
    if (method === 'PUT') return sendJson(response, 200, core.updateSchedule({ ...(await readJsonBody(request)), Name: name }));
    if (method === 'GET') return sendJson(response, 200, core.getSchedule(name, optionalQuery('groupName')));
    if (method === 'DELETE') {
      core.deleteSchedule(name, optionalQuery('groupName'));
      return sendJson(response, 200, {});
    }
  }
  if (segments[0] === 'schedules' && segments.length === 1 && method === 'GET') {
    const maxResults = optionalQuery('MaxResults');
    return sendJson(
      response,
      200,
      core.listSchedules({
        ...(optionalQuery('ScheduleGroup') !== undefined ? { GroupName: optionalQuery('ScheduleGroup') } : {}),
        ...(optionalQuery('NamePrefix') !== undefined ? { NamePrefix: optionalQuery('NamePrefix') } : {}),
        ...(optionalQuery('State') !== undefined ? { State: optionalQuery('State') } : {}),
        ...(optionalQuery('NextToken') !== undefined ? { NextToken: optionalQuery('NextToken') } : {}),
        ...(maxResults !== undefined ? { MaxResults: Number(maxResults) } : {}),
      }),
    );
  }
  if (segments[0] === 'schedule-groups' && segments.length === 2) {
    const name = segments[1];
    if (method === 'POST') return sendJson(response, 200, core.createScheduleGroup({ ...(await readJsonBody(request)), Name: name }));
    if (method === 'GET') return sendJson(response, 200, core.getScheduleGroup(name));
    if (method === 'DELETE') {
      core.deleteScheduleGroup(name);
      return sendJson(response, 200, {});
    }
  }
  if (segments[0] === 'schedule-groups' && segments.length === 1 && method === 'GET') return sendJson(response, 200, core.listScheduleGroups(optionalQuery('NamePrefix')));
  if (segments[0] === '_clock' && segments.length === 1 && (method === 'GET' || method === 'POST')) return clockRoute(core, method === 'POST' ? await readJsonBody(request) : undefined, response);
  throw new SchedulerApiError('UnknownOperationException', 404, `The local Scheduler emulator has no operation ${method} ${url.pathname}`);
}

/** The local admin route (not AWS): read the emulator's time, or move it forward. */
async function clockRoute(core: SchedulerCore, body: Record<string, unknown> | undefined, response: ServerResponse): Promise<void> {
  const clock = core.clock;
  if (body !== undefined) {
    if (!isAdvanceableClock(clock)) throw validation('This Scheduler emulator runs on a clock that cannot be moved');
    const keys = Object.keys(body);
    if (keys.length !== 1 || (keys[0] !== 'advanceBy' && keys[0] !== 'advanceTo')) {
      throw validation('POST /_clock takes exactly one of {"advanceBy": "25h" | <milliseconds>} and {"advanceTo": "<ISO 8601 instant>"}');
    }
    if (body.advanceBy !== undefined) {
      if (typeof body.advanceBy !== 'string' && typeof body.advanceBy !== 'number') throw validation('advanceBy must be a duration such as "25h" or a number of milliseconds');
      let ms: number;
      try {
        ms = parseDuration(body.advanceBy);
      } catch (error) {
        throw validation(`advanceBy: ${(error as Error).message}`);
      }
      await clock.advanceBy(ms);
    } else {
      const target = typeof body.advanceTo === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(body.advanceTo) ? Date.parse(body.advanceTo) : Number.NaN;
      if (Number.isNaN(target)) throw validation('advanceTo must be an ISO 8601 instant, e.g. 2031-03-12T09:30:00Z');
      if (target < clock.now()) throw validation(`advanceTo ${body.advanceTo} is before the emulator's time ${new Date(clock.now()).toISOString()}: the clock only moves forward`);
      await clock.advanceTo(target);
    }
    await core.whenIdle();
  }
  const schedules = core.describeAll();
  return sendJson(response, 200, {
    now: new Date(clock.now()).toISOString(),
    movable: isAdvanceableClock(clock),
    schedules: schedules.map((schedule) => ({ name: schedule.Name, groupName: schedule.GroupName, state: schedule.State, dueAt: schedule.dueAt, targetArn: schedule.Target.Arn })),
  });
}

function log(onLog: EmulatorLogListener | undefined, message: string): void {
  onLog?.({ emulator: SCHEDULER_NAME, stream: 'event', message });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Starts the Scheduler emulator on 127.0.0.1 (a free port unless `port` is given). */
export async function startSchedulerEmulator(options: SchedulerEmulatorOptions): Promise<RunningScheduler> {
  const startedAt = performance.now();
  const port = requestedPort(SCHEDULER_NAME, options.port);
  const onLog = options.onLog;
  const core = new SchedulerCore({
    ...options,
    onEvent: (event) => {
      log(onLog, `${event.type} ${event.groupName}/${event.scheduleName}${'error' in event ? `: ${event.error}` : ''}${'reason' in event ? `: ${event.reason}` : ''}`);
      options.onEvent?.(event);
    },
  });
  const server = createServer((request, response) => {
    route(core, request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.end();
      if (error instanceof SchedulerApiError) {
        log(onLog, `${request.method} ${request.url}: ${error.code}: ${error.message}`);
        return sendError(response, error);
      }
      log(onLog, `unexpected error: ${error instanceof Error ? error.message : String(error)}`);
      sendError(response, new SchedulerApiError('InternalServerException', 500, 'The local Scheduler emulator failed to handle the request'));
    });
  });
  const actualPort = await listenOnLoopback(server, port, SCHEDULER_NAME);
  let stopping: Promise<void> | undefined;
  return {
    name: SCHEDULER_NAME,
    endpoint: endpointFor(actualPort),
    port: actualPort,
    persistent: false,
    startupMs: Math.round(performance.now() - startedAt),
    core,
    clock: core.clock,
    stop: () => {
      stopping ??= core.stop().then(() => closeServer(server));
      return stopping;
    },
  };
}
