import type { ChildProcess } from 'node:child_process';
import { EmulatorStartError, EmulatorStopError } from './errors';
import type { EmulatorLogListener } from './emulator-types';
import { forEachLine, OutputTail } from './line-splitter';

/**
 * An emulator that runs as a child process of ours (DynamoDB Local's JVM, cognito-local): its
 * output kept (the tail, for errors) and forwarded line by line, its exit and spawn error tracked,
 * and a kill when this process exits, so a crashed or interrupted parent leaves nothing holding a
 * port.
 */
export interface SupervisedChild {
  child: ChildProcess;
  tail: OutputTail;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  spawnError(): Error | undefined;
}

export function superviseChild(child: ChildProcess, emulator: string, onLog: EmulatorLogListener | undefined): SupervisedChild {
  const tail = new OutputTail();
  const record = (stream: 'stdout' | 'stderr') => (line: string) => {
    tail.push(line);
    onLog?.({ emulator, stream, message: line });
  };
  if (child.stdout) forEachLine(child.stdout, record('stdout'));
  if (child.stderr) forEachLine(child.stderr, record('stderr'));
  let exitedYet = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedYet = true;
      resolve({ code, signal });
    });
  });
  let error: Error | undefined;
  child.once('error', (spawnError) => {
    error = spawnError;
  });
  const killOnParentExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnParentExit);
  void exited.then(() => process.removeListener('exit', killOnParentExit));
  return { child, tail, exited, hasExited: () => exitedYet, spawnError: () => error };
}

export interface ReadinessOptions {
  emulator: string;
  /** The program as a person knows it, for errors: `java`, `cognito-local`. */
  program: string;
  /** What it had not done yet when it died, e.g. `answering ListTables on port 8000`. */
  awaiting: string;
  /** What went unanswered by the deadline, e.g. `no answer to ListTables on port 8000`. */
  unanswered: string;
  /** Resolves true once the emulator answers. */
  ready(): Promise<boolean>;
  deadline: number;
  /** Add ` (EADDRINUSE)` to the exit error when the output says the port was taken. */
  addressInUseHint?: boolean;
}

/**
 * Polls `ready` every 100 ms until it answers, failing with an EmulatorStartError (and the
 * process's last output) if the process could not run, exited first, or the deadline passed (the
 * process is then killed).
 */
export async function waitUntilReady(supervised: SupervisedChild, options: ReadinessOptions): Promise<void> {
  for (;;) {
    const spawnError = supervised.spawnError();
    if (spawnError) throw new EmulatorStartError(options.emulator, `could not run ${options.program}: ${spawnError.message}`, { cause: spawnError });
    if (supervised.hasExited()) {
      const { code, signal } = await supervised.exited;
      const output = supervised.tail.text();
      const hint = options.addressInUseHint && /EADDRINUSE/.test(output) ? ' (EADDRINUSE)' : '';
      throw new EmulatorStartError(options.emulator, `${options.program} exited (${signal ?? `code ${String(code)}`}) before ${options.awaiting}${hint}. Its output:\n${output}`);
    }
    if (await options.ready()) return;
    if (Date.now() >= options.deadline) {
      supervised.child.kill('SIGKILL');
      await supervised.exited;
      throw new EmulatorStartError(options.emulator, `${options.unanswered} before the deadline. Its output:\n${supervised.tail.text()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM, then SIGKILL after 5 s; throws EmulatorStopError if the process still did not exit. */
export async function stopChild(supervised: SupervisedChild, emulator: string, program: string): Promise<void> {
  if (supervised.hasExited()) return;
  supervised.child.kill('SIGTERM');
  const forced = setTimeout(() => supervised.child.kill('SIGKILL'), 5000);
  try {
    await supervised.exited;
  } finally {
    clearTimeout(forced);
  }
  if (!supervised.hasExited()) throw new EmulatorStopError(emulator, `${program} process ${String(supervised.child.pid)} did not exit`);
}
