import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AssemblyStack, CfnResource, LoadedAssembly } from './cloud-assembly';
import { InvalidResourceError, MissingAssetError, UnsupportedResourceError } from './errors';
import type { TemplateLocation } from './errors';
import { qualify, type ResourceModel } from './resource-model';
import type { SiteBehaviorSpec, SiteObjectSpec, SiteOriginSpec, StaticSiteSpec } from './types';

/**
 * Reads the template's CloudFront distributions for the local site server: each behaviour's path
 * pattern, origin (an S3 bucket of the assembly, or a REST API of the assembly by its execute-api
 * domain) and response headers policy, and what each bucket holds: the files of the source
 * assets of the `Custom::CDKBucketDeployment`s that target it (the asset directories in the cloud
 * assembly, exactly what CDK uploads), under their keys and with their content types.
 */

/** The resource types this module reads (the topology reader reports the others as not emulated). */
export const STATIC_SITE_RESOURCE_TYPES = [
  'AWS::CloudFront::Distribution',
  'AWS::CloudFront::ResponseHeadersPolicy',
  'AWS::CloudFront::OriginAccessControl',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'Custom::CDKBucketDeployment',
] as const;

interface Entry {
  stack: AssemblyStack;
  logicalId: string;
  resource: CfnResource;
}

/** Content types S3 gets from BucketDeployment (the AWS CLI guesses them by extension) for the files a site has. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/vnd.microsoft.icon',
  '.txt': 'text/plain',
  '.xml': 'application/xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.webmanifest': 'application/manifest+json',
};
/** What S3 stores for a file the CLI cannot type. */
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every `Ref` and `Fn::GetAtt` target inside a template value. */
function referencedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => referencedIds(item, into));
  else if (isObject(value)) {
    const ref = value.Ref;
    const getAtt = value['Fn::GetAtt'];
    if (typeof ref === 'string' && Object.keys(value).length === 1) into.add(ref);
    else if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && Object.keys(value).length === 1) into.add(getAtt[0]);
    else Object.values(value).forEach((item) => referencedIds(item, into));
  }
  return into;
}

/** A glob of `aws s3 sync --exclude/--include`: `*` any characters (slashes too), `?` one. */
function globMatches(pattern: string, key: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return regex.test(key);
}

function listFiles(directory: string, prefix = ''): Array<{ key: string; file: string }> {
  const result: Array<{ key: string; file: string }> = [];
  for (const entry of fs.readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) result.push(...listFiles(file, `${prefix}${entry.name}/`));
    else if (entry.isFile()) result.push({ key: `${prefix}${entry.name}`, file });
  }
  return result;
}

