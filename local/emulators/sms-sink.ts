import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmulatorStartError } from './errors';
import { type CommonEmulatorOptions, type EmulatorLogListener, type RunningEmulator } from './emulator-types';
import { endpointFor, listenOnLoopback, requestedPort } from './ports';
import { readFileIfExists } from '../support/read-file-if-exists';

/**
 * An SMS sink: answers SNS `Publish` calls addressed to a phone number, records them, and sends
 * nothing anywhere. No emulator supports SMS, and the notifier's SNS client is pointed here
 * (`AWS_ENDPOINT_URL_SNS`) by the local runtime.
 *
 * Wire protocol: `@aws-sdk/client-sns` speaks awsQuery (a form-encoded `Action=Publish` POST,
 * answered with XML). AWS JSON 1.0 (`X-Amz-Target: AmazonSimpleNotificationService.Publish`) is
 * accepted too, since SNS also declares that protocol and newer SDKs may switch to it.
 */

export const SMS_SINK_NAME = 'sms-sink';
export const SMS_OUTBOX_FILE = 'sms-outbox.jsonl';
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
/** SNS's limit on the text of one SMS Publish (it splits longer texts into parts up to this). */
export const MAX_SMS_MESSAGE_CHARACTERS = 1600;
const SNS_XML_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';
const JSON_TARGET_PREFIX = 'AmazonSimpleNotificationService.';

export type SmsType = 'Transactional' | 'Promotional';

export interface SmsMessageAttribute {
  dataType: string;
  stringValue?: string;
  /** Base64, as it travels on the wire. */
  binaryValue?: string;
}

/** A validated SMS Publish, as the fault hook sees it. */
export interface SmsPublishRequest {
  phoneNumber: string;
  message: string;
  smsType?: SmsType;
  senderId?: string;
  messageAttributes: Record<string, SmsMessageAttribute>;
}

export interface RecordedSms extends SmsPublishRequest {
  messageId: string;
  /** ISO 8601 time the sink accepted it. */
  receivedAt: string;
}

/** An error the fault hook asks the sink to answer with, in SNS's own error shapes. */
export type SmsSinkFault =
  | { code: 'Throttling'; message?: string }
  | { code: 'InternalError'; message?: string };

/** Decides per request whether to fail it; returns nothing to let it through. */
export type SmsFaultHook = (request: SmsPublishRequest) => SmsSinkFault | undefined;

export interface SmsSinkOptions extends CommonEmulatorOptions {
  faultHook?: SmsFaultHook;
}

export interface RunningSmsSink extends RunningEmulator {
  name: typeof SMS_SINK_NAME;
  /** The human-readable page listing recorded messages. */
  viewerUrl: string;
  /** `<dataDir>/sms-outbox.jsonl` when persistent. */
  outboxFile?: string;
  /** Every message recorded (including those reloaded from the data directory), oldest first. */
  listMessages(): RecordedSms[];
  setFaultHook(hook: SmsFaultHook | undefined): void;
}

interface SnsErrorShape {
  status: number;
  type: 'Sender' | 'Receiver';
  code: string;
  message: string;
}

class SnsRequestError extends Error {
  constructor(readonly shape: SnsErrorShape) {
    super(shape.message);
  }
}

const invalidParameter = (message: string): SnsRequestError =>
  new SnsRequestError({ status: 400, type: 'Sender', code: 'InvalidParameter', message });

/** The fields of an SNS Publish, whichever protocol carried them. */
export interface PublishInput {
  PhoneNumber?: string;
  Message?: string;
  TopicArn?: string;
  TargetArn?: string;
  MessageAttributes: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: string }>;
}

