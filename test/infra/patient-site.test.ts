import { Match } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { API_ROUTES } from '../../contracts/api-routes';
import { apiPathPatterns, SITE_CONTENT_SECURITY_POLICY } from '../../cdk/constructs/patient-site';
import { ENVIRONMENTS, validateEnvironmentConfig } from '../../cdk/config/environments';
import { buildSite } from '../../site/build-site';
import { synthesizeStage, templateJson, type SynthesizedStage } from './support/synthesize';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';

describe('apiPathPatterns', () => {
  it('gives one CloudFront path pattern per first path segment of the routes', () => {
    expect(apiPathPatterns(API_ROUTES)).toEqual(['/appointments*', '/dentists', '/contacts/*', '/staff/*']);
  });

  it('follows the routes: a new top-level route is routed, a segment that is only deeper gets /*', () => {
    expect(apiPathPatterns([{ path: '/clinics' }, { path: '/clinics/{id}' }, { path: '/reports/daily' }, { path: '/ping' }])).toEqual(['/clinics*', '/reports/*', '/ping']);
  });

  it('refuses a route that starts with a parameter (nothing to route by)', () => {
    expect(() => apiPathPatterns([{ path: '/{tenant}/appointments' }])).toThrow(/no fixed first path segment/);
  });
});

