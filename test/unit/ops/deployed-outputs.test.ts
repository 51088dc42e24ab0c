import { STATELESS_OUTPUTS } from '../../../cdk/stacks/stateless-stack';
import { DEPLOYED_OUTPUTS, queueArnFromUrl } from '../../../ops/dlq/resolve-queues';

describe('the DLQ tool and the stateless stack agree', () => {
  it('reads only outputs the stack declares, under the same keys', () => {
    for (const [name, key] of Object.entries(DEPLOYED_OUTPUTS)) {
      expect(STATELESS_OUTPUTS[name as keyof typeof STATELESS_OUTPUTS]).toBe(key);
    }
  });

  it('derives a queue ARN from its URL', () => {
    expect(queueArnFromUrl('https://sqs.eu-west-2.amazonaws.com/123456789012/notifications-dlq', 'eu-west-2')).toBe(
      'arn:aws:sqs:eu-west-2:123456789012:notifications-dlq',
    );
    expect(() => queueArnFromUrl('https://example.com/not-a-queue', 'eu-west-2')).toThrow('not an SQS queue URL');
  });
});
