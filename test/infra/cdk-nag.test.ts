import { Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { buildApp, stackPrefix } from '../../cdk/app';
import { STAGES } from '../../cdk/config/environments';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One line per violation and resource, so a failure names every rule and where it fired. */
function describeViolations(report: PolicyValidationPluginReport): string[] {
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} on ${describeLocation(resource)}: ${violation.description.split('\n')[0]}`),
  );
}

/** cdk-nag v3 names the construct path; CDK's own plugins name the template and logical id. */
function describeLocation(resource: PolicyValidationPluginReport['violations'][number]['violatingResources'][number]): string {
  const withPath = resource as typeof resource & { constructPath?: string };
  return withPath.constructPath ?? `${resource.templatePath}#${resource.resourceLogicalId}`;
}

const outdirs: string[] = [];
function tempOutdir(stage: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk-nag-${stage}-`));
  outdirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of outdirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('cdk-nag AwsSolutions', () => {
  it.each(STAGES)('finds no unacknowledged violation in the whole %s app', (stage) => {
    // Arrange: the checks run as a validation plugin, exactly as `cdk synth` runs them (bin/app.ts).
    const app = buildApp({ stage, outdir: tempOutdir(stage) });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);
    const synth = (): unknown => app.synth();

    // Assert
    expect(describeViolations(report)).toEqual([]);
    expect(synth).not.toThrow();
  });

  it('reports a violation, by rule, when one is present (the check above can fail)', () => {
    // Arrange: a queue with no DLQ and no TLS enforcement breaks SQS3 and SQS4.
    const app = buildApp({ stage: 'dev', outdir: tempOutdir('negative') });
    new sqs.Queue(app.node.findChild(`${stackPrefix('dev')}-Stateless`) as Stack, 'UnguardedQueue', { enforceSSL: false });

    // Act
    const violations = describeViolations(new AwsSolutionsChecks().validateScope(app));

    // Assert
    expect(violations).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AwsSolutions-SQS3 on Dev-Stateless\/UnguardedQueue\/Resource: /), expect.stringMatching(/^AwsSolutions-SQS4 on Dev-Stateless\/UnguardedQueue\/Resource: /)]),
    );
  });

  it('gives every acknowledgement a rule id and a reason', () => {
    // Arrange
    const app = buildApp({ stage: 'prod', outdir: tempOutdir('acks') });
    // Each acknowledgement is recorded as metadata `{ [ruleId]: reason }` on its construct.
    const acknowledgements = app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

    // Assert
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect(id).toMatch(/^Annotation::AwsSolutions-[A-Z]+\d+(\[[^\]]+\])?$/);
      expect(reason.length).toBeGreaterThan(40);
    }
  });
});
