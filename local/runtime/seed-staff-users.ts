import seed from './seed-staff-users.json';
import type { SeedUser } from './local-identity';

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
