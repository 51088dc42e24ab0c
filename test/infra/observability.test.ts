import { Stack, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { BUSINESS_METRICS, NOTIFICATION_FAILURES, PREFERRED_METHOD_DIMENSIONS } from '../../contracts/metrics';
import { ENVIRONMENTS, InvalidEnvironmentError, validateEnvironmentConfig, type Stage } from '../../cdk/config/environments';
import { removeSynthesizedOutput, synthesizeStage, templateJson, type CfnTemplate, type SynthesizedStage } from './support/synthesize';

/** The business metrics, by the function that emits them (contracts/metrics.ts). */
const EMITTED_BY: Record<string, 'booking' | 'enrichment' | 'notifier'> = {
  [BUSINESS_METRICS.notifications]: 'notifier',
  [BUSINESS_METRICS.notificationsSuppressed]: 'notifier',
  [BUSINESS_METRICS.notificationFailures]: 'notifier',
  [BUSINESS_METRICS.appointmentsCreated]: 'booking',
  [BUSINESS_METRICS.requestsRejected]: 'booking',
  [BUSINESS_METRICS.appointmentsEnriched]: 'enrichment',
};

interface DashboardMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  options: Record<string, unknown>;
}

const STAGES_UNDER_TEST: Stage[] = ['dev', 'prod'];
const synthesized = new Map<Stage, SynthesizedStage>();
beforeAll(() => {
  for (const stage of STAGES_UNDER_TEST) synthesized.set(stage, synthesizeStage(stage));
});
afterAll(removeSynthesizedOutput);

function get(stage: Stage): SynthesizedStage {
  const result = synthesized.get(stage);
  if (!result) throw new Error(`stage ${stage} was not synthesized`);
  return result;
}

function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(element).resolve(element.logicalId) as string;
}

/** The Powertools environment of one function, as synthesized. */
function powertoolsEnv(template: CfnTemplate, functionLogicalId: string): { namespace: string; service: string } {
  const variables = (template.Resources[functionLogicalId]?.Properties?.Environment as { Variables: Record<string, string> } | undefined)?.Variables;
  if (!variables) throw new Error(`function ${functionLogicalId} has no environment`);
  return { namespace: variables.POWERTOOLS_METRICS_NAMESPACE!, service: variables.POWERTOOLS_SERVICE_NAME! };
}

/** Every metric line of the dashboard's graphs (the body is a Fn::Join around region tokens). */
function dashboardMetrics(template: CfnTemplate): DashboardMetric[] {
  const dashboards = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]!.Properties!.DashboardBody as { 'Fn::Join': [string, unknown[]] } | string;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  const widgets = (JSON.parse(text) as { widgets: { properties: { metrics?: unknown[][] } }[] }).widgets;
  return widgets.flatMap((widget) =>
    (widget.properties.metrics ?? []).map((line) => {
      const last = line[line.length - 1];
      const options = typeof last === 'object' && last !== null ? (last as Record<string, unknown>) : {};
      const [namespace, name, ...rest] = (typeof last === 'object' ? line.slice(0, -1) : line) as string[];
      const dimensions: Record<string, string> = {};
      for (let index = 0; index + 1 < rest.length; index += 2) dimensions[rest[index]!] = rest[index + 1]!;
      return { namespace: namespace!, name: name!, dimensions, options };
    }),
  );
}

