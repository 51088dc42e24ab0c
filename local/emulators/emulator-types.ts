/** Shapes shared by every emulator module. */

export type EmulatorLogStream = 'stdout' | 'stderr' | 'event';

export interface EmulatorLogLine {
  emulator: string;
  stream: EmulatorLogStream;
  message: string;
}

/**
 * Receives an emulator's output. Emulators print nothing themselves: the runtime decides what a
 * person sees, so output is only ever handed to this callback, and only when one is given.
 */
export type EmulatorLogListener = (line: EmulatorLogLine) => void;

export interface CommonEmulatorOptions {
  /** 0 or absent: pick a free port and report it; otherwise the fixed port to listen on. */
  port?: number;
  /** Directory to keep state in, for emulators that support persistence; absent: in memory. */
  dataDir?: string;
  onLog?: EmulatorLogListener;
}

export interface RunningEmulator {
  name: string;
  /** `http://127.0.0.1:<port>`: what SDK clients use as their endpoint. */
  endpoint: string;
  port: number;
  /** Whether state survives a restart (true only when a data directory is in use). */
  persistent: boolean;
  /** The data directory in use, when `persistent`. */
  dataDir?: string;
  /** Wall time from the start call to readiness, for the runtime to print. */
  startupMs: number;
  /** Stops the emulator, frees its port, and ends any process or thread it started. Idempotent. */
  stop(): Promise<void>;
}

export const LOOPBACK_HOST = '127.0.0.1';
