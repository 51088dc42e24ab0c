/**
 * `npm start`: runs the whole booking-notification flow on this machine (see README "Run it
 * locally"). `npm run demo` is `npm start -- --demo --exit`. Run with --help for the options.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeFaults, formatFaultStats, InvalidFaultSpecError, parseFaultSpec, type FaultOptions } from '../local/faults';
import { attachBookingProgress, type AttachedBookingProgress } from './attach-booking-progress';
import { formatDemoOutcomes, runDemoBookings } from './demo-bookings';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime/local-runtime';
import { DEFAULT_RUNTIME_STATE_FILE, removeRuntimeState, writeRuntimeState } from '../local/runtime/runtime-state';
import { SEED_CONTACTS, seedContacts } from './seed-contacts';
import { SEED_STAFF_USERS, seedUser } from './seed-staff-users';

const USAGE = `Usage: npm start -- [options]

Runs the booking-notification system locally: synthesizes the CDK app, starts DynamoDB Local,
fauxqs (SQS/SNS), aws-ses-v2-local (e-mail) and an SMS sink, and runs the app's functions, API,
pipe and queue pollers against them. Prints the URLs, then one line per booking per stage.

Options:
  --stage <dev|staging|prod>  Which environment of the CDK app to run (default dev).
  --assembly <dir>            Run an already-synthesized cloud assembly (e.g. cdk.out).
  --data-dir <dir>            Keep DynamoDB data and the SMS outbox across restarts.
  --site-port <n>             Port of the patient pages (default 8080: dev's siteUrl, where the
                              manage links in the e-mails point; 0 for a free one).
  --port <n>                  API port (default: a free one). Also --dynamodb-port, --sqs-port,
                              --ses-port, --sms-port, --secrets-port, --cognito-port (a fixed
                              Cognito port keeps tokens valid across restarts with --data-dir:
                              their issuer names it).
  --logs                      Also print every function log line (always written to
                              .local-data/logs/functions.log).
  --no-seed                   Do not seed the example contacts and sign-in users.
  --demo                      Book one appointment per contact preference and print the outcomes.
  --exit                      Stop after start-up (and the demo); exit 1 if a demo case failed.
  --faults [spec]             Inject faults (off by default): a share of SES and SMS calls answered
                              with throttling/5xx errors, enrichment invocations failed, notifier
                              environments killed mid-invocation. spec: comma-separated key=value,
                              keys ses, sms, enrichment, crash (fractions 0-1) and seed (integer),
                              e.g. --faults ses=0.1,sms=0.1,enrichment=0.05,crash=0.02,seed=42.
                              Alone: 5% each, 2% crash. Also LOCAL_FAULTS=<spec> in the environment.
  -h, --help                  This help.`;

type Values = {
  stage?: string;
  assembly?: string;
  'data-dir'?: string;
  port?: string;
  'site-port'?: string;
  'dynamodb-port'?: string;
  'sqs-port'?: string;
  'ses-port'?: string;
  'sms-port'?: string;
  'secrets-port'?: string;
  'cognito-port'?: string;
  logs?: boolean;
  'no-seed'?: boolean;
  demo?: boolean;
  exit?: boolean;
  faults?: string;
  help?: boolean;
};

class UsageError extends Error {}

/** Where dev's configured siteUrl (http://localhost:8080) points: the manage links in local e-mails. */
const DEFAULT_SITE_PORT = 8080;

function parseOptions(rawArgv: string[]): Values {
  // `--faults` may stand alone (the defaults); give it an empty value so parseArgs accepts it.
  const argv = rawArgv.flatMap((arg, index) => (arg === '--faults' && (index + 1 >= rawArgv.length || rawArgv[index + 1].startsWith('-')) ? ['--faults='] : [arg]));
  const portOption = { type: 'string' } as const;
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stage: { type: 'string' },
      assembly: { type: 'string' },
      'data-dir': { type: 'string' },
      port: portOption,
      'site-port': portOption,
      'dynamodb-port': portOption,
      'sqs-port': portOption,
      'ses-port': portOption,
      'sms-port': portOption,
      'secrets-port': portOption,
      'cognito-port': portOption,
      logs: { type: 'boolean' },
      'no-seed': { type: 'boolean' },
      demo: { type: 'boolean' },
      exit: { type: 'boolean' },
      faults: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.stage !== undefined && !['dev', 'staging', 'prod'].includes(values.stage)) {
    throw new UsageError(`unknown stage "${values.stage}": use dev, staging or prod`);
  }
  return values;
}

function faultOptions(values: Values, environment: NodeJS.ProcessEnv): FaultOptions | undefined {
  const spec = values.faults ?? environment.LOCAL_FAULTS;
  if (spec === undefined) return undefined;
  try {
    return parseFaultSpec(spec);
  } catch (error) {
    if (error instanceof InvalidFaultSpecError) throw new UsageError(`${values.faults !== undefined ? '--faults' : 'LOCAL_FAULTS'}: ${error.message}`);
    throw error;
  }
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new UsageError(`${flag} needs a port number (0-65535), got "${value}"`);
  return number;
}

