/**
 * Producer → consumer, with the real handlers: the item the booking function writes becomes the
 * INSERT stream record DynamoDB would emit, the enrichment turns it into the message body the pipe
 * puts on the queue, and the notifier accepts that body and sends. Only AWS is mocked.
 */
import '../unit/services/support/test-env';
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, QueryCommand, TransactWriteItemsCommand, type AttributeValue, type TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
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
import { logger } from '../../services/common/logger';
import { loadFixture } from '../fixtures/load-fixture';
import { streamRecordFromImage } from '../fixtures/stream-records';
import { mockManageTokenSecret } from '../unit/services/support/credentials';
import { IdempotencyTableFake } from '../unit/services/support/idempotency-table-fake';
import { RecipientQuotaTableFake } from '../unit/services/support/recipient-quota-fake';
import { apiEvent, lambdaContext } from '../unit/services/support/lambda';
import { TEST_ENV } from '../unit/services/support/test-env';
import { sqsEvent, sqsRecord } from '../unit/services/support/sqs';

const dynamodb = mockClient(DynamoDBClient);
const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
const scheduler = mockClient(SchedulerClient);
const secretsManager = mockManageTokenSecret();

beforeEach(() => {
  dynamodb.reset();
  ses.reset();
  sns.reset();
  secretsManager.arm();
  new IdempotencyTableFake(TEST_ENV.IDEMPOTENCY_TABLE_NAME).install(dynamodb);
  new RecipientQuotaTableFake(TEST_ENV.RECIPIENT_QUOTA_TABLE_NAME).install(dynamodb);
  // A booking is one transaction: the appointment and its pending change-1 notification row.
  dynamodb.on(TransactWriteItemsCommand).resolves({});
  // The notifier reads the appointment back to reconcile its reminder; none here (the lifecycle
  // contract test, change-notifications.test.ts, covers the reminder).
  dynamodb.on(GetItemCommand, { TableName: TEST_ENV.APPOINTMENTS_TABLE_NAME }).resolves({});
  scheduler.reset();
  scheduler.on(CreateScheduleCommand).resolves({});
  scheduler.on(DeleteScheduleCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-message' });
  sns.on(PublishCommand).resolves({ MessageId: 'sns-message' });
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

/** Books through the real booking handler and returns exactly what it wrote to the table. */
async function book(request: AppointmentRequest): Promise<Record<string, AttributeValue>> {
  const before = dynamodb.commandCalls(TransactWriteItemsCommand).length;
  const response = await booking(apiEvent({ method: 'POST', resource: '/appointments', body: JSON.stringify(request) }), lambdaContext('booking'));
  expect(response.statusCode).toBe(201);
  return storedAppointmentOf(dynamodb.commandCalls(TransactWriteItemsCommand)[before]?.args[0].input);
}

/** The appointment a booking's transaction puts (beside its notification row). */
function storedAppointmentOf(transaction: TransactWriteItemsCommandInput | undefined): Record<string, AttributeValue> {
  const put = transaction?.TransactItems?.find((item) => item.Put?.TableName === TEST_ENV.APPOINTMENTS_TABLE_NAME)?.Put;
  if (!put?.Item) throw new Error('the booking wrote no appointment');
  return put.Item;
}

describe('booking → stream → enrichment → queue → notifier', () => {
  it('the stored item is a valid appointment and the response is the same appointment', async () => {
    const request = loadFixture<AppointmentRequest>('appointment-request', 'valid');
    const response = await booking(apiEvent({ method: 'POST', resource: '/appointments', body: JSON.stringify(request) }), lambdaContext('booking'));
    const stored = unmarshall(storedAppointmentOf(dynamodb.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input));

    expect(validateAppointment(stored)).toEqual([]);
    expect(JSON.parse(response.body)).toEqual(stored);
  });

  it("every booking's INSERT record is enriched into a valid message that the notifier sends on its channel", async () => {
    const email = await book(loadFixture<AppointmentRequest>('appointment-request', 'valid'));
    const sms = await book({ ...loadFixture<AppointmentRequest>('appointment-request', 'minimal'), email: 'Ravi@Example.net' });
    const none = await book({ ...loadFixture<AppointmentRequest>('appointment-request', 'minimal'), email: 'quiet@example.org' });
    const newPatient = await book({ ...loadFixture<AppointmentRequest>('appointment-request', 'minimal'), email: 'First.Visit@example.org' });
    dynamodb.on(BatchGetItemCommand).resolves({
      Responses: {
        [TEST_ENV.CONTACTS_TABLE_NAME]: [
          marshall(loadFixture<Record<string, unknown>>('contact', 'email')),
          marshall(loadFixture<Record<string, unknown>>('contact', 'sms')),
          marshall({ id: 'quiet@example.org', preferredMethod: 'none', updatedAt: '2030-05-01T09:00:00.000Z' }),
        ],
      },
    });

    const enriched = await enrichment([email, sms, none, newPatient].map((image) => streamRecordFromImage(image)), lambdaContext('enrichment'));

    // A new patient (no contact yet) is e-mailed: the confirmation carries the manage link.
    expect(enriched.map((message) => message.preferredMethod)).toEqual(['email', 'sms', 'none', 'email']);
    expect(enriched.map((message) => message.appointmentDate)).toEqual(['2030-03-14', '2031-11-03', '2031-11-03', '2031-11-03']);
    for (const message of enriched) expect(validateEnrichedAppointment(message)).toEqual([]);

    // The pipe's SQS target puts each element of the enrichment's result in one message body.
    const records = enriched.map((message: EnrichedAppointment) => sqsRecord(JSON.stringify(message)));
    const response = await notifier(sqsEvent(...records), lambdaContext('notifier'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 2);
    expect(ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input.Destination?.ToAddresses)).toEqual([['Jane.ONeil@example.com'], ['First.Visit@example.org']]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.PhoneNumber).toBe('+15555550123');
  });

  it("the manage link the notifier e-mails opens the booking at the booking API, and only that booking", async () => {
    const item = await book(loadFixture<AppointmentRequest>('appointment-request', 'valid'));
    const other = await book({ ...loadFixture<AppointmentRequest>('appointment-request', 'minimal'), email: 'Jane.ONeil@example.com' });
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { [TEST_ENV.CONTACTS_TABLE_NAME]: [] } });
    const [message] = await enrichment([streamRecordFromImage(item)], lambdaContext('enrichment'));
    await notifier(sqsEvent(sqsRecord(JSON.stringify(message))), lambdaContext('notifier'));
    const text = ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Content!.Simple!.Body!.Text!.Data!;
    const link = new URL(/https:\/\/\S+\/manage\S+/.exec(text)![0]);
    const id = link.searchParams.get('appointment')!;
    const token = new URLSearchParams(link.hash.slice(1)).get('token')!;
    // The booking function reads the appointment the token names back from its table.
    const items = new Map([item, other].map((image) => [image.id!.S!, image]));
    dynamodb.on(GetItemCommand, { TableName: TEST_ENV.APPOINTMENTS_TABLE_NAME }).callsFake((input: { Key: { id: { S: string } } }) => ({ Item: items.get(input.Key.id.S) }));
    // Its notifications: none recorded in this test.
    dynamodb.on(QueryCommand, { TableName: TEST_ENV.NOTIFICATIONS_TABLE_NAME }).resolves({ Items: [] });
    const read = (appointmentId: string, authorization?: string) =>
      booking(
        apiEvent({ method: 'GET', resource: '/appointments/{id}', pathParameters: { id: appointmentId }, headers: authorization ? { Authorization: authorization } : {} }),
        lambdaContext('booking'),
      );

    const response = await read(id, `Bearer ${token}`);

    expect(id).toBe(item.id!.S);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ...unmarshall(item), notifications: [] });
    expect((await read(id)).statusCode).toBe(401);
    // Same address, another booking: the token is bound to its own appointment.
    expect((await read(other.id!.S!, `Bearer ${token}`)).statusCode).toBe(403);
  });

  it('the booking API error bodies follow the error-response contract', async () => {
    const response = await booking(apiEvent({ method: 'POST', resource: '/appointments', body: '{' }), lambdaContext('booking'));

    expect(response.statusCode).toBe(400);
    expect(validateErrorResponse(JSON.parse(response.body))).toEqual([]);
  });
});
