import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import startSesServer from 'aws-ses-v2-local';
import { EmulatorStartError } from './errors';
import { LOOPBACK_HOST, type CommonEmulatorOptions, type RunningEmulator } from './emulator-types';
import { endpointFor, requestedPort } from './ports';

export const SES_V2_LOCAL_NAME = 'ses-v2-local';
/** The path the SES v2 `SendEmail` call posts to; the SDK appends it to the endpoint. */
export const SES_V2_SEND_EMAIL_PATH = '/v2/email/outbound-emails';

export interface StoredEmail {
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text?: string;
  html?: string;
  /** The message's attachments (SES v2 Simple content `Attachments`), their content decoded. */
  attachments: StoredAttachment[];
  /** When aws-ses-v2-local accepted it (it keeps whole seconds). */
  at: Date;
}

export interface StoredAttachment {
  filename?: string;
  contentType: string;
  /** The attachment's bytes (aws-ses-v2-local keeps them base64-encoded). */
  content: Buffer;
}

export interface SesV2LocalOptions extends Omit<CommonEmulatorOptions, 'dataDir'> {
  /** aws-ses-v2-local keeps mail in memory only; a data directory is accepted and not used. */
  dataDir?: string;
}

export interface RunningSesV2Local extends RunningEmulator {
  name: typeof SES_V2_LOCAL_NAME;
  persistent: false;
  persistenceNote: string;
  /** The web page that shows the mail received, live. */
  viewerUrl: string;
  /** Every e-mail received since this instance started, oldest first. */
  listEmails(): Promise<StoredEmail[]>;
}

/** The store entry as `GET /store` returns it (aws-ses-v2-local's `Email` type). */
interface StoreEmail {
  messageId: string;
  from: string;
  replyTo?: string[];
  destination?: { to?: string[]; cc?: string[]; bcc?: string[] };
  subject: string;
  body?: { html?: string; text?: string };
  attachments?: Array<{ content?: string; contentType?: string; filename?: string }>;
  at: number;
}

// aws-ses-v2-local keeps its mail in module state, so two instances in one process would share
// one mailbox; one at a time keeps each instance's listEmails() honest.
let activeInstance: string | undefined;

/**
 * Starts aws-ses-v2-local embedded in this process (it is CommonJS on Express 5, which runs on
 * Node 18+). SES v2 `SendEmail` calls made with this endpoint land in its store and its viewer.
 */
export async function startSesV2Local(options: SesV2LocalOptions = {}): Promise<RunningSesV2Local> {
  const startedAt = performance.now();
  const port = requestedPort(SES_V2_LOCAL_NAME, options.port);
  if (activeInstance !== undefined) {
    throw new EmulatorStartError(
      SES_V2_LOCAL_NAME,
      `another instance is already running in this process (${activeInstance}); aws-ses-v2-local keeps one mailbox per process, so stop that one first`,
    );
  }
  activeInstance = 'starting';
  let server: Server;
  try {
    server = await startSesServer({ host: LOOPBACK_HOST, port });
  } catch (error) {
    activeInstance = undefined;
    throw new EmulatorStartError(SES_V2_LOCAL_NAME, error instanceof Error ? error.message : String(error), { cause: error });
  }
  const address = server.address();
  if (!server.listening || typeof address !== 'object' || address === null) {
    activeInstance = undefined;
    server.close();
    throw new EmulatorStartError(SES_V2_LOCAL_NAME, port === 0 ? 'could not listen on a free port' : `could not listen on port ${port} (address already in use?)`);
  }
  const endpoint = endpointFor(address.port);
  activeInstance = endpoint;
  const onLog = options.onLog;
  if (onLog) {
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      response.once('finish', () => onLog({ emulator: SES_V2_LOCAL_NAME, stream: 'event', message: `${request.method ?? '?'} ${request.url ?? '?'} -> ${response.statusCode}` }));
    });
  }

  const stopServer = async (): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // The viewer polls with keep-alive connections; they would hold close() open.
      server.closeAllConnections();
    });
    if (activeInstance === endpoint) activeInstance = undefined;
  };

  try {
    // The mailbox is process-wide: start every instance empty, as an in-memory emulator should.
    const cleared = await fetch(`${endpoint}/clear-store`, { method: 'POST' });
    if (!cleared.ok) throw new Error(`POST /clear-store answered ${cleared.status}`);
  } catch (error) {
    await stopServer();
    throw new EmulatorStartError(SES_V2_LOCAL_NAME, error instanceof Error ? error.message : String(error), { cause: error });
  }

  let stopping: Promise<void> | undefined;
  return {
    name: SES_V2_LOCAL_NAME,
    endpoint,
    port: address.port,
    persistent: false,
    persistenceNote:
      options.dataDir === undefined
        ? 'aws-ses-v2-local keeps mail in memory'
        : `aws-ses-v2-local keeps mail in memory only; the data directory ${options.dataDir} is not used for e-mail`,
    viewerUrl: `${endpoint}/`,
    startupMs: Math.round(performance.now() - startedAt),
    listEmails: () => fetchStoredEmails(endpoint),
    stop: () => {
      stopping ??= stopServer();
      return stopping;
    },
  };
}

async function fetchStoredEmails(endpoint: string): Promise<StoredEmail[]> {
  const response = await fetch(`${endpoint}/store`);
  if (!response.ok) throw new Error(`${SES_V2_LOCAL_NAME}: GET /store answered ${response.status}`);
  const body = (await response.json()) as { emails?: unknown };
  if (!Array.isArray(body.emails)) throw new Error(`${SES_V2_LOCAL_NAME}: GET /store returned no "emails" array`);
  return body.emails.map((entry, index) => toStoredEmail(entry, index));
}

function toStoredEmail(entry: unknown, index: number): StoredEmail {
  const email = entry as StoreEmail;
  if (typeof email !== 'object' || email === null || typeof email.messageId !== 'string' || typeof email.at !== 'number') {
    throw new Error(`${SES_V2_LOCAL_NAME}: GET /store returned an unexpected entry at emails[${index}]`);
  }
  return {
    messageId: email.messageId,
    from: email.from,
    to: email.destination?.to ?? [],
    cc: email.destination?.cc ?? [],
    bcc: email.destination?.bcc ?? [],
    replyTo: email.replyTo ?? [],
    subject: email.subject,
    ...(email.body?.text !== undefined ? { text: email.body.text } : {}),
    ...(email.body?.html !== undefined ? { html: email.body.html } : {}),
    attachments: (email.attachments ?? []).map((attachment) => ({
      ...(attachment.filename !== undefined ? { filename: attachment.filename } : {}),
      contentType: attachment.contentType ?? 'application/octet-stream',
      content: Buffer.from(attachment.content ?? '', 'base64'),
    })),
    at: new Date(email.at * 1000),
  };
}