async function main(argv: string[]): Promise<number> {
  let values: Values;
  let ports: Record<string, number | undefined>;
  let faults: FaultOptions | undefined;
  try {
    values = parseOptions(argv);
    faults = faultOptions(values, process.env);
    ports = {
      api: port(values.port, '--port'),
      site: port(values['site-port'], '--site-port') ?? DEFAULT_SITE_PORT,
      dynamodb: port(values['dynamodb-port'], '--dynamodb-port'),
      sqs: port(values['sqs-port'], '--sqs-port'),
      ses: port(values['ses-port'], '--ses-port'),
      sms: port(values['sms-port'], '--sms-port'),
      secretsManager: port(values['secrets-port'], '--secrets-port'),
      cognito: port(values['cognito-port'], '--cognito-port'),
    };
  } catch (error) {
    console.error(`start: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }

  const logDir = resolve(values['data-dir'] ?? '.local-data', 'logs');
  mkdirSync(logDir, { recursive: true });
  const functionLog = createWriteStream(join(logDir, 'functions.log'), { flags: 'a' });
  const stage = (values.stage ?? 'dev') as 'dev' | 'staging' | 'prod';
  console.log(`Starting the local runtime (${values.assembly ? `assembly ${values.assembly}` : `CDK app, ${stage}`})…`);

  const definedPorts = Object.fromEntries(Object.entries(ports).filter(([, value]) => value !== undefined)) as Record<string, number>;
  // Attached through `observe`, before the compute starts: a pipe resuming a --data-dir checkpoint
  // may move bookings during start-up, and their lines must not be lost.
  const observed: { progress?: AttachedBookingProgress } = {};
  const runtime: LocalRuntime = await startLocalRuntime({
    stage,
    ...(values.assembly ? { assemblyDir: resolve(values.assembly) } : {}),
    ...(values['data-dir'] ? { dataDir: resolve(values['data-dir']) } : {}),
    ports: definedPorts,
    ...(faults ? { faults } : {}),
    write: (line) => console.log(line),
    onFunctionLog: (name, line) => {
      functionLog.write(`${name}\t${line}\n`);
      if (values.logs) console.log(`  [${name}] ${line}`);
    },
    observe: (observation) => {
      observed.progress = attachBookingProgress(observation, { write: (line) => console.log(line) });
    },
  });
  const progress = observed.progress;
  if (!progress) throw new Error('the local runtime started without calling observe: no booking progress');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await removeRuntimeState(DEFAULT_RUNTIME_STATE_FILE);
      if (runtime.faults) console.log(`Faults injected: ${formatFaultStats(runtime.faultStats())}`);
      await runtime.stop();
      functionLog.end();
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping…`);
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`start: stopping failed: ${(error as Error).message}`);
          process.exit(1);
        },
      );
    });
  }

  try {
    if (!values['no-seed']) {
      if (!runtime.identity) throw new Error('seeding needs the staff user pool (contacts are set through the staff route): the assembly defines none; use --no-seed');
      await runtime.identity.ensureUsers(SEED_STAFF_USERS);
      const staff = seedUser();
      await seedContacts(runtime.apiUrl, (await runtime.identity.signIn(staff.username, staff.password)).idToken);
    }
    await writeRuntimeState(DEFAULT_RUNTIME_STATE_FILE, runtime.state());
    printBanner(runtime, !values['no-seed'], join(logDir, 'functions.log'));
    const linkedSite = runtime.topology.functions.map((fn) => fn.environment.SITE_URL).find((url) => url !== undefined);
    if (runtime.siteUrl && linkedSite && new URL(linkedSite).port !== new URL(runtime.siteUrl).port) {
      console.log(`note: the e-mails' manage links point at ${linkedSite}, not at ${runtime.siteUrl}: use --site-port ${new URL(linkedSite).port || 80}, or synthesize with -c siteUrl=${runtime.siteUrl}\n`);
    }

    let failed = false;
    if (values.demo) {
      if (values['no-seed']) throw new UsageError('--demo needs the seeded contacts: drop --no-seed');
      console.log('Demo: one booking per contact preference…');
      const outcomes = await runDemoBookings(runtime.apiUrl, progress);
      console.log(`\n${formatDemoOutcomes(outcomes)}\n`);
      failed = outcomes.some((outcome) => !outcome.ok);
      const emails = await runtime.emulators.ses.listEmails();
      const sms = await runtime.emulators.sms.listMessages();
      console.log(`E-mails in the SES emulator: ${emails.length}; SMS in the outbox: ${sms.length}`);
    }
    if (values.exit) {
      await stop();
      return failed ? 1 : 0;
    }
    console.log('Ready. Ctrl-C to stop.');
    return await new Promise<number>(() => undefined); // runs until a signal stops it
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

function describeStartup(startup: LocalRuntime['startup']): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const synthesis = `synthesis ${seconds(startup.synthesisMs)} (esbuild ${seconds(startup.bundlingMs)})`;
  const first = startup.parallel ? `${synthesis} alongside emulators ${seconds(startup.emulatorsMs)}` : `emulators ${seconds(startup.emulatorsMs)} (assembly given)`;
  return `${first}, then provisioning ${seconds(startup.provisioningMs)}, compute ${seconds(startup.computeMs)}`;
}

