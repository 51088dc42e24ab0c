import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * The one typed configuration of every deployable environment (docs/conventions.md, "Configuration").
 *
 * Only the app's entry point (`cdk/app.ts`) reads this module; stacks and constructs receive the
 * slices they need as typed props, so a construct never knows which stage it is in.
 */

import { STAGES, isStage, type Stage } from '../../contracts/system-facts';

export { STAGES, isStage, type Stage };

export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface FunctionSettings {
  memorySizeMb: number;
  timeout: Duration;
}

/** One of the practice's dentists: what `GET /dentists` lists and `dentist` of a booking must name. */
export interface Dentist {
  id: string;
  name: string;
}

export interface SecurityConfig {
  /** Where the patient pages live: the manage link e-mailed to a patient is `<siteUrl>/manage?...`. */
  siteUrl: string;
  /**
   * The ACM certificate (in us-east-1, as CloudFront requires) for the host of `siteUrl`: when set,
   * the site's CloudFront distribution answers under that host (its alias). Unset, the distribution
   * has only its *.cloudfront.net name, and `siteUrl` must point there (`-c siteUrl=`) for the links to work.
   */
  siteCertificateArn?: string;
  /** A manage token stays valid this long after the appointment's start. */
  manageTokenValidityAfterAppointment: Duration;
  /** Staff sign-in: Cognito MFA (ON in prod) and whether the plain password flow is allowed (dev only: the local IdP's flow). */
  staffMfa: 'ON' | 'OPTIONAL';
  staffPasswordAuthFlow: boolean;
  /** AWS WAF on the API stage: the managed common rule set plus a rate-based rule per source IP (requests per 5 minutes). */
  waf: { enabled: false } | { enabled: true; requestsPerFiveMinutesPerIp: number };
  /** Method throttling of `POST /appointments`, tighter than the stage's. */
  bookingThrottle: { rateLimit: number; burstLimit: number };
  /** Notifications to one recipient (address or phone number) per rolling 24 h; more are recorded as suppressed. */
  notificationsPerRecipientPerDay: number;
  /** Country calling codes SMS may go to (digits, e.g. `44`); other numbers fall back to e-mail. */
  smsCountryCallingCodes: string[];
  /** Ops are alarmed when more notifications than this are suppressed (recipient cap) in one hour: abuse or a loop. */
  suppressedNotificationsAlarmPerHour: number;
}

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** When appointments may start: per weekday, from `opens` (inclusive) to `closes` (exclusive), local `HH:MM` in `timeZone`. A day not listed is closed. */
export interface OpeningHours {
  timeZone: string;
  weekly: Partial<Record<IsoWeekday, { opens: string; closes: string }>>;
}

/** The booking lifecycle: when a booking or reschedule may start, and the reminder before it. */
export interface LifecycleConfig {
  openingHours: OpeningHours;
  /** The reminder is sent this long before the appointment (none when the appointment is already closer than this). */
  reminderLeadTime: Duration;
  /** EventBridge Scheduler's retry policy of a reminder schedule before its event goes to the reminders DLQ. */
  reminderRetry: { maximumRetryAttempts: number; maximumEventAge: Duration };
}

/** The practice's opening hours, the same in every environment. */
export const PRACTICE_OPENING_HOURS: OpeningHours = {
  timeZone: 'Europe/London',
  weekly: {
    1: { opens: '08:00', closes: '18:00' },
    2: { opens: '08:00', closes: '18:00' },
    3: { opens: '08:00', closes: '18:00' },
    4: { opens: '08:00', closes: '18:00' },
    5: { opens: '08:00', closes: '18:00' },
    6: { opens: '09:00', closes: '13:00' },
  },
};

/** The booking lifecycle, the same in every environment today (each stage may set its own). */
export const PRACTICE_LIFECYCLE: LifecycleConfig = {
  openingHours: PRACTICE_OPENING_HOURS,
  reminderLeadTime: Duration.hours(24),
  reminderRetry: { maximumRetryAttempts: 10, maximumEventAge: Duration.hours(2) },
};

