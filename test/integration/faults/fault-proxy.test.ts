import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { startSesV2Local, startSmsSink, type RunningSesV2Local, type RunningSmsSink } from '../../../local/emulators';
import { createFaultInjector, resolveFaultOptions, startFaultProxy, type InjectedHttpFault, type RunningFaultProxy } from '../../../local/faults';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodySha256: string;
  bodyBytes: number;
}

/** An upstream that records what reached it and answers with a fixed, recognisable response. */
async function startRecordingUpstream(): Promise<{ url: string; received: Received[]; stop(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const hash = createHash('sha256');
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, bodySha256: hash.digest('hex'), bodyBytes: bytes });
      response.writeHead(207, { 'content-type': 'text/plain', 'x-upstream': 'yes' }).end(`upstream saw ${bytes} bytes`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(url: string, options: { method: string; headers: Record<string, string>; chunks: Buffer[] }): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method, headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    for (const chunk of options.chunks) request.write(chunk);
    request.end();
  });
}

const emailCommand = (tag: string): SendEmailCommand =>
  new SendEmailCommand({
    FromEmailAddress: 'bookings@example.com',
    Destination: { ToAddresses: [`${tag}@example.com`] },
    Content: { Simple: { Subject: { Data: `subject ${tag}` }, Body: { Text: { Data: `body ${tag}` } } } },
  });