function printBanner(runtime: LocalRuntime, seeded: boolean, logFile: string): void {
  const { emulators } = runtime;
  const example = JSON.stringify({
    patientName: 'Ada Lovelace',
    email: SEED_CONTACTS[0].email,
    dentist: 'Dr. Lee Jones',
    appointmentDateTime: '2031-03-14T09:30:00+00:00',
  });
  const lines = [
    '',
    `LJ Dentists booking notifications: local runtime (${runtime.stage}), ready in ${(runtime.startupMs / 1000).toFixed(1)} s`,
    `  Start-up          ${describeStartup(runtime.startup)}`,
    ...(runtime.siteUrl ? [`  Patient pages     ${runtime.siteUrl}/  (book; the manage page is /manage)`] : []),
    `  API               ${runtime.apiUrl}`,
    `  E-mail viewer     ${runtime.emailViewerUrl}`,
    `  SMS outbox        ${runtime.smsOutboxUrl}`,
    `  DynamoDB Local    ${emulators.dynamodb.endpoint}`,
    `  SQS/SNS (fauxqs)  ${emulators.fauxqs.endpoint}`,
    `  Secrets Manager   ${emulators.secretsManager.endpoint}`,
    `  Scheduler         ${runtime.scheduler.endpoint}  groups ${runtime.scheduler.groups().join(', ')}; move its clock: npm run -s clock -- +25h`,
    ...(runtime.identity
      ? runtime.identity.userPools.map((pool) => `  Cognito (local)   ${runtime.identity?.endpoint}  pool ${pool.userPoolId}, client ${pool.clients.map((client) => client.clientId).join(', ') || 'none'}`)
      : []),
    `  Function logs     ${logFile}`,
    `  Cloud assembly    ${runtime.assemblyDir}`,
    ...(runtime.faults ? [`  Faults injected   ${describeFaults(runtime.faults)} (counts printed on exit)`] : []),
    ...(seeded
      ? ['  Seeded contacts   ' + SEED_CONTACTS.map((c) => `${c.email} (${c.preference.preferredMethod})`).join(', ')]
      : []),
    ...(seeded && runtime.identity
      ? ['  Sign-in users     ' + SEED_STAFF_USERS.map((user) => `${user.username} (${user.groups.join(', ') || 'no group'})`).join(', ')]
      : []),
    '',
    ...staffTokenHelp(runtime, seeded),
    'Book an appointment:',
    `  curl -sS -X POST ${runtime.apiUrl}appointments -H 'content-type: application/json' \\`,
    `    -d '${example}'`,
    '',
  ];
  console.log(lines.join('\n'));
}

/** How to get a token and call a route the template guards with a Cognito authorizer. */
function staffTokenHelp(runtime: LocalRuntime, seeded: boolean): string[] {
  const pool = runtime.identity?.userPools[0];
  if (!runtime.identity || !pool || !seeded) return [];
  const guarded = runtime.topology.restApis[0]?.routes.find((route) => route.authorization?.type === 'COGNITO_USER_POOLS');
  const user = SEED_STAFF_USERS.find((candidate) => candidate.groups.length > 0) ?? SEED_STAFF_USERS[0];
  const client = pool.clients.find((candidate) => candidate.explicitAuthFlows.includes('ALLOW_USER_PASSWORD_AUTH'));
  return [
    'Get a staff ID token (npm run -s staff-token -- --user <name> for another user):',
    '  TOKEN=$(npm run -s staff-token)',
    ...(client && user
      ? [
          `  or: curl -sS ${runtime.identity.endpoint}/ -H 'X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth' -H 'Content-Type: application/x-amz-json-1.1' \\`,
          `    -d '${JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: client.clientId, AuthParameters: { USERNAME: user.username, PASSWORD: user.password } })}'`,
        ]
      : []),
    // The day list is the staff route a person tries first; it needs its date.
    ...(guarded ? [`  curl -sS '${runtime.apiUrl}${guarded.resourcePath.slice(1)}${guarded.resourcePath === '/staff/appointments' ? `?date=${new Date().toISOString().slice(0, 10)}` : ''}' -H "Authorization: Bearer $TOKEN"`] : []),
    '',
  ];
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (code !== 0 || process.argv.includes('--exit')) setImmediate(() => process.exit(code));
  },
  (error: unknown) => {
    console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
