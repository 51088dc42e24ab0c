import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { isPortListening } from '../../../local/emulators/ports';
import { maskPhoneNumber, startSmsSink, type RunningSmsSink } from '../../../local/emulators/sms-sink';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const transactional = { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } };

async function publishError(client: SNSClient, input: ConstructorParameters<typeof PublishCommand>[0]): Promise<SNSServiceException> {
  try {
    await client.send(new PublishCommand(input));
  } catch (error) {
    if (error instanceof SNSServiceException) return error;
    throw error;
  }
  throw new Error('expected Publish to fail');
}

describe('SMS sink', () => {
  let sink: RunningSmsSink;
  let sns: SNSClient;

  beforeAll(async () => {
    sink = await startSmsSink();
    sns = new SNSClient({ endpoint: sink.endpoint, region: 'eu-west-2', credentials, maxAttempts: 1 });
  });

  afterAll(async () => {
    sns?.destroy();
    await sink?.stop();
  });

  afterEach(() => sink.setFaultHook(undefined));

  it('records a Publish to a phone number with its SMSType and other attributes, and answers with the MessageId', async () => {
    const text = `Reminder ${randomUUID()}`;

    const { MessageId } = await sns.send(
      new PublishCommand({
        PhoneNumber: '+447700900123',
        Message: text,
        MessageAttributes: { ...transactional, 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'LJDentist' } },
      }),
    );
    const recorded = sink.listMessages().find((message) => message.message === text);

    expect(recorded).toMatchObject({
      messageId: MessageId,
      phoneNumber: '+447700900123',
      smsType: 'Transactional',
      senderId: 'LJDentist',
      messageAttributes: { 'AWS.SNS.SMS.SMSType': { dataType: 'String', stringValue: 'Transactional' } },
    });
    expect(Date.parse(recorded?.receivedAt ?? '')).not.toBeNaN();
  });

  it.each([
    ['a number without +', '447700900123', /447700900123 is not an E\.164/],
    ['a leading zero', '+0447700900', /not an E\.164/],
    ['too few digits', '+12345', /not an E\.164/],
  ])('answers InvalidParameter (HTTP 400) for %s, and records nothing', async (_case, phoneNumber, message) => {
    const before = sink.listMessages().length;

    const error = await publishError(sns, { PhoneNumber: phoneNumber, Message: 'x', MessageAttributes: transactional });

    expect(error.name).toMatch(/^InvalidParameter/);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(message);
    expect(sink.listMessages()).toHaveLength(before);
  });

  it('answers InvalidParameter for a missing PhoneNumber, an empty Message, a bad SMSType, and a topic publish', async () => {
    const missingPhone = await publishError(sns, { Message: 'x', PhoneNumber: undefined });
    const emptyMessage = await publishError(sns, { PhoneNumber: '+447700900123', Message: '' });
    const badType = await publishError(sns, {
      PhoneNumber: '+447700900123',
      Message: 'x',
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Urgent' } },
    });
    const topic = await publishError(sns, { TopicArn: 'arn:aws:sns:eu-west-2:000000000000:ops', Message: 'x' });

    expect([missingPhone, emptyMessage, badType, topic].map((error) => error.$metadata.httpStatusCode)).toEqual([400, 400, 400, 400]);
    expect(missingPhone.message).toMatch(/PhoneNumber/);
    expect(emptyMessage.message).toMatch(/Empty message/);
    expect(badType.message).toMatch(/SMSType must be Transactional or Promotional/);
    expect(topic.message).toMatch(/only accepts Publish with a PhoneNumber/);
  });

  it('answers with the SNS Throttling (400) and InternalError (500) shapes when the fault hook asks', async () => {
    const throttledNumber = '+447700900111';
    sink.setFaultHook((request) =>
      request.phoneNumber === throttledNumber ? { code: 'Throttling' } : { code: 'InternalError', message: 'injected outage' },
    );

    const throttled = await publishError(sns, { PhoneNumber: throttledNumber, Message: 'x' });
    const internal = await publishError(sns, { PhoneNumber: '+447700900222', Message: 'x' });

    expect(throttled.name).toBe('Throttling');
    expect(throttled.$metadata.httpStatusCode).toBe(400);
    expect(throttled.$fault).toBe('client');
    expect(internal.name).toMatch(/^InternalError/);
    expect(internal.$metadata.httpStatusCode).toBe(500);
    expect(internal.message).toBe('injected outage');
    expect(sink.listMessages().map((message) => message.phoneNumber)).not.toContain(throttledNumber);
  });

  it('lists messages as JSON at /sms and as a page at /, escaping their text', async () => {
    const text = `<b>${randomUUID()}</b>`;
    await sns.send(new PublishCommand({ PhoneNumber: '+15555550100', Message: text }));

    const json = (await (await fetch(`${sink.endpoint}/sms`)).json()) as { messages: Array<{ message: string }> };
    const page = await (await fetch(sink.viewerUrl)).text();

    expect(json.messages.map((message) => message.message)).toContain(text);
    expect(page).toContain('SMS outbox');
    expect(page).not.toContain(text);
    expect(page).toContain(text.replace(/</g, '&#60;').replace(/>/g, '&#62;'));
  });

  it('accepts AWS JSON 1.0 Publish too', async () => {
    const response = await fetch(sink.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSimpleNotificationService.Publish' },
      body: JSON.stringify({ PhoneNumber: '+33612345678', Message: 'json protocol' }),
    });
    const bad = await fetch(sink.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSimpleNotificationService.Publish' },
      body: JSON.stringify({ PhoneNumber: 'nope', Message: 'json protocol' }),
    });

    expect(response.status).toBe(200);
    expect(((await response.json()) as { MessageId: string }).MessageId).toEqual(expect.any(String));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ __type: 'InvalidParameter' });
    expect(bad.headers.get('x-amzn-query-error')).toBe('InvalidParameter;Sender');
  });

  it('rejects other SNS actions', async () => {
    const response = await fetch(sink.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=CreateTopic&Name=ops&Version=2010-03-31',
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>InvalidAction</Code>');
  });

  it('masks phone numbers for log lines', () => {
    expect(maskPhoneNumber('+447700900123')).toBe('+*********123');
  });
});

