import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime/local-runtime';
import { signManageToken } from '../../services/common/security/manage-token';
import { eventually } from '../e2e/e2e-support';
import { manageTokenKeyOf } from '../e2e/security-support';
import { axeViolations, freePort, launchBrowser, screenshot, scrollsSideways, seriousOrCritical, weekdayAhead, type LaunchedBrowser } from './browser-support';

/**
 * The patient pages in a real browser (Debian's Chromium, headless) against the local runtime,
 * which serves them from the synthesized assembly's site asset with the template's headers and
 * routes the API paths to the local API: book through the page, open the e-mail's manage link,
 * reschedule, change the preference to SMS, cancel.
 */
jest.setTimeout(120_000);

describe('patient pages in Chromium on the local runtime', () => {
  let runtime: LocalRuntime;
  let browser: LaunchedBrowser;
  let siteUrl: string;

  beforeAll(async () => {
    // The manage links carry the template's site URL: synthesize with the port the site will have.
    const port = await freePort();
    siteUrl = `http://127.0.0.1:${port}`;
    [runtime, browser] = await Promise.all([
      startLocalRuntime({
        context: { siteUrl },
        ports: { site: port },
        pipe: { pollIntervalMs: 100, retryBaseDelayMs: 20, retryMaxDelayMs: 100 },
        sqsWaitTimeSeconds: 1,
      }),
      launchBrowser(),
    ]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  const patientEmail = `browser.${randomUUID().slice(0, 8)}@example.com`;
  const bookingDate = weekdayAhead(7);
  const newDate = weekdayAhead(9);
  const mobile = '+447700900123';
  let manageLink = '';

  async function emailsTo(address: string): Promise<Array<{ subject: string; text?: string; html?: string }>> {
    return (await runtime.emulators.ses.listEmails()).filter((email) => email.to.includes(address));
  }

  function manageLinkIn(text: string): string | undefined {
    const escaped = siteUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`${escaped}/manage\\?appointment=[^\\s#"<>]+#token=[^\\s"<>]+`).exec(text)?.[0];
  }

  async function expectAccessible(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    expect(seriousOrCritical(await axeViolations(page))).toEqual([]);
    expect(await scrollsSideways(page)).toBe(false);
  }

  it('serves the pages from the assembly with the template\'s security headers, and the API on the same origin', async () => {
    const root = await fetch(`${siteUrl}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toMatch(/^text\/html/);
    expect(root.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(root.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(root.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(root.headers.get('x-content-type-options')).toBe('nosniff');
    expect(root.headers.get('referrer-policy')).toBe('no-referrer');
    const manage = await fetch(`${siteUrl}/manage?appointment=x`);
    expect(manage.status).toBe(200);
    expect(manage.headers.get('content-type')).toMatch(/^text\/html/);
    const dentists = await fetch(`${siteUrl}/dentists`);
    expect(dentists.status).toBe(200);
    expect(((await dentists.json()) as { dentists: unknown[] }).dentists.length).toBeGreaterThan(0);
    expect(dentists.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await fetch(`${siteUrl}/no-such-file.js`)).status).toBe(403);
  });

  it('books through the page: client checks and the API\'s own errors beside their fields, then the confirmation', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${siteUrl}/`);
    await page.locator('#dentist option:nth-child(2)').waitFor({ state: 'attached' });
    await expectAccessible(page, 'book-empty');

    // Client-side checks: nothing filled in.
    await page.getByRole('button', { name: 'Book the appointment' }).click();
    await eventually('the form\'s error summary', async () => ((await page.locator('#form-error').textContent()) ?? '').includes('correct the highlighted fields') || undefined);
    expect(await page.locator('#patientName-error').textContent()).toMatch(/required/);
    expect(await page.locator('#patientName').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'book-client-errors');

    // An address the page's simple check lets through but the API's schema rejects: the API's error, beside the field.
    await page.getByLabel('Dentist').selectOption({ index: 1 });
    await page.getByLabel('Date', { exact: true }).fill(bookingDate);
    await page.getByLabel('Time', { exact: true }).fill('10:00');
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('E-mail address').fill('ada@example..com');
    await page.getByRole('button', { name: 'Book the appointment' }).click();
    await eventually('the API error beside the e-mail field', async () => ((await page.locator('#email-error').textContent()) ?? '').includes('format') || undefined);
    expect(await page.locator('#form-error').textContent()).toMatch(/invalid/i);
    await expectAccessible(page, 'book-api-error');

    await page.getByLabel('E-mail address').fill(patientEmail);
    await page.getByLabel('Mobile number (optional)').fill(mobile);
    await page.getByRole('button', { name: 'Book the appointment' }).click();
    await eventually('the booking confirmation', async () => ((await page.locator('#result').textContent()) ?? '').includes('Booked') || undefined);
    expect(await page.locator('#result').textContent()).toContain(patientEmail);
    await expectAccessible(page, 'book-booked');
    await page.close();

    // The confirmation e-mail, with the manage link to this site.
    const email = await eventually('the confirmation e-mail', async () => (await emailsTo(patientEmail))[0], 30_000);
    manageLink = manageLinkIn(email.text ?? email.html ?? '') ?? '';
    expect(manageLink).not.toBe('');
  });

  it('shows the confirmation in the e-mail viewer', async () => {
    const page = await browser.context.newPage();
    await page.goto(runtime.emailViewerUrl);
    await eventually('the e-mail in the viewer', async () => ((await page.content()).includes(patientEmail) ? true : (await page.reload(), undefined)), 30_000, 500);
    await screenshot(page, 'email-viewer');
    await page.close();
  });

  it('opens the manage link: the appointment, its notifications, the token gone from the address bar', async () => {
    expect(manageLink).not.toBe('');
    const page = await browser.context.newPage();
    await page.goto(manageLink);
    await page.locator('#manage').waitFor({ state: 'visible' });
    expect(new URL(page.url()).hash).toBe('');
    expect(page.url()).not.toContain('token');
    expect(await page.locator('#detail-email').textContent()).toBe(patientEmail);
    expect(await page.locator('#detail-status').textContent()).toBe('Booked');
    await eventually('the notification row', async () => ((await page.locator('#notifications-body tr').count()) > 0 ? true : (await page.getByRole('button', { name: 'Refresh' }).click(), undefined)), 30_000, 300);
    await page.locator('#current-preference').filter({ hasText: /e-mail/ }).waitFor();
    await expectAccessible(page, 'manage');
    await page.close();
  });

  it('changes the notification preference from the manage page, and shows the API\'s answer', async () => {
    const page = await browser.context.newPage();
    await page.goto(manageLink);
    await page.locator('#manage').waitFor({ state: 'visible' });
    await page.locator('#current-preference').filter({ hasText: /e-mail/ }).waitFor();
    // SMS without a number: the page's own check, beside the field.
    await page.getByLabel('By text message (SMS)').check();
    await page.getByLabel('Mobile number (needed for text messages)').fill('');
    await page.getByRole('button', { name: 'Save how we tell you' }).click();
    expect(await page.locator('#preferencePhone-error').textContent()).toMatch(/required/);
    await page.getByLabel('Mobile number (needed for text messages)').fill(mobile);
    await page.getByRole('button', { name: 'Save how we tell you' }).click();
    await eventually('the saved preference', async () => ((await page.locator('#preference-result').textContent()) ?? '').includes('Saved') || undefined);
    expect(await page.locator('#current-preference').textContent()).toMatch(/text message/);
    await expectAccessible(page, 'manage-preference-sms');
    // Back to e-mail, for the journey below.
    await page.getByLabel('By e-mail').check();
    await page.getByRole('button', { name: 'Save how we tell you' }).click();
    await eventually('the preference back to e-mail', async () => ((await page.locator('#current-preference').textContent()) ?? '').includes('by e-mail') || undefined);
    await page.close();
  });

  it('shows a clear page, not a stack trace, for a wrong token, an expired one, or a link without one', async () => {
    const page = await browser.context.newPage();
    const id = new URL(manageLink).searchParams.get('appointment') ?? randomUUID();
    // Signed with the real key for this very appointment and address, but expired a minute ago.
    const expired = signManageToken(await manageTokenKeyOf(runtime), { appointmentId: id, email: patientEmail, expiresAt: Math.floor(Date.now() / 1000) - 60 });
    for (const [name, url] of [
      ['manage-wrong-token', `${siteUrl}/manage?appointment=${id}#token=not-a-real-token`],
      ['manage-expired-token', `${siteUrl}/manage?appointment=${id}#token=${expired}`],
      ['manage-no-token', `${siteUrl}/manage?appointment=${id}`],
    ] as const) {
      await page.goto(url);
      await page.locator('#invalid-link').waitFor({ state: 'visible' });
      expect(await page.locator('h1:visible').textContent()).toBe('This link is not valid or has expired');
      const text = (await page.locator('body').innerText()).toLowerCase();
      expect(text).toContain('contact the practice');
      expect(text).not.toMatch(/error:|stack|at \w+ \(|undefined|exception/);
      await expectAccessible(page, name);
    }
    await page.close();
  });

  // Needs the lifecycle routes (PATCH /appointments/{id}, POST /appointments/{id}/cancel) and their notifications.
  it('reschedules, sets SMS, cancels: the rescheduled e-mail and the cancellation SMS arrive', async () => {
    const page = await browser.context.newPage();
    await page.goto(manageLink);
    await page.locator('#manage').waitFor({ state: 'visible' });
    const before = (await emailsTo(patientEmail)).length;

    await page.getByLabel('Date', { exact: true }).fill(newDate);
    await page.getByLabel('Time', { exact: true }).fill('11:30');
    await page.getByRole('button', { name: 'Change the appointment' }).click();
    await eventually('the rescheduled answer', async () => ((await page.locator('#reschedule-result').textContent()) ?? '').trim() || undefined);
    expect(await page.locator('#reschedule-result').textContent()).toMatch(/now/);
    expect(await page.locator('#detail-when').textContent()).toContain('11:30');
    await expectAccessible(page, 'manage-rescheduled');
    const rescheduled = await eventually('the rescheduled e-mail', async () => (await emailsTo(patientEmail)).slice(before).find((email) => /11:30/.test(`${email.subject} ${email.text ?? ''}`)), 30_000);
    expect(rescheduled.subject).toBeTruthy();

    await page.getByLabel('By text message (SMS)').check();
    await page.getByLabel('Mobile number (needed for text messages)').fill(mobile);
    await page.getByRole('button', { name: 'Save how we tell you' }).click();
    await eventually('the saved preference', async () => ((await page.locator('#preference-result').textContent()) ?? '').includes('Saved') || undefined);

    const smsBefore = runtime.emulators.sms.listMessages().filter((sms) => sms.phoneNumber === mobile).length;
    await page.getByLabel('Yes, cancel this appointment').check();
    await page.getByRole('button', { name: 'Cancel the appointment' }).click();
    await eventually('the cancelled status', async () => ((await page.locator('#detail-status').textContent()) === 'Cancelled' ? true : undefined));
    expect(await page.locator('#reschedule-section').isHidden()).toBe(true);
    await expectAccessible(page, 'manage-cancelled');
    const sms = await eventually('the cancellation SMS', async () => runtime.emulators.sms.listMessages().filter((message) => message.phoneNumber === mobile).slice(smsBefore).find((message) => /cancel/i.test(message.message)), 30_000);
    expect(sms.message).toMatch(/cancel/i);
    await page.close();
  });

  it('made no request to any other origin than the site (and the e-mail viewer the test opened)', () => {
    const allowed = [new URL(siteUrl).origin, new URL(runtime.emailViewerUrl).origin];
    const foreign = browser.requests.filter((url) => !url.startsWith('data:') && !allowed.includes(new URL(url).origin));
    expect(foreign).toEqual([]);
  });
});
