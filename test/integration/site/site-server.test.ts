import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readCloudAssembly } from '../../../local/topology';
import { behaviorFor, pathPatternMatches, startSiteServer, type RunningSiteServer } from '../../../local/site/site-server';
import { devAssembly, removeDirectory, resourcesOfType, variantAssembly } from '../../e2e/e2e-support';

/**
 * The local site server follows the synthesized template: the distribution's behaviours, its
 * response headers policy and the BucketDeployments' source assets. A stand-in API origin records
 * what the site forwards to it.
 */
jest.setTimeout(120_000);

interface Forwarded {
  method: string;
  url: string;
  authorization?: string;
  host?: string;
  body: string;
}

describe('local site server on the dev assembly', () => {
  let assembly: string;
  let apiOrigin: http.Server;
  let apiBase: string;
  const forwarded: Forwarded[] = [];
  const variants: string[] = [];
  const servers: RunningSiteServer[] = [];

  beforeAll(async () => {
    assembly = await devAssembly();
    apiOrigin = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        forwarded.push({ method: request.method ?? '', url: request.url ?? '', ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}), ...(request.headers.host ? { host: request.headers.host } : {}), body });
        response.writeHead(200, { 'content-type': 'application/json', 'referrer-policy': 'origin' });
        response.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((done) => apiOrigin.listen(0, '127.0.0.1', done));
    apiBase = `http://127.0.0.1:${(apiOrigin.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.stop();
    await new Promise<void>((done) => apiOrigin.close(() => done()));
    variants.forEach(removeDirectory);
  });

  async function serve(assemblyDir: string): Promise<string> {
    const [site] = readCloudAssembly(assemblyDir).sites ?? [];
    if (!site) throw new Error('the assembly has no distribution');
    const server = await startSiteServer({ site, apiOrigin: () => apiBase });
    servers.push(server);
    return server.url;
  }

  it('matches path patterns as CloudFront does (whole path, case-sensitive, * and ?)', () => {
    expect(pathPatternMatches('/appointments*', '/appointments')).toBe(true);
    expect(pathPatternMatches('/appointments*', '/appointments/1/cancel')).toBe(true);
    expect(pathPatternMatches('/contacts/*', '/contacts')).toBe(false);
    expect(pathPatternMatches('/dentists', '/dentists/1')).toBe(false);
    expect(pathPatternMatches('/Dentists', '/dentists')).toBe(false);
    expect(pathPatternMatches('/file?.js', '/file1.js')).toBe(true);
    expect(pathPatternMatches('images/*', '/images/a.png')).toBe(true);
  });

  it('serves the site\'s files from the assembly\'s asset with the template\'s headers, and 403 for a key that is not there', async () => {
    const url = await serve(assembly);
    const root = await fetch(`${url}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toBe('text/html');
    expect(root.headers.get('cache-control')).toBe('no-cache');
    expect(root.headers.get('x-frame-options')).toBe('DENY');
    expect(await root.text()).toContain('Book an appointment');
    const manage = await fetch(`${url}/manage?appointment=1`);
    expect(manage.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await manage.text()).toContain('Your appointment');
    expect((await fetch(`${url}/book.js`)).headers.get('content-type')).toBe('text/javascript');
    const missing = await fetch(`${url}/secrets.txt`);
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('AccessDenied');
    expect((await fetch(`${url}/`, { method: 'POST', body: 'x' })).status).toBe(403);
  });

  it('forwards the API paths to the API origin under the stage, with the Authorization header, query and body, not the Host', async () => {
    const url = await serve(assembly);
    forwarded.length = 0;
    const answer = await fetch(`${url}/appointments/abc?x=1`, { method: 'PATCH', headers: { authorization: 'Bearer t0ken', 'content-type': 'application/json' }, body: '{"dentist":"Dr. Lee Jones"}' });
    expect(answer.status).toBe(200);
    // The policy's Referrer-Policy overrides the origin's.
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    await fetch(`${url}/dentists`);
    await fetch(`${url}/staff/appointments?date=2031-01-01`);
    expect(forwarded).toEqual([
      { method: 'PATCH', url: '/dev/appointments/abc?x=1', authorization: 'Bearer t0ken', host: new URL(apiBase).host, body: '{"dentist":"Dr. Lee Jones"}' },
      { method: 'GET', url: '/dev/dentists', host: new URL(apiBase).host, body: '' },
      { method: 'GET', url: '/dev/staff/appointments?date=2031-01-01', host: new URL(apiBase).host, body: '' },
    ]);
  });

  it('follows the template: a changed response header is sent changed, a removed behaviour no longer reaches the API', async () => {
    const variant = variantAssembly(assembly, (template) => {
      for (const policy of resourcesOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy')) {
        const config = policy.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: string } } };
        config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy = "default-src 'none'";
      }
      for (const distribution of resourcesOfType(template, 'AWS::CloudFront::Distribution')) {
        const config = distribution.Properties.DistributionConfig as { CacheBehaviors: Array<{ PathPattern: string }> };
        config.CacheBehaviors = config.CacheBehaviors.filter((behavior) => behavior.PathPattern !== '/dentists');
      }
    });
    variants.push(variant);
    const [site] = readCloudAssembly(variant).sites ?? [];
    expect(site && behaviorFor(site, '/dentists').origin.kind).toBe('s3');
    const url = await serve(variant);
    expect((await fetch(`${url}/`)).headers.get('content-security-policy')).toBe("default-src 'none'");
    forwarded.length = 0;
    expect((await fetch(`${url}/dentists`)).status).toBe(403);
    expect(forwarded).toEqual([]);
    expect((await fetch(`${url}/appointments`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(forwarded).toHaveLength(1);
  });
});
