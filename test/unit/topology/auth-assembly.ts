import { CODE_ASSET, type FixtureStack } from './assembly-builder';

/**
 * Stacks shaped like the project's security model (the shapes the CDK app synthesizes): a stateful
 * stack with the staff user pool, its client and `staff` group and the manage-token secret, all
 * exported; a stateless stack whose REST API guards the staff routes with a COGNITO_USER_POOLS
 * authorizer and has UNAUTHORIZED/ACCESS_DENIED gateway responses.
 */
export function authStacks(options: { mfa?: 'ON' | 'OPTIONAL' | 'OFF'; authFlows?: string[] } = {}): FixtureStack[] {
  const stateful: FixtureStack = {
    name: 'Auth-Stateful',
    template: {
      Resources: {
        StaffPool1A2B3C4D: {
          Type: 'AWS::Cognito::UserPool',
          Properties: {
            AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
            MfaConfiguration: options.mfa ?? 'OPTIONAL',
            UsernameAttributes: ['email'],
            AutoVerifiedAttributes: ['email'],
            Policies: { PasswordPolicy: { MinimumLength: 12, RequireSymbols: true } },
          },
        },
        StaffPoolWebClient5E6F7A8B: {
          Type: 'AWS::Cognito::UserPoolClient',
          Properties: {
            UserPoolId: { Ref: 'StaffPool1A2B3C4D' },
            GenerateSecret: false,
            ExplicitAuthFlows: options.authFlows ?? ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
            AccessTokenValidity: 60,
            IdTokenValidity: 60,
            TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes' },
          },
        },
        StaffGroup9C0D1E2F: { Type: 'AWS::Cognito::UserPoolGroup', Properties: { UserPoolId: { Ref: 'StaffPool1A2B3C4D' }, GroupName: 'staff', Precedence: 1 } },
        ManageTokenKey3A4B5C6D: {
          Type: 'AWS::SecretsManager::Secret',
          Properties: { Description: 'manage-token HMAC key', GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } },
        },
      },
      Outputs: {
        PoolArn: { Value: { 'Fn::GetAtt': ['StaffPool1A2B3C4D', 'Arn'] }, Export: { Name: 'Auth-Stateful:PoolArn' } },
        PoolId: { Value: { Ref: 'StaffPool1A2B3C4D' }, Export: { Name: 'Auth-Stateful:PoolId' } },
        ClientId: { Value: { Ref: 'StaffPoolWebClient5E6F7A8B' }, Export: { Name: 'Auth-Stateful:ClientId' } },
        SecretArn: { Value: { Ref: 'ManageTokenKey3A4B5C6D' }, Export: { Name: 'Auth-Stateful:SecretArn' } },
      },
    },
  };
  const method = (logicalId: string, httpMethod: string, resource: string, auth: Record<string, unknown>): Record<string, unknown> => ({
    [logicalId]: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        RestApiId: { Ref: 'Api' },
        ResourceId: { Ref: resource },
        HttpMethod: httpMethod,
        ...auth,
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: { 'Fn::Join': ['', ['arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': ['Fn', 'Arn'] }, '/invocations']] } },
      },
    },
  });
  const cognito = { AuthorizationType: 'COGNITO_USER_POOLS', AuthorizerId: { Ref: 'StaffAuthorizer' } };
  const stateless: FixtureStack = {
    name: 'Auth-Stateless',
    dependencies: ['Auth-Stateful'],
    assets: CODE_ASSET,
    template: {
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Runtime: 'nodejs22.x',
            Handler: 'index.handler',
            Code: { S3Bucket: 'b', S3Key: 'code.zip' },
            Environment: { Variables: { MANAGE_TOKEN_SECRET_ARN: { 'Fn::ImportValue': 'Auth-Stateful:SecretArn' }, STAFF_POOL_ID: { 'Fn::ImportValue': 'Auth-Stateful:PoolId' } } },
          },
        },
        Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'auth-api' } },
        Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, StageName: 'dev' } },
        Appointments: { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: { Ref: 'Api' }, ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: 'appointments' } },
        Staff: { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: { Ref: 'Api' }, ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: 'staff' } },
        StaffAppointments: { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: { Ref: 'Api' }, ParentId: { Ref: 'Staff' }, PathPart: 'appointments' } },
        StaffAuthorizer: {
          Type: 'AWS::ApiGateway::Authorizer',
          Properties: {
            RestApiId: { Ref: 'Api' },
            Name: 'StaffAuthorizer',
            Type: 'COGNITO_USER_POOLS',
            IdentitySource: 'method.request.header.Authorization',
            ProviderARNs: [{ 'Fn::ImportValue': 'Auth-Stateful:PoolArn' }],
          },
        },
        ...method('PostAppointments', 'POST', 'Appointments', { AuthorizationType: 'NONE' }),
        ...method('GetStaffAppointments', 'GET', 'StaffAppointments', cognito),
        Unauthorized: {
          Type: 'AWS::ApiGateway::GatewayResponse',
          Properties: {
            RestApiId: { Ref: 'Api' },
            ResponseType: 'UNAUTHORIZED',
            StatusCode: '401',
            ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
            ResponseTemplates: { 'application/json': '{"code":"Unauthorized","message":"Sign in as staff to use this route","requestId":"$context.requestId"}' },
          },
        },
        AccessDenied: {
          Type: 'AWS::ApiGateway::GatewayResponse',
          Properties: {
            RestApiId: { Ref: 'Api' },
            ResponseType: 'ACCESS_DENIED',
            StatusCode: '403',
            ResponseTemplates: { 'application/json': '{"code":"Forbidden","message":"Staff only","requestId":"$context.requestId"}' },
          },
        },
      },
    },
  };
  return [stateful, stateless];
}
