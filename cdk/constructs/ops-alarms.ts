import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUSINESS_METRICS } from '../../contracts/metrics';
import { PIPE_FAILURE_METRICS } from './appointment-pipe';
import type { BusinessMetricSource } from './service-function';

export const PIPES_METRICS_NAMESPACE = 'AWS/EventBridge/Pipes';

export interface OpsAlarmsProps {
  topicDisplayName: string;
  alarmEmail: string;
  /** Dead-letter queues, by a short name used in the alarm's id and description. */
  deadLetterQueues: Record<string, sqs.IQueue>;
  /** Functions whose errors page ops, by short name. */
  functions: Record<string, lambda.IFunction>;
  pipeName: string;
  /** The notifier's business metrics: alarms on suppressed notifications and on failures that will not heal. */
  notifier: BusinessMetricSource;
  /** Suppressed notifications in one hour above which ops are alarmed. */
  suppressedNotificationsPerHour: number;
}

/**
 * The ops topic (with the ops e-mail subscribed) and the alarms that publish to it: any message in
 * a dead-letter queue, any function error, any failed pipe execution. Each of these means a booking
 * may not have been notified, so each alarms on the first occurrence. And two on the notifier's
 * business metrics: suppressions above a threshold in an hour (the per-recipient cap firing at scale
 * means abuse or a loop) and any permanent notification failure (rejected or invalid message: it
 * will end in the DLQ, this says so before the retries are used up).
 */
export class OpsAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OpsAlarmsProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'Topic', { displayName: props.topicDisplayName, enforceSSL: true });
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'Alarm notifications carry only alarm names and states, no PII; CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer key is not worth its cost here.',
    });
    const action = new cloudwatchActions.SnsAction(this.topic);

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(`${name}DeadLetterMessages`, action, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        alarmDescription: `Messages in the ${name} dead-letter queue: bookings that were not notified. Inspect and redrive with \`npm run dlq\`.`,
      });
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}FunctionErrors`, action, {
        metric: fn.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
        alarmDescription: `The ${name} function failed (unhandled errors or timeouts).`,
      });
    }
    for (const metricName of PIPE_FAILURE_METRICS) {
      this.add(`Pipe${metricName}`, action, {
        metric: new cloudwatch.Metric({
          namespace: PIPES_METRICS_NAMESPACE,
          metricName,
          dimensionsMap: { PipeName: props.pipeName },
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.SUM,
        }),
        alarmDescription: `The appointment pipe reported ${metricName}: records are being retried, and dead-lettered if it persists.`,
      });
    }
    this.add('NotificationsSuppressed', action, {
      metric: props.notifier.businessMetric(BUSINESS_METRICS.notificationsSuppressed, {}, { period: Duration.hours(1) }),
      threshold: props.suppressedNotificationsPerHour,
      alarmDescription: `More than ${props.suppressedNotificationsPerHour} notifications in an hour were suppressed by the per-recipient cap: someone is booking for addresses or numbers not their own, or something resends bookings in a loop.`,
    });
    const permanentFailures = (failure: string) =>
      props.notifier.businessMetric(BUSINESS_METRICS.notificationFailures, { failure }, { period: Duration.minutes(5) });
    this.add('NotificationsFailedPermanently', action, {
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(rejected, 0) + FILL(invalid, 0)',
        usingMetrics: { rejected: permanentFailures('rejected'), invalid: permanentFailures('invalid-message') },
        period: Duration.minutes(5),
        label: 'Permanent notification failures',
      }),
      alarmDescription: 'The notifier failed a notification that retrying will not fix (rejected by SES/SNS, or an invalid message): it will end in the notifications DLQ.',
    });
  }

  private add(id: string, action: cloudwatch.IAlarmAction, options: { metric: cloudwatch.IMetric; alarmDescription: string; threshold?: number }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      alarmDescription: options.alarmDescription,
      threshold: options.threshold ?? 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // These metrics are absent, not zero, while nothing happens.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(action);
    this.alarms.push(alarm);
  }
}
