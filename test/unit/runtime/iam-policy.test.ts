import { statementsAllow } from '../../../local/runtime/iam-policy';
import type { IamStatementSpec } from '../../../local/topology';

const allow = (actions: string[], resources: string[], conditional = false): IamStatementSpec => ({ effect: 'Allow', actions, resources, conditional });
const deny = (actions: string[], resources: string[]): IamStatementSpec => ({ effect: 'Deny', actions, resources, conditional: false });
const QUEUE = 'arn:aws:sqs:eu-west-2:000000000000:Dev-Stateless-NotificationsQueue';

describe('statementsAllow (the local Scheduler permission check)', () => {
  it('allows only a matching action on a matching resource', () => {
    const statements = [allow(['sqs:SendMessage'], [QUEUE])];
    expect(statementsAllow(statements, 'sqs:SendMessage', QUEUE)).toBe(true);
    expect(statementsAllow(statements, 'sqs:sendmessage', QUEUE)).toBe(true);
    expect(statementsAllow(statements, 'sqs:ReceiveMessage', QUEUE)).toBe(false);
    expect(statementsAllow(statements, 'sqs:SendMessage', `${QUEUE}-other`)).toBe(false);
    expect(statementsAllow([], 'sqs:SendMessage', QUEUE)).toBe(false);
  });

  it('matches * and ? wildcards, resources case-sensitively', () => {
    expect(statementsAllow([allow(['sqs:Send*'], ['arn:aws:sqs:*:000000000000:Dev-*'])], 'sqs:SendMessage', QUEUE)).toBe(true);
    expect(statementsAllow([allow(['sqs:SendMessag?'], [QUEUE])], 'sqs:SendMessage', QUEUE)).toBe(true);
    expect(statementsAllow([allow(['*'], ['*'])], 'kms:GenerateDataKey', 'arn:aws:kms:eu-west-2:000000000000:key/k')).toBe(true);
    expect(statementsAllow([allow(['sqs:SendMessage'], [QUEUE.toLowerCase()])], 'sqs:SendMessage', QUEUE)).toBe(false);
    // Regex characters in an ARN are literal.
    expect(statementsAllow([allow(['sqs:SendMessage'], ['arn:aws:sqs:eu-west-2:000000000000:a.b'])], 'sqs:SendMessage', 'arn:aws:sqs:eu-west-2:000000000000:aXb')).toBe(false);
  });

  it('lets an explicit Deny win, and never counts a conditional Allow', () => {
    expect(statementsAllow([allow(['sqs:*'], ['*']), deny(['sqs:SendMessage'], [QUEUE])], 'sqs:SendMessage', QUEUE)).toBe(false);
    expect(statementsAllow([allow(['sqs:SendMessage'], [QUEUE], true)], 'sqs:SendMessage', QUEUE)).toBe(false);
  });
});
