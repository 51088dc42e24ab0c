import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailContent } from '../domain/email-template';

const encoder = new TextEncoder();

/** Sends one e-mail through SES v2 (Simple content, UTF-8, with its attachments) and returns SES's MessageId. */
export async function sendEmail(client: SESv2Client, from: string, to: string, content: EmailContent): Promise<string> {
  const attachments = (content.attachments ?? []).map((attachment) => ({
    FileName: attachment.fileName,
    ContentType: attachment.contentType,
    ContentDisposition: 'ATTACHMENT' as const,
    ContentTransferEncoding: 'BASE64' as const,
    RawContent: encoder.encode(attachment.content),
  }));
  const response = await client.send(
    new SendEmailCommand({
      FromEmailAddress: from,
      Destination: { ToAddresses: [to] },
      Content: {
        Simple: {
          Subject: { Data: content.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: content.text, Charset: 'UTF-8' }, Html: { Data: content.html, Charset: 'UTF-8' } },
          ...(attachments.length > 0 ? { Attachments: attachments } : {}),
        },
      },
    }),
  );
  if (!response.MessageId) throw new Error('SES SendEmail returned no MessageId');
  return response.MessageId;
}