export interface EnvironmentConfig {
  stage: Stage;
  /** The practice's dentists (served by `GET /dentists`; a booking must name one). */
  dentists: Dentist[];
  security: SecurityConfig;
  lifecycle: LifecycleConfig;
  /** Prefix of the few user-facing names (API name, dashboard name); never a physical resource name. */
  resourcePrefix: string;
  /** Applied to the tables (and every log group). */
  removalPolicy: RemovalPolicy;
  pointInTimeRecovery: boolean;
  /** DynamoDB deletion protection on the tables and CloudFormation termination protection on the stateful stack. */
  protectStatefulResources: boolean;
  logRetention: RetentionDays;
  powertoolsLogLevel: PowertoolsLogLevel;
  /** CloudWatch metrics namespace the functions publish their Powertools metrics to. */
  metricsNamespace: string;
  /** The SES identity (verified e-mail address or domain) the notifier sends from, and the From address. */
  ses: { identity: string; senderEmail: string };
  /** Where the ops topic sends alarm e-mails. */
  opsAlarmEmail: string;
  api: { throttlingRateLimit: number; throttlingBurstLimit: number };
  functions: { booking: FunctionSettings; enrichment: FunctionSettings; notifier: FunctionSettings };
  notificationsQueue: {
    /** Deliveries before SQS moves a message to the DLQ. */
    maxReceiveCount: number;
    retentionPeriod: Duration;
  };
  pipe: {
    /** At most 10: the target is SQS, which takes at most 10 messages per SendMessageBatch. */
    batchSize: number;
    maximumBatchingWindow: Duration;
    maximumRetryAttempts: number;
    maximumRecordAge: Duration;
  };
  notifier: {
    batchSize: number;
    maxBatchingWindow: Duration;
    /** SQS event-source ScalingConfig.MaximumConcurrency (2 to 1000). */
    maxConcurrency: number;
    /** Lifetime of an idempotency record; longer than any message can still be (re)delivered. */
    idempotencyExpiry: Duration;
  };
}

/** The practice's dentists, the same in every environment. */
export const PRACTICE_DENTISTS: Dentist[] = [
  { id: 'lee-jones', name: 'Dr. Lee Jones' },
  { id: 'priya-shah', name: 'Dr. Priya Shah' },
  { id: 'tom-okafor', name: 'Dr. Tom Okafor' },
];