describe('SMS sink with a data directory', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sms-sink-test-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('appends each message to sms-outbox.jsonl and reloads them on start; stop frees the port', async () => {
    const first = await startSmsSink({ dataDir });
    const client = new SNSClient({ endpoint: first.endpoint, region: 'eu-west-2', credentials });
    const { MessageId } = await client.send(
      new PublishCommand({ PhoneNumber: '+447700900123', Message: 'kept', MessageAttributes: transactional }),
    );
    client.destroy();
    await first.stop();
    const portFreed = !(await isPortListening(first.port));

    const lines = (await readFile(join(dataDir, 'sms-outbox.jsonl'), 'utf8')).trim().split('\n');
    const second = await startSmsSink({ dataDir });
    const reloaded = second.listMessages();
    await second.stop();

    expect(portFreed).toBe(true);
    expect(first.persistent).toBe(true);
    expect(lines.map((line) => JSON.parse(line) as { messageId: string })).toEqual([expect.objectContaining({ messageId: MessageId, message: 'kept' })]);
    expect(reloaded).toEqual([expect.objectContaining({ messageId: MessageId, phoneNumber: '+447700900123', smsType: 'Transactional' })]);
  });

  it('refuses to start on a corrupt outbox, naming the file and line', async () => {
    await writeFile(join(dataDir, 'sms-outbox.jsonl'), '{"messageId":"a","phoneNumber":"+447700900123","message":"m","receivedAt":"2025-01-01T00:00:00Z"}\nnot json\n');

    await expect(startSmsSink({ dataDir })).rejects.toThrow(/sms-outbox\.jsonl line 2 is not JSON/);
  });
});
