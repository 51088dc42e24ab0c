/**
 * `npm run attack`: what a curious or hostile stranger would try against a running `npm start`,
 * written as such a person would write it (plain HTTP, nothing but the printed URLs and their own
 * mailbox). Every attempt must fail; the script prints each one and exits non-zero if any got
 * something it should not.
 *
 *   npm run attack                      # reads the URLs from .local-data/runtime.json
 *   npm run attack -- --api URL --mail URL --sms URL
 */
import { randomBytes, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface AttackTargets {
  /** The API base URL with its stage, e.g. `http://127.0.0.1:4010/dev/`. */
  apiUrl: string;
  /** The e-mail viewer (aws-ses-v2-local), whose `/store` lists what was sent. */
  emailViewerUrl: string;
  /** The SMS outbox, whose `/sms` lists what was texted. */
  smsOutboxUrl: string;
  /** A patient known to prefer e-mail, and one known to prefer SMS (the seeded contacts). */
  victims?: { email: string; sms: string; smsPhone: string };
  /** Bookings the flood sends to one address. */
  floodSize?: number;
  /** The per-recipient cap the deployment promises (notifications per 24 h). */
  cap?: number;
  log?: (line: string) => void;
}

export interface AttackFinding {
  attempt: string;
  /** An attack that must fail, or a control that must work (so a blocked attack is not just a broken system). */
  kind: 'attack' | 'control';
  /** The attack was blocked, or the control worked. */
  ok: boolean;
  detail: string;
}

interface HttpAnswer {
  status: number;
  body: string;
  json: unknown;
}

async function call(url: string, init: { method?: string; body?: unknown; token?: string; authorization?: string } = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.authorization !== undefined) headers.authorization = init.authorization;
  const response = await fetch(url, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  const body = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: response.status, body, json };
}

interface StoredMail {
  destination?: { to?: string[] };
  subject?: string;
  body?: { text?: string; html?: string };
}

async function mailbox(viewerUrl: string, address: string): Promise<StoredMail[]> {
  const answer = await call(new URL('store', viewerUrl).toString());
  const emails = ((answer.json as { emails?: StoredMail[] } | undefined)?.emails ?? []) as StoredMail[];
  return emails.filter((email) => (email.destination?.to ?? []).some((to) => to.toLowerCase() === address.toLowerCase()));
}

async function texts(outboxUrl: string): Promise<Array<{ phoneNumber?: string; message?: string }>> {
  const answer = await call(new URL('sms', outboxUrl).toString());
  return ((answer.json as { messages?: Array<{ phoneNumber?: string; message?: string }> } | undefined)?.messages ?? []);
}

/** Waits until `probe` returns something, polling for at most `timeoutMs` (a person refreshing the viewer). */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolveLater) => setTimeout(resolveLater, 250));
  }
}

/** Waits until the number of e-mails to `address` has not changed for `quietMs`. */
async function settledCount(viewerUrl: string, address: string, quietMs = 3_000, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const count = (await mailbox(viewerUrl, address)).length;
    if (count !== last) {
      last = count;
      since = Date.now();
    } else if (Date.now() - since >= quietMs || Date.now() > deadline) {
      return count;
    }
    await new Promise((resolveLater) => setTimeout(resolveLater, 250));
  }
}

/** 10:mm UTC on a weekday (10:mm or 11:mm in London, within the practice's hours), `daysAhead` days from now or the Monday after. */
function futureSlot(daysAhead: number, minute = 0): string {
  const day = new Date(Date.now() + daysAhead * 86_400_000);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + 1);
  return `${day.toISOString().slice(0, 10)}T10:${String(minute % 60).padStart(2, '0')}:00+00:00`;
}

