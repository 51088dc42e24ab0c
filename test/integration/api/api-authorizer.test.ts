import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type RunningApiServer } from '../../../local/api';
import { cognitoIdentityCall, startCognitoLocal, type RunningCognitoLocal } from '../../../local/emulators/cognito-local';
import { provisionIdentity, type LocalIdentity } from '../../../local/runtime/local-identity';
import { seedUser } from '../../../local-app/seed-staff-users';
import { readCloudAssembly, type TopologyWithWarnings } from '../../../local/topology';
import { jwtClaims } from '../../support/jwt-fixtures';
import { expiredIdToken, forgedIdToken, noGroupIdToken, staffAccessToken, staffIdToken } from '../../e2e/identity-support';
import { removeWrittenAssemblies, writeAssembly } from '../../unit/topology/assembly-builder';
import { authStacks } from '../../unit/topology/auth-assembly';

describe('local API with a COGNITO_USER_POOLS authorizer, on cognito-local', () => {
  let dataDir: string;
  let topology: TopologyWithWarnings;
  let cognito: RunningCognitoLocal;
  let identity: LocalIdentity;
  let api: RunningApiServer;
  const invoked: unknown[] = [];

  const startApi = async (): Promise<RunningApiServer> => {
    const [spec] = topology.restApis;
    if (!spec) throw new Error('the fixture has an API');
    return startApiServer({
      api: spec,
      userPools: new Map(identity.userPools.map((pool) => [pool.id, { issuer: pool.issuer, jwksUri: pool.jwksUri }])),
      invoke: async (_functionId, event) => {
        invoked.push(event);
        const context = (event as { requestContext: { authorizer: unknown } }).requestContext;
        return { ok: true, payload: { statusCode: 200, body: JSON.stringify({ authorizer: context.authorizer }) }, durationMs: 1, logs: [] } as never;
      },
    });
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'api-authorizer-'));
    topology = readCloudAssembly(writeAssembly(authStacks()), { region: 'eu-west-2' });
    cognito = await startCognitoLocal({ userPools: topology.userPools ?? [], userPoolClients: topology.userPoolClients ?? [], dataDir });
    identity = await provisionIdentity(topology, cognito);
    api = await startApi();
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await cognito?.stop();
    await rm(dataDir, { recursive: true, force: true });
    removeWrittenAssemblies();
  });

  const get = (path: string, authorization?: string) => fetch(new URL(path, api.url), { headers: authorization === undefined ? {} : { authorization } });

  it('issues RS256 ID tokens for the seeded staff member, with the pool as issuer, the client as audience and the group', async () => {
    const token = await staffIdToken(identity);
    const claims = jwtClaims(token);
    const [pool] = identity.userPools;
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).alg).toBe('RS256');
    expect(claims).toMatchObject({ iss: pool?.issuer, aud: topology.userPoolClients?.[0]?.clientId, token_use: 'id', 'cognito:groups': ['staff'], email: seedUser().username });
  });

  it('passes a staff ID token (raw or Bearer) and hands the function the REST-shaped claims', async () => {
    const token = await staffIdToken(identity);
    for (const header of [token, `Bearer ${token}`]) {
      const response = await get('staff/appointments?date=2031-03-14', header);
      expect(response.status).toBe(200);
      const { authorizer } = (await response.json()) as { authorizer: { claims: Record<string, string> } };
      expect(authorizer.claims).toMatchObject({ 'cognito:groups': 'staff', token_use: 'id', email_verified: 'true', 'cognito:username': expect.any(String) });
      expect(authorizer.claims.exp).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    }
  });

  it('passes a signed-in user in no group (the function decides), without a cognito:groups claim', async () => {
    const response = await get('staff/appointments', `Bearer ${await noGroupIdToken(identity)}`);
    expect(response.status).toBe(200);
    const { authorizer } = (await response.json()) as { authorizer: { claims: Record<string, string> } };
    expect(authorizer.claims['cognito:groups']).toBeUndefined();
  });

  it.each([
    ['no token', async () => undefined],
    ['a forged token', async () => `Bearer ${await forgedIdToken(identity)}`],
    ['an expired token', async () => `Bearer ${await expiredIdToken(identity)}`],
    ['an access token on a method without scopes', async () => `Bearer ${await staffAccessToken(identity)}`],
    ['a malformed header', async () => 'Bearer not-a-token'],
  ])("answers %s with the template's UNAUTHORIZED response, without invoking the function", async (_case, header) => {
    const before = invoked.length;
    const response = await get('staff/appointments', await header());
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.json()).toEqual({ code: 'Unauthorized', message: 'Sign in as staff to use this route', requestId: response.headers.get('x-amzn-requestid') });
    expect(invoked.length).toBe(before);
  });

  it('leaves public routes open, with no authorizer in the event', async () => {
    const response = await fetch(new URL('appointments', api.url), { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ authorizer: null });
  });

  it('keeps the users and groups in the data directory across an identity provider restart', async () => {
    await cognito.stop();
    cognito = await startCognitoLocal({ userPools: topology.userPools ?? [], userPoolClients: topology.userPoolClients ?? [], dataDir });
    identity = await provisionIdentity(topology, cognito);
    const user = seedUser();
    const tokens = await identity.signIn(user.username, user.password);
    expect(jwtClaims(tokens.idToken)['cognito:groups']).toEqual(['staff']);
    await api.stop();
    api = await startApi();
    expect((await get('staff/appointments', tokens.idToken)).status).toBe(200);
  }, 60_000);
});

describe('local identity provider with a prod-like pool (MFA ON, SRP-only client)', () => {
  let dataDir: string;
  let cognito: RunningCognitoLocal;
  let identity: LocalIdentity;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'identity-prod-'));
    const topology = readCloudAssembly(writeAssembly(authStacks({ mfa: 'ON', authFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })), { region: 'eu-west-2' });
    cognito = await startCognitoLocal({ userPools: topology.userPools ?? [], userPoolClients: topology.userPoolClients ?? [], dataDir });
    identity = await provisionIdentity(topology, cognito);
  }, 60_000);

  afterAll(async () => {
    await cognito?.stop();
    await rm(dataDir, { recursive: true, force: true });
    removeWrittenAssemblies();
  });

  it('signs the staff member in through the admin flow, since the client allows no password flow', async () => {
    const user = seedUser();
    await identity.ensureUsers([user]);
    const tokens = await identity.signIn(user.username, user.password);
    expect(tokens.flow).toBe('ADMIN_USER_PASSWORD_AUTH');
    expect(jwtClaims(tokens.idToken)).toMatchObject({ token_use: 'id', 'cognito:groups': ['staff'], iss: identity.userPools[0]?.issuer });
  });

  it("refuses InitiateAuth with a flow the client's ExplicitAuthFlows do not allow, as Cognito does", async () => {
    const user = seedUser();
    const clientId = identity.userPools[0]?.clients[0]?.clientId;
    const call = cognitoIdentityCall(cognito.endpoint, 'InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: user.username, PASSWORD: user.password } });
    await expect(call).rejects.toThrow('InitiateAuth failed: 400 InvalidParameterException USER_PASSWORD_AUTH flow not enabled for this client');
  });

  it('refuses a wrong password and a seed user naming a group the pool lacks', async () => {
    await expect(identity.signIn(seedUser().username, 'wrong-password')).rejects.toThrow(/InitiateAuth failed: 400/);
    await expect(identity.ensureUsers([{ username: 'x@example.com', password: 'Passw0rd-Passw0rd!', groups: ['admins'] }])).rejects.toThrow('belongs to admins, which user pool');
  });
});