export function readStaticSites(entries: Entry[], assembly: LoadedAssembly, model: ResourceModel, warnings: string[]): StaticSiteSpec[] {
  const location = (entry: Entry, at: string): TemplateLocation => ({ stackName: entry.stack.stackName, logicalId: entry.logicalId, path: at });
  const typeOf = (stack: AssemblyStack, logicalId: string): string | undefined => stack.template.Resources?.[logicalId]?.Type;
  const resolveString = (entry: Entry, value: unknown, at: string): string => {
    const resolved = model.resolve(entry.stack, value, location(entry, at));
    if (typeof resolved !== 'string') throw new InvalidResourceError(location(entry, at), `expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  };

  const bucketContents = new Map<string, Record<string, SiteObjectSpec>>();
  for (const entry of entries.filter((candidate) => candidate.resource.Type === 'Custom::CDKBucketDeployment')) {
    const props = entry.resource.Properties ?? {};
    const destination = [...referencedIds(props.DestinationBucketName)].find((id) => typeOf(entry.stack, id) === 'AWS::S3::Bucket');
    if (!destination) {
      warnings.push(`not emulated locally: ${qualify(entry.stack.stackName, entry.logicalId)} deploys to a bucket this assembly does not define`);
      continue;
    }
    const bucketId = qualify(entry.stack.stackName, destination);
    const objects = bucketContents.get(bucketId) ?? {};
    bucketContents.set(bucketId, objects);
    const keys = Array.isArray(props.SourceObjectKeys) ? props.SourceObjectKeys : [];
    if (keys.length === 0) throw new InvalidResourceError(location(entry, 'Properties.SourceObjectKeys'), 'a bucket deployment needs its source object keys');
    const prefix = props.DestinationBucketKeyPrefix === undefined ? '' : resolveString(entry, props.DestinationBucketKeyPrefix, 'Properties.DestinationBucketKeyPrefix');
    const metadata = isObject(props.SystemMetadata) ? props.SystemMetadata : {};
    const contentType = metadata['content-type'] === undefined ? undefined : resolveString(entry, metadata['content-type'], 'Properties.SystemMetadata.content-type');
    const cacheControl = metadata['cache-control'] === undefined ? undefined : resolveString(entry, metadata['cache-control'], 'Properties.SystemMetadata.cache-control');
    const excludes = (Array.isArray(props.Exclude) ? props.Exclude : []).map((pattern, index) => resolveString(entry, pattern, `Properties.Exclude.${index}`));
    const includes = (Array.isArray(props.Include) ? props.Include : []).map((pattern, index) => resolveString(entry, pattern, `Properties.Include.${index}`));
    for (const [index, rawKey] of keys.entries()) {
      const objectKey = resolveString(entry, rawKey, `Properties.SourceObjectKeys.${index}`);
      const asset = assembly.assetsByObjectKey.get(objectKey);
      if (!asset) throw new MissingAssetError(location(entry, `Properties.SourceObjectKeys.${index}`), `no file asset of the assembly is published as ${objectKey}`);
      if (!fs.existsSync(asset.sourcePath) || !fs.statSync(asset.sourcePath).isDirectory()) {
        throw new UnsupportedResourceError(location(entry, `Properties.SourceObjectKeys.${index}`), `the source asset ${asset.sourcePath} is not a directory; only directory assets (Source.asset of a folder) are served locally`);
      }
      for (const { key, file } of listFiles(asset.sourcePath)) {
        // As `aws s3 sync --exclude … --include …`: a later --include re-admits what an --exclude left out.
        if (excludes.some((pattern) => globMatches(pattern, key)) && !includes.some((pattern) => globMatches(pattern, key))) continue;
        objects[`${prefix}${key}`] = {
          file,
          contentType: contentType ?? CONTENT_TYPES[path.extname(key).toLowerCase()] ?? DEFAULT_CONTENT_TYPE,
          ...(cacheControl ? { cacheControl } : {}),
        };
      }
    }
  }

  const headerPolicies = new Map<string, Pick<SiteBehaviorSpec, 'responseHeaders' | 'removeHeaders'>>();
  const headersOf = (entry: Entry, value: unknown, at: string): Pick<SiteBehaviorSpec, 'responseHeaders' | 'removeHeaders'> => {
    if (value === undefined) return { responseHeaders: [], removeHeaders: [] };
    const policyId = [...referencedIds(value)].find((id) => typeOf(entry.stack, id) === 'AWS::CloudFront::ResponseHeadersPolicy');
    if (!policyId) {
      warnings.push(`not emulated locally: ${qualify(entry.stack.stackName, entry.logicalId)} ${at} names a response headers policy outside this assembly (a managed one?): its headers are not sent locally`);
      return { responseHeaders: [], removeHeaders: [] };
    }
    const key = qualify(entry.stack.stackName, policyId);
    const cached = headerPolicies.get(key);
    if (cached) return cached;
    const policyEntry: Entry = { stack: entry.stack, logicalId: policyId, resource: entry.stack.template.Resources?.[policyId] as CfnResource };
    const config = model.resolve(entry.stack, policyEntry.resource.Properties?.ResponseHeadersPolicyConfig, location(policyEntry, 'Properties.ResponseHeadersPolicyConfig'));
    const policy = responseHeadersOf(isObject(config) ? config : {});
    headerPolicies.set(key, policy);
    return policy;
  };

  const sites: StaticSiteSpec[] = [];
  for (const entry of entries.filter((candidate) => candidate.resource.Type === 'AWS::CloudFront::Distribution')) {
    const config = entry.resource.Properties?.DistributionConfig;
    if (!isObject(config)) throw new InvalidResourceError(location(entry, 'Properties.DistributionConfig'), 'a distribution needs its DistributionConfig');
    const origins = new Map<string, SiteOriginSpec>();
    for (const [index, origin] of (Array.isArray(config.Origins) ? config.Origins : []).entries()) {
      if (!isObject(origin)) continue;
      const at = `Properties.DistributionConfig.Origins.${index}`;
      const id = resolveString(entry, origin.Id, `${at}.Id`);
      const targets = [...referencedIds(origin.DomainName)];
      const bucket = targets.find((target) => typeOf(entry.stack, target) === 'AWS::S3::Bucket');
      const restApi = targets.find((target) => typeOf(entry.stack, target) === 'AWS::ApiGateway::RestApi');
      if (bucket) origins.set(id, { kind: 's3', bucketId: qualify(entry.stack.stackName, bucket) });
      else if (restApi) {
        const originPath = origin.OriginPath === undefined ? '' : resolveString(entry, origin.OriginPath, `${at}.OriginPath`);
        origins.set(id, { kind: 'rest-api', restApiId: qualify(entry.stack.stackName, restApi), originPath });
      } else {
        const domain = model.resolve(entry.stack, origin.DomainName, location(entry, `${at}.DomainName`));
        origins.set(id, { kind: 'unsupported', description: `origin ${id} (${String(domain)})` });
      }
    }
    const behavior = (raw: unknown, at: string, pathPattern?: string): SiteBehaviorSpec => {
      if (!isObject(raw)) throw new InvalidResourceError(location(entry, at), 'a cache behaviour must be an object');
      const targetOriginId = resolveString(entry, raw.TargetOriginId, `${at}.TargetOriginId`);
      const origin = origins.get(targetOriginId);
      if (!origin) throw new InvalidResourceError(location(entry, `${at}.TargetOriginId`), `no origin ${targetOriginId} in the distribution`);
      const pattern = pathPattern ?? resolveString(entry, raw.PathPattern, `${at}.PathPattern`);
      if (origin.kind === 'unsupported') warnings.push(`not emulated locally: ${qualify(entry.stack.stackName, entry.logicalId)} sends ${pattern} to ${origin.description}, which is not part of this assembly`);
      const allowedMethods = Array.isArray(raw.AllowedMethods) ? raw.AllowedMethods.map((method, index) => resolveString(entry, method, `${at}.AllowedMethods.${index}`).toUpperCase()) : ['GET', 'HEAD'];
      return { pathPattern: pattern, origin, allowedMethods, ...headersOf(entry, raw.ResponseHeadersPolicyId, `${at}.ResponseHeadersPolicyId`) };
    };
    const behaviors = (Array.isArray(config.CacheBehaviors) ? config.CacheBehaviors : []).map((raw, index) => behavior(raw, `Properties.DistributionConfig.CacheBehaviors.${index}`));
    behaviors.push(behavior(config.DefaultCacheBehavior, 'Properties.DistributionConfig.DefaultCacheBehavior', '*'));
    const buckets: StaticSiteSpec['buckets'] = {};
    for (const origin of origins.values()) if (origin.kind === 's3') buckets[origin.bucketId] = bucketContents.get(origin.bucketId) ?? {};
    const defaultRootObject = config.DefaultRootObject === undefined ? undefined : resolveString(entry, config.DefaultRootObject, 'Properties.DistributionConfig.DefaultRootObject');
    sites.push({ id: qualify(entry.stack.stackName, entry.logicalId), ...(defaultRootObject ? { defaultRootObject } : {}), behaviors, buckets });
  }
  return sites;
}

/** The headers of a `ResponseHeadersPolicyConfig` as CloudFront writes them. */
export function responseHeadersOf(config: Record<string, unknown>): Pick<SiteBehaviorSpec, 'responseHeaders' | 'removeHeaders'> {
  const headers: SiteBehaviorSpec['responseHeaders'] = [];
  const security = isObject(config.SecurityHeadersConfig) ? config.SecurityHeadersConfig : {};
  const add = (name: string, value: string, setting: Record<string, unknown>): void => {
    headers.push({ name, value, override: setting.Override === true });
  };
  const csp = security.ContentSecurityPolicy;
  if (isObject(csp) && typeof csp.ContentSecurityPolicy === 'string') add('content-security-policy', csp.ContentSecurityPolicy, csp);
  const hsts = security.StrictTransportSecurity;
  if (isObject(hsts)) {
    add('strict-transport-security', [`max-age=${Number(hsts.AccessControlMaxAgeSec ?? 0)}`, ...(hsts.IncludeSubdomains === true ? ['includeSubDomains'] : []), ...(hsts.Preload === true ? ['preload'] : [])].join('; '), hsts);
  }
  const nosniff = security.ContentTypeOptions;
  if (isObject(nosniff)) add('x-content-type-options', 'nosniff', nosniff);
  const referrer = security.ReferrerPolicy;
  if (isObject(referrer) && typeof referrer.ReferrerPolicy === 'string') add('referrer-policy', referrer.ReferrerPolicy, referrer);
  const frame = security.FrameOptions;
  if (isObject(frame) && typeof frame.FrameOption === 'string') add('x-frame-options', frame.FrameOption, frame);
  const xss = security.XSSProtection;
  if (isObject(xss)) {
    const value = xss.Protection === true ? ['1', ...(xss.ModeBlock === true ? ['mode=block'] : []), ...(typeof xss.ReportUri === 'string' ? [`report=${xss.ReportUri}`] : [])].join('; ') : '0';
    add('x-xss-protection', value, xss);
  }
  const custom = isObject(config.CustomHeadersConfig) && Array.isArray(config.CustomHeadersConfig.Items) ? config.CustomHeadersConfig.Items : [];
  for (const item of custom) {
    if (isObject(item) && typeof item.Header === 'string' && typeof item.Value === 'string') add(item.Header.toLowerCase(), item.Value, item);
  }
  const remove = isObject(config.RemoveHeadersConfig) && Array.isArray(config.RemoveHeadersConfig.Items) ? config.RemoveHeadersConfig.Items : [];
  const removeHeaders = remove.flatMap((item) => (isObject(item) && typeof item.Header === 'string' ? [item.Header.toLowerCase()] : []));
  return { responseHeaders: headers, removeHeaders };
}
