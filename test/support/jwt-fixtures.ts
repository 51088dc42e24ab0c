import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** RS256 keys and tokens for authorizer tests: a pool's key pair and a way to sign claims with any key. */
export interface TestSigningKey {
  kid: string;
  privateKey: KeyObject;
  /** The public half as a JWK, as a pool's JWKS serves it. */
  jwk: Record<string, unknown>;
}

export function newSigningKey(kid: string): TestSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, alg: 'RS256', use: 'sig' } };
}

/** A private key given as PEM (cognito-local's own key, to sign tokens it would accept). */
export function signingKeyFromPem(kid: string, pem: string): TestSigningKey {
  const privateKey = createPrivateKey(pem);
  return { kid, privateKey, jwk: {} };
}

export function signJwt(claims: Record<string, unknown>, key: Pick<TestSigningKey, 'kid' | 'privateKey'>, header: Record<string, unknown> = {}): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = encode({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header });
  const body = encode(claims);
  const signature = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key.privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}

/** The claims of a JWT, unverified. */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
