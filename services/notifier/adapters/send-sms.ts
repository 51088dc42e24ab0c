import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

/** Sends one transactional SMS to an E.164 number through SNS and returns SNS's MessageId. */
export async function sendSms(client: SNSClient, phoneNumber: string, message: string): Promise<string> {
  const response = await client.send(
    new PublishCommand({
      PhoneNumber: phoneNumber,
      Message: message,
      // Transactional: delivered with priority (and past opt-outs of promotional messages).
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
    }),
  );
  if (!response.MessageId) throw new Error('SNS Publish returned no MessageId');
  return response.MessageId;
}