describe.each(STAGES_UNDER_TEST)('observability (%s)', (stage) => {
  const config = ENVIRONMENTS[stage];

  const emitters = () => {
    const { stateless, statelessTemplate } = get(stage);
    const template = templateJson(statelessTemplate);
    return {
      template,
      env: {
        booking: powertoolsEnv(template, logicalId(stateless.booking.function)),
        enrichment: powertoolsEnv(template, logicalId(stateless.enrichment.function)),
        notifier: powertoolsEnv(template, logicalId(stateless.notifier.function)),
      },
    };
  };

  it("gives every function the environment's metrics namespace and its own service name", () => {
    const { env } = emitters();
    expect(env).toEqual({
      booking: { namespace: config.metricsNamespace, service: 'booking' },
      enrichment: { namespace: config.metricsNamespace, service: 'enrichment' },
      notifier: { namespace: config.metricsNamespace, service: 'notifier' },
    });
  });

  it('keeps active X-Ray tracing on every function (the Powertools Tracer is not bundled)', () => {
    const { template } = emitters();
    // The service functions; CDK's BucketDeployment provider (Python, runs only while deploying the patient site) is not traced.
    const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function' && String(resource.Properties?.Runtime).startsWith('nodejs'));
    expect(functions).toHaveLength(3);
    for (const fn of functions) expect(fn.Properties?.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it('reads each business metric on the dashboard in the namespace and service dimension its function emits it with', () => {
    const { template, env } = emitters();
    const business = dashboardMetrics(template).filter((metric) => metric.name in EMITTED_BY);
    expect(new Set(business.map((metric) => metric.name))).toEqual(new Set(Object.values(BUSINESS_METRICS)));
    for (const metric of business) {
      const emitter = env[EMITTED_BY[metric.name]!];
      expect({ name: metric.name, namespace: metric.namespace, service: metric.dimensions.service, stat: metric.options.stat }).toEqual({
        name: metric.name,
        namespace: emitter.namespace,
        service: emitter.service,
        stat: 'Sum',
      });
    }
  });

  it('shows notifications by outcome and channel, suppressions, failures by kind, 401/403 rejections and enrichments by method', () => {
    const { template } = emitters();
    const shown = dashboardMetrics(template).map((metric) => {
      const { service: _service, ...dimensions } = metric.dimensions;
      return `${metric.name} ${JSON.stringify(Object.fromEntries(Object.entries(dimensions).sort()))}`;
    });
    expect(shown).toEqual(
      expect.arrayContaining([
        'Notifications {"channel":"email","outcome":"sent"}',
        'Notifications {"channel":"sms","outcome":"sent"}',
        'Notifications {"channel":"none","outcome":"skipped"}',
        'Notifications {"channel":"email","outcome":"suppressed"}',
        'Notifications {"channel":"sms","outcome":"suppressed"}',
        'NotificationsSuppressed {}',
        ...NOTIFICATION_FAILURES.map((failure) => `NotificationFailures {"failure":"${failure}"}`),
        'RequestsRejected {"statusCode":"401"}',
        'RequestsRejected {"statusCode":"403"}',
        'AppointmentsCreated {}',
        ...PREFERRED_METHOD_DIMENSIONS.map((method) => `AppointmentsEnriched {"preferredMethod":"${method}"}`),
      ]),
    );
  });

  it('alarms the ops topic when more suppressions than the configured threshold happen in one hour', () => {
    const { stateless, statelessTemplate } = get(stage);
    const { env } = emitters();
    statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: env.notifier.namespace,
      MetricName: BUSINESS_METRICS.notificationsSuppressed,
      Dimensions: [{ Name: 'service', Value: env.notifier.service }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: config.security.suppressedNotificationsAlarmPerHour,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalId(stateless.ops.topic) }],
    });
  });

  it('alarms the ops topic on the first permanent notification failure (rejected or invalid message), not on transient ones', () => {
    const { stateless, template, env } = { ...get(stage), ...emitters() };
    const alarms = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm' && Array.isArray(resource.Properties?.Metrics))
      .map((resource) => resource.Properties as { Metrics: Record<string, unknown>[]; Threshold: number; AlarmActions: unknown[]; TreatMissingData: string });
    expect(alarms).toHaveLength(1);
    const [alarm] = alarms;
    expect(alarm).toMatchObject({ Threshold: 0, TreatMissingData: 'notBreaching', AlarmActions: [{ Ref: logicalId(stateless.ops.topic) }] });
    const expression = alarm!.Metrics.find((metric) => metric.ReturnData !== false);
    const inputs = alarm!.Metrics.filter((metric) => metric.ReturnData === false).map((metric) => {
      const stat = metric.MetricStat as { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }; Stat: string; Period: number };
      return { id: metric.Id, namespace: stat.Metric.Namespace, name: stat.Metric.MetricName, dimensions: Object.fromEntries(stat.Metric.Dimensions.map((d) => [d.Name, d.Value])), stat: stat.Stat };
    });
    const common = { namespace: env.notifier.namespace, name: BUSINESS_METRICS.notificationFailures, stat: 'Sum' };
    expect(inputs).toEqual(
      expect.arrayContaining([
        { id: 'rejected', ...common, dimensions: { service: env.notifier.service, failure: 'rejected' } },
        { id: 'invalid', ...common, dimensions: { service: env.notifier.service, failure: 'invalid-message' } },
      ]),
    );
    expect(inputs).toHaveLength(2);
    expect(expression?.Expression).toBe('FILL(rejected, 0) + FILL(invalid, 0)');
  });
});

describe('suppressed-notifications alarm threshold', () => {
  it.each([0, -1, 2.5])('is refused when it is %p, naming the setting', (threshold) => {
    const config = { ...ENVIRONMENTS.prod, security: { ...ENVIRONMENTS.prod.security, suppressedNotificationsAlarmPerHour: threshold } };
    expect(() => validateEnvironmentConfig(config)).toThrow(InvalidEnvironmentError);
    expect(() => validateEnvironmentConfig(config)).toThrow(/security\.suppressedNotificationsAlarmPerHour must be a positive integer/);
  });
});
