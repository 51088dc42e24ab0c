import { API_ROUTES, routeKey, type ApiRouteDefinition, type RouteKey } from '../../../contracts/api-routes';

/** The booking API's routes come from the shared definition, as `event.resource` names them. */
export const ROUTE_TEMPLATES = [...new Set(API_ROUTES.map((route) => route.path))];
export type RouteTemplate = ApiRouteDefinition['path'];

export interface ResolvedRoute {
  template: RouteTemplate;
  pathParameters: Record<string, string>;
}

/** The definition (access, summary) of a method on a resource, when the API has it. */
export function routeDefinition(method: string, template: RouteTemplate): ApiRouteDefinition | undefined {
  return API_ROUTES.find((route) => routeKey(route) === `${method} ${template}`);
}

export const methodsOf = (template: RouteTemplate): string[] => API_ROUTES.filter((route) => route.path === template).map((route) => route.method);

export type { RouteKey };

function matchTemplate(template: RouteTemplate, path: string): Record<string, string> | undefined {
  const templateParts = template.split('/');
  const pathParts = path.replace(/\/+$/, '').split('/');
  if (templateParts.length !== pathParts.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of templateParts.entries()) {
    const actual = pathParts[index] ?? '';
    const parameter = /^\{(\w+)\}$/.exec(part);
    if (parameter?.[1]) {
      if (actual === '') return undefined;
      parameters[parameter[1]] = actual;
    } else if (part !== actual) {
      return undefined;
    }
  }
  return parameters;
}

/**
 * Finds the route of a proxy event: by `resource` (what API Gateway sends), else by matching the
 * path, so a caller that fills only `path` (a test, a local router) is routed the same way.
 */
export function resolveRoute(
  resource: string | undefined,
  path: string | undefined,
  pathParameters: Record<string, string | undefined> | null,
): ResolvedRoute | undefined {
  const byResource = ROUTE_TEMPLATES.find((template) => template === resource);
  if (byResource) {
    const parameters: Record<string, string> = {};
    for (const [key, value] of Object.entries(pathParameters ?? {})) if (value !== undefined) parameters[key] = value;
    return { template: byResource, pathParameters: parameters };
  }
  for (const template of ROUTE_TEMPLATES) {
    const parameters = path === undefined ? undefined : matchTemplate(template, path);
    if (parameters) return { template, pathParameters: parameters };
  }
  return undefined;
}
