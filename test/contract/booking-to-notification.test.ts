/**
 * Producer → consumer, with the real handlers: the item the booking function writes becomes the
 * INSERT stream record DynamoDB would emit, the enrichment turns it into the message body the pipe
 * puts on the queue, and the notifier accepts that body and sends. Only AWS is mocked.
 */
import '../unit/services/support/test-env';
import { BatchGetItemCommand, DynamoDBClient, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  validateAppointment,
  validateEnrichedAppointment,
  validateErrorResponse,
  type AppointmentRequest,
  type EnrichedAppointment,
} from '../../contracts';
import { handler as booking } from '../../services/booking/handler';
import { handler as enrichment } from '../../services/enrichment/handler';
import { handler as notifier } from '../../services/notifier/handler';
import { logger } from '../../services/shared/logger';
import { loadFixture } from '../fixtures/load-fixture';
import { streamRecordFromImage } from '../fixtures/stream-records';
import { IdempotencyTableFake } from '../unit/services/support/idempotency-table-fake';
import { apiEvent, lambdaContext } from '../unit/services/support/lambda';
import { TEST_ENV } from '../unit/services/support/test-env';
import { sqsEvent, sqsRecord } from '../unit/services/support/sqs';

const dynamodb = mockClient(DynamoDBClient);
const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);

beforeEach(() => {
  dynamodb.reset();
  ses.reset();
  sns.reset();
  new IdempotencyTableFake(TEST_ENV.IDEMPOTENCY_TABLE_NAME).install(dynamodb);
  dynamodb.on(PutItemCommand, { TableName: TEST_ENV.APPOINTMENTS_TABLE_NAME }).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-message' });
  sns.on(PublishCommand).resolves({ MessageId: 'sns-message' });
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

/** Books through the real booking handler and returns exactly what it wrote to the table. */
async function book(request: AppointmentRequest): Promise<Record<string, AttributeValue>> {
  const before = dynamodb.commandCalls(PutItemCommand).length;
  const response = await booking(apiEvent({ method: 'POST', resource: '/appointments', body: JSON.stringify(request) }), lambdaContext('booking'));
  expect(response.statusCode).toBe(201);
  const put = dynamodb.commandCalls(PutItemCommand).slice(before).find((call) => call.args[0].input.TableName === TEST_ENV.APPOINTMENTS_TABLE_NAME);
  return put!.args[0].input.Item!;
}

describe('booking → stream → enrichment → queue → notifier', () => {
  it('the stored item is a valid appointment and the response is the same appointment', async () => {
    const request = loadFixture<AppointmentRequest>('appointment-request', 'valid');
    const response = await booking(apiEvent({ method: 'POST', resource: '/appointments', body: JSON.stringify(request) }), lambdaContext('booking'));
    const stored = unmarshall(dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!);

    expect(validateAppointment(stored)).toEqual([]);
    expect(JSON.parse(response.body)).toEqual(stored);
  });

  it("every booking's INSERT record is enriched into a valid message that the notifier sends on its channel", async () => {
    const email = await book(loadFixture<AppointmentRequest>('appointment-request', 'valid'));
    const sms = await book({ ...loadFixture<AppointmentRequest>('appointment-request', 'minimal'), email: 'Ravi@Example.net' });
    const none = await book({ ...loadFixture<AppointmentRequest>('appointment-request', 'minimal'), email: 'stranger@example.org' });
    dynamodb.on(BatchGetItemCommand).resolves({
      Responses: {
        [TEST_ENV.CONTACTS_TABLE_NAME]: [
          marshall(loadFixture<Record<string, unknown>>('contact', 'email')),
          marshall(loadFixture<Record<string, unknown>>('contact', 'sms')),
        ],
      },
    });

    const enriched = await enrichment([email, sms, none].map((image) => streamRecordFromImage(image)), lambdaContext('enrichment'));

    expect(enriched.map((message) => message.preferredMethod)).toEqual(['email', 'sms', 'none']);
    for (const message of enriched) expect(validateEnrichedAppointment(message)).toEqual([]);

    // The pipe's SQS target puts each element of the enrichment's result in one message body.
    const records = enriched.map((message: EnrichedAppointment) => sqsRecord(JSON.stringify(message)));
    const response = await notifier(sqsEvent(...records), lambdaContext('notifier'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Destination?.ToAddresses).toEqual(['Jane.ONeil@example.com']);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.PhoneNumber).toBe('+15555550123');
  });

  it('the booking API error bodies follow the error-response contract', async () => {
    const response = await booking(apiEvent({ method: 'POST', resource: '/appointments', body: '{' }), lambdaContext('booking'));

    expect(response.statusCode).toBe(400);
    expect(validateErrorResponse(JSON.parse(response.body))).toEqual([]);
  });
});
