import type { Readable } from 'node:stream';

/**
 * Calls `onLine` once per complete line of a stream (without the newline or a trailing `\r`),
 * keeping a partial line until its end arrives, so JSON log lines are delivered whole; the tail is
 * flushed at end. Used for child processes' output (DynamoDB Local, Lambda environments).
 */
export function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      onLine(pending.slice(0, newline).replace(/\r$/, ''));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (pending !== '') onLine(pending);
    pending = '';
  });
}