/** DLQ retention is fixed at the SQS maximum: a dead-lettered booking needs time to be looked at. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

export const ENVIRONMENTS: Readonly<Record<Stage, EnvironmentConfig>> = {
  dev: {
    stage: 'dev',
    dentists: PRACTICE_DENTISTS,
    lifecycle: PRACTICE_LIFECYCLE,
    security: {
      siteUrl: 'http://localhost:8080',
      manageTokenValidityAfterAppointment: Duration.days(30),
      staffMfa: 'OPTIONAL',
      staffPasswordAuthFlow: true,
      waf: { enabled: false },
      bookingThrottle: { rateLimit: 5, burstLimit: 10 },
      notificationsPerRecipientPerDay: 10,
      smsCountryCallingCodes: ['44'],
      suppressedNotificationsAlarmPerHour: 10,
    },
    resourcePrefix: 'lj-dentists-dev',
    removalPolicy: RemovalPolicy.DESTROY,
    pointInTimeRecovery: false,
    protectStatefulResources: false,
    logRetention: RetentionDays.ONE_WEEK,
    powertoolsLogLevel: 'DEBUG',
    metricsNamespace: 'LjDentists/BookingNotifications/dev',
    ses: { identity: 'dev.ljdentists.example', senderEmail: 'bookings@dev.ljdentists.example' },
    opsAlarmEmail: 'ops+dev@ljdentists.example',
    api: { throttlingRateLimit: 10, throttlingBurstLimit: 20 },
    functions: {
      booking: { memorySizeMb: 256, timeout: Duration.seconds(10) },
      enrichment: { memorySizeMb: 256, timeout: Duration.seconds(15) },
      notifier: { memorySizeMb: 256, timeout: Duration.seconds(30) },
    },
    notificationsQueue: { maxReceiveCount: 3, retentionPeriod: Duration.days(4) },
    pipe: {
      batchSize: 10,
      maximumBatchingWindow: Duration.seconds(0), // dev favours latency: a booking flows through at once
      maximumRetryAttempts: 3,
      maximumRecordAge: Duration.hours(1),
    },
    notifier: {
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(0),
      maxConcurrency: 2,
      idempotencyExpiry: Duration.days(15),
    },
  },
  // Staging mirrors prod's safety features (PITR, retries, alarms) so restores and failure paths
  // can be rehearsed, but is DESTROY and unprotected: it only ever holds synthetic bookings, and a
  // retained table would be orphaned by every teardown and block recreating the environment.
  staging: {
    stage: 'staging',
    dentists: PRACTICE_DENTISTS,
    lifecycle: PRACTICE_LIFECYCLE,
    security: {
      siteUrl: 'https://staging.book.ljdentists.example',
      manageTokenValidityAfterAppointment: Duration.days(30),
      staffMfa: 'OPTIONAL',
      staffPasswordAuthFlow: false,
      waf: { enabled: true, requestsPerFiveMinutesPerIp: 300 },
      bookingThrottle: { rateLimit: 5, burstLimit: 10 },
      notificationsPerRecipientPerDay: 10,
      smsCountryCallingCodes: ['44'],
      suppressedNotificationsAlarmPerHour: 10,
    },
    resourcePrefix: 'lj-dentists-staging',
    removalPolicy: RemovalPolicy.DESTROY,
    pointInTimeRecovery: true,
    protectStatefulResources: false,
    logRetention: RetentionDays.ONE_MONTH,
    powertoolsLogLevel: 'INFO',
    metricsNamespace: 'LjDentists/BookingNotifications/staging',
    ses: { identity: 'staging.ljdentists.example', senderEmail: 'bookings@staging.ljdentists.example' },
    opsAlarmEmail: 'ops+staging@ljdentists.example',
    api: { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
    functions: {
      booking: { memorySizeMb: 512, timeout: Duration.seconds(10) },
      enrichment: { memorySizeMb: 512, timeout: Duration.seconds(15) },
      notifier: { memorySizeMb: 512, timeout: Duration.seconds(30) },
    },
    notificationsQueue: { maxReceiveCount: 5, retentionPeriod: Duration.days(4) },
    pipe: {
      batchSize: 10,
      maximumBatchingWindow: Duration.seconds(1),
      maximumRetryAttempts: 10,
      maximumRecordAge: Duration.hours(6),
    },
    notifier: {
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      maxConcurrency: 5,
      idempotencyExpiry: Duration.days(15),
    },
  },
  prod: {
    stage: 'prod',
    dentists: PRACTICE_DENTISTS,
    lifecycle: PRACTICE_LIFECYCLE,
    security: {
      siteUrl: 'https://book.ljdentists.example',
      manageTokenValidityAfterAppointment: Duration.days(30),
      staffMfa: 'ON',
      staffPasswordAuthFlow: false,
      waf: { enabled: true, requestsPerFiveMinutesPerIp: 300 },
      bookingThrottle: { rateLimit: 10, burstLimit: 20 },
      notificationsPerRecipientPerDay: 10,
      smsCountryCallingCodes: ['44'],
      suppressedNotificationsAlarmPerHour: 10,
    },
    resourcePrefix: 'lj-dentists-prod',
    removalPolicy: RemovalPolicy.RETAIN,
    pointInTimeRecovery: true,
    protectStatefulResources: true,
    logRetention: RetentionDays.THREE_MONTHS,
    powertoolsLogLevel: 'INFO',
    metricsNamespace: 'LjDentists/BookingNotifications/prod',
    ses: { identity: 'ljdentists.example', senderEmail: 'bookings@ljdentists.example' },
    opsAlarmEmail: 'ops@ljdentists.example',
    api: { throttlingRateLimit: 50, throttlingBurstLimit: 100 },
    functions: {
      booking: { memorySizeMb: 1024, timeout: Duration.seconds(10) },
      enrichment: { memorySizeMb: 1024, timeout: Duration.seconds(15) },
      notifier: { memorySizeMb: 1024, timeout: Duration.seconds(30) },
    },
    notificationsQueue: { maxReceiveCount: 5, retentionPeriod: Duration.days(4) },
    pipe: {
      batchSize: 10,
      maximumBatchingWindow: Duration.seconds(2),
      maximumRetryAttempts: 20,
      // The stream keeps records for 24 hours; retrying for their whole life before dead-lettering.
      maximumRecordAge: Duration.hours(24),
    },
    notifier: {
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(2),
      maxConcurrency: 10,
      idempotencyExpiry: Duration.days(15),
    },
  },
};

export class InvalidEnvironmentError extends Error {
  readonly code = 'InvalidEnvironment';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEnvironmentError';
  }
}

/** The stage named by `-c env=<stage>`; `dev` when absent. Throws listing the valid stages otherwise. */
export function parseStage(value: unknown): Stage {
  if (value === undefined || value === null || value === '') return 'dev';
  if (isStage(value)) return value;
  throw new InvalidEnvironmentError(`unknown environment ${JSON.stringify(value)}: use -c env=<${STAGES.join('|')}>`);
}

