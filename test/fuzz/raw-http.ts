import * as net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Sends bytes exactly as given over a new socket (no client library to tidy them up) and parses
 * the first HTTP/1.1 response: status, headers (lower-cased names), and a body by Content-Length,
 * chunked encoding, or until the server closes.
 */
export function sendRaw(port: number, request: Buffer, timeoutMs = 30_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      const parsed = parseResponse(Buffer.concat(chunks), error !== undefined);
      if (!error && !parsed && !socket.destroyed) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (parsed) resolve(parsed);
      else reject(error ?? new Error(`no complete HTTP response (${Buffer.concat(chunks).length} bytes received)`));
    };
    const timer = setTimeout(() => finish(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      finish();
    });
    socket.on('end', () => finish(new Error('connection closed')));
    socket.on('close', () => finish(new Error('connection closed')));
    // The server may answer (413) and close before reading everything: that is an answer, not an error.
    socket.on('error', (error) => finish(error));
    socket.write(request);
  });
}

/** `closed`: the server closed the connection, so whatever follows the headers is the body (HEAD, or no length). */
function parseResponse(data: Buffer, closed: boolean): RawResponse | undefined {
  const headerEnd = data.indexOf('\r\n\r\n');
  if (headerEnd === -1) return undefined;
  const [statusLine, ...lines] = data.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(headerEnd + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const body: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', offset);
      if (lineEnd === -1) return undefined;
      const size = parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error('malformed chunk size');
      if (size === 0) return { status, headers, body: Buffer.concat(body) };
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      body.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
  }
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  if (length !== undefined && rest.length >= length) return { status, headers, body: rest.subarray(0, length) };
  return closed ? { status, headers, body: rest } : undefined;
}
