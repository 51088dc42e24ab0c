import type { Message } from '@aws-sdk/client-sqs';
import { buildSqsEvent, evaluateBatchResult, regionOfQueueArn } from '../../../local/event-sources/sqs-event';
import type { InvokeResult } from '../../../local/lambda/function-host';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-2:000000000000:notifications';
const ok = (payload: unknown): InvokeResult => ({ ok: true, requestId: 'r', payload, durationMs: 1, coldStart: false });
const failed: InvokeResult = { ok: false, requestId: 'r', errorType: 'Error', errorMessage: 'boom', durationMs: 1, coldStart: false, phase: 'invoke' };

describe('buildSqsEvent', () => {
  it('builds the records Lambda sends for received messages', () => {
    const message: Message = {
      MessageId: 'm-1',
      ReceiptHandle: 'rh-1',
      Body: '{"id":"a"}',
      MD5OfBody: 'md5body',
      MD5OfMessageAttributes: 'md5attrs',
      Attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1700000000000', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '1700000000100' },
      MessageAttributes: {
        traceparent: { DataType: 'String', StringValue: 'tp' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        count: { DataType: 'Number', StringValue: '5' },
      },
    };

    const event = buildSqsEvent([message], QUEUE_ARN);

    expect(event.Records).toEqual([
      {
        messageId: 'm-1',
        receiptHandle: 'rh-1',
        body: '{"id":"a"}',
        attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1700000000000', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '1700000000100' },
        messageAttributes: {
          traceparent: { stringValue: 'tp', stringListValues: [], binaryListValues: [], dataType: 'String' },
          blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
          count: { stringValue: '5', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        },
        md5OfBody: 'md5body',
        md5OfMessageAttributes: 'md5attrs',
        eventSource: 'aws:sqs',
        eventSourceARN: QUEUE_ARN,
        awsRegion: 'eu-west-2',
      },
    ]);
  });

  it('refuses messages without id or receipt handle and queue ARNs that are not SQS', () => {
    expect(() => buildSqsEvent([{ Body: 'x' }], QUEUE_ARN)).toThrow(/no MessageId or ReceiptHandle/);
    expect(() => regionOfQueueArn('arn:aws:sns:eu-west-2:000000000000:topic')).toThrow(/not an SQS queue ARN/);
  });
});

describe('evaluateBatchResult', () => {
  const ids = ['m-1', 'm-2', 'm-3'];

  it('fails the whole batch on a function error, with or without ReportBatchItemFailures', () => {
    expect(evaluateBatchResult(ids, failed, true)).toEqual({ kind: 'failure', reason: 'function error Error: boom' });
    expect(evaluateBatchResult(ids, failed, false).kind).toBe('failure');
  });

  it('deletes the whole batch on success when ReportBatchItemFailures is off, whatever the function returned', () => {
    expect(evaluateBatchResult(ids, ok({ batchItemFailures: [{ itemIdentifier: 'm-1' }] }), false)).toEqual({ kind: 'success', deleteMessageIds: ids });
  });

  it.each([[null], [{}], [{ batchItemFailures: null }], [{ batchItemFailures: [] }]])('treats %j as complete success', (payload) => {
    expect(evaluateBatchResult(ids, ok(payload), true)).toEqual({ kind: 'success', deleteMessageIds: ids });
  });

  it('keeps the reported failures and deletes the rest', () => {
    const outcome = evaluateBatchResult(ids, ok({ batchItemFailures: [{ itemIdentifier: 'm-2' }, { itemIdentifier: 'm-2' }] }), true);

    expect(outcome).toEqual({ kind: 'partial', deleteMessageIds: ['m-1', 'm-3'], failedMessageIds: ['m-2'] });
  });

  it.each([
    ['a string response', 'ok', /expected an object/],
    ['a list response', [], /expected an object/],
    ['batchItemFailures not a list', { batchItemFailures: 'm-1' }, /not a list/],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }, /has no itemIdentifier/],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }, /has no itemIdentifier/],
    ['a wrongly named key', { batchItemFailures: [{ itemId: 'm-1' }] }, /has no itemIdentifier/],
    ['an unknown message id', { batchItemFailures: [{ itemIdentifier: 'm-9' }] }, /m-9 is not a message of this batch/],
  ])('fails the whole batch for %s', (_name, payload, reason) => {
    const outcome = evaluateBatchResult(ids, ok(payload), true);

    expect(outcome.kind).toBe('failure');
    expect(outcome.kind === 'failure' ? outcome.reason : '').toMatch(reason);
  });
});
