import { InvalidRouteError, RouteMatcher } from '../../../local/api/route-matcher';
import type { ApiRouteSpec } from '../../../local/topology/types';

const route = (method: ApiRouteSpec['method'], resourcePath: string): ApiRouteSpec => ({ method, resourcePath, functionId: `fn:${method} ${resourcePath}` });

describe('RouteMatcher', () => {
  const matcher = new RouteMatcher([
    route('POST', '/appointments'),
    route('GET', '/appointments/{id}'),
    route('GET', '/appointments/today'),
    route('PUT', '/contacts/{email}'),
    route('GET', '/contacts/{email}'),
    route('ANY', '/files/{proxy+}'),
    route('GET', '/files/{name}'),
    route('GET', '/files/readme'),
    route('DELETE', '/files/{proxy+}'),
    route('GET', '/'),
  ]);

  it('matches literal routes and the root', () => {
    expect(matcher.match('POST', '/appointments')?.route.resourcePath).toBe('/appointments');
    expect(matcher.match('post', '/appointments/')?.route.resourcePath).toBe('/appointments');
    expect(matcher.match('GET', '/')?.route.resourcePath).toBe('/');
  });

  it('prefers a literal segment over a parameter', () => {
    expect(matcher.match('GET', '/appointments/today')).toEqual({ route: route('GET', '/appointments/today'), pathParameters: {} });
    expect(matcher.match('GET', '/appointments/123')).toEqual({ route: route('GET', '/appointments/{id}'), pathParameters: { id: '123' } });
  });

  it('prefers a parameter over a greedy parameter, and a literal over both', () => {
    expect(matcher.match('GET', '/files/readme')?.route.resourcePath).toBe('/files/readme');
    expect(matcher.match('GET', '/files/notes.txt')?.route.resourcePath).toBe('/files/{name}');
    expect(matcher.match('GET', '/files/a/b/c')).toEqual({ route: route('ANY', '/files/{proxy+}'), pathParameters: { proxy: 'a/b/c' } });
  });

  it('prefers a specific method over ANY on the same resource', () => {
    expect(matcher.match('DELETE', '/files/a/b')?.route.method).toBe('DELETE');
    expect(matcher.match('PATCH', '/files/a/b')?.route.method).toBe('ANY');
  });

  it('URL-decodes path parameters', () => {
    expect(matcher.match('GET', '/contacts/ana%40example.com')?.pathParameters).toEqual({ email: 'ana@example.com' });
    expect(matcher.match('GET', '/files/dir%2Fwith%20space/x')?.pathParameters).toEqual({ proxy: 'dir/with space/x' });
  });

  it('finds nothing for unknown paths, methods without a route, and a greedy parameter with nothing to match', () => {
    expect(matcher.match('GET', '/unknown')).toBeUndefined();
    expect(matcher.match('DELETE', '/appointments/1')).toBeUndefined();
    expect(matcher.match('GET', '/appointments/1/extra')).toBeUndefined();
    expect(matcher.match('PUT', '/files')).toBeUndefined();
    expect(matcher.methodsFor('/contacts/x')).toEqual(['PUT', 'GET']);
  });

  it('rejects malformed resource paths', () => {
    expect(() => new RouteMatcher([route('GET', 'no-slash')])).toThrow(InvalidRouteError);
    expect(() => new RouteMatcher([route('GET', '/{proxy+}/more')])).toThrow(/must be the last segment/);
    expect(() => new RouteMatcher([route('GET', '/a//b')])).toThrow(/empty path segment/);
    expect(() => new RouteMatcher([route('GET', '/a-{id}')])).toThrow(/mixes literal text and a parameter/);
  });
});
