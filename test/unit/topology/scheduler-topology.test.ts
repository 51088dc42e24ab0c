import { readCloudAssembly } from '../../../local/topology';
import { removeWrittenAssemblies, writeAssembly } from './assembly-builder';

/** The reader's share of the reminders: schedule groups, and the roles Scheduler may assume with their statements. */
describe('readCloudAssembly: EventBridge Scheduler groups and execution roles', () => {
  afterAll(removeWrittenAssemblies);

  const queue = { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } };
  const trust = (service: string, condition?: unknown) => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: service }, ...(condition ? { Condition: condition } : {}) }],
  });
  const template = {
    Resources: {
      Group: { Type: 'AWS::Scheduler::ScheduleGroup', Properties: { Name: 'reminders' } },
      Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {} } },
      Queue: queue,
      Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
      SchedulerRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: trust('scheduler.amazonaws.com', { StringEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['Group', 'Arn'] } } }),
          Policies: [{ PolicyName: 'inline', PolicyDocument: { Statement: { Effect: 'Deny', Action: 'sqs:DeleteMessage', Resource: '*' } } }],
        },
      },
      SchedulerPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'p',
          Roles: [{ Ref: 'SchedulerRole' }],
          PolicyDocument: {
            Statement: [
              { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: [{ 'Fn::GetAtt': ['Queue', 'Arn'] }, { 'Fn::GetAtt': ['Dlq', 'Arn'] }] },
              { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': ['Key', 'Arn'] }, Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
            ],
          },
        },
      },
      LambdaRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust('lambda.amazonaws.com') } },
      LambdaPolicy: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'l', Roles: [{ Ref: 'LambdaRole' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] } } },
    },
  };

  it('reads the group with its ARN, and only the roles scheduler.amazonaws.com may assume, with every statement resolved', () => {
    const topology = readCloudAssembly(writeAssembly([{ name: 'Dev-Stateless', template }]));
    expect(topology.scheduleGroups).toEqual([{ id: 'Dev-Stateless/Group', name: 'reminders', arn: 'arn:aws:scheduler:eu-west-1:000000000000:schedule-group/reminders' }]);
    const keyArn = topology.queues.find((candidate) => candidate.id === 'Dev-Stateless/Queue')?.kmsMasterKeyId;
    expect(keyArn).toMatch(/^arn:aws:kms:eu-west-1:000000000000:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const queueArn = topology.queues.find((candidate) => candidate.id === 'Dev-Stateless/Queue')?.arn;
    const dlqArn = topology.queues.find((candidate) => candidate.id === 'Dev-Stateless/Dlq')?.arn;
    expect(topology.schedulerRoles).toEqual([
      {
        id: 'Dev-Stateless/SchedulerRole',
        roleName: expect.any(String),
        arn: expect.stringMatching(/^arn:aws:iam::000000000000:role\//),
        statements: [
          { effect: 'Deny', actions: ['sqs:DeleteMessage'], resources: ['*'], conditional: false },
          { effect: 'Allow', actions: ['sqs:SendMessage'], resources: [queueArn, dlqArn], conditional: false },
          { effect: 'Allow', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [keyArn], conditional: true },
        ],
      },
    ]);
    // The role ARN is what a Fn::GetAtt [role, Arn] resolves to (e.g. in the notifier's environment).
    expect(topology.schedulerRoles?.[0]?.arn.endsWith(`/${topology.schedulerRoles?.[0]?.roleName}`)).toBe(true);
    expect(topology.warnings.join('\n')).not.toMatch(/AWS::Scheduler::ScheduleGroup/);
  });

  it('refuses a statement that is neither Allow nor Deny, naming where', () => {
    const broken = structuredClone(template) as typeof template;
    (broken.Resources.SchedulerPolicy.Properties.PolicyDocument.Statement[0] as { Effect: string }).Effect = 'Permit';
    expect(() => readCloudAssembly(writeAssembly([{ name: 'Dev-Stateless', template: broken }]))).toThrow(/SchedulerPolicy.*Effect|Permit/s);
  });
});
