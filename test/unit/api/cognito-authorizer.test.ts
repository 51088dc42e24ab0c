import type { JsonWebKey } from 'node:crypto';
import { authorizeCognito, formatClaimDate, JwksCache, restApiClaims, tokenFromHeader, type AuthorizationResult } from '../../../local/api/cognito-authorizer';
import type { CognitoAuthorizerSpec } from '../../../local/topology/types';
import { newSigningKey, signJwt } from '../../support/jwt-fixtures';

const poolKey = newSigningKey('pool-key-1');
const otherKey = newSigningKey('pool-key-1'); // same kid, another key: a forgery
const ISSUER = 'http://127.0.0.1:9229/eu-west-2_abc123def';
const JWKS_URI = `${ISSUER}/.well-known/jwks.json`;
const authorizer: CognitoAuthorizerSpec = { id: 'S/Authorizer', name: 'StaffAuthorizer', type: 'COGNITO_USER_POOLS', identityHeader: 'Authorization', userPoolIds: ['S/Pool'] };
const userPools = new Map([['S/Pool', { issuer: ISSUER, jwksUri: JWKS_URI }]]);
const NOW = new Date('2031-03-14T09:30:00Z');
const nowSeconds = NOW.getTime() / 1000;

function idClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: 'user-1', 'cognito:username': 'staff@example.com', 'cognito:groups': ['staff'], token_use: 'id', aud: 'client-abc', iss: ISSUER, iat: nowSeconds - 60, exp: nowSeconds + 3600, email_verified: true, ...overrides };
}

function jwks(): { cache: JwksCache; fetches: () => number } {
  const cache = new JwksCache(async (uri) => {
    if (uri !== JWKS_URI) throw new Error(`unexpected JWKS ${uri}`);
    return { keys: [poolKey.jwk as JsonWebKey] };
  });
  return { cache, fetches: () => cache.fetches.get(JWKS_URI) ?? 0 };
}

async function authorize(headers: Array<[string, string]>, options: { scopes?: string[]; spec?: CognitoAuthorizerSpec; cache?: JwksCache } = {}): Promise<AuthorizationResult> {
  return authorizeCognito({ authorizer: options.spec ?? authorizer, authorizationScopes: options.scopes ?? [], headers, userPools, jwks: options.cache ?? jwks().cache, now: NOW });
}

const reasonOf = (result: AuthorizationResult): string => (result.ok ? 'allowed' : result.reason);

