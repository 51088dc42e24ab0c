import seed from './seed-staff-users.json';
import type { SeedUser } from '../local/runtime/local-identity';

/**
 * The product's local sign-in users: one staff member (group `staff`) and one valid user in no
 * group (for tests that a signed-in non-member is refused). Local only: the deployed pool has no
 * seeded users (administrators create staff accounts).
 */
export const SEED_STAFF_USERS: readonly SeedUser[] = seed as SeedUser[];

/** The seed user with that user name, or the first member of `group`. */
export function seedUser(options: { username?: string; group?: string } = {}): SeedUser {
  const user =
    options.username !== undefined
      ? SEED_STAFF_USERS.find((candidate) => candidate.username === options.username)
      : SEED_STAFF_USERS.find((candidate) => candidate.groups.includes(options.group ?? 'staff'));
  if (!user) {
    throw new Error(`no seed user ${options.username ?? `in group ${options.group ?? 'staff'}`}; seed users: ${SEED_STAFF_USERS.map((candidate) => candidate.username).join(', ')}`);
  }
  return user;
}

/**
 * An ID token of the seeded staff member, for local tools that act as staff (seeding contacts, the
 * benchmark): makes sure the seed users exist, then signs in.
 */
export async function seededStaffIdToken(identity: { ensureUsers(users: readonly SeedUser[]): Promise<void>; signIn(username: string, password: string): Promise<{ idToken: string }> } | undefined): Promise<string> {
  if (!identity) throw new Error('the assembly defines no Cognito user pool, so there is no staff sign-in to act as');
  await identity.ensureUsers(SEED_STAFF_USERS);
  const staff = seedUser({ group: 'staff' });
  return (await identity.signIn(staff.username, staff.password)).idToken;
}
