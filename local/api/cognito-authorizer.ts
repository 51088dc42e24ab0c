import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { CognitoAuthorizerSpec } from '../topology/types';

/**
 * The COGNITO_USER_POOLS authorizer of a REST API method, as API Gateway applies it:
 *
 * - The token is the value of the authorizer's IdentitySource header (`method.request.header.X`,
 *   any case), either the raw JWT or `Bearer <jwt>`: the Cognito guide tells apps to send the
 *   tokens "as bearer tokens to an Authorization header", and REST Cognito authorizers accept the
 *   raw token too (docs.aws.amazon.com/cognito/latest/developerguide/user-pool-accessing-resources-api-gateway-and-lambda.html).
 * - The signature is RS256, checked against the pool's JWKS (`kid` of the token); the keys are
 *   fetched once per pool and again only for an unknown `kid`.
 * - `iss` must be the issuer of one of the authorizer's pools (`ProviderARNs`), `exp` in the future.
 * - A method without AuthorizationScopes takes ID tokens only (`token_use` = `id`); with scopes, an
 *   access token (`token_use` = `access`) whose `scope` holds at least one of them (AWS knowledge
 *   center "api-gateway-cognito-401-unauthorized"; re:Post "need access token as header in cognito").
 * - Client/audience: the authorizer has no client list, so a token of any app client of the pool
 *   passes. Only when the authorizer has an IdentityValidationExpression is `aud` checked: "For
 *   COGNITO_USER_POOLS authorizers, API Gateway will match the aud field of the incoming token
 *   from the client against the specified regular expression ... Otherwise, it will return a 401"
 *   (API Gateway API reference, Authorizer.identityValidationExpression); access tokens, which
 *   have no `aud`, then fail.
 * - Every failure is 401 UNAUTHORIZED (the knowledge-center article lists missing/expired tokens,
 *   wrong issuer and wrong token type/scope all as 401s).
 */

export interface UserPoolKeys {
  /** The issuer its tokens carry locally (the local identity provider's `<endpoint>/<userPoolId>`). */
  issuer: string;
  jwksUri: string;
}

export type JwksFetch = (uri: string) => Promise<{ keys: JsonWebKey[] }>;

const defaultFetch: JwksFetch = async (uri) => {
  const response = await fetch(uri);
  if (!response.ok) throw new Error(`GET ${uri} answered ${response.status}`);
  return (await response.json()) as { keys: JsonWebKey[] };
};

/** Public keys by JWKS URI and `kid`; a URI is fetched again only for a `kid` it did not have. */
export class JwksCache {
  private readonly keys = new Map<string, Map<string, KeyObject>>();
  private readonly pending = new Map<string, Promise<Map<string, KeyObject>>>();
  /** How many times each URI was fetched (tests check the cache with it). */
  readonly fetches = new Map<string, number>();

  constructor(private readonly fetchJwks: JwksFetch = defaultFetch) {}

  async key(uri: string, kid: string): Promise<KeyObject | undefined> {
    const cached = this.keys.get(uri)?.get(kid);
    if (cached) return cached;
    const loaded = await this.load(uri);
    return loaded.get(kid);
  }

  private load(uri: string): Promise<Map<string, KeyObject>> {
    let pending = this.pending.get(uri);
    if (!pending) {
      pending = this.fetchJwks(uri)
        .then((jwks) => {
          const byKid = new Map<string, KeyObject>();
          for (const jwk of Array.isArray(jwks.keys) ? jwks.keys : []) {
            if (typeof jwk.kid !== 'string' || jwk.kty !== 'RSA') continue;
            byKid.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
          }
          this.keys.set(uri, byKid);
          return byKid;
        })
        .finally(() => this.pending.delete(uri));
      this.pending.set(uri, pending);
      this.fetches.set(uri, (this.fetches.get(uri) ?? 0) + 1);
    }
    return pending;
  }
}

export type AuthorizationResult =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; responseType: 'UNAUTHORIZED'; reason: string };

export interface AuthorizeOptions {
  authorizer: CognitoAuthorizerSpec;
  authorizationScopes: readonly string[];
  /** The request's headers as name/value pairs (Node's rawHeaders, paired). */
  headers: ReadonlyArray<readonly [string, string]>;
  /** Issuer and keys of each user pool, by qualified logical id. */
  userPools: ReadonlyMap<string, UserPoolKeys>;
  jwks: JwksCache;
  now?: Date;
}

const deny = (reason: string): AuthorizationResult => ({ ok: false, responseType: 'UNAUTHORIZED', reason });