/**
 * Checks the invariants the infrastructure relies on, naming every violated one. Called by the app
 * entry point, so a bad edit to this file fails synthesis instead of deploying.
 */
export function validateEnvironmentConfig(config: EnvironmentConfig): void {
  const problems: string[] = [];
  const { pipe, notifier, notificationsQueue, api } = config;
  if (!Number.isInteger(pipe.batchSize) || pipe.batchSize < 1 || pipe.batchSize > 10) {
    problems.push(`pipe.batchSize must be an integer 1..10 (the SQS target takes at most 10 per batch), got ${pipe.batchSize}`);
  }
  if (pipe.maximumBatchingWindow.toSeconds() > 300) problems.push('pipe.maximumBatchingWindow must be at most 300 seconds');
  if (!Number.isInteger(pipe.maximumRetryAttempts) || pipe.maximumRetryAttempts < 0 || pipe.maximumRetryAttempts > 185) {
    problems.push(`pipe.maximumRetryAttempts must be an integer 0..185, got ${pipe.maximumRetryAttempts}`);
  }
  const recordAge = pipe.maximumRecordAge.toSeconds();
  if (recordAge < 60 || recordAge > 604_800) problems.push(`pipe.maximumRecordAge must be 60..604800 seconds, got ${recordAge}`);
  if (!Number.isInteger(notifier.batchSize) || notifier.batchSize < 1 || notifier.batchSize > 10_000) {
    problems.push(`notifier.batchSize must be an integer 1..10000, got ${notifier.batchSize}`);
  }
  if (notifier.batchSize > 10 && notifier.maxBatchingWindow.toSeconds() === 0) {
    problems.push('notifier.maxBatchingWindow must be set when notifier.batchSize is above 10');
  }
  if (notifier.maxBatchingWindow.toSeconds() > 300) problems.push('notifier.maxBatchingWindow must be at most 300 seconds');
  if (!Number.isInteger(notifier.maxConcurrency) || notifier.maxConcurrency < 2 || notifier.maxConcurrency > 1000) {
    problems.push(`notifier.maxConcurrency must be an integer 2..1000, got ${notifier.maxConcurrency}`);
  }
  if (!Number.isInteger(notificationsQueue.maxReceiveCount) || notificationsQueue.maxReceiveCount < 1 || notificationsQueue.maxReceiveCount > 1000) {
    problems.push(`notificationsQueue.maxReceiveCount must be an integer 1..1000, got ${notificationsQueue.maxReceiveCount}`);
  }
  const retention = notificationsQueue.retentionPeriod.toSeconds();
  if (retention < 60 || retention > DEAD_LETTER_RETENTION.toSeconds()) {
    problems.push(`notificationsQueue.retentionPeriod must be 60..${DEAD_LETTER_RETENTION.toSeconds()} seconds, got ${retention}`);
  }
  // A message can be redriven from the DLQ until it expires there, so an idempotency record must
  // outlive both the queue's and the DLQ's retention, or a redriven message could notify twice.
  const expiry = notifier.idempotencyExpiry.toSeconds();
  const longestLife = Math.max(retention, DEAD_LETTER_RETENTION.toSeconds());
  if (expiry <= longestLife) {
    problems.push(`notifier.idempotencyExpiry (${expiry}s) must be longer than the queues' retention (${longestLife}s)`);
  }
  for (const [name, fn] of Object.entries(config.functions)) {
    const timeout = fn.timeout.toSeconds();
    if (timeout < 1 || timeout > 900) problems.push(`functions.${name}.timeout must be 1..900 seconds, got ${timeout}`);
    if (!Number.isInteger(fn.memorySizeMb) || fn.memorySizeMb < 128 || fn.memorySizeMb > 10_240) {
      problems.push(`functions.${name}.memorySizeMb must be an integer 128..10240, got ${fn.memorySizeMb}`);
    }
  }
  // SQS allows a visibility timeout of at most 12 hours; the queue's is 6x the notifier's timeout.
  if (config.functions.notifier.timeout.toSeconds() * 6 + notifier.maxBatchingWindow.toSeconds() > 43_200) {
    problems.push('functions.notifier.timeout is too long for a 6x visibility timeout within SQS\'s 12 hour limit');
  }
  if (api.throttlingRateLimit <= 0 || api.throttlingBurstLimit <= 0) problems.push('api throttling limits must be positive');
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(config.opsAlarmEmail)) problems.push(`opsAlarmEmail is not an e-mail address: ${config.opsAlarmEmail}`);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(config.ses.senderEmail)) problems.push(`ses.senderEmail is not an e-mail address: ${config.ses.senderEmail}`);
  const senderDomain = config.ses.senderEmail.split('@')[1] ?? '';
  if (config.ses.identity !== config.ses.senderEmail && config.ses.identity !== senderDomain) {
    problems.push(`ses.identity (${config.ses.identity}) must be ses.senderEmail or its domain (${senderDomain}), or SES refuses the From address`);
  }
  problems.push(...validateSecurityConfig(config));
  problems.push(...validateLifecycleConfig(config.lifecycle));
  if (!/^[a-z0-9-]+$/.test(config.resourcePrefix)) problems.push(`resourcePrefix must be lower-case letters, digits and dashes, got ${config.resourcePrefix}`);
  if (problems.length > 0) {
    throw new InvalidEnvironmentError(`environment ${config.stage} is misconfigured:\n  - ${problems.join('\n  - ')}`);
  }
}

