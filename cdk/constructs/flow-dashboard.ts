import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUSINESS_METRICS, NOTIFICATION_FAILURES, PREFERRED_METHOD_DIMENSIONS, REJECTION_STATUS_CODES } from '../../contracts/metrics';
import { PIPE_FAILURE_METRICS } from './appointment-pipe';
import { PIPES_METRICS_NAMESPACE } from './ops-alarms';
import type { BusinessMetricSource } from './service-function';

export interface FlowDashboardProps {
  dashboardName: string;
  restApi: apigateway.RestApi;
  functions: Record<string, lambda.IFunction>;
  pipeName: string;
  notificationsQueue: sqs.IQueue;
  deadLetterQueues: Record<string, sqs.IQueue>;
  alarms: cloudwatch.IAlarm[];
  /** The functions' Powertools business metrics (contracts/metrics.ts). */
  businessMetrics: { booking: BusinessMetricSource; enrichment: BusinessMetricSource; notifier: BusinessMetricSource };
}

/** The channel and outcome pairs the notifier can record (skipped is always channel none). */
const NOTIFICATION_SERIES = [
  { channel: 'email', outcome: 'sent' },
  { channel: 'sms', outcome: 'sent' },
  { channel: 'none', outcome: 'skipped' },
  { channel: 'email', outcome: 'suppressed' },
  { channel: 'sms', outcome: 'suppressed' },
] as const;

/** One dashboard that follows a booking along the flow: API → functions → pipe → queue → DLQs, then the business metrics. */
export class FlowDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: FlowDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const sum = (metric: cloudwatch.Metric): cloudwatch.Metric => metric.with({ period, statistic: cloudwatch.Stats.SUM });
    const pipeMetric = (metricName: string, statistic: string = cloudwatch.Stats.SUM): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: PIPES_METRICS_NAMESPACE, metricName, dimensionsMap: { PipeName: props.pipeName }, period, statistic });
    const functions = Object.entries(props.functions);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [sum(props.restApi.metricCount()), sum(props.restApi.metricClientError()), sum(props.restApi.metricServerError())],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (p99)',
        left: [props.restApi.metricLatency({ period, statistic: cloudwatch.Stats.p(99) })],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function invocations',
        left: functions.map(([name, fn]) => fn.metricInvocations({ period, statistic: cloudwatch.Stats.SUM, label: name })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: functions.map(([name, fn]) => fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM, label: name })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration (p99)',
        left: functions.map(([name, fn]) => fn.metricDuration({ period, statistic: cloudwatch.Stats.p(99), label: name })),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Pipe events',
        left: [pipeMetric('Invocations'), pipeMetric('EventCount')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Pipe failures',
        left: PIPE_FAILURE_METRICS.map((name) => pipeMetric(name)),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Pipe duration (p99)',
        left: [pipeMetric('Duration', cloudwatch.Stats.p(99)), pipeMetric('EnrichmentStageDuration', cloudwatch.Stats.p(99))],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Notifications queue',
        left: [
          props.notificationsQueue.metricNumberOfMessagesSent({ period, statistic: cloudwatch.Stats.SUM }),
          props.notificationsQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        ],
        right: [props.notificationsQueue.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queues (messages visible)',
        left: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM, label: name }),
        ),
        width: 12,
      }),
    );
    const { booking, enrichment, notifier } = props.businessMetrics;
    const business = (source: BusinessMetricSource, metricName: string, dimensions: Record<string, string>, label: string): cloudwatch.Metric =>
      source.businessMetric(metricName, dimensions, { period, label });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Notifications by outcome and channel',
        left: NOTIFICATION_SERIES.map(({ channel, outcome }) => business(notifier, BUSINESS_METRICS.notifications, { channel, outcome }, `${outcome} (${channel})`)),
        stacked: true,
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Suppressed and failed notifications',
        left: [
          business(notifier, BUSINESS_METRICS.notificationsSuppressed, {}, 'suppressed (recipient cap)'),
          ...NOTIFICATION_FAILURES.map((failure) => business(notifier, BUSINESS_METRICS.notificationFailures, { failure }, `failed: ${failure}`)),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Requests rejected by the booking function (401/403: credentials)',
        left: ['401', '403'].map((statusCode) => business(booking, BUSINESS_METRICS.requestsRejected, { statusCode }, statusCode)),
        right: [...REJECTION_STATUS_CODES.filter((code) => code !== '401' && code !== '403'), 'other'].map((statusCode) =>
          business(booking, BUSINESS_METRICS.requestsRejected, { statusCode }, statusCode),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Appointments created and enriched',
        left: [
          business(booking, BUSINESS_METRICS.appointmentsCreated, {}, 'created'),
          ...PREFERRED_METHOD_DIMENSIONS.map((preferredMethod) => business(enrichment, BUSINESS_METRICS.appointmentsEnriched, { preferredMethod }, `enriched: ${preferredMethod}`)),
        ],
        width: 24,
      }),
    );
  }
}
