import { randomUUID } from 'node:crypto';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { InvalidEmulatorOptionError } from '../../../local/emulators/errors';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import { isPortListening } from '../../../local/emulators/ports';
import { pollUntil } from './poll-until';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('fauxqs emulator', () => {
  let fauxqs: RunningFauxqs;
  let sqs: SQSClient;

  beforeAll(async () => {
    fauxqs = await startFauxqs();
    sqs = new SQSClient({ endpoint: fauxqs.endpoint, region: 'eu-west-2', credentials });
  });

  afterAll(async () => {
    sqs?.destroy();
    await fauxqs?.stop();
  });

  it('reports an in-memory emulator on a free loopback port', () => {
    expect(fauxqs.endpoint).toBe(`http://127.0.0.1:${fauxqs.port}`);
    expect(fauxqs.persistent).toBe(false);
    expect(fauxqs.region).toBe('eu-west-2');
    expect(fauxqs.accountId).toBe('000000000000');
  });

  it('gives queue URLs on the endpoint origin, so a client configured only by AWS_ENDPOINT_URL_SQS reaches them', async () => {
    const queueName = `env-${randomUUID()}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    const previous = process.env.AWS_ENDPOINT_URL_SQS;
    process.env.AWS_ENDPOINT_URL_SQS = fauxqs.endpoint;
    const envConfigured = new SQSClient({ region: 'eu-west-2', credentials });
    try {
      await envConfigured.send(new SendMessageCommand({ QueueUrl, MessageBody: 'from env' }));
      const { Messages } = await envConfigured.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));

      expect(QueueUrl).toBe(fauxqs.queueUrl(queueName));
      expect(QueueUrl).toBe(`${fauxqs.endpoint}/000000000000/${queueName}`);
      expect(Messages?.[0]?.Body).toBe('from env');
    } finally {
      envConfigured.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SQS;
      else process.env.AWS_ENDPOINT_URL_SQS = previous;
    }
  });

  it('sends, receives and deletes a message', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `round-trip-${randomUUID()}` }));
    const body = JSON.stringify({ id: randomUUID() });

    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages?.[0]?.ReceiptHandle }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );

    expect(Messages?.map((message) => message.Body)).toEqual([body]);
    expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('moves a message received maxReceiveCount times without a delete to the dead-letter queue', async () => {
    const suffix = randomUUID();
    const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${suffix}` }));
    const { Attributes: dlqAttributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const maxReceiveCount = 2;
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: `source-${suffix}`,
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqAttributes?.QueueArn, maxReceiveCount }),
        },
      }),
    );
    const body = `poison-${suffix}`;
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));

    // Receive and never delete: each receive makes it invisible for the 1 s visibility timeout.
    const receiveCounts: string[] = [];
    while (receiveCounts.length < maxReceiveCount) {
      const message = await pollUntil('the message to become visible again', async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
        );
        return Messages?.[0];
      });
      receiveCounts.push(message.Attributes?.ApproximateReceiveCount ?? '?');
    }
    // The next receive after the visibility timeout finds the count exceeded and redrives it.
    const dead = await pollUntil('the message in the dead-letter queue', async () => {
      await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 0 }));
      return Messages?.[0];
    });

    expect(receiveCounts).toEqual(['1', '2']);
    expect(dead.Body).toBe(body);
  });

  it('creates SNS topics with ARNs in its region and account', async () => {
    const sns = new SNSClient({ endpoint: fauxqs.endpoint, region: 'eu-west-2', credentials });
    const topicName = `ops-${randomUUID()}`;

    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topicName }));
    const { Topics } = await sns.send(new ListTopicsCommand({}));
    sns.destroy();

    expect(TopicArn).toBe(fauxqs.topicArn(topicName));
    expect(TopicArn).toBe(`arn:aws:sns:eu-west-2:000000000000:${topicName}`);
    expect(Topics?.map((topic) => topic.TopicArn)).toContain(TopicArn);
  });

  it('rejects an account id fauxqs cannot use, and a bad region, naming the option', async () => {
    await expect(startFauxqs({ accountId: '123456789012' })).rejects.toBeInstanceOf(InvalidEmulatorOptionError);
    await expect(startFauxqs({ accountId: '123456789012' })).rejects.toThrow(/accountId.*000000000000/);
    await expect(startFauxqs({ region: 'Europe' })).rejects.toThrow(/invalid option region/);
  });

  it('says that a data directory is not used', async () => {
    const withDataDir = await startFauxqs({ dataDir: '/tmp/unused-by-fauxqs' });
    await withDataDir.stop();

    expect(withDataDir.persistent).toBe(false);
    expect(withDataDir.persistenceNote).toMatch(/no persistence.*\/tmp\/unused-by-fauxqs/);
  });

  it('listens on a fixed port when asked, fails clearly when it is taken, and stop frees it', async () => {
    const first = await startFauxqs();
    const fixedPort = first.port;
    await first.stop();
    const portFreedAfterStop = !(await isPortListening(fixedPort));

    const fixed = await startFauxqs({ port: fixedPort });
    const second = startFauxqs({ port: fixedPort });
    await expect(second).rejects.toThrow(`port ${fixedPort} is already in use`);
    await fixed.stop();

    expect(portFreedAfterStop).toBe(true);
    expect(fixed.port).toBe(fixedPort);
    expect(await isPortListening(fixedPort)).toBe(false);
  });

  it('hands request lines to onLog only', async () => {
    const lines: string[] = [];
    const logged = await startFauxqs({ onLog: (line) => lines.push(`${line.emulator}: ${line.message}`) });
    const client = new SQSClient({ endpoint: logged.endpoint, region: 'eu-west-2', credentials });
    await client.send(new CreateQueueCommand({ QueueName: `logged-${randomUUID()}` }));
    client.destroy();
    await logged.stop();

    expect(lines).toContain('fauxqs: SQS CreateQueue -> 200');
  });
});