function validateSecurityConfig(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const { security, dentists } = config;
  if (dentists.length === 0) problems.push('dentists must name at least one dentist');
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const dentist of dentists) {
    if (!/^[a-z0-9-]{1,40}$/.test(dentist.id)) problems.push(`dentist id ${JSON.stringify(dentist.id)} must be 1..40 lower-case letters, digits and dashes`);
    if (dentist.name.trim() !== dentist.name || dentist.name.length === 0 || dentist.name.length > 100) problems.push(`dentist name ${JSON.stringify(dentist.name)} must be 1..100 characters, trimmed`);
    if (ids.has(dentist.id)) problems.push(`dentist id ${dentist.id} is listed twice`);
    if (names.has(dentist.name)) problems.push(`dentist name ${dentist.name} is listed twice`);
    ids.add(dentist.id);
    names.add(dentist.name);
  }
  let site: URL | undefined;
  try {
    site = new URL(security.siteUrl);
  } catch {
    problems.push(`security.siteUrl is not a URL: ${security.siteUrl}`);
  }
  if (site && config.stage !== 'dev' && site.protocol !== 'https:') problems.push(`security.siteUrl must be https outside dev, got ${security.siteUrl}`);
  if (site && (site.search !== '' || site.hash !== '' || security.siteUrl.endsWith('/'))) problems.push('security.siteUrl must be an origin (and optional path) without a trailing slash, query or fragment');
  if (security.siteCertificateArn !== undefined) {
    if (!/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(security.siteCertificateArn)) {
      problems.push(`security.siteCertificateArn must be an ACM certificate ARN in us-east-1 (CloudFront's region for certificates), got ${security.siteCertificateArn}`);
    }
    if (site && (site.protocol !== 'https:' || site.pathname !== '/')) problems.push('security.siteCertificateArn needs an https siteUrl without a path: its host becomes the distribution\'s alias');
  }
  const validityDays = security.manageTokenValidityAfterAppointment.toDays();
  if (validityDays < 1 || validityDays > 365) problems.push(`security.manageTokenValidityAfterAppointment must be 1..365 days, got ${validityDays}`);
  if (config.stage === 'prod' && security.staffMfa !== 'ON') problems.push('security.staffMfa must be ON in prod');
  if (config.stage !== 'dev' && security.staffPasswordAuthFlow) problems.push('security.staffPasswordAuthFlow is for the local identity provider only (dev)');
  if (config.stage !== 'dev' && !security.waf.enabled) problems.push('security.waf must be enabled outside dev');
  if (security.waf.enabled && (!Number.isInteger(security.waf.requestsPerFiveMinutesPerIp) || security.waf.requestsPerFiveMinutesPerIp < 10 || security.waf.requestsPerFiveMinutesPerIp > 2_000_000_000)) {
    problems.push('security.waf.requestsPerFiveMinutesPerIp must be an integer 10..2000000000 (the WAF rate-based rule limits)');
  }
  const { rateLimit, burstLimit } = security.bookingThrottle;
  if (!(rateLimit > 0 && burstLimit > 0)) problems.push('security.bookingThrottle limits must be positive');
  if (rateLimit > config.api.throttlingRateLimit) problems.push('security.bookingThrottle.rateLimit must not exceed the stage throttling rate');
  if (!Number.isInteger(security.notificationsPerRecipientPerDay) || security.notificationsPerRecipientPerDay < 1 || security.notificationsPerRecipientPerDay > 1000) {
    problems.push('security.notificationsPerRecipientPerDay must be an integer 1..1000');
  }
  if (security.smsCountryCallingCodes.length === 0) problems.push('security.smsCountryCallingCodes must list at least one code (SMS has no other limit on where it goes)');
  for (const code of security.smsCountryCallingCodes) {
    if (!/^[1-9]\d{0,2}$/.test(code)) problems.push(`security.smsCountryCallingCodes: ${JSON.stringify(code)} is not a country calling code (1 to 3 digits, no +)`);
  }
  if (!Number.isInteger(security.suppressedNotificationsAlarmPerHour) || security.suppressedNotificationsAlarmPerHour < 1) {
    problems.push('security.suppressedNotificationsAlarmPerHour must be a positive integer');
  }
  return problems;
}