describe('COGNITO_USER_POOLS authorizer', () => {
  it('accepts an ID token signed by the pool, raw or as a Bearer token, and returns its claims', async () => {
    const token = signJwt(idClaims(), poolKey);
    for (const value of [token, `Bearer ${token}`, `bearer   ${token}`]) {
      const result = await authorize([['authorization', value]]);
      expect(result).toEqual({ ok: true, claims: idClaims() });
    }
  });

  it('reads the header the IdentitySource names, in any case', async () => {
    const spec = { ...authorizer, identityHeader: 'X-Staff-Token' };
    const token = signJwt(idClaims(), poolKey);
    expect((await authorize([['x-staff-token', token]], { spec })).ok).toBe(true);
    expect(reasonOf(await authorize([['Authorization', token]], { spec }))).toBe('no X-Staff-Token header');
  });

  it.each([
    ['missing header', [] as Array<[string, string]>, 'no Authorization header'],
    ['empty header', [['Authorization', '  ']] as Array<[string, string]>, 'no Authorization header'],
    ['not a JWT', [['Authorization', 'Basic dXNlcjpwYXNz']] as Array<[string, string]>, 'is not a JWT'],
    ['two parts only', [['Authorization', 'Bearer abc.def']] as Array<[string, string]>, 'is not a JWT'],
    ['parts that are not JSON', [['Authorization', 'Bearer abc.def.ghi']] as Array<[string, string]>, 'not a readable JWT'],
  ])('refuses a request with a %s (401)', async (_case, headers, reason) => {
    const result = await authorize(headers);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.responseType).toBe('UNAUTHORIZED');
    expect(reasonOf(result)).toContain(reason);
  });

  it('refuses a token signed by another key with the pool key id', async () => {
    expect(reasonOf(await authorize([['Authorization', signJwt(idClaims(), otherKey)]]))).toBe('the token signature does not verify');
  });

  it('refuses a token whose kid the pool does not publish', async () => {
    expect(reasonOf(await authorize([['Authorization', signJwt(idClaims(), { ...otherKey, kid: 'unknown' })]]))).toBe('no signing key unknown in the pool\'s JWKS');
  });

  it('refuses an unsigned (alg none) or HMAC token', async () => {
    const [head, body] = signJwt(idClaims(), poolKey).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: poolKey.kid })).toString('base64url')}.${body}.`;
    expect(reasonOf(await authorize([['Authorization', `${none}x`]]))).toContain('not RS256');
    expect(reasonOf(await authorize([['Authorization', signJwt(idClaims(), poolKey, { alg: 'HS256' })]]))).toContain('not RS256');
    expect(head).toBeDefined();
  });

  it('refuses a token of another issuer', async () => {
    const result = await authorize([['Authorization', signJwt(idClaims({ iss: 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_other' }), poolKey)]]);
    expect(reasonOf(result)).toContain('is not a user pool of authorizer StaffAuthorizer');
  });

  it('refuses an expired token and one without exp', async () => {
    expect(reasonOf(await authorize([['Authorization', signJwt(idClaims({ exp: nowSeconds - 1 }), poolKey)]]))).toBe('the token has expired');
    expect(reasonOf(await authorize([['Authorization', signJwt(idClaims({ exp: nowSeconds }), poolKey)]]))).toBe('the token has expired');
    expect(reasonOf(await authorize([['Authorization', signJwt(idClaims({ exp: undefined }), poolKey)]]))).toBe('the token has no exp');
  });

  it('takes only ID tokens on a method without AuthorizationScopes', async () => {
    const access = signJwt(idClaims({ token_use: 'access', aud: undefined, client_id: 'client-abc', scope: 'aws.cognito.signin.user.admin' }), poolKey);
    expect(reasonOf(await authorize([['Authorization', access]]))).toContain('takes ID tokens');
  });

  it('takes only access tokens holding one of the scopes on a method with AuthorizationScopes', async () => {
    const scopes = ['staff/read', 'aws.cognito.signin.user.admin'];
    const access = (scope: string) => signJwt(idClaims({ token_use: 'access', aud: undefined, client_id: 'client-abc', scope }), poolKey);
    expect((await authorize([['Authorization', access('openid aws.cognito.signin.user.admin')]], { scopes })).ok).toBe(true);
    expect(reasonOf(await authorize([['Authorization', access('openid email')]], { scopes }))).toContain('include none of staff/read, aws.cognito.signin.user.admin');
    expect(reasonOf(await authorize([['Authorization', signJwt(idClaims(), poolKey)]], { scopes }))).toContain('takes access tokens');
  });

  it('checks aud against IdentityValidationExpression (whole match), which access tokens never pass', async () => {
    const spec = { ...authorizer, identityValidationExpression: 'client-a.c' };
    expect((await authorize([['Authorization', signJwt(idClaims(), poolKey)]], { spec })).ok).toBe(true);
    expect(reasonOf(await authorize([['Authorization', signJwt(idClaims({ aud: 'client-abc-2' }), poolKey)]], { spec }))).toContain('IdentityValidationExpression');
    const access = signJwt(idClaims({ token_use: 'access', aud: undefined, scope: 'x' }), poolKey);
    expect(reasonOf(await authorize([['Authorization', access]], { spec, scopes: ['x'] }))).toContain('IdentityValidationExpression');
  });

  it('fetches a pool\'s JWKS once for many requests, and again for an unknown kid', async () => {
    const { cache, fetches } = jwks();
    for (let index = 0; index < 3; index += 1) await authorize([['Authorization', signJwt(idClaims(), poolKey)]], { cache });
    expect(fetches()).toBe(1);
    await authorize([['Authorization', signJwt(idClaims(), { ...poolKey, kid: 'rotated' })]], { cache });
    expect(fetches()).toBe(2);
  });
});

describe('REST API claims', () => {
  it('renders every claim as a string: lists joined by commas, exp/iat as dates, numbers and booleans as text', () => {
    expect(restApiClaims({ 'cognito:groups': ['staff', 'admins'], exp: 1469814773, iat: 1469811173, auth_time: 1469811173, email_verified: true, sub: 'u', address: { formatted: 'x' } })).toEqual({
      'cognito:groups': 'staff,admins',
      exp: 'Fri Jul 29 17:52:53 UTC 2016',
      iat: 'Fri Jul 29 16:52:53 UTC 2016',
      auth_time: '1469811173',
      email_verified: 'true',
      sub: 'u',
      address: '{"formatted":"x"}',
    });
    expect(formatClaimDate(0)).toBe('Thu Jan 01 00:00:00 UTC 1970');
  });

  it('finds the token in a header value', () => {
    expect(tokenFromHeader('Bearer a.b.c')).toBe('a.b.c');
    expect(tokenFromHeader(' a.b.c ')).toBe('a.b.c');
    expect(tokenFromHeader('Bearer a.b.c extra')).toBeUndefined();
    expect(tokenFromHeader('Token a.b.c')).toBeUndefined();
  });
});
