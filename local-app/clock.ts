/**
 * `npm run -s clock [-- +25h | --to <ISO instant>]`: shows or moves the clock of the running local
 * runtime's Scheduler emulator (found through the state file `npm start` writes), so a reminder
 * due tomorrow fires now. With no argument: the emulator's time and its schedules. The clock only
 * moves forward; the functions keep the machine's time (see docs/architecture.md, "Reminders").
 * This calls the emulator's local `/_clock` route, which is not an AWS API.
 */
import { parseArgs } from 'node:util';
import { parseDuration } from '../local/emulators/scheduler-clock';
import { DEFAULT_RUNTIME_STATE_FILE, readRuntimeState } from '../local/runtime/runtime-state';

const USAGE = `Usage: npm run -s clock -- [+<duration> | --to <ISO 8601 instant>] [--state <file>]

Shows the local Scheduler emulator's time and schedules, or moves its clock forward, firing what
falls due: e.g. \`npm run -s clock -- +25h\` (units ms, s, m, h, d; combined like 1d2h) or
\`npm run -s clock -- --to 2031-03-13T09:00:00Z\`.`;

interface ClockAnswer {
  now: string;
  movable: boolean;
  schedules: Array<{ name: string; groupName: string; state: string; dueAt: string; targetArn: string }>;
}

async function main(argv: string[]): Promise<number> {
  let parsed: { values: { to?: string; state?: string; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { to: { type: 'string' }, state: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    console.error(`clock: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 1 || (positionals.length === 1 && values.to !== undefined)) {
    console.error(`clock: give one duration or --to, not both\n\n${USAGE}`);
    return 2;
  }
  let body: Record<string, unknown> | undefined;
  if (positionals[0] !== undefined) {
    try {
      body = { advanceBy: parseDuration(positionals[0]) };
    } catch (error) {
      console.error(`clock: ${(error as Error).message}`);
      return 2;
    }
  } else if (values.to !== undefined) {
    body = { advanceTo: values.to };
  }
  const state = await readRuntimeState(values.state ?? DEFAULT_RUNTIME_STATE_FILE);
  if (!state) {
    console.error('clock: no local runtime is running here (start one with `npm start`)');
    return 1;
  }
  const endpoint = state.endpoints.scheduler;
  if (!endpoint) {
    console.error('clock: the running local runtime has no Scheduler emulator (restart npm start)');
    return 1;
  }
  const response = await fetch(new URL('/_clock', endpoint), body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  const answer = (await response.json()) as ClockAnswer & { Message?: string };
  if (!response.ok) {
    console.error(`clock: ${answer.Message ?? `the emulator answered ${response.status}`}`);
    return 1;
  }
  console.log(`Scheduler clock: ${answer.now} (machine: ${new Date().toISOString()})`);
  if (answer.schedules.length === 0) console.log('No schedules.');
  for (const schedule of answer.schedules) console.log(`  ${schedule.dueAt}  ${schedule.groupName}/${schedule.name} (${schedule.state}) -> ${schedule.targetArn}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`clock: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
