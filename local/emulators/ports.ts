import { createServer, Socket } from 'node:net';
import { EmulatorStartError, InvalidEmulatorOptionError } from './errors';
import { LOOPBACK_HOST } from './emulator-types';

/** Validates a requested port: absent → 0 (pick a free one); otherwise an integer 0..65535. */
export function requestedPort(emulator: string, port: number | undefined): number {
  if (port === undefined) return 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidEmulatorOptionError(emulator, 'port', `expected an integer from 0 to 65535, got ${String(port)}`);
  }
  return port;
}

/**
 * Asks the OS for a free port on the loopback interface. Only needed for emulators that cannot
 * listen on port 0 themselves and report the port they got (DynamoDB Local); the port may be taken
 * by someone else before the emulator binds it, so callers retry on a bind failure.
 */
export function findFreePort(host: string = LOOPBACK_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}

/** True when something accepts TCP connections on the port. */
export function isPortListening(port: number, host: string = LOOPBACK_HOST, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const finish = (listening: boolean): void => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
    socket.connect(port, host);
  });
}

export function endpointFor(port: number): string {
  return `http://${LOOPBACK_HOST}:${port}`;
}

/**
 * Starts an HTTP server of ours on the loopback interface and resolves with the port it got (the
 * requested one, or a free one for 0). A bind failure is an EmulatorStartError naming the emulator,
 * with "port N is already in use" for EADDRINUSE.
 */
export async function listenOnLoopback(server: import('node:http').Server, port: number, emulator: string): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK_HOST, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EmulatorStartError(emulator, code === 'EADDRINUSE' ? `port ${port} is already in use` : (error as Error).message, { cause: error });
  }
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}
