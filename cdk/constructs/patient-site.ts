import { DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { API_ROUTES, type ApiRoute } from '../../contracts/api-routes';
import { buildSite, type BuiltSite } from '../../site/build-site';

/**
 * The Content-Security-Policy of every response: everything from this origin only (the API is on
 * the same origin), no inline script or style, no framing, no plugins.
 */
export const SITE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface PatientSiteProps {
  /** The booking API, reached on the site's own origin under its routes' paths. */
  restApi: apigateway.IRestApi;
  /** The API's deployment stage: the API origin's path (`/<stage>`). */
  stageName: string;
  /** The routes whose paths go to the API (the shared definition by default). */
  routes?: readonly ApiRoute[];
  /** A custom domain for the distribution: its host names and an ACM certificate in us-east-1 covering them. */
  domain?: { names: string[]; certificateArn: string };
  /** The built pages (built at synthesis by default). */
  site?: BuiltSite;
  comment: string;
}

/**
 * The CloudFront path patterns that send a request to the API, derived from the routes: one per
 * first path segment. A segment that is itself a route and has deeper routes (`/appointments`,
 * `/appointments/{id}`) gives `/appointments*`; a segment that is exactly one route gives that
 * path (`/dentists`); a segment with only deeper routes gives `/<segment>/*` (`/contacts/*`).
 */
export function apiPathPatterns(routes: readonly Pick<ApiRoute, 'path'>[]): string[] {
  const bySegment = new Map<string, Set<string>>();
  for (const route of routes) {
    const segment = route.path.split('/')[1];
    if (!segment || segment.includes('{')) throw new Error(`route ${route.path} has no fixed first path segment to route by`);
    const paths = bySegment.get(segment) ?? new Set<string>();
    paths.add(route.path);
    bySegment.set(segment, paths);
  }
  return [...bySegment.entries()].map(([segment, paths]) => {
    const top = `/${segment}`;
    if (paths.size === 1 && paths.has(top)) return top;
    return paths.has(top) ? `${top}*` : `${top}/*`;
  });
}

/**
 * The patient pages: a private S3 bucket (build artefacts only, read by CloudFront through Origin
 * Access Control) behind a CloudFront distribution whose default behaviour is the site and whose
 * API behaviours route the API's paths to API Gateway on the same origin (no CORS), uncached, with
 * the viewer's Authorization header and query string. Every response carries the security headers
 * of one response headers policy. The pages are deployed by two BucketDeployments: the files by
 * name, and the manage page under the extension-less key `manage` as text/html.
 */
export class PatientSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  readonly apiPathPatterns: string[];

  constructor(scope: Construct, id: string, props: PatientSiteProps) {
    super(scope, id);
    const site = props.site ?? buildSite();
    const stack = Stack.of(this);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Build artefacts only: the deployments below empty it when they are removed.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `${props.comment}: security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        // The manage token is in the fragment, never sent; no-referrer keeps even the path and query at home.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    const apiOrigin = new origins.HttpOrigin(`${props.restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      originPath: `/${props.stageName}`,
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Everything the viewer sent (Authorization and the query string included) but Host, which
      // API Gateway needs to be its own.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      responseHeadersPolicy: this.responseHeadersPolicy,
      compress: true,
    };
    this.apiPathPatterns = apiPathPatterns(props.routes ?? API_ROUTES);

    const certificate = props.domain ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn) : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.comment,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...(props.domain && certificate ? { domainNames: props.domain.names, certificate, minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 } : {}),
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
      },
      additionalBehaviors: Object.fromEntries(this.apiPathPatterns.map((pattern) => [pattern, apiBehavior])),
    });

    const deployment = {
      destinationBucket: this.bucket,
      distribution: this.distribution,
      retainOnDelete: false,
      memoryLimit: 256,
      // Browsers revalidate every file (the names carry no hash); CloudFront is invalidated on each deploy.
      cacheControl: [s3deploy.CacheControl.noCache()],
    };
    new s3deploy.BucketDeployment(this, 'Files', {
      ...deployment,
      sources: [s3deploy.Source.asset(site.filesDir)],
      // The manage page is the other deployment's: pruning must leave it.
      exclude: ['manage'],
      prune: true,
      distributionPaths: ['/*'],
    });
    new s3deploy.BucketDeployment(this, 'ManagePage', {
      ...deployment,
      sources: [s3deploy.Source.asset(site.manageDir)],
      contentType: 'text/html; charset=utf-8',
      prune: false,
      distributionPaths: ['/manage'],
    });

    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The bucket holds only the public build artefacts of the patient pages, written by the deployment; reads come only through CloudFront (Origin Access Control), so S3 access logs would record nothing of interest.',
    });
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'Patients may book from abroad (holidays, moving); the API behind the site has its own throttling and, in staging and prod, a WAF web ACL.' },
      { id: 'AwsSolutions-CFR2', reason: 'The static pages need no WAF; the API paths reach API Gateway, whose stage has a WAF web ACL in staging and prod (managed common rules, per-IP rate rule).' },
      { id: 'AwsSolutions-CFR3', reason: 'Standard access logs need an ACL-enabled log bucket; requests to the API are access-logged by API Gateway, and the static pages carry no personal data in their URLs (the manage token is in the fragment, which is never sent).' },
    );
    if (!props.domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: 'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose TLS policy CloudFront fixes; with a custom domain (staging, prod) the minimum is TLSv1.2_2021.',
      });
    }
    // The BucketDeployment's provider (one per stack): CDK's own Lambda and role, used only while deploying.
    const bucketLogicalId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)) as string;
    const literal = (value: string, pseudo: string): string => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
    const assetBucket = `arn:aws:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${literal(stack.account, 'AWS::AccountId')}-${literal(stack.region, 'AWS::Region')}/*`;
    for (const provider of stack.node.children.filter((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'))) {
      Validations.of(provider).acknowledge(
        { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: "CDK's BucketDeployment provider writes its own logs with the AWSLambdaBasicExecutionRole managed policy; it runs only during deployments." },
        ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: "BucketDeployment's own grant: the provider reads the asset objects and syncs (writes, prunes) the site bucket's objects; it runs only during deployments.",
        })),
        ...[`<${bucketLogicalId}.Arn>/*`, assetBucket].map((resource) => ({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason: "BucketDeployment's own grant on every object of the site bucket (build artefacts only) and of CDK's asset bucket (to read the site's assets).",
        })),
        { id: 'AwsSolutions-L1', reason: "The runtime of CDK's BucketDeployment provider (Python with the AWS CLI layer) is chosen by aws-cdk-lib and follows its releases; it runs only during deployments." },
        { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'cloudfront:CreateInvalidation and cloudfront:GetInvalidation have no resource-level permissions; the provider invalidates the site distribution after each deployment.' },
      );
    }
  }

  /** `https://<distribution domain>`: the site's address when no custom domain is set. */
  get distributionUrl(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}
