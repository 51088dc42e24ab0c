import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { PATIENT_VISIBLE_CHANGE_FILTER_PATTERNS } from '../../../cdk/constructs/appointment-pipe';
import { StatefulStack } from '../../../cdk/stacks/stateful-stack';
import { pipeOfTemplate, resolveDeployedReplay, STATEFUL_REPLAY_OUTPUTS } from '../../../ops/dlq/resolve-replay';

const pattern = JSON.stringify(PATIENT_VISIBLE_CHANGE_FILTER_PATTERNS[0]);
const templateWith = (pipeProperties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Resources: { Pipe: { Type: 'AWS::Pipes::Pipe', Properties: pipeProperties }, ...extra } });

describe('replay: resolving a deployed environment', () => {
  it('reads only stateful outputs the stack declares', () => {
    const stack = new StatefulStack(new App(), 'Dev-Stateful', { removalPolicy: RemovalPolicy.DESTROY, pointInTimeRecovery: false, deletionProtection: false, resourcePrefix: 'lj-dentists-dev', staffMfa: 'OPTIONAL', staffPasswordAuthFlow: true });
    const outputs = Object.keys(Template.fromStack(stack).findOutputs('*'));
    for (const key of Object.values(STATEFUL_REPLAY_OUTPUTS)) expect(outputs).toContain(key);
  });

  it('takes the filter from the deployed pipe, and refuses what replay cannot reproduce', () => {
    expect(pipeOfTemplate(templateWith({ SourceParameters: { FilterCriteria: { Filters: [{ Pattern: pattern }] } } }), 'S')).toEqual({ filterPatterns: [pattern] });
    expect(pipeOfTemplate(templateWith({}), 'S')).toEqual({ filterPatterns: [] });
    expect(() => pipeOfTemplate(templateWith({ TargetParameters: { InputTemplate: '{"id": <$.id>}' } }), 'S')).toThrow('input template');
    expect(() => pipeOfTemplate(templateWith({}, { Other: { Type: 'AWS::Pipes::Pipe' } }), 'S')).toThrow('defines 2 pipes');
    expect(() => pipeOfTemplate(templateWith({ SourceParameters: { FilterCriteria: { Filters: [{ Pattern: { 'Fn::Join': [] } }] } } }), 'S')).toThrow('not a literal');
    expect(() => pipeOfTemplate('not json', 'S')).toThrow('not JSON');
  });

  it('wires the pipe DLQ, the target queue and the tables from both stacks', async () => {
    const cloudFormation = new CloudFormationClient({ region: 'eu-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockClient(cloudFormation);
    const base = 'https://sqs.eu-west-2.amazonaws.com/123456789012';
    mock.on(DescribeStacksCommand, { StackName: 'Staging-Stateless' }).resolves({
      Stacks: [{ StackName: 'Staging-Stateless', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [
        { OutputKey: 'PipeDeadLetterQueueUrl', OutputValue: `${base}/pipe-dlq` },
        { OutputKey: 'NotificationsQueueUrl', OutputValue: `${base}/notifications` },
      ] }],
    });
    mock.on(DescribeStacksCommand, { StackName: 'Staging-Stateful' }).resolves({
      Stacks: [{ StackName: 'Staging-Stateful', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [
        { OutputKey: 'AppointmentsTableName', OutputValue: 'appointments-t' },
        { OutputKey: 'ContactsTableName', OutputValue: 'contacts-t' },
        { OutputKey: 'NotificationsTableName', OutputValue: 'notifications-t' },
      ] }],
    });
    mock.on(GetTemplateCommand).resolves({ TemplateBody: templateWith({ SourceParameters: { FilterCriteria: { Filters: [{ Pattern: pattern }] } } }) });

    const setup = await resolveDeployedReplay('staging', 'eu-west-2', cloudFormation);

    expect(setup).toEqual({
      environment: 'staging',
      region: 'eu-west-2',
      targets: [
        {
          label: 'pipe',
          deadLetterQueue: { url: `${base}/pipe-dlq`, arn: 'arn:aws:sqs:eu-west-2:123456789012:pipe-dlq' },
          targetQueueUrl: `${base}/notifications`,
          filterPatterns: [pattern],
          contactsTableName: 'contacts-t',
          appointmentsTableName: 'appointments-t',
          notificationsTableName: 'notifications-t',
        },
      ],
    });

    mock.on(DescribeStacksCommand, { StackName: 'Staging-Stateful' }).resolves({ Stacks: [{ StackName: 'Staging-Stateful', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [] }] });
    await expect(resolveDeployedReplay('staging', 'eu-west-2', cloudFormation)).rejects.toMatchObject({ code: 'StackOutputsMissing' });
  });
});
