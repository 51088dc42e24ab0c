/**
 * `npm run -s staff-token [-- --user <name>] [--password <pw>] [--access] [--pool <id>]`: signs a
 * user in to the running local runtime's identity provider (found through the state file
 * `npm start` writes) and prints the ID token (or, with --access, the access token) alone on
 * stdout, e.g. `TOKEN=$(npm run -s staff-token)` then `curl -H "Authorization: Bearer $TOKEN" ...`.
 * Without --user: the seeded staff member; a seeded user's password is looked up.
 */
import { parseArgs } from 'node:util';
import { choosePool, signInUser } from '../local/runtime/local-identity';
import { DEFAULT_RUNTIME_STATE_FILE, readRuntimeState } from '../local/runtime/runtime-state';
import { SEED_STAFF_USERS, seedUser } from './seed-staff-users';

const USAGE = `Usage: npm run -s staff-token -- [--user <name>] [--password <pw>] [--access] [--pool <userPoolId>] [--state <file>]

Prints an ID token of a user of the running local runtime's user pool (default: the seeded staff
member). Seeded users: ${SEED_STAFF_USERS.map((user) => `${user.username} (${user.groups.join(', ') || 'no group'})`).join(', ')}.`;

async function main(argv: string[]): Promise<number> {
  let values: { user?: string; password?: string; access?: boolean; pool?: string; state?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { user: { type: 'string' }, password: { type: 'string' }, access: { type: 'boolean' }, pool: { type: 'string' }, state: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    console.error(`staff-token: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const state = await readRuntimeState(values.state ?? DEFAULT_RUNTIME_STATE_FILE);
  if (!state) {
    console.error('staff-token: no local runtime is running here (start one with `npm start`)');
    return 1;
  }
  const endpoint = state.endpoints.cognitoIdentityProvider;
  if (!endpoint || !state.userPools || state.userPools.length === 0) {
    console.error('staff-token: the running assembly defines no Cognito user pool');
    return 1;
  }
  const password = values.password ?? (values.user === undefined ? seedUser().password : SEED_STAFF_USERS.find((user) => user.username === values.user)?.password);
  if (password === undefined) {
    console.error(`staff-token: ${values.user} is not a seeded user: give --password`);
    return 2;
  }
  const username = values.user ?? seedUser().username;
  const tokens = await signInUser(endpoint, choosePool(state.userPools, values.pool), username, password);
  console.log(values.access ? tokens.accessToken : tokens.idToken);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`staff-token: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