/** Validates a Publish as SNS does for SMS; throws the SNS `InvalidParameter` shape otherwise. */
export function validateSmsPublish(input: PublishInput): SmsPublishRequest {
  if (input.TopicArn !== undefined || input.TargetArn !== undefined) {
    throw invalidParameter(
      `Invalid parameter: ${input.TopicArn !== undefined ? 'TopicArn' : 'TargetArn'} Reason: this SMS sink only accepts Publish with a PhoneNumber; topics live in fauxqs`,
    );
  }
  if (input.PhoneNumber === undefined || input.PhoneNumber === '') {
    throw invalidParameter('Invalid parameter: PhoneNumber Reason: a Publish to this SMS sink needs a PhoneNumber (E.164, e.g. +447700900123)');
  }
  if (!E164_PATTERN.test(input.PhoneNumber)) {
    throw invalidParameter(`Invalid parameter: PhoneNumber Reason: ${input.PhoneNumber} is not an E.164 phone number (+ then 7 to 15 digits, no leading 0)`);
  }
  if (input.Message === undefined || input.Message.length === 0) {
    throw invalidParameter('Invalid parameter: Message Reason: Empty message');
  }
  if ([...input.Message].length > MAX_SMS_MESSAGE_CHARACTERS) {
    throw invalidParameter(`Invalid parameter: Message Reason: an SMS Publish is limited to ${MAX_SMS_MESSAGE_CHARACTERS} characters`);
  }
  const messageAttributes: Record<string, SmsMessageAttribute> = {};
  for (const [name, value] of Object.entries(input.MessageAttributes)) {
    const dataType = value.DataType;
    if (dataType === undefined || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw invalidParameter(`Invalid parameter: MessageAttributes Reason: attribute ${name} has an invalid DataType ${JSON.stringify(dataType)}`);
    }
    const isBinary = dataType.startsWith('Binary');
    if (isBinary ? value.BinaryValue === undefined : value.StringValue === undefined) {
      throw invalidParameter(`Invalid parameter: MessageAttributes Reason: attribute ${name} of type ${dataType} has no ${isBinary ? 'BinaryValue' : 'StringValue'}`);
    }
    messageAttributes[name] = {
      dataType,
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
    };
  }
  const smsType = messageAttributes['AWS.SNS.SMS.SMSType']?.stringValue;
  if (smsType !== undefined && smsType !== 'Transactional' && smsType !== 'Promotional') {
    throw invalidParameter(`Invalid parameter: MessageAttributes Reason: AWS.SNS.SMS.SMSType must be Transactional or Promotional, got ${JSON.stringify(smsType)}`);
  }
  const senderId = messageAttributes['AWS.SNS.SMS.SenderID']?.stringValue;
  return {
    phoneNumber: input.PhoneNumber,
    message: input.Message,
    ...(smsType !== undefined ? { smsType } : {}),
    ...(senderId !== undefined ? { senderId } : {}),
    messageAttributes,
  };
}

/** Reads awsQuery form fields (`MessageAttributes.entry.N.Name`, `...Value.DataType`, ...). */
export function publishInputFromQuery(form: URLSearchParams): PublishInput {
  const entries = new Map<string, { name?: string; DataType?: string; StringValue?: string; BinaryValue?: string }>();
  for (const [key, value] of form) {
    const match = /^MessageAttributes\.entry\.(\d+)\.(Name|Value\.DataType|Value\.StringValue|Value\.BinaryValue)$/.exec(key);
    if (!match) continue;
    const entry = entries.get(match[1]) ?? {};
    if (match[2] === 'Name') entry.name = value;
    else if (match[2] === 'Value.DataType') entry.DataType = value;
    else if (match[2] === 'Value.StringValue') entry.StringValue = value;
    else entry.BinaryValue = value;
    entries.set(match[1], entry);
  }
  const MessageAttributes: PublishInput['MessageAttributes'] = {};
  for (const [index, entry] of entries) {
    if (entry.name === undefined) throw invalidParameter(`Invalid parameter: MessageAttributes Reason: entry ${index} has no Name`);
    const { name, ...value } = entry;
    MessageAttributes[name] = value;
  }
  return {
    ...optionalField('PhoneNumber', form.get('PhoneNumber')),
    ...optionalField('Message', form.get('Message')),
    ...optionalField('TopicArn', form.get('TopicArn')),
    ...optionalField('TargetArn', form.get('TargetArn')),
    MessageAttributes,
  };
}

function publishInputFromJson(body: unknown): PublishInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParameter('Invalid parameter: the request body is not a JSON object');
  const fields = body as Record<string, unknown>;
  const text = (name: string): string | undefined => {
    const value = fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalidParameter(`Invalid parameter: ${name} Reason: expected a string`);
    return value;
  };
  const attributes = fields.MessageAttributes ?? {};
  if (typeof attributes !== 'object' || attributes === null) throw invalidParameter('Invalid parameter: MessageAttributes Reason: expected an object');
  return {
    ...optionalField('PhoneNumber', text('PhoneNumber')),
    ...optionalField('Message', text('Message')),
    ...optionalField('TopicArn', text('TopicArn')),
    ...optionalField('TargetArn', text('TargetArn')),
    MessageAttributes: attributes as PublishInput['MessageAttributes'],
  };
}

