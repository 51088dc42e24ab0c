import { refusedAuthFlow } from '../../../local/emulators/cognito-local';
import type { UserPoolClientSpec } from '../../../local/topology/types';

const client = (clientId: string, explicitAuthFlows: string[]): UserPoolClientSpec => ({ id: `S/${clientId}`, userPoolId: 'S/Pool', clientName: clientId, clientId, generateSecret: false, explicitAuthFlows, allowedOAuthScopes: [] });
const clients = [client('dev', ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']), client('prod', ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']), client('defaults', [])];
const initiate = (ClientId: string, AuthFlow: string) => refusedAuthFlow(clients, 'AWSCognitoIdentityProviderService.InitiateAuth', { ClientId, AuthFlow });

describe("the identity provider's ExplicitAuthFlows guard", () => {
  it('lets through the flows a client allows', () => {
    expect(initiate('dev', 'USER_PASSWORD_AUTH')).toBeUndefined();
    expect(initiate('prod', 'REFRESH_TOKEN_AUTH')).toBeUndefined();
    expect(initiate('defaults', 'USER_SRP_AUTH')).toBeUndefined();
  });

  it("refuses the password flow to a client without ALLOW_USER_PASSWORD_AUTH (and to Cognito's defaults)", () => {
    expect(initiate('prod', 'USER_PASSWORD_AUTH')).toBe('USER_PASSWORD_AUTH flow not enabled for this client');
    expect(initiate('defaults', 'USER_PASSWORD_AUTH')).toBe('USER_PASSWORD_AUTH flow not enabled for this client');
  });

  it('leaves other operations, unknown clients and admin sign-in alone', () => {
    expect(refusedAuthFlow(clients, 'AWSCognitoIdentityProviderService.AdminInitiateAuth', { ClientId: 'prod', AuthFlow: 'ADMIN_USER_PASSWORD_AUTH' })).toBeUndefined();
    expect(initiate('someone-else', 'USER_PASSWORD_AUTH')).toBeUndefined();
    expect(refusedAuthFlow(clients, undefined, undefined)).toBeUndefined();
  });
});
