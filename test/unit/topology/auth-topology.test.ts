import { readCloudAssembly } from '../../../local/topology';
import { removeWrittenAssemblies, writeAssembly, type FixtureStack } from './assembly-builder';
import { authStacks } from './auth-assembly';

afterAll(() => removeWrittenAssemblies());

function read(stacks: FixtureStack[] = authStacks()) {
  return readCloudAssembly(writeAssembly(stacks), { region: 'eu-west-2' });
}

function edited(edit: (resources: Record<string, { Type: string; Properties: Record<string, unknown> }>) => void): FixtureStack[] {
  const stacks = authStacks();
  for (const stack of stacks) edit((stack.template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }).Resources);
  return stacks;
}

describe('topology: user pools, clients, groups, secrets, authorizers', () => {
  it('reads the user pool with its settings and a deterministic local id and ARN', () => {
    const topology = read();
    expect(topology.userPools).toHaveLength(1);
    const [pool] = topology.userPools ?? [];
    expect(pool).toMatchObject({
      id: 'Auth-Stateful/StaffPool1A2B3C4D',
      poolName: 'Auth-Stateful-StaffPool',
      mfaConfiguration: 'OPTIONAL',
      allowAdminCreateUserOnly: true,
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      passwordPolicy: { MinimumLength: 12, RequireSymbols: true },
    });
    expect(pool?.userPoolId).toMatch(/^eu-west-2_[0-9a-f]{9}$/);
    expect(pool?.arn).toBe(`arn:aws:cognito-idp:eu-west-2:000000000000:userpool/${pool?.userPoolId}`);
    expect(read().userPools?.[0]?.userPoolId).toBe(pool?.userPoolId);
  });

  it('reads the app client (ExplicitAuthFlows, validity) and the group, tied to their pool', () => {
    const topology = read();
    expect(topology.userPoolClients).toEqual([
      {
        id: 'Auth-Stateful/StaffPoolWebClient5E6F7A8B',
        userPoolId: 'Auth-Stateful/StaffPool1A2B3C4D',
        clientName: 'Auth-Stateful-StaffPoolWebClient',
        clientId: expect.stringMatching(/^[0-9a-f]{26}$/),
        generateSecret: false,
        explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
        allowedOAuthScopes: [],
        accessTokenValidity: 60,
        idTokenValidity: 60,
        tokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes' },
      },
    ]);
    expect(topology.userPoolGroups).toEqual([{ id: 'Auth-Stateful/StaffGroup9C0D1E2F', userPoolId: 'Auth-Stateful/StaffPool1A2B3C4D', groupName: 'staff', precedence: 1 }]);
  });

  it('reads the secret with its generation settings and resolves Ref (through Fn::ImportValue) to its ARN', () => {
    const topology = read();
    const [secret] = topology.secrets ?? [];
    expect(secret).toEqual({
      id: 'Auth-Stateful/ManageTokenKey3A4B5C6D',
      name: 'Auth-Stateful-ManageTokenKey',
      arn: expect.stringMatching(/^arn:aws:secretsmanager:eu-west-2:000000000000:secret:Auth-Stateful-ManageTokenKey-[0-9a-f]{6}$/),
      description: 'manage-token HMAC key',
      generate: {
        passwordLength: 64,
        excludeCharacters: '',
        excludeNumbers: false,
        excludePunctuation: true,
        excludeUppercase: false,
        excludeLowercase: false,
        includeSpace: false,
        requireEachIncludedType: true,
      },
    });
    const fn = topology.functions[0];
    expect(fn?.environment.MANAGE_TOKEN_SECRET_ARN).toBe(secret?.arn);
    expect(fn?.environment.STAFF_POOL_ID).toBe(topology.userPools?.[0]?.userPoolId);
  });

  it('reads the authorizer, each method\'s authorization and the gateway responses', () => {
    const [api] = read().restApis;
    expect(api?.authorizers).toEqual([
      { id: 'Auth-Stateless/StaffAuthorizer', name: 'StaffAuthorizer', type: 'COGNITO_USER_POOLS', identityHeader: 'Authorization', userPoolIds: ['Auth-Stateful/StaffPool1A2B3C4D'] },
    ]);
    expect(api?.routes.map((route) => [route.method, route.resourcePath, route.authorization])).toEqual([
      ['POST', '/appointments', undefined],
      ['GET', '/staff/appointments', { type: 'COGNITO_USER_POOLS', authorizerId: 'Auth-Stateless/StaffAuthorizer', authorizationScopes: [] }],
    ]);
    expect(api?.gatewayResponses).toEqual([
      {
        responseType: 'UNAUTHORIZED',
        statusCode: 401,
        headers: { 'Access-Control-Allow-Origin': "'*'" },
        templates: { 'application/json': '{"code":"Unauthorized","message":"Sign in as staff to use this route","requestId":"$context.requestId"}' },
      },
      { responseType: 'ACCESS_DENIED', statusCode: 403, headers: {}, templates: { 'application/json': '{"code":"Forbidden","message":"Staff only","requestId":"$context.requestId"}' } },
    ]);
  });

  it('follows the template: scopes on a method, another identity header, an authorizer moved to another method', () => {
    const [api] = read(
      edited((resources) => {
        if (resources.GetStaffAppointments) resources.GetStaffAppointments.Properties.AuthorizationScopes = ['staff/read'];
        if (resources.StaffAuthorizer) resources.StaffAuthorizer.Properties.IdentitySource = 'method.request.header.X-Staff-Token';
        if (resources.PostAppointments) Object.assign(resources.PostAppointments.Properties, { AuthorizationType: 'COGNITO_USER_POOLS', AuthorizerId: { Ref: 'StaffAuthorizer' } });
      }),
    ).restApis;
    expect(api?.authorizers?.[0]?.identityHeader).toBe('X-Staff-Token');
    expect(api?.routes.map((route) => route.authorization)).toEqual([
      { type: 'COGNITO_USER_POOLS', authorizerId: 'Auth-Stateless/StaffAuthorizer', authorizationScopes: [] },
      { type: 'COGNITO_USER_POOLS', authorizerId: 'Auth-Stateless/StaffAuthorizer', authorizationScopes: ['staff/read'] },
    ]);
  });

  it('leaves out, with a warning, routes whose authorization is not emulated (AWS_IAM, Lambda authorizers)', () => {
    const topology = read(
      edited((resources) => {
        if (resources.PostAppointments) resources.PostAppointments.Properties.AuthorizationType = 'AWS_IAM';
      }),
    );
    expect(topology.restApis[0]?.routes.map((route) => route.resourcePath)).toEqual(['/staff/appointments']);
    expect(topology.warnings.join('\n')).toContain('POST /appointments (Auth-Stateless/PostAppointments) uses AWS_IAM authorization');
  });

  type Properties = Record<string, unknown>;
  it.each<[string, string, (properties: Properties) => void, string]>([
    ['an IdentitySource that is not a header', 'StaffAuthorizer', (p) => (p.IdentitySource = 'method.request.querystring.token'), 'method.request.header.<Name>'],
    ['a provider that is not a pool of the assembly', 'StaffAuthorizer', (p) => (p.ProviderARNs = ['arn:aws:cognito-idp:eu-west-2:1:userpool/eu-west-2_x']), 'is not a user pool of this assembly'],
    ['a method naming an unknown authorizer', 'GetStaffAppointments', (p) => (p.AuthorizerId = 'nope'), 'nope is not an authorizer of this REST API'],
    ['an MfaConfiguration Cognito does not have', 'StaffPool1A2B3C4D', (p) => (p.MfaConfiguration = 'SOMETIMES'), 'expected OFF, OPTIONAL or ON'],
    ['a secret with both SecretString and GenerateSecretString', 'ManageTokenKey3A4B5C6D', (p) => (p.SecretString = 'x'), 'either SecretString or GenerateSecretString'],
    ['a client of a pool not in the assembly', 'StaffPoolWebClient5E6F7A8B', (p) => (p.UserPoolId = 'eu-west-2_elsewhere'), 'is not a user pool of this assembly'],
  ])('refuses %s with a clear error', (_case, logicalId, edit, message) => {
    const stacks = edited((resources) => {
      const resource = resources[logicalId];
      if (resource) edit(resource.Properties);
    });
    expect(() => read(stacks)).toThrow(message);
  });
});
