import type { ApiRouteSpec, HttpMethod } from '../topology/types';

/**
 * API Gateway REST resource matching: a request path is matched segment by segment against the
 * resource tree; at each level a literal segment beats a `{param}`, which beats a greedy
 * `{proxy+}`; among the methods of the chosen resource a specific method beats `ANY`.
 */

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

interface CompiledRoute {
  route: ApiRouteSpec;
  segments: Segment[];
}

export interface RouteMatch {
  route: ApiRouteSpec;
  /** URL-decoded values by parameter name; empty when the resource has none. */
  pathParameters: Record<string, string>;
}

export class InvalidRouteError extends Error {
  readonly code = 'InvalidRoute';

  constructor(resourcePath: string, problem: string) {
    super(`route ${resourcePath}: ${problem}`);
    this.name = 'InvalidRouteError';
  }
}

function compileSegments(resourcePath: string): Segment[] {
  if (!resourcePath.startsWith('/')) throw new InvalidRouteError(resourcePath, 'a resource path starts with /');
  const parts = resourcePath === '/' ? [] : resourcePath.slice(1).split('/');
  return parts.map((part, index) => {
    if (part === '') throw new InvalidRouteError(resourcePath, 'empty path segment');
    const greedy = /^\{([A-Za-z0-9._-]+)\+\}$/.exec(part);
    if (greedy) {
      if (index !== parts.length - 1) throw new InvalidRouteError(resourcePath, `greedy parameter ${part} must be the last segment`);
      return { kind: 'greedy', name: greedy[1] as string };
    }
    const param = /^\{([A-Za-z0-9._-]+)\}$/.exec(part);
    if (param) return { kind: 'param', name: param[1] as string };
    if (/[{}]/.test(part)) throw new InvalidRouteError(resourcePath, `segment ${part} mixes literal text and a parameter`);
    return { kind: 'literal', value: part };
  });
}

const SPECIFICITY: Record<Segment['kind'], number> = { literal: 0, param: 1, greedy: 2 };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class RouteMatcher {
  private readonly routes: CompiledRoute[];

  constructor(routes: ApiRouteSpec[]) {
    this.routes = routes.map((route) => ({ route, segments: compileSegments(route.resourcePath) }));
  }

  /** The route for `method` and the stage-less, still-encoded `path`, or undefined (API Gateway's 403). */
  match(method: string, path: string): RouteMatch | undefined {
    const upper = method.toUpperCase();
    const requestSegments = path === '/' || path === '' ? [] : path.replace(/^\//, '').replace(/\/$/, '').split('/');
    const candidates = this.routes.filter((route) => route.route.method === upper || route.route.method === 'ANY');
    let best: { compiled: CompiledRoute; parameters: Record<string, string>; rank: number[] } | undefined;
    for (const compiled of candidates) {
      const parameters = matchSegments(compiled.segments, requestSegments);
      if (!parameters) continue;
      // Lexicographic rank: segment specificity level by level, then a specific method before ANY.
      const rank = [...compiled.segments.map((segment) => SPECIFICITY[segment.kind]), compiled.route.method === 'ANY' ? 1 : 0];
      if (!best || compareRanks(rank, best.rank) < 0) best = { compiled, parameters, rank };
    }
    return best ? { route: best.compiled.route, pathParameters: best.parameters } : undefined;
  }

  /** The methods defined on any resource that matches `path`, for diagnostics. */
  methodsFor(path: string): HttpMethod[] {
    const requestSegments = path === '/' ? [] : path.replace(/^\//, '').replace(/\/$/, '').split('/');
    return this.routes.filter((route) => matchSegments(route.segments, requestSegments)).map((route) => route.route.method);
  }
}

function compareRanks(a: number[], b: number[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
    const difference = (a[index] as number) - (b[index] as number);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

function matchSegments(segments: Segment[], request: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let index = 0; index < segments.length; index += 1) {
    const segment = segments[index] as Segment;
    if (segment.kind === 'greedy') {
      const rest = request.slice(index);
      if (rest.length === 0 || rest.some((part) => part === '')) return undefined;
      parameters[segment.name] = rest.map(decode).join('/');
      return parameters;
    }
    const part = request[index];
    if (part === undefined || part === '') return undefined;
    if (segment.kind === 'literal') {
      if (decode(part) !== segment.value) return undefined;
    } else {
      parameters[segment.name] = decode(part);
    }
  }
  return request.length === segments.length ? parameters : undefined;
}
