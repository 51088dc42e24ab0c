import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startEmulators, startSesV2Local, type RunningEmulators } from '../../../local/emulators';
import { isPortListening } from '../../../local/emulators/ports';

const ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_DYNAMODB_STREAMS',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_SESV2',
  'AWS_ENDPOINT_URL_SNS',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
];

/** Runs `action` with the given variables in process.env, as a function's environment would be. */
async function withEnvironment<T>(variables: Record<string, string>, action: () => Promise<T>): Promise<T> {
  const previous = new Map(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    return await action();
  } finally {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('startEmulators', () => {
  let dataDir: string;
  let emulators: RunningEmulators;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'emulators-test-'));
    emulators = await startEmulators({ dataDir });
  }, 90_000);

  afterAll(async () => {
    await emulators?.stopAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts all four and says which keep state', () => {
    expect([emulators.dynamodb.name, emulators.fauxqs.name, emulators.ses.name, emulators.sms.name]).toEqual([
      'dynamodb-local',
      'fauxqs',
      'ses-v2-local',
      'sms-sink',
    ]);
    expect(new Set([emulators.dynamodb.port, emulators.fauxqs.port, emulators.ses.port, emulators.sms.port]).size).toBe(4);
    expect(emulators.dynamodb.persistent).toBe(true);
    expect(emulators.dynamodb.dataDir).toBe(join(dataDir, 'dynamodb'));
    expect(emulators.sms.outboxFile).toBe(join(dataDir, 'sms-outbox.jsonl'));
    expect(emulators.fauxqs.persistent).toBe(false);
    expect(emulators.ses.persistent).toBe(false);
  });

  it('returns the endpoint environment for functions', () => {
    expect(Object.keys(emulators.environment).sort()).toEqual([...ENDPOINT_VARIABLES].sort());
    expect(emulators.environment).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: emulators.fauxqs.endpoint,
      AWS_ENDPOINT_URL_SESV2: emulators.ses.endpoint,
      AWS_ENDPOINT_URL_SNS: emulators.sms.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: emulators.secretsManager.endpoint,
      AWS_REGION: 'eu-west-2',
    });
  });

  it('lets SDK clients configured only by that environment reach every emulator', async () => {
    const subject = `env ${randomUUID()}`;
    const text = `sms ${randomUUID()}`;

    const results = await withEnvironment(emulators.environment, async () => {
      const dynamodb = new DynamoDBClient({});
      const sqs = new SQSClient({});
      const ses = new SESv2Client({});
      const sns = new SNSClient({});
      const secretsManager = new SecretsManagerClient({});
      try {
        const secrets = await secretsManager.send(new ListSecretsCommand({}));
        expect(secrets.SecretList).toEqual([]);
        const tables = await dynamodb.send(new ListTablesCommand({}));
        const queue = await sqs.send(new CreateQueueCommand({ QueueName: `env-${randomUUID()}` }));
        await ses.send(
          new SendEmailCommand({
            FromEmailAddress: 'bookings@lj-dentists.example',
            Destination: { ToAddresses: ['ada@example.com'] },
            Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: 'hello' } } } },
          }),
        );
        await sns.send(new PublishCommand({ PhoneNumber: '+447700900123', Message: text }));
        return { tables, queue };
      } finally {
        [dynamodb, sqs, ses, sns, secretsManager].forEach((client) => client.destroy());
      }
    });

    expect(results.tables.TableNames).toEqual(expect.any(Array));
    expect(results.queue.QueueUrl?.startsWith(`${emulators.fauxqs.endpoint}/000000000000/`)).toBe(true);
    expect((await emulators.ses.listEmails()).map((email) => email.subject)).toContain(subject);
    expect(emulators.sms.listMessages().map((message) => message.message)).toContain(text);
  });

  it('stopAll frees every port', async () => {
    const ports = [emulators.dynamodb.port, emulators.fauxqs.port, emulators.ses.port, emulators.sms.port];

    await emulators.stopAll();
    const listening = await Promise.all(ports.map((port) => isPortListening(port)));

    expect(listening).toEqual([false, false, false, false]);
  }, 30_000);

  it('stops the ones that started and throws when one cannot start', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const blockedPort = (blocker.address() as { port: number }).port;
    const logLines: Array<{ emulator: string; message: string }> = [];
    try {
      const failure = startEmulators({ ports: { sms: blockedPort }, onLog: (line) => logLines.push(line) });

      await expect(failure).rejects.toThrow(`sms-sink failed to start: port ${blockedPort} is already in use`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    // DynamoDB Local prints the port it got; after the failure nothing may listen there any more.
    const dynamodbPort = Number(
      logLines.flatMap((line) => (line.emulator === 'dynamodb-local' ? [/^Port:\s+(\d+)/.exec(line.message)?.[1]] : [])).find(Boolean),
    );
    const dynamodbStillListening = await isPortListening(dynamodbPort);
    // The SES emulator allows one instance per process, so a fresh start proves the first was stopped.
    const ses = await startSesV2Local();
    await ses.stop();

    expect(dynamodbPort).toBeGreaterThan(0);
    expect(dynamodbStillListening).toBe(false);
  }, 90_000);
});