function validateLifecycleConfig(lifecycle: LifecycleConfig): string[] {
  const problems: string[] = [];
  const { openingHours, reminderLeadTime, reminderRetry } = lifecycle;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: openingHours.timeZone });
  } catch {
    problems.push(`lifecycle.openingHours.timeZone is not an IANA time zone: ${openingHours.timeZone}`);
  }
  const days = Object.entries(openingHours.weekly);
  if (days.length === 0) problems.push('lifecycle.openingHours.weekly must open on at least one day');
  for (const [day, hours] of days) {
    if (!/^[1-7]$/.test(day)) problems.push(`lifecycle.openingHours.weekly: ${day} is not an ISO weekday 1..7`);
    const valid = (time: string): boolean => /^([01]\d|2[0-3]):[0-5]\d$/.test(time);
    if (!hours || !valid(hours.opens) || !valid(hours.closes) || hours.opens >= hours.closes) {
      problems.push(`lifecycle.openingHours.weekly[${day}] must be HH:MM opens before closes, got ${JSON.stringify(hours)}`);
    }
  }
  const lead = reminderLeadTime.toSeconds();
  if (lead < 60 || lead > 7 * 86_400) problems.push(`lifecycle.reminderLeadTime must be 60 s..7 days, got ${lead}s`);
  if (!Number.isInteger(reminderRetry.maximumRetryAttempts) || reminderRetry.maximumRetryAttempts < 0 || reminderRetry.maximumRetryAttempts > 185) {
    problems.push(`lifecycle.reminderRetry.maximumRetryAttempts must be an integer 0..185 (Scheduler's limits), got ${reminderRetry.maximumRetryAttempts}`);
  }
  const age = reminderRetry.maximumEventAge.toSeconds();
  if (age < 60 || age > 86_400) problems.push(`lifecycle.reminderRetry.maximumEventAge must be 60..86400 seconds (Scheduler's limits), got ${age}`);
  return problems;
}
