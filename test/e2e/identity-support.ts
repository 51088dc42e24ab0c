import { readFileSync } from 'node:fs';
import type { LocalIdentity } from '../../local/runtime/local-identity';
import { SEED_STAFF_USERS, seedUser } from '../../local-app/seed-staff-users';
import { jwtClaims, newSigningKey, signingKeyFromPem, signJwt } from '../support/jwt-fixtures';

/**
 * Tokens for tests against a running local runtime (`runtime.identity`, or the result of
 * `provisionIdentity`): real ones from the local identity provider for the seeded staff member
 * and the seeded user in no group, and two the authorizer must refuse: a forged one (the same
 * claims signed by another key under the pool's key id) and an expired one (signed with the
 * identity provider's own key, so only `exp` is wrong).
 */

function identityOf(identity: LocalIdentity | undefined): LocalIdentity {
  if (!identity) throw new Error('the runtime has no local identity provider: the assembly defines no Cognito user pool');
  return identity;
}

/** Makes sure the seed users exist (idempotent), then signs one in. */
async function signInSeed(identity: LocalIdentity | undefined, user: { username: string; password: string }): Promise<{ idToken: string; accessToken: string }> {
  const local = identityOf(identity);
  await local.ensureUsers(SEED_STAFF_USERS);
  return local.signIn(user.username, user.password);
}

/** ID token of the seeded member of `staff`. */
export async function staffIdToken(identity: LocalIdentity | undefined): Promise<string> {
  return (await signInSeed(identity, seedUser({ group: 'staff' }))).idToken;
}

/** Access token of the seeded member of `staff` (scope `aws.cognito.signin.user.admin`). */
export async function staffAccessToken(identity: LocalIdentity | undefined): Promise<string> {
  return (await signInSeed(identity, seedUser({ group: 'staff' }))).accessToken;
}

/** ID token of the seeded user who belongs to no group: signed in, but not staff. */
export async function noGroupIdToken(identity: LocalIdentity | undefined): Promise<string> {
  const user = SEED_STAFF_USERS.find((candidate) => candidate.groups.length === 0);
  if (!user) throw new Error('the seed users include no user without a group');
  return (await signInSeed(identity, user)).idToken;
}

/** A staff ID token's claims signed by a key the pool never published, under the pool's key id. */
export async function forgedIdToken(identity: LocalIdentity | undefined): Promise<string> {
  const genuine = await staffIdToken(identity);
  const header = JSON.parse(Buffer.from(genuine.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string };
  return signJwt(jwtClaims(genuine), newSigningKey(header.kid));
}

/** A staff ID token that expired a minute ago, signed with the local identity provider's own key. */
export async function expiredIdToken(identity: LocalIdentity | undefined): Promise<string> {
  const genuine = await staffIdToken(identity);
  const header = JSON.parse(Buffer.from(genuine.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string };
  // cognito-local signs every token with the key shipped in its package.
  const { pem } = JSON.parse(readFileSync(require.resolve('cognito-local/lib/keys/cognitoLocal.private.json'), 'utf8')) as { pem: string };
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ ...jwtClaims(genuine), iat: now - 3660, auth_time: now - 3660, exp: now - 60 }, signingKeyFromPem(header.kid, pem));
}

/**
 * Sets a contact's preference as a member of staff (`PUT /staff/contacts/{email}` with the seeded
 * staff member's ID token): what tests that used the open `PUT /contacts/{email}` do now.
 */
export async function putContactAsStaff(runtime: { apiUrl: string; identity: LocalIdentity | undefined }, email: string, preference: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL(`staff/contacts/${encodeURIComponent(email)}`, runtime.apiUrl), {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await staffIdToken(runtime.identity)}` },
    body: JSON.stringify(preference),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