function optionalField<K extends string>(key: K, value: string | null | undefined): Partial<Record<K, string>> {
  return value === null || value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function faultShape(fault: SmsSinkFault): SnsErrorShape {
  return fault.code === 'Throttling'
    ? { status: 400, type: 'Sender', code: 'Throttling', message: fault.message ?? 'Rate exceeded' }
    : { status: 500, type: 'Receiver', code: 'InternalError', message: fault.message ?? 'Internal error (injected by the SMS sink fault hook)' };
}

/** Loads recorded messages from a JSONL outbox; a corrupt line is an error naming the line. */
async function loadOutbox(file: string): Promise<RecordedSms[]> {
  const text = await readFileIfExists(file);
  if (text === undefined) return [];
  const messages: RecordedSms[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new EmulatorStartError(SMS_SINK_NAME, `${file} line ${index + 1} is not JSON: ${(error as Error).message}`);
    }
    const record = parsed as Partial<RecordedSms>;
    if (typeof record.messageId !== 'string' || typeof record.phoneNumber !== 'string' || typeof record.message !== 'string' || typeof record.receivedAt !== 'string') {
      throw new EmulatorStartError(SMS_SINK_NAME, `${file} line ${index + 1} is not a recorded SMS (needs messageId, phoneNumber, message, receivedAt)`);
    }
    messages.push({ ...record, messageAttributes: record.messageAttributes ?? {} } as RecordedSms);
  });
  return messages;
}