function decodePart(part: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The JWT in a header value: the raw token or `Bearer <token>`; undefined when it is neither. */
export function tokenFromHeader(value: string): string | undefined {
  const trimmed = value.trim();
  const bearer = /^Bearer\s+(\S+)$/i.exec(trimmed);
  const token = bearer ? bearer[1] : trimmed;
  return token !== undefined && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token) ? token : undefined;
}

export async function authorizeCognito(options: AuthorizeOptions): Promise<AuthorizationResult> {
  const { authorizer } = options;
  const headerName = authorizer.identityHeader.toLowerCase();
  const values = options.headers.filter(([name]) => name.toLowerCase() === headerName).map(([, value]) => value);
  const raw = values[values.length - 1];
  if (raw === undefined || raw.trim() === '') return deny(`no ${authorizer.identityHeader} header`);
  const token = tokenFromHeader(raw);
  if (!token) return deny(`the ${authorizer.identityHeader} header is not a JWT (or "Bearer <JWT>")`);
  const [headerPart, payloadPart, signaturePart] = token.split('.') as [string, string, string];
  const header = decodePart(headerPart);
  const claims = decodePart(payloadPart);
  if (!header || !claims) return deny('the token is not a readable JWT');
  if (header.alg !== 'RS256') return deny(`the token is signed with ${JSON.stringify(header.alg)}, not RS256`);
  if (typeof header.kid !== 'string') return deny('the token header has no kid');

  const poolId = authorizer.userPoolIds.find((id) => options.userPools.get(id)?.issuer === claims.iss);
  const pool = poolId === undefined ? undefined : options.userPools.get(poolId);
  if (!pool) return deny(`the token's issuer ${JSON.stringify(claims.iss)} is not a user pool of authorizer ${authorizer.name}`);
  let key: KeyObject | undefined;
  try {
    key = await options.jwks.key(pool.jwksUri, header.kid);
  } catch (error) {
    return deny(`the pool's signing keys could not be read: ${(error as Error).message}`);
  }
  if (!key) return deny(`no signing key ${header.kid} in the pool's JWKS`);
  const signed = verify('RSA-SHA256', Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, 'base64url'));
  if (!signed) return deny('the token signature does not verify');

  const nowSeconds = (options.now ?? new Date()).getTime() / 1000;
  if (typeof claims.exp !== 'number') return deny('the token has no exp');
  if (claims.exp <= nowSeconds) return deny('the token has expired');

  if (authorizer.identityValidationExpression !== undefined) {
    const aud = claims.aud;
    if (typeof aud !== 'string' || !new RegExp(`^(?:${authorizer.identityValidationExpression})$`).test(aud)) {
      return deny(`the token's aud ${JSON.stringify(aud)} does not match the authorizer's IdentityValidationExpression`);
    }
  }
  if (options.authorizationScopes.length === 0) {
    if (claims.token_use !== 'id') return deny(`the method takes ID tokens (it has no AuthorizationScopes), got token_use ${JSON.stringify(claims.token_use)}`);
  } else {
    if (claims.token_use !== 'access') return deny(`the method has AuthorizationScopes, so it takes access tokens, got token_use ${JSON.stringify(claims.token_use)}`);
    const granted = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (!options.authorizationScopes.some((scope) => granted.includes(scope))) {
      return deny(`the token's scopes (${granted.join(' ') || 'none'}) include none of ${options.authorizationScopes.join(', ')}`);
    }
  }
  return { ok: true, claims };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Fri Jul 29 18:52:53 UTC 2016`: how REST APIs render a token's `exp` and `iat` in the claims. */
export function formatClaimDate(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}

/**
 * `requestContext.authorizer.claims` as a REST API (payload v1) hands them to the function: a flat
 * map of strings. Numbers and booleans become their text (`"auth_time": "1469814773"`,
 * `"email_verified": "true"`), `exp` and `iat` dates (`"Fri Jul 29 18:52:53 UTC 2016"`), as in the
 * claims API Gateway passed in amazon-archives/amazon-cognito-identity-js#92. A list claim, above
 * all `cognito:groups`, becomes its items joined by commas (`"staff"`, `"staff,admins"`); functions
 * split it on `,` (aws/chalice#783). HTTP APIs (payload v2, `authorizer.jwt.claims`) render lists
 * differently (`"[staff admins]"`); that is not what this REST API does.
 */
export function restApiClaims(claims: Record<string, unknown>): Record<string, string> {
  const rendered: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === null || value === undefined) continue;
    if ((name === 'exp' || name === 'iat') && typeof value === 'number') rendered[name] = formatClaimDate(value);
    else if (Array.isArray(value)) rendered[name] = value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(',');
    else if (typeof value === 'object') rendered[name] = JSON.stringify(value);
    else rendered[name] = String(value);
  }
  return rendered;
}