describe('fault proxy: forwarding', () => {
  let upstream: Awaited<ReturnType<typeof startRecordingUpstream>>;
  let proxy: RunningFaultProxy;

  beforeAll(async () => {
    upstream = await startRecordingUpstream();
    proxy = await startFaultProxy({ target: upstream.url, decide: () => undefined, maxBodyBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await proxy?.stop();
    await upstream?.stop();
  });

  it('forwards method, path, query, headers and a streamed body unchanged, and the response back', async () => {
    const chunks = Array.from({ length: 40 }, (_, index) => Buffer.alloc(8 * 1024, index));
    const expected = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
    const marker = randomUUID();

    const response = await send(`${proxy.endpoint}/v2/email/outbound-emails?x=1&y=%20`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', authorization: `AWS4-HMAC-SHA256 Credential=${marker}`, 'x-amz-date': '20260101T000000Z' },
      chunks,
    });

    expect(response.status).toBe(207);
    expect(response.headers['x-upstream']).toBe('yes');
    expect(response.body).toBe(`upstream saw ${40 * 8 * 1024} bytes`);
    const seen = upstream.received.find((entry) => String(entry.headers.authorization).includes(marker));
    expect(seen).toMatchObject({ method: 'PUT', url: '/v2/email/outbound-emails?x=1&y=%20', bodySha256: expected, bodyBytes: 40 * 8 * 1024 });
    expect(seen?.headers['x-amz-date']).toBe('20260101T000000Z');
    expect(seen?.headers.host).toBe(new URL(proxy.endpoint).host);
    expect(proxy.stats().forwarded).toBeGreaterThanOrEqual(1);
  });

  it('refuses a body over its limit with 413 instead of buffering it', async () => {
    const before = upstream.received.length;
    const response = await send(`${proxy.endpoint}/v2/email/outbound-emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) },
      chunks: [Buffer.alloc(2 * 1024 * 1024, 1)],
    });

    expect(response.status).toBe(413);
    expect(JSON.parse(response.body).message).toMatch(/limit of 1048576/);
    expect(upstream.received.length).toBe(before);
  });

  it('answers 502 naming the target when the emulator cannot be reached', async () => {
    const dead = await startRecordingUpstream();
    await dead.stop();
    const orphan = await startFaultProxy({ target: dead.url, decide: () => undefined });
    try {
      const response = await send(`${orphan.endpoint}/v2/email/outbound-emails`, { method: 'POST', headers: {}, chunks: [Buffer.from('{}')] });
      expect(response.status).toBe(502);
      expect(JSON.parse(response.body).message).toContain(dead.url);
    } finally {
      await orphan.stop();
    }
  });
});

describe('fault proxy in front of aws-ses-v2-local, with the real SES v2 client', () => {
  let ses: RunningSesV2Local;
  let proxy: RunningFaultProxy;
  let next: InjectedHttpFault | undefined;
  let client: SESv2Client;

  beforeAll(async () => {
    ses = await startSesV2Local();
    proxy = await startFaultProxy({ target: ses.endpoint, decide: () => next });
    // One attempt: the SDK's own retries would hide the injected error this test looks at.
    client = new SESv2Client({ region: 'eu-west-2', endpoint: proxy.endpoint, credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await proxy?.stop();
    await ses?.stop();
  });

  it('lets a call through to the emulator unchanged when no fault is chosen', async () => {
    next = undefined;
    const tag = `through-${randomUUID().slice(0, 8)}`;

    const result = await client.send(emailCommand(tag));

    expect(result.MessageId).toEqual(expect.any(String));
    const stored = (await ses.listEmails()).filter((email) => email.to.includes(`${tag}@example.com`));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ subject: `subject ${tag}`, text: `body ${tag}` });
  });

  it.each([
    ['throttling', 'TooManyRequestsException', 429],
    ['server-error', 'InternalFailure', 500],
  ] as const)('answers an injected %s as the SDK parses it: %s, HTTP %d, nothing stored', async (fault, name, status) => {
    next = fault;
    const tag = `fault-${randomUUID().slice(0, 8)}`;

    const error = (await client.send(emailCommand(tag)).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as { name: string; $metadata: { httpStatusCode: number }; message: string } | undefined;

    expect(error).toBeDefined();
    expect(error?.name).toBe(name);
    expect(error?.$metadata.httpStatusCode).toBe(status);
    expect(error?.message).toContain('injected fault');
    expect((await ses.listEmails()).some((email) => email.to.includes(`${tag}@example.com`))).toBe(false);
  });

  it('never fails the mail viewer or its store, only API calls', async () => {
    next = 'server-error';
    const response = await fetch(`${proxy.endpoint}/store`);
    expect(response.status).toBe(200);
  });

  it('is absorbed by the SDK default retries when only the first attempt fails', async () => {
    let calls = 0;
    const flaky = await startFaultProxy({ target: ses.endpoint, decide: () => (calls++ === 0 ? 'throttling' : undefined) });
    const retrying = new SESv2Client({ region: 'eu-west-2', endpoint: flaky.endpoint, credentials });
    try {
      const tag = `retried-${randomUUID().slice(0, 8)}`;
      await retrying.send(emailCommand(tag));
      expect(flaky.stats()).toMatchObject({ throttled: 1, forwarded: 1 });
      expect((await ses.listEmails()).filter((email) => email.to.includes(`${tag}@example.com`))).toHaveLength(1);
    } finally {
      retrying.destroy();
      await flaky.stop();
    }
  });
});

describe('SMS faults through the SMS sink hook, with the real SNS client', () => {
  let sink: RunningSmsSink;
  let client: SNSClient;

  beforeAll(async () => {
    sink = await startSmsSink();
    client = new SNSClient({ region: 'eu-west-2', endpoint: sink.endpoint, credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await sink?.stop();
  });

  it('answers injected faults in the awsQuery shapes the SDK parses as Throttling 400 and InternalErrorException (code InternalError) 500, and counts them', async () => {
    const injector = createFaultInjector(resolveFaultOptions({ snsErrorRate: 1, seed: 11 }));
    sink.setFaultHook(injector.smsFaultHook);
    const seen = new Map<string, number>();

    for (let attempt = 0; attempt < 12; attempt += 1) {
      const error = (await client.send(new PublishCommand({ PhoneNumber: '+447700900555', Message: `try ${attempt}` })).then(
        () => undefined,
        (caught: unknown) => caught,
      )) as { name: string; $metadata: { httpStatusCode: number } } | undefined;
      expect(error).toBeDefined();
      seen.set(`${error?.name} ${error?.$metadata.httpStatusCode}`, (seen.get(`${error?.name} ${error?.$metadata.httpStatusCode}`) ?? 0) + 1);
    }

    expect([...seen.keys()].sort()).toEqual(['InternalErrorException 500', 'Throttling 400']);
    const stats = injector.stats();
    expect(stats.smsThrottling).toBe(seen.get('Throttling 400'));
    expect(stats.smsServerError).toBe(seen.get('InternalErrorException 500'));
    expect(sink.listMessages().filter((sms) => sms.phoneNumber === '+447700900555')).toHaveLength(0);
  });
});
