import { cognitoIdentityCall, type RunningCognitoLocal } from '../emulators/cognito-local';
import type { Topology } from '../topology/types';

/** A user to create in a local user pool (product seed data lives in its own file). */
export interface SeedUser {
  username: string;
  password: string;
  /** Groups of the pool to add the user to (each must be a group the template defines). */
  groups: string[];
  /** User attributes, e.g. `{ "email": "...", "email_verified": "true" }`. */
  attributes?: Record<string, string>;
}

export interface LocalUserPool {
  /** Qualified logical id. */
  id: string;
  userPoolId: string;
  /** The `iss` of its tokens locally; the authorizer accepts this issuer for the pool. */
  issuer: string;
  jwksUri: string;
  clients: Array<{ clientId: string; clientName: string; explicitAuthFlows: string[] }>;
  groups: string[];
}

export interface SignInTokens {
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  /** How the tokens were obtained. */
  flow: 'USER_PASSWORD_AUTH' | 'ADMIN_USER_PASSWORD_AUTH';
  clientId: string;
}

export interface LocalIdentity {
  /** The local identity provider's endpoint (Cognito's API, JSON 1.1). */
  endpoint: string;
  userPools: LocalUserPool[];
  /** Creates the users that do not exist yet (password permanent, no invitation sent) and adds them to their groups. */
  ensureUsers(users: readonly SeedUser[], userPoolId?: string): Promise<void>;
  /** Signs a user in and returns the pool's tokens. */
  signIn(username: string, password: string, userPoolId?: string): Promise<SignInTokens>;
}

/** The pool with that local id or qualified logical id, or the only pool. */
export function choosePool(pools: readonly LocalUserPool[], userPoolId?: string): LocalUserPool {
  if (userPoolId !== undefined) {
    const pool = pools.find((candidate) => candidate.userPoolId === userPoolId || candidate.id === userPoolId);
    if (!pool) throw new Error(`no user pool ${userPoolId}; the assembly's pools: ${pools.map((candidate) => `${candidate.userPoolId} (${candidate.id})`).join(', ') || 'none'}`);
    return pool;
  }
  if (pools.length === 1) return pools[0] as LocalUserPool;
  throw new Error(pools.length === 0 ? 'the assembly defines no Cognito user pool' : `the assembly defines ${pools.length} user pools; name one: ${pools.map((pool) => pool.userPoolId).join(', ')}`);
}

/**
 * Sign-in as a client would do it: USER_PASSWORD_AUTH through an app client whose
 * ExplicitAuthFlows allow it (dev). When no client allows it (SRP only, which the local identity
 * provider cannot do), the admin flow ADMIN_USER_PASSWORD_AUTH is used instead: a local shortcut
 * to the same tokens, as cognito-local grants it to any client.
 */
export async function signInUser(endpoint: string, pool: LocalUserPool, username: string, password: string): Promise<SignInTokens> {
  const passwordClient = pool.clients.find((client) => client.explicitAuthFlows.includes('ALLOW_USER_PASSWORD_AUTH') || client.explicitAuthFlows.includes('USER_PASSWORD_AUTH'));
  const client = passwordClient ?? pool.clients[0];
  if (!client) throw new Error(`user pool ${pool.userPoolId} has no app client to sign in with`);
  type Auth = { AuthenticationResult?: { IdToken?: string; AccessToken?: string; RefreshToken?: string }; ChallengeName?: string };
  const result = passwordClient
    ? await cognitoIdentityCall<Auth>(endpoint, 'InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: client.clientId, AuthParameters: { USERNAME: username, PASSWORD: password } })
    : await cognitoIdentityCall<Auth>(endpoint, 'AdminInitiateAuth', {
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        UserPoolId: pool.userPoolId,
        ClientId: client.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      });
  const tokens = result.AuthenticationResult;
  if (!tokens?.IdToken || !tokens.AccessToken) {
    throw new Error(`signing ${username} in gave no tokens${result.ChallengeName ? ` but the challenge ${result.ChallengeName} (the local identity provider cannot answer it)` : ''}`);
  }
  return {
    idToken: tokens.IdToken,
    accessToken: tokens.AccessToken,
    ...(tokens.RefreshToken ? { refreshToken: tokens.RefreshToken } : {}),
    flow: passwordClient ? 'USER_PASSWORD_AUTH' : 'ADMIN_USER_PASSWORD_AUTH',
    clientId: client.clientId,
  };
}

const isType = (error: unknown, type: string): boolean => (error as { type?: string }).type === type;

/** Creates the template's groups in the local pools and returns what the runtime tells about them. */
export async function provisionIdentity(topology: Topology, cognito: RunningCognitoLocal): Promise<LocalIdentity> {
  const pools: LocalUserPool[] = (topology.userPools ?? []).map((pool) => ({
    id: pool.id,
    userPoolId: pool.userPoolId,
    issuer: cognito.issuer(pool.userPoolId),
    jwksUri: cognito.jwksUri(pool.userPoolId),
    clients: (topology.userPoolClients ?? [])
      .filter((client) => client.userPoolId === pool.id)
      .map((client) => ({ clientId: client.clientId, clientName: client.clientName, explicitAuthFlows: client.explicitAuthFlows })),
    groups: (topology.userPoolGroups ?? []).filter((group) => group.userPoolId === pool.id).map((group) => group.groupName),
  }));
  for (const pool of pools) {
    // Groups kept from an earlier run in the data directory stay as they are (with their members).
    const existing = await cognitoIdentityCall<{ Groups?: Array<{ GroupName?: string }> }>(cognito.endpoint, 'ListGroups', { UserPoolId: pool.userPoolId });
    const names = new Set((existing.Groups ?? []).map((group) => group.GroupName));
    for (const group of (topology.userPoolGroups ?? []).filter((candidate) => candidate.userPoolId === pool.id && !names.has(candidate.groupName))) {
      await cognitoIdentityCall(cognito.endpoint, 'CreateGroup', {
        UserPoolId: pool.userPoolId,
        GroupName: group.groupName,
        ...(group.description !== undefined ? { Description: group.description } : {}),
        ...(group.precedence !== undefined ? { Precedence: group.precedence } : {}),
      });
    }
  }
  const endpoint = cognito.endpoint;
  return {
    endpoint,
    userPools: pools,
    ensureUsers: async (users, userPoolId) => {
      const pool = choosePool(pools, userPoolId);
      for (const user of users) {
        const missing = user.groups.filter((group) => !pool.groups.includes(group));
        if (missing.length > 0) throw new Error(`seed user ${user.username} belongs to ${missing.join(', ')}, which user pool ${pool.id} does not define (its groups: ${pool.groups.join(', ') || 'none'})`);
        try {
          await cognitoIdentityCall(endpoint, 'AdminCreateUser', {
            UserPoolId: pool.userPoolId,
            Username: user.username,
            MessageAction: 'SUPPRESS',
            UserAttributes: Object.entries(user.attributes ?? {}).map(([Name, Value]) => ({ Name, Value })),
          });
        } catch (error) {
          if (!isType(error, 'UsernameExistsException')) throw error;
        }
        await cognitoIdentityCall(endpoint, 'AdminSetUserPassword', { UserPoolId: pool.userPoolId, Username: user.username, Password: user.password, Permanent: true });
        for (const group of user.groups) await cognitoIdentityCall(endpoint, 'AdminAddUserToGroup', { UserPoolId: pool.userPoolId, Username: user.username, GroupName: group });
      }
    },
    signIn: (username, password, userPoolId) => signInUser(endpoint, choosePool(pools, userPoolId), username, password),
  };
}
