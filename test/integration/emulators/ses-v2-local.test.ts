import { randomUUID } from 'node:crypto';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { EmulatorStartError } from '../../../local/emulators/errors';
import { isPortListening } from '../../../local/emulators/ports';
import { startSesV2Local, type RunningSesV2Local } from '../../../local/emulators/ses-v2-local';
import { sendEmail } from '../../../services/notifier/adapters/send-email';
import { notificationEmail } from '../../../services/notifier/domain/notification-email';
import { loadFixture } from '../../fixtures/load-fixture';
import type { Appointment } from '../../../contracts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('aws-ses-v2-local emulator', () => {
  let ses: RunningSesV2Local;
  let client: SESv2Client;

  beforeAll(async () => {
    ses = await startSesV2Local();
    client = new SESv2Client({ endpoint: ses.endpoint, region: 'eu-west-2', credentials });
  });

  afterAll(async () => {
    client?.destroy();
    await ses?.stop();
  });

  it('stores an SES v2 SendEmail and lists it with typed fields', async () => {
    const subject = `Your appointment ${randomUUID()}`;

    const { MessageId } = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'bookings@lj-dentists.example',
        Destination: { ToAddresses: ['ada@example.com'], CcAddresses: ['frontdesk@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: subject },
            Body: { Text: { Data: 'See you on Monday.' }, Html: { Data: '<p>See you on Monday.</p>' } },
          },
        },
      }),
    );
    const emails = await ses.listEmails();
    const email = emails.find((candidate) => candidate.subject === subject);

    expect(MessageId).toEqual(expect.any(String));
    expect(email).toMatchObject({
      messageId: MessageId,
      from: 'bookings@lj-dentists.example',
      to: ['ada@example.com'],
      cc: ['frontdesk@example.com'],
      text: 'See you on Monday.',
      html: '<p>See you on Monday.</p>',
    });
    expect(email?.at).toBeInstanceOf(Date);
    expect(Math.abs((email?.at.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it("stores the notifier's calendar invite as the e-mail's attachment (SES v2 Simple content Attachments), shown by /store", async () => {
    const appointment = { ...loadFixture<Appointment>('appointment', 'lifecycle-rescheduled'), id: randomUUID() };
    const content = notificationEmail('rescheduled', appointment, { manageUrl: 'https://book.example/manage', bookUrl: 'https://book.example', organizerEmail: 'bookings@lj-dentists.example', now: new Date() });

    const messageId = await sendEmail(client, 'bookings@lj-dentists.example', appointment.email, content);

    const store = (await (await fetch(new URL('/store', ses.endpoint))).json()) as { emails: Array<{ messageId: string; attachments?: Array<{ filename: string; contentType: string; content: string; size: number }> }> };
    const stored = store.emails.find((email) => email.messageId === messageId);
    expect(stored?.attachments).toHaveLength(1);
    const [attachment] = stored!.attachments!;
    expect(attachment).toMatchObject({ filename: 'appointment.ics', contentType: 'text/calendar; charset=UTF-8; method=REQUEST' });
    const ics = Buffer.from(attachment!.content, 'base64').toString('utf8');
    expect(ics).toBe(content.attachments![0]!.content);
    expect(ics).toContain(`UID:${appointment.id}@lj-dentists.example`);
    expect(ics).toContain('SEQUENCE:1');
  });

  it('serves its mail viewer page', async () => {
    const response = await fetch(ses.viewerUrl);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('refuses a second instance in the same process, since the mailbox is process-wide', async () => {
    await expect(startSesV2Local()).rejects.toBeInstanceOf(EmulatorStartError);
  });

  it('reports in-memory state on a loopback endpoint', () => {
    expect(ses.persistent).toBe(false);
    expect(ses.endpoint).toBe(`http://127.0.0.1:${ses.port}`);
  });

  it('stops, frees its port, and a new instance starts with an empty mailbox', async () => {
    const oldPort = ses.port;
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'bookings@lj-dentists.example',
        Destination: { ToAddresses: ['grace@example.com'] },
        Content: { Simple: { Subject: { Data: 'before restart' }, Body: { Text: { Data: 'x' } } } },
      }),
    );

    await ses.stop();
    const portFreed = !(await isPortListening(oldPort));
    ses = await startSesV2Local({ port: oldPort, dataDir: '/tmp/unused-by-ses' });
    const emails = await ses.listEmails();

    expect(portFreed).toBe(true);
    expect(ses.port).toBe(oldPort);
    expect(emails).toEqual([]);
    expect(ses.persistenceNote).toMatch(/memory only.*\/tmp\/unused-by-ses/);
  });
});
