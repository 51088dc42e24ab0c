import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime/local-runtime';
import { writeRuntimeState } from '../../local/runtime/runtime-state';
import { devAssembly, futureDateTime, removeDirectory, resourcesOfType, variantAssembly } from './e2e-support';
import { noGroupIdToken, putContactAsStaff, staffAccessToken, staffIdToken } from './identity-support';

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
type Resource = { Type: string; Properties: Record<string, unknown> };

/** The template's method for `httpMethod path` (the path rebuilt from the API's resource tree). */
function methodAt(template: Template, httpMethod: string, path: string): Resource | undefined {
  const pathOf = (reference: unknown): string => {
    const logicalId = (reference as { Ref?: string }).Ref;
    const resource = logicalId === undefined ? undefined : template.Resources[logicalId];
    if (!resource || resource.Type !== 'AWS::ApiGateway::Resource') return '';
    return `${pathOf(resource.Properties.ParentId)}/${String(resource.Properties.PathPart)}`;
  };
  return resourcesOfType(template, 'AWS::ApiGateway::Method').find((method) => method.Properties.HttpMethod === httpMethod && pathOf(method.Properties.ResourceId) === path);
}

const booking = () => JSON.stringify({ patientName: 'Rosalind Franklin', email: 'email.patient@example.com', dentist: 'Dr. Lee Jones', appointmentDateTime: futureDateTime() });

/**
 * The authorizer is read from the synthesized template, method by method: editing the template
 * (as a changed `cdk synth` would) changes what the local API lets through, with no other edit.
 * The variant guards `POST /appointments` with the staff authorizer, gives `GET /staff/appointments`
 * AuthorizationScopes (so it takes access tokens only), and moves the authorizer's IdentitySource
 * to an `X-Staff-Token` header.
 */
describe('local API: the Cognito authorizer follows the template', () => {
  let runtime: LocalRuntime | undefined;
  let variant: string | undefined;

  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });
  afterAll(() => removeDirectory(variant));

  const call = (path: string, init: RequestInit = {}) => fetch(new URL(path, runtime?.apiUrl), init);

  it('as synthesized: bookings are public, staff routes take a staff ID token in Authorization', async () => {
    runtime = await startLocalRuntime({ assemblyDir: await devAssembly() });
    const idToken = await staffIdToken(runtime.identity);
    expect((await call('appointments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: booking() })).status).toBe(201);
    expect((await call('staff/appointments?date=2031-03-14')).status).toBe(401);
    const staffList = await call('staff/appointments?date=2031-03-14', { headers: { authorization: `Bearer ${idToken}` } });
    expect(staffList.status).toBe(200);
    expect(await staffList.json()).toMatchObject({ date: '2031-03-14', appointments: expect.any(Array) });
    // The gateway lets a signed-in user in no group through; the function refuses them (not staff).
    const noGroup = await call('staff/appointments?date=2031-03-14', { headers: { authorization: `Bearer ${await noGroupIdToken(runtime.identity)}` } });
    expect(noGroup.status).toBe(403);
    expect((await putContactAsStaff(runtime, 'variant.patient@example.com', { preferredMethod: 'none' })).status).toBe(200);

    // `npm run -s staff-token` finds the runtime through its state file and prints a usable token.
    const stateDir = mkdtempSync(join(tmpdir(), 'staff-token-'));
    await writeRuntimeState(join(stateDir, 'runtime.json'), runtime.state());
    const { stdout } = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), 'local-app/staff-token.ts', '--state', join(stateDir, 'runtime.json')], { cwd: join(__dirname, '..', '..') });
    removeDirectory(stateDir);
    const printed = stdout.trim();
    expect(printed.split('.')).toHaveLength(3);
    expect((await call('staff/appointments?date=2031-03-14', { headers: { authorization: `Bearer ${printed}` } })).status).toBe(200);
  }, 180_000);

  it('edited: the authorizer on POST /appointments, scopes on GET /staff/appointments, the token in X-Staff-Token', async () => {
    variant = variantAssembly(await devAssembly(), (template) => {
      const authorizer = Object.entries(template.Resources).find(([, resource]) => resource.Type === 'AWS::ApiGateway::Authorizer');
      if (!authorizer) return;
      authorizer[1].Properties.IdentitySource = 'method.request.header.X-Staff-Token';
      const post = methodAt(template, 'POST', '/appointments');
      if (post) Object.assign(post.Properties, { AuthorizationType: 'COGNITO_USER_POOLS', AuthorizerId: { Ref: authorizer[0] } });
      const staffList = methodAt(template, 'GET', '/staff/appointments');
      if (staffList) staffList.Properties.AuthorizationScopes = ['aws.cognito.signin.user.admin'];
    });
    runtime = await startLocalRuntime({ assemblyDir: variant });
    const idToken = await staffIdToken(runtime.identity);
    const accessToken = await staffAccessToken(runtime.identity);
    const post = (headers: Record<string, string>) => call('appointments', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: booking() });

    const refused = await post({});
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'Unauthorized', requestId: refused.headers.get('x-amzn-requestid') });
    expect((await post({ authorization: `Bearer ${idToken}` })).status).toBe(401);
    expect((await post({ 'x-staff-token': idToken })).status).toBe(201);

    const list = (token: string) => call('staff/appointments?date=2031-03-14', { headers: { 'X-Staff-Token': token } });
    expect((await list(idToken)).status).toBe(401);
    // The gateway now takes the access token; the function, which reads groups from ID-token claims, decides.
    expect((await list(accessToken)).status).not.toBe(401);
  }, 180_000);
});
