import fc from 'fast-check';
import { randomBytes, randomUUID } from 'node:crypto';
import { API_ROUTES, routeKey } from '../../contracts/api-routes';
import { validateErrorResponse } from '../../contracts';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime/local-runtime';
import { signManageToken } from '../../services/common/security/manage-token';
import { runAttack } from '../../scripts/attack';
import { fuzzRunsScale, fuzzSeed } from '../fuzz/fuzz-settings';
import { devAssembly, eventually, futureDateTime } from './e2e-support';
import { expiredIdToken, forgedIdToken, noGroupIdToken, putContactAsStaff, staffIdToken } from './identity-support';
import { manageTokenFromMail, manageTokenKeyOf } from './security-support';

/**
 * The security model of docs/security.md, on `npm start`'s runtime: every route × every kind of
 * credential answers as the model says, the manage link from the real e-mail works, the
 * per-recipient cap holds under a flood, no Authorization header makes the API fail, and the
 * attacker script gets nothing.
 */
describe('local runtime: who may call what', () => {
  let runtime: LocalRuntime;
  const run = randomUUID().slice(0, 8);
  const addressX = `patient.x.${run}@example.com`;
  const addressY = `patient.y.${run}@example.com`;
  const addressZ = `patient.z.${run}@example.com`;
  let appointmentA = '';
  let appointmentA2 = '';
  let appointmentB = '';
  /** X's appointment the patient cancel route cancels (the other change routes change A, which stays booked). */
  let appointmentC = '';
  /** The appointment the staff cancel route cancels. */
  let appointmentD = '';
  const credentials: Record<string, string | undefined> = {};
  /** The manage token e-mailed for each of X's appointments, by appointment id. */
  const manageTokens: Record<string, string> = {};

  const api = (path: string): string => new URL(path.replace(/^\//, ''), runtime.apiUrl).toString();

  async function book(email: string, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await fetch(api('/appointments'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ patientName: 'Ada Patient', email, dentist: 'Dr. Lee Jones', appointmentDateTime: futureDateTime(20), ...extra }),
    });
    const body = (await response.json()) as { id: string };
    expect(response.status).toBe(201);
    expect(JSON.stringify(body)).not.toMatch(/token/i);
    return body.id;
  }


  beforeAll(async () => {
    runtime = await startLocalRuntime({
      assemblyDir: await devAssembly(),
      pipe: { pollIntervalMs: 100, retryBaseDelayMs: 20, retryMaxDelayMs: 100 },
      sqsWaitTimeSeconds: 1,
    });
    appointmentA = await book(addressX);
    appointmentA2 = await book(addressX);
    appointmentB = await book(addressY);
    appointmentC = await book(addressX);
    appointmentD = await book(addressZ);
    credentials.patient = await manageTokenFromMail(runtime, appointmentA);
    credentials.otherAppointment = await manageTokenFromMail(runtime, appointmentA2);
    manageTokens[appointmentA] = credentials.patient;
    manageTokens[appointmentC] = await manageTokenFromMail(runtime, appointmentC);
    credentials.otherAddress = await manageTokenFromMail(runtime, appointmentB);
    const key = await manageTokenKeyOf(runtime);
    const appointmentStart = Date.now() + 20 * 86_400_000;
    credentials.expiredManage = signManageToken(key, { appointmentId: appointmentA, email: addressX, expiresAt: Math.floor(Date.now() / 1000) - 60 });
    credentials.forgedManage = `m1.${appointmentA}.${Math.floor(appointmentStart / 1000) + 86_400}.${randomBytes(32).toString('base64url')}`;
    credentials.staff = await staffIdToken(runtime.identity);
    credentials.staffNoGroup = await noGroupIdToken(runtime.identity);
    credentials.forgedJwt = await forgedIdToken(runtime.identity);
    credentials.expiredJwt = await expiredIdToken(runtime.identity);
    // X has a stored preference, so an authorized read of it is a 200 (not a 404 for a missing one).
    expect((await putContactAsStaff(runtime, addressX, { preferredMethod: 'email' })).status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await runtime?.stop();
  });

  /**
   * The Authorization header each kind of caller sends (undefined: none) to a route on `target`:
   * the patient sends the token of the appointment the route acts on; every other caller sends the
   * same credential whatever the target (otherAppointment: a token of A2, another of X's bookings).
   */
  const HEADERS: Record<string, (target: string) => string | undefined> = {
    none: () => undefined,
    malformed: () => 'Bearer',
    basic: () => 'Basic dXNlcjpwYXNzd29yZA==',
    forgedManage: () => `Bearer ${credentials.forgedManage}`,
    forgedJwt: () => `Bearer ${credentials.forgedJwt}`,
    otherAppointment: () => `Bearer ${credentials.otherAppointment}`,
    otherAddress: () => `Bearer ${credentials.otherAddress}`,
    expiredManage: () => `Bearer ${credentials.expiredManage}`,
    expiredJwt: () => `Bearer ${credentials.expiredJwt}`,
    patient: (target) => `Bearer ${manageTokens[target]}`,
    staff: () => `Bearer ${credentials.staff}`,
    staffNoGroup: () => `Bearer ${credentials.staffNoGroup}`,
  };

  /** docs/security.md's model as a table: the status each caller gets, per kind of route. */
  const EXPECTED: Record<'public' | 'patientAppointment' | 'patientContact' | 'staff', Record<string, number | 'ok'>> = {
    public: Object.fromEntries(Object.keys(HEADERS).map((name) => [name, 'ok'])),
    patientAppointment: { none: 401, malformed: 401, basic: 401, forgedManage: 401, forgedJwt: 401, otherAppointment: 403, otherAddress: 403, expiredManage: 401, expiredJwt: 401, patient: 'ok', staff: 401, staffNoGroup: 401 },
    // A token of another booking to the same address proves the address, so it may manage its preference.
    patientContact: { none: 401, malformed: 401, basic: 401, forgedManage: 401, forgedJwt: 401, otherAppointment: 'ok', otherAddress: 403, expiredManage: 401, expiredJwt: 401, patient: 'ok', staff: 401, staffNoGroup: 401 },
    staff: { none: 401, malformed: 401, basic: 401, forgedManage: 401, forgedJwt: 401, otherAppointment: 401, otherAddress: 401, expiredManage: 401, expiredJwt: 401, patient: 401, staff: 'ok', staffNoGroup: 403 },
  };

  /**
   * A request each route accepts from its rightful caller: a proper body, and an appointment it can
   * act on. The cancel routes cancel an appointment of their own (C for the patient's, D for
   * staff's), so the routes that change A never meet a cancelled appointment, whatever the order.
   */
  function requestFor(route: (typeof API_ROUTES)[number]): { path: string; target: string; body?: unknown } {
    const cancel = route.path.endsWith('/cancel');
    const target = cancel ? (route.access === 'staff' ? appointmentD : appointmentC) : appointmentA;
    const path = route.path
      .replace('{id}', target)
      .replace('{email}', encodeURIComponent(addressX))
      .concat(route.path === '/staff/appointments' ? `?date=${futureDateTime(20).slice(0, 10)}` : '');
    if (cancel) return { path, target, body: { reason: 'Matrix cancellation' } };
    if (route.method === 'PATCH') return { path, target, body: route.access === 'staff' ? { dentist: 'Dr. Priya Shah' } : { appointmentDateTime: futureDateTime(21) } };
    if (route.method === 'POST') return { path, target, body: { patientName: 'Matrix Patient', email: `matrix.${run}@example.com`, dentist: 'Dr. Lee Jones', appointmentDateTime: futureDateTime(25) } };
    if (route.method === 'PUT') return { path, target, body: { preferredMethod: 'email' } };
    return { path, target };
  }

  const cases = API_ROUTES.flatMap((route) => Object.keys(HEADERS).map((caller) => [`${route.method} ${route.path}`, caller, route] as const));

  it.each(cases)('%s with %s credentials answers as the model says', async (_key, caller, route) => {
    const kind = route.access === 'public' ? 'public' : route.access === 'staff' ? 'staff' : route.path.includes('{email}') ? 'patientContact' : 'patientAppointment';
    const expected = EXPECTED[kind][caller];
    const { path, target, body } = requestFor(route);
    const authorization = HEADERS[caller]!(target);
    const response = await fetch(api(path), {
      method: route.method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(authorization !== undefined ? { authorization } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (expected === 'ok') {
      expect([200, 201]).toContain(response.status);
      // The change routes answer the appointment they changed.
      if (route.method === 'PATCH') expect(JSON.parse(text)).toMatchObject({ id: target, status: 'booked' });
      if (route.path.endsWith('/cancel')) expect(JSON.parse(text)).toMatchObject({ id: target, status: 'cancelled' });
    } else {
      expect({ status: response.status, body: text }).toMatchObject({ status: expected });
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(validateErrorResponse(JSON.parse(text))).toEqual([]);
      // A refusal never carries the patient's data.
      expect(text).not.toContain(addressX);
    }
  }, 30_000);

  it('the manage link from the confirmation e-mail opens the appointment, and lets the patient choose SMS', async () => {
    const mails = (await runtime.emulators.ses.listEmails()).filter((mail) => mail.to.includes(addressY));
    const link = /(https?:\/\/\S+\/manage\?appointment=([0-9a-f-]{36})#token=(\S+))/.exec(mails[0]?.text ?? '');
    expect(link?.[2]).toBe(appointmentB);
    const token = link![3]!;
    expect(mails[0]?.html ?? '').toContain(`appointment=${appointmentB}#token=`);

    // The view shows the confirmation (the notification of version 1) as sent by e-mail.
    const view = await eventually('the confirmation shown sent', async () => {
      const appointment = await fetch(api(`/appointments/${appointmentB}`), { headers: { authorization: `Bearer ${token}` } });
      expect(appointment.status).toBe(200);
      const body = (await appointment.json()) as { notifications?: Array<{ notificationId: string; status: string }> };
      return body.notifications?.some((row) => row.notificationId === 'change-1' && row.status === 'sent') ? body : undefined;
    });
    expect(view).toMatchObject({ id: appointmentB, email: addressY, status: 'booked', notifications: expect.arrayContaining([expect.objectContaining({ notificationId: 'change-1', kind: 'booked', channel: 'email', status: 'sent' })]) });

    const preference = await fetch(api(`/contacts/${encodeURIComponent(addressY)}`), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ preferredMethod: 'sms', phoneNumber: '+447700900456' }),
    });
    expect(preference.status).toBe(200);
    const read = await fetch(api(`/staff/contacts/${encodeURIComponent(addressY)}`), { headers: { authorization: `Bearer ${credentials.staff}` } });
    expect(await read.json()).toMatchObject({ preferredMethod: 'sms', phoneNumber: '+447700900456' });
  }, 60_000);

  it('staff list a day: every appointment of that day in its own offset, paged', async () => {
    // A day whose next day is open too: 23:30 at -10:00 on `day` is 09:30 UTC the next day, in opening
    // hours, and on `day` only in its own offset.
    let ahead = 33;
    const nextDay = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    while (futureDateTime(ahead + 1).slice(0, 10) !== nextDay(futureDateTime(ahead).slice(0, 10))) ahead += 1;
    const day = futureDateTime(ahead).slice(0, 10);
    const ids = [await book(`day.${run}.1@example.com`, { appointmentDateTime: futureDateTime(ahead, '09:00') }), await book(`day.${run}.2@example.com`, { appointmentDateTime: `${day}T23:30:00-10:00` })];
    const first = await fetch(api(`/staff/appointments?date=${day}&limit=1`), { headers: { authorization: `Bearer ${credentials.staff}` } });
    const page1 = (await first.json()) as { appointments: Array<{ id: string }>; nextToken?: string };
    expect(first.status).toBe(200);
    expect(page1.appointments).toHaveLength(1);
    const second = await fetch(api(`/staff/appointments?date=${day}&limit=1&nextToken=${page1.nextToken}`), { headers: { authorization: `Bearer ${credentials.staff}` } });
    const page2 = (await second.json()) as { appointments: Array<{ id: string }> };
    expect([...page1.appointments, ...page2.appointments].map((a) => a.id).sort()).toEqual(ids.sort());
    const bad = await fetch(api('/staff/appointments?date=2031-02-30'), { headers: { authorization: `Bearer ${credentials.staff}` } });
    expect(bad.status).toBe(400);
  }, 60_000);

  it('40 bookings to one address within a minute notify no more than the cap, and record the rest as suppressed', async () => {
    const victim = `flooded.${run}@example.com`;
    const cap = Number(runtime.topology.functions.find((fn) => fn.environment.NOTIFICATIONS_PER_RECIPIENT_PER_DAY)?.environment.NOTIFICATIONS_PER_RECIPIENT_PER_DAY);
    expect(cap).toBeGreaterThan(0);
    const ids = await Promise.all(Array.from({ length: 40 }, (_unused, index) => book(victim, { appointmentDateTime: futureDateTime(40 + (index % 10)) })));
    await runtime.idle();
    // Each booking's confirmation is its notification row change-1.
    const statuses = await eventually('every flooded booking handled', async () => {
      const found = await Promise.all(
        ids.map(async (id) => {
          const view = (await (await fetch(api(`/staff/appointments/${id}`), { headers: { authorization: `Bearer ${credentials.staff}` } })).json()) as { notifications?: Array<{ notificationId: string; status: string; cause?: string }> };
          return view.notifications?.find((row) => row.notificationId === 'change-1');
        }),
      );
      return found.every((row) => row !== undefined && row.status !== 'pending') ? (found as Array<{ status: string; cause?: string }>) : undefined;
    }, 90_000);
    await runtime.idle();
    const delivered = (await runtime.emulators.ses.listEmails()).filter((mail) => mail.to.includes(victim));
    expect(delivered.length).toBeLessThanOrEqual(cap);
    expect(statuses.filter((s) => s.status === 'sent')).toHaveLength(delivered.length);
    const suppressed = statuses.filter((s) => s.status === 'suppressed');
    expect(suppressed.length).toBe(40 - delivered.length);
    expect(suppressed.every((s) => /cap/.test(s.cause ?? ''))).toBe(true);
  }, 180_000);

  it('the change routes check the credentials first, then the body: 401 without, 400 naming the field, 415 for another media type', async () => {
    const changeRoutes = API_ROUTES.filter((route) => route.method === 'PATCH' || route.path.endsWith('/cancel'));
    expect(changeRoutes).toHaveLength(4);
    for (const route of changeRoutes) {
      // Appointment A for every case: no request here is valid, so nothing is changed.
      const path = route.path.replace('{id}', appointmentA);
      const rightful = route.access === 'staff' ? `Bearer ${credentials.staff}` : `Bearer ${credentials.patient}`;
      const [field, badBody] = route.method === 'PATCH' ? ['appointmentDateTime', { appointmentDateTime: 'next Tuesday' }] : ['reason', { reason: 42 }];
      const send = (authorization: string | undefined, contentType: string, body: string) =>
        fetch(api(path), { method: route.method, headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) }, body });

      const anonymous = await send(undefined, 'application/json', JSON.stringify(badBody));
      expect({ route: routeKey(route), status: anonymous.status }).toEqual({ route: routeKey(route), status: 401 });
      const forged = await send(route.access === 'staff' ? `Bearer ${credentials.forgedJwt}` : `Bearer ${credentials.forgedManage}`, 'text/plain', 'cancel it');
      expect({ route: routeKey(route), status: forged.status }).toEqual({ route: routeKey(route), status: 401 });

      const bad = await send(rightful, 'application/json', JSON.stringify(badBody));
      const badText = await bad.text();
      expect({ route: routeKey(route), status: bad.status }).toEqual({ route: routeKey(route), status: 400 });
      expect(validateErrorResponse(JSON.parse(badText))).toEqual([]);
      expect(badText).toContain(field);

      const plain = await send(rightful, 'text/plain', 'cancel it');
      expect({ route: routeKey(route), status: plain.status }).toEqual({ route: routeKey(route), status: 415 });
      expect(validateErrorResponse(JSON.parse(await plain.text()))).toEqual([]);
    }
    const view = await fetch(api(`/staff/appointments/${appointmentA}`), { headers: { authorization: `Bearer ${credentials.staff}` } });
    expect(await view.json()).toMatchObject({ id: appointmentA, status: 'booked' });
  }, 60_000);

  it('no Authorization header, however odd, makes the API answer 5xx', async () => {
    const token = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.stringMatching(/^m1\.[0-9a-f-]{36}\.\d{1,12}\.[A-Za-z0-9_-]{40,46}$/),
      fc.constantFrom(credentials.patient ?? '', credentials.staff ?? '').chain((real) => fc.nat(real.length).map((cut) => real.slice(0, cut))),
      fc.tuple(fc.base64String({ maxLength: 60 }), fc.base64String({ maxLength: 200 }), fc.base64String({ maxLength: 80 })).map((parts) => parts.join('.')),
    );
    const header = fc.tuple(fc.constantFrom('Bearer ', 'bearer ', 'Bearer  ', '', 'Basic ', 'Bearer\t'), token).map(([scheme, value]) => `${scheme}${value}`.replace(/[\r\n\0]/g, ''));
    const target = fc.constantFrom(`/appointments/${appointmentA}`, `/contacts/${encodeURIComponent(addressX)}`, `/staff/appointments/${appointmentA}`, `/staff/contacts/${encodeURIComponent(addressX)}`);
    await fc.assert(
      fc.asyncProperty(header, target, async (authorization, path) => {
        let response: Response;
        try {
          response = await fetch(api(path), { headers: { authorization } });
        } catch {
          return true; // a header fetch() itself refuses to send never reaches the API
        }
        const text = await response.text();
        expect(response.status).toBeLessThan(500);
        expect([200, 401, 403]).toContain(response.status);
        if (response.status !== 200) expect(validateErrorResponse(JSON.parse(text))).toEqual([]);
        return true;
      }),
      { numRuns: Math.max(1, Math.round(200 * fuzzRunsScale())), seed: fuzzSeed() },
    );
  }, 180_000);

  it('the attacker script gets nothing it should not', async () => {
    expect((await putContactAsStaff(runtime, 'email.patient@example.com', { preferredMethod: 'email' })).status).toBe(200);
    expect((await putContactAsStaff(runtime, 'sms.patient@example.com', { preferredMethod: 'sms', phoneNumber: '+447700900123' })).status).toBe(200);
    const findings = await runAttack({ apiUrl: runtime.apiUrl, emailViewerUrl: runtime.emailViewerUrl, smsOutboxUrl: runtime.smsOutboxUrl });
    expect(findings.filter((finding) => !finding.ok)).toEqual([]);
    expect(findings.filter((finding) => finding.kind === 'attack').length).toBeGreaterThanOrEqual(15);
  }, 240_000);
});