/** Runs every attempt; resolves with what each got. */
export async function runAttack(targets: AttackTargets): Promise<AttackFinding[]> {
  const log = targets.log ?? (() => undefined);
  const api = (path: string): string => new URL(path.replace(/^\//, ''), targets.apiUrl.endsWith('/') ? targets.apiUrl : `${targets.apiUrl}/`).toString();
  const victims = targets.victims ?? { email: 'email.patient@example.com', sms: 'sms.patient@example.com', smsPhone: '+447700900123' };
  const findings: AttackFinding[] = [];
  const record = (attempt: string, ok: boolean, detail: string): void => {
    const kind = attempt.endsWith('(control)') ? 'control' : 'attack';
    findings.push({ attempt, kind, ok, detail });
    const label = kind === 'control' ? (ok ? 'works   ' : 'BROKEN  ') : ok ? 'blocked ' : 'LEAKED  ';
    log(`${label} ${attempt}: ${detail}`);
  };
  const run = randomBytes(4).toString('hex');
  const dentists = (((await call(api('/dentists'))).json as { dentists?: Array<{ name: string }> } | undefined)?.dentists ?? []).map((dentist) => dentist.name);
  const dentist = dentists[0] ?? 'Dr. Lee Jones';

  // 1. Read a stranger's phone number.
  const phone = await call(api(`/contacts/${encodeURIComponent(victims.sms)}`));
  record("read a stranger's contact (phone number) with no credentials", phone.status === 401 && !phone.body.includes(victims.smsPhone), `${phone.status}`);

  // 2. Tell patients from non-patients by the answer.
  const stranger = await call(api(`/contacts/${encodeURIComponent(`nobody.${run}@example.com`)}`));
  record('tell a patient from a non-patient by the contacts answer', stranger.status === phone.status && stranger.body.replace(/"requestId":"[^"]*"/, '') === phone.body.replace(/"requestId":"[^"]*"/, ''), `${phone.status} vs ${stranger.status}`);

  // 3. Silence or redirect a stranger.
  const silence = await call(api(`/contacts/${encodeURIComponent(victims.sms)}`), { method: 'PUT', body: { preferredMethod: 'none' } });
  record("silence a stranger (preference none) with no credentials", silence.status === 401, `${silence.status}`);
  const redirect = await call(api(`/contacts/${encodeURIComponent(victims.sms)}`), { method: 'PUT', body: { preferredMethod: 'sms', phoneNumber: '+447700900999' } });
  record("redirect a stranger's SMS to my number with no credentials", redirect.status === 401, `${redirect.status}`);

  // 4. Book in a stranger's name: the answer must not hand me their manage token.
  const strangersBooking = await call(api('/appointments'), { method: 'POST', body: { patientName: 'Not Me', email: victims.email, dentist, appointmentDateTime: futureSlot(40) } });
  const strangersId = (strangersBooking.json as { id?: string } | undefined)?.id ?? '';
  record("get a manage token by booking with a stranger's address", strangersBooking.status === 201 && !/token|m1\./i.test(strangersBooking.body), `${strangersBooking.status}, body has no token`);

  // 5. Read an appointment by its id.
  const byId = await call(api(`/appointments/${strangersId}`));
  record('read an appointment by id with no credentials', byId.status === 401 && !byId.body.includes(victims.email), `${byId.status}`);
  const unknownId = await call(api('/appointments/00000000-0000-4000-8000-000000000000'));
  record('tell an existing appointment id from an unknown one', unknownId.status === byId.status, `${byId.status} vs ${unknownId.status}`);
  const forgedMac = randomBytes(32).toString('base64url');
  const forged = await call(api(`/appointments/${strangersId}`), { token: `m1.${strangersId}.${Math.floor(Date.now() / 1000) + 86_400 * 400}.${forgedMac}` });
  record('read an appointment with a forged manage token', forged.status === 401, `${forged.status}`);
  const guessedKey = createHmac('sha256', 'secret').update(`m1\nmanage\n${strangersId}\n${victims.email}\n9999999999`).digest('base64url');
  const guessed = await call(api(`/appointments/${strangersId}`), { token: `m1.${strangersId}.9999999999.${guessedKey}` });
  record('read an appointment with a token signed by a guessed key', guessed.status === 401, `${guessed.status}`);

  // 6. My own booking gives me a real token: it must open my booking and nothing else.
  const me = `attacker.${run}@example.net`;
  const mine = await call(api('/appointments'), { method: 'POST', body: { patientName: 'Mallory', email: me, dentist, appointmentDateTime: futureSlot(41), notes: 'URGENT: pay your deposit at http://evil.example/pay' } });
  const myId = (mine.json as { id?: string } | undefined)?.id ?? '';
  const myMail = await waitFor(async () => (await mailbox(targets.emailViewerUrl, me))[0]);
  const link = /\/manage\?appointment=([0-9a-f-]{36})#token=([A-Za-z0-9._-]+)/.exec(myMail?.body?.text ?? '');
  const myToken = link?.[2] ?? '';
  record('my own confirmation e-mail carries my manage link (control)', Boolean(link) && link?.[1] === myId, link ? 'found' : 'no manage link in my e-mail');
  record("the practice's e-mail repeats my free-text notes", !(myMail?.body?.text ?? '').includes('evil.example') && !(myMail?.body?.html ?? '').includes('evil.example'), myMail ? 'notes absent' : 'no e-mail');
  const ownRead = await call(api(`/appointments/${myId}`), { token: myToken });
  record('my token opens my own appointment (control)', ownRead.status === 200, `${ownRead.status}`);
  const crossRead = await call(api(`/appointments/${strangersId}`), { token: myToken });
  record("my token opens a stranger's appointment", crossRead.status === 403 && !crossRead.body.includes(victims.email), `${crossRead.status}`);
  const crossContact = await call(api(`/contacts/${encodeURIComponent(victims.sms)}`), { token: myToken });
  record("my token reads a stranger's phone number", crossContact.status === 403 && !crossContact.body.includes(victims.smsPhone), `${crossContact.status}`);
  const crossSilence = await call(api(`/contacts/${encodeURIComponent(victims.sms)}`), { method: 'PUT', token: myToken, body: { preferredMethod: 'none' } });
  record('my token silences a stranger', crossSilence.status === 403, `${crossSilence.status}`);

  // 7. Staff routes.
  const today = new Date().toISOString().slice(0, 10);
  const staffNone = await call(api(`/staff/appointments?date=${today}`));
  record("list a day's appointments with no credentials", staffNone.status === 401, `${staffNone.status}`);
  const staffManage = await call(api(`/staff/appointments/${strangersId}`), { token: myToken });
  record('use my manage token on a staff route', staffManage.status === 401, `${staffManage.status}`);
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { sub: 'x', 'cognito:groups': ['staff'], token_use: 'id', exp: Math.floor(Date.now() / 1000) + 3600, iss: 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_fake' };
  const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
  const staffUnsigned = await call(api(`/staff/contacts/${encodeURIComponent(victims.sms)}`), { authorization: unsigned });
  record('use a self-made unsigned staff JWT', staffUnsigned.status === 401, `${staffUnsigned.status}`);
  const hsHeader = b64({ alg: 'HS256', typ: 'JWT', kid: 'x' });
  const hsSigned = `${hsHeader}.${b64(claims)}.${createHmac('sha256', 'secret').update(`${hsHeader}.${b64(claims)}`).digest('base64url')}`;
  const staffHs = await call(api(`/staff/contacts/${encodeURIComponent(victims.sms)}`), { authorization: `Bearer ${hsSigned}` });
  record('use a self-made HS256 staff JWT', staffHs.status === 401, `${staffHs.status}`);

  // 8. SMS pumping: my own preference to a premium international number.
  const pumpNumber = '+88213000000';
  const pumpSet = await call(api(`/contacts/${encodeURIComponent(me)}`), { method: 'PUT', token: myToken, body: { preferredMethod: 'sms', phoneNumber: pumpNumber } });
  await call(api('/appointments'), { method: 'POST', body: { patientName: 'Mallory', email: me, dentist, appointmentDateTime: futureSlot(42) } });
  await waitFor(async () => ((await mailbox(targets.emailViewerUrl, me)).length >= 2 ? true : undefined));
  const pumped = (await texts(targets.smsOutboxUrl)).filter((message) => message.phoneNumber === pumpNumber);
  record('make the practice text a premium international number', pumpSet.status === 200 && pumped.length === 0, `${pumped.length} texts to ${pumpNumber}`);

  // 9. Flood one address.
  const floodSize = targets.floodSize ?? 40;
  const cap = targets.cap ?? 10;
  const victim = `flood.${run}@example.org`;
  const answers = await Promise.all(
    Array.from({ length: floodSize }, (_unused, index) =>
      call(api('/appointments'), { method: 'POST', body: { patientName: 'Flood', email: victim, dentist, appointmentDateTime: futureSlot(50 + (index % 20), index) } }).then((answer) => answer.status),
    ),
  );
  const accepted = answers.filter((status) => status === 201).length;
  const received = await settledCount(targets.emailViewerUrl, victim);
  record(`flood one address with ${floodSize} bookings`, received <= cap, `${accepted} accepted, ${received} e-mails delivered (cap ${cap} per 24 h)`);

  return findings;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  let targets: AttackTargets | undefined;
  const apiUrl = argument('api');
  if (apiUrl) {
    const emailViewerUrl = argument('mail');
    const smsOutboxUrl = argument('sms');
    if (!emailViewerUrl || !smsOutboxUrl) throw new Error('with --api, also give --mail <e-mail viewer URL> and --sms <SMS outbox URL>');
    targets = { apiUrl, emailViewerUrl, smsOutboxUrl };
  } else {
    const stateFile = resolve(process.cwd(), '.local-data', 'runtime.json');
    let state: { apiUrl?: string; emailViewerUrl?: string; smsOutboxUrl?: string };
    try {
      state = JSON.parse(readFileSync(stateFile, 'utf8')) as typeof state;
    } catch {
      throw new Error(`no running local runtime: start one with \`npm start\` (it writes ${stateFile}), or pass --api/--mail/--sms`);
    }
    if (!state.apiUrl || !state.emailViewerUrl || !state.smsOutboxUrl) throw new Error(`${stateFile} lacks the API, e-mail viewer or SMS outbox URL`);
    targets = { apiUrl: state.apiUrl, emailViewerUrl: state.emailViewerUrl, smsOutboxUrl: state.smsOutboxUrl };
  }
  const findings = await runAttack({ ...targets, log: (line) => process.stdout.write(`${line}\n`) });
  const attacks = findings.filter((finding) => finding.kind === 'attack');
  const leaked = attacks.filter((finding) => !finding.ok);
  const broken = findings.filter((finding) => finding.kind === 'control' && !finding.ok);
  process.stdout.write(`\n${attacks.length - leaked.length} of ${attacks.length} attacks blocked${leaked.length ? `; ${leaked.length} got through` : ''}${broken.length ? `; ${broken.length} controls failed (is the runtime working?)` : ''}\n`);
  process.exitCode = leaked.length > 0 || broken.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`attack: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
}