describe('the patient site in the stateless stack', () => {
  let dev: SynthesizedStage;
  let prod: SynthesizedStage;
  beforeAll(() => {
    dev = synthesizeStage('dev');
    prod = synthesizeStage('prod', { siteCertificateArn: CERTIFICATE });
  }, 180_000);

  const distributionConfig = (stage: SynthesizedStage): Record<string, unknown> => {
    const [distribution] = Object.values(templateJson(stage.statelessTemplate).Resources).filter((resource) => resource.Type === 'AWS::CloudFront::Distribution');
    return (distribution?.Properties as { DistributionConfig: Record<string, unknown> }).DistributionConfig;
  };

  it('keeps the bucket private: all public access blocked, TLS only, read by CloudFront through Origin Access Control', () => {
    const template = dev.statelessTemplate;
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }) });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } }),
        ]),
      },
    });
  });

  it('has one bucket, the site\'s, emptied with the stack (build artefacts only)', () => {
    const buckets = Object.values(templateJson(dev.statelessTemplate).Resources).filter((resource) => resource.Type === 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(1);
    expect(buckets[0]?.DeletionPolicy).toBe('Delete');
    const deployments = Object.values(templateJson(dev.statelessTemplate).Resources).filter((resource) => resource.Type === 'Custom::CDKBucketDeployment');
    for (const deployment of deployments) expect(deployment.Properties?.RetainOnDelete).toBe(false);
  });

  it('routes exactly the API paths to API Gateway under the stage, uncached, all methods, forwarding everything but Host', () => {
    const config = distributionConfig(dev);
    const origins = config.Origins as Array<{ Id: string; OriginPath?: string; DomainName: unknown; CustomOriginConfig?: { OriginProtocolPolicy: string } }>;
    const api = origins.find((origin) => origin.OriginPath === '/dev');
    expect(api?.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
    expect(JSON.stringify(api?.DomainName)).toContain(dev.stateless.getLogicalId(dev.stateless.api.restApi.node.defaultChild as never));
    const behaviors = config.CacheBehaviors as Array<Record<string, unknown>>;
    expect(behaviors.map((behavior) => behavior.PathPattern)).toEqual(apiPathPatterns(API_ROUTES));
    for (const behavior of behaviors) {
      expect(behavior).toMatchObject({
        TargetOriginId: api?.Id,
        AllowedMethods: expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
        ViewerProtocolPolicy: 'https-only',
      });
    }
    expect(config).toMatchObject({ DefaultRootObject: 'index.html', DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] } });
  });

  it('sends the security headers on every behaviour from one response headers policy', () => {
    dev.statelessTemplate.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, Override: true },
          StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true },
          ContentTypeOptions: { Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
        },
      }),
    });
    expect(SITE_CONTENT_SECURITY_POLICY).toMatch(/default-src 'self'/);
    expect(SITE_CONTENT_SECURITY_POLICY).toMatch(/connect-src 'self'/);
    expect(SITE_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const config = distributionConfig(dev);
    const policies = new Set([config.DefaultCacheBehavior, ...(config.CacheBehaviors as unknown[])].map((behavior) => JSON.stringify((behavior as Record<string, unknown>).ResponseHeadersPolicyId)));
    expect(policies.size).toBe(1);
    expect([...policies][0]).toContain('Ref');
  });

  it('deploys the files by name and the manage page as the extension-less key "manage" with text/html, pruning around it', () => {
    const deployments = Object.values(templateJson(dev.statelessTemplate).Resources).filter((resource) => resource.Type === 'Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(2);
    const [files, manage] = [deployments.find((d) => d.Properties?.Prune === true), deployments.find((d) => d.Properties?.Prune === false)];
    expect(files?.Properties).toMatchObject({ Exclude: ['manage'], DistributionPaths: ['/*'] });
    expect(manage?.Properties).toMatchObject({ SystemMetadata: { 'content-type': 'text/html; charset=utf-8' }, DistributionPaths: ['/manage'] });
  });

  it('uses the configured site URL for the manage links, and the host of an https site URL as the alias with its certificate', () => {
    const notifierEnvironment = (stage: SynthesizedStage): Record<string, unknown> =>
      (Object.values(templateJson(stage.statelessTemplate).Resources).find((resource) => resource.Type === 'AWS::Lambda::Function' && (resource.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables?.SITE_URL)?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(notifierEnvironment(dev).SITE_URL).toBe('http://localhost:8080');
    expect(notifierEnvironment(prod).SITE_URL).toBe(ENVIRONMENTS.prod.security.siteUrl);
    expect(distributionConfig(dev).Aliases).toBeUndefined();
    expect(distributionConfig(prod)).toMatchObject({
      Aliases: [new URL(ENVIRONMENTS.prod.security.siteUrl).hostname],
      ViewerCertificate: { AcmCertificateArn: CERTIFICATE, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
    });
    expect(Object.keys(templateJson(dev.statelessTemplate).Outputs ?? {})).toEqual(expect.arrayContaining(['SiteUrl', 'SiteDistributionUrl']));
  });

  it('lets the BucketDeployment provider touch only the site bucket, the asset bucket and invalidations', () => {
    const policies = Object.entries(templateJson(dev.statelessTemplate).Resources).filter(([id, resource]) => resource.Type === 'AWS::IAM::Policy' && id.startsWith('CustomCDKBucketDeployment'));
    expect(policies).toHaveLength(1);
    const bucketId = dev.stateless.getLogicalId(dev.stateless.site.bucket.node.defaultChild as never);
    for (const statement of (policies[0]?.[1].Properties?.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement) {
      const actions = ([] as string[]).concat(statement.Action);
      const resources = JSON.stringify(statement.Resource);
      if (actions.every((action) => action.startsWith('cloudfront:'))) {
        expect(actions.sort()).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
        continue;
      }
      for (const action of actions) expect(action).toMatch(/^s3:/);
      expect(resources.includes(bucketId) || resources.includes('cdk-hnb659fds-assets-')).toBe(true);
    }
  });

  it('refuses a certificate outside us-east-1 or with an http site URL', () => {
    const withCertificate = (siteUrl: string, siteCertificateArn: string) => () =>
      validateEnvironmentConfig({ ...ENVIRONMENTS.staging, security: { ...ENVIRONMENTS.staging.security, siteUrl, siteCertificateArn } });
    expect(withCertificate('https://staging.book.ljdentists.example', CERTIFICATE)).not.toThrow();
    expect(withCertificate('https://staging.book.ljdentists.example', CERTIFICATE.replace('us-east-1', 'eu-west-2'))).toThrow(/us-east-1/);
    expect(withCertificate('https://staging.book.ljdentists.example/site', CERTIFICATE)).toThrow(/without a path/);
  });
});

describe('the site bundle', () => {
  const built = buildSite(fs.mkdtempSync(path.join(os.tmpdir(), 'site-budget-')));
  const size = (file: string): number => fs.statSync(file).size;

  it('stays within its size budget (everything a patient downloads for one page)', () => {
    const files = fs.readdirSync(built.filesDir);
    expect(files.sort()).toEqual(['book.js', 'favicon.svg', 'index.html', 'manage.js', 'site.css']);
    const common = size(path.join(built.filesDir, 'site.css')) + size(path.join(built.filesDir, 'favicon.svg'));
    const bookPage = size(path.join(built.filesDir, 'index.html')) + size(path.join(built.filesDir, 'book.js')) + common;
    const managePage = size(path.join(built.manageDir, 'manage')) + size(path.join(built.filesDir, 'manage.js')) + common;
    expect(bookPage).toBeLessThan(24 * 1024);
    expect(managePage).toBeLessThan(32 * 1024);
  });

  it('is deterministic, loads nothing from elsewhere and has no inline script', () => {
    const again = buildSite(fs.mkdtempSync(path.join(os.tmpdir(), 'site-budget-')));
    for (const name of fs.readdirSync(built.filesDir)) expect(fs.readFileSync(path.join(again.filesDir, name))).toEqual(fs.readFileSync(path.join(built.filesDir, name)));
    for (const page of [path.join(built.filesDir, 'index.html'), path.join(built.manageDir, 'manage')]) {
      const html = fs.readFileSync(page, 'utf8');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\s(?:src|href)="(?:https?:)?\/\//);
      expect(html).not.toMatch(/\son[a-z]+=/);
    }
    for (const script of ['book.js', 'manage.js']) expect(fs.readFileSync(path.join(built.filesDir, script), 'utf8')).not.toMatch(/console\.|localStorage|sessionStorage|https?:\/\/(?!www\.w3\.org)/);
  });
});