export async function startSmsSink(options: SmsSinkOptions = {}): Promise<RunningSmsSink> {
  const startedAt = performance.now();
  const port = requestedPort(SMS_SINK_NAME, options.port);
  const dataDir = options.dataDir === undefined ? undefined : resolvePath(options.dataDir);
  const outboxFile = dataDir === undefined ? undefined : join(dataDir, SMS_OUTBOX_FILE);
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const messages: RecordedSms[] = outboxFile === undefined ? [] : await loadOutbox(outboxFile);
  let faultHook = options.faultHook;
  const onLog = options.onLog;
  // Appends are chained so lines never interleave and each is on disk before the call is answered.
  let appendChain: Promise<void> = Promise.resolve();

  const record = async (request: SmsPublishRequest): Promise<RecordedSms> => {
    const recorded: RecordedSms = { messageId: randomUUID(), ...request, receivedAt: new Date().toISOString() };
    if (outboxFile !== undefined) {
      const append = appendChain.then(() => appendFile(outboxFile, `${JSON.stringify(recorded)}\n`, 'utf8'));
      appendChain = append.catch(() => undefined);
      await append;
    }
    messages.push(recorded);
    return recorded;
  };

  const server = createServer((request, response) => {
    handleRequest(request, response, { messages, record, faultHook: () => faultHook, onLog }).catch((error: unknown) => {
      log(onLog, `unexpected error: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) sendQueryError(response, { status: 500, type: 'Receiver', code: 'InternalError', message: 'The SMS sink failed to handle the request' });
      else response.end();
    });
  });
  const actualPort = await listenOnLoopback(server, port, SMS_SINK_NAME);
  const endpoint = endpointFor(actualPort);
  let stopping: Promise<void> | undefined;
  return {
    name: SMS_SINK_NAME,
    endpoint,
    port: actualPort,
    persistent: dataDir !== undefined,
    ...(dataDir !== undefined ? { dataDir } : {}),
    ...(outboxFile !== undefined ? { outboxFile } : {}),
    viewerUrl: `${endpoint}/`,
    startupMs: Math.round(performance.now() - startedAt),
    listMessages: () => messages.map((message) => ({ ...message, messageAttributes: { ...message.messageAttributes } })),
    setFaultHook: (hook) => {
      faultHook = hook;
    },
    stop: () => {
      stopping ??= closeServer(server).then(() => appendChain);
      return stopping;
    },
  };
}

interface HandlerContext {
  messages: RecordedSms[];
  record(request: SmsPublishRequest): Promise<RecordedSms>;
  faultHook(): SmsFaultHook | undefined;
  onLog: EmulatorLogListener | undefined;
}

async function handleRequest(request: IncomingMessage, response: ServerResponse, context: HandlerContext): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method === 'GET' || request.method === 'HEAD') {
    if (path === '/sms') return sendJson(response, 200, { messages: context.messages });
    if (path === '/health') return sendJson(response, 200, { status: 'ok' });
    if (path === '/') return sendHtml(response, renderOutboxPage(context.messages));
    return sendJson(response, 404, { message: `no such page: ${path}` });
  }
  if (request.method !== 'POST') {
    response.writeHead(405, { allow: 'GET, HEAD, POST' }).end();
    return;
  }
  const body = await readBody(request);
  const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const json = contentType === 'application/x-amz-json-1.0' || contentType === 'application/x-amz-json-1.1';
  const fail = (shape: SnsErrorShape): void => {
    log(context.onLog, `Publish rejected: ${shape.code}: ${shape.message}`);
    if (json) sendJsonError(response, shape);
    else sendQueryError(response, shape);
  };

  let input: PublishInput;
  try {
    if (json) {
      const target = String(request.headers['x-amz-target'] ?? '');
      const action = target.startsWith(JSON_TARGET_PREFIX) ? target.slice(JSON_TARGET_PREFIX.length) : target;
      if (action !== 'Publish') return fail(unsupportedAction(action));
      input = publishInputFromJson(body.length === 0 ? {} : JSON.parse(body));
    } else if (contentType === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(body);
      const action = form.get('Action') ?? '';
      if (action !== 'Publish') return fail(unsupportedAction(action));
      input = publishInputFromQuery(form);
    } else {
      return fail({ status: 400, type: 'Sender', code: 'InvalidParameter', message: `Unsupported content type ${JSON.stringify(contentType)}: send SNS awsQuery (form-encoded) or AWS JSON 1.0` });
    }
  } catch (error) {
    if (error instanceof SnsRequestError) return fail(error.shape);
    if (error instanceof SyntaxError) return fail({ status: 400, type: 'Sender', code: 'InvalidParameter', message: `Invalid parameter: the body is not valid JSON (${error.message})` });
    throw error;
  }

  let publish: SmsPublishRequest;
  try {
    publish = validateSmsPublish(input);
  } catch (error) {
    if (error instanceof SnsRequestError) return fail(error.shape);
    throw error;
  }

  const hook = context.faultHook();
  if (hook) {
    let fault: SmsSinkFault | undefined;
    try {
      fault = hook(publish);
    } catch (error) {
      fault = { code: 'InternalError', message: `fault hook threw: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (fault) return fail(faultShape(fault));
  }

  const recorded = await context.record(publish);
  log(context.onLog, `SMS ${recorded.messageId} to ${maskPhoneNumber(recorded.phoneNumber)} (${recorded.smsType ?? 'no SMSType'})`);
  const requestId = randomUUID();
  if (json) {
    sendJson(response, 200, { MessageId: recorded.messageId }, { 'x-amzn-requestid': requestId, 'content-type': 'application/x-amz-json-1.0' });
    return;
  }
  sendXml(
    response,
    200,
    `<PublishResponse xmlns="${SNS_XML_NAMESPACE}"><PublishResult><MessageId>${escapeXml(recorded.messageId)}</MessageId></PublishResult>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
    requestId,
  );
}

function unsupportedAction(action: string): SnsErrorShape {
  return {
    status: 400,
    type: 'Sender',
    code: 'InvalidAction',
    message: `The action ${action === '' ? '(none)' : action} is not valid for this endpoint: the SMS sink only answers Publish to a PhoneNumber`,
  };
}

/** Masks all but the last 3 digits: log lines carry no personal data. */
export function maskPhoneNumber(phoneNumber: string): string {
  return phoneNumber.length <= 4 ? '***' : `${phoneNumber.slice(0, 1)}${'*'.repeat(phoneNumber.length - 4)}${phoneNumber.slice(-3)}`;
}

function log(onLog: EmulatorLogListener | undefined, message: string): void {
  onLog?.({ emulator: SMS_SINK_NAME, stream: 'event', message });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendQueryError(response: ServerResponse, shape: SnsErrorShape): void {
  const requestId = randomUUID();
  sendXml(
    response,
    shape.status,
    `<ErrorResponse xmlns="${SNS_XML_NAMESPACE}"><Error><Type>${shape.type}</Type><Code>${escapeXml(shape.code)}</Code>` +
      `<Message>${escapeXml(shape.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    requestId,
  );
}

function sendJsonError(response: ServerResponse, shape: SnsErrorShape): void {
  sendJson(
    response,
    shape.status,
    { __type: shape.code, message: shape.message },
    { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${shape.code};${shape.type}`, 'x-amzn-requestid': randomUUID() },
  );
}

function sendXml(response: ServerResponse, status: number, xml: string, requestId: string): void {
  response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(`<?xml version="1.0"?>\n${xml}`);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function sendHtml(response: ServerResponse, html: string): void {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

function renderOutboxPage(messages: RecordedSms[]): string {
  const rows = [...messages]
    .reverse()
    .map(
      (message) =>
        `<tr><td>${escapeXml(message.receivedAt)}</td><td>${escapeXml(message.phoneNumber)}</td><td>${escapeXml(message.smsType ?? '')}</td>` +
        `<td>${escapeXml(message.senderId ?? '')}</td><td class="text">${escapeXml(message.message)}</td><td><code>${escapeXml(message.messageId)}</code></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>SMS outbox</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}.text{white-space:pre-wrap}</style>
</head><body><h1>SMS outbox</h1><p>${messages.length} message${messages.length === 1 ? '' : 's'} recorded (newest first; nothing is sent to a phone). JSON: <a href="/sms">/sms</a></p>
<table><thead><tr><th>Received</th><th>To</th><th>SMSType</th><th>Sender ID</th><th>Message</th><th>Message id</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
