import type { RouteConfig } from "../config/schema.js";

/** HTTP methods the model knows, and the action group each belongs to (see policies/schema.cedarschema). */
export const METHOD_GROUPS: Readonly<Record<string, "read" | "write">> = Object.freeze({
  GET: "read",
  HEAD: "read",
  OPTIONS: "read",
  POST: "write",
  PUT: "write",
  PATCH: "write",
  DELETE: "write",
});

export interface ResolvedResource {
  action: { type: "Action"; id: string };
  route: RouteConfig;
}

export type ResourceResolution =
  | { ok: true; resource: ResolvedResource }
  | { ok: false; code: "route_unknown" | "method_unknown"; message: string };

/**
 * The resource is looked up by route template in the catalog, never derived from the raw path, so path
 * tricks (`..%2F`, double encoding, `//`) cannot select another resource. Unknown routes deny.
 */
export function createRouteResolver(routes: RouteConfig[]): (method: string, routeTemplate: string) => ResourceResolution {
  const byPath = new Map(routes.map((r) => [r.path, r] as const));
  return (method, routeTemplate) => {
    // Methods are matched exactly in upper case as API Gateway routes them; override headers never get here.
    if (!Object.hasOwn(METHOD_GROUPS, method)) {
      return { ok: false, code: "method_unknown", message: `method \`${method}\` is not in the action model` };
    }
    const route = byPath.get(routeTemplate);
    if (!route) return { ok: false, code: "route_unknown", message: `route \`${routeTemplate}\` is not in the route catalog` };
    return { ok: true, resource: { action: { type: "Action", id: method }, route } };
  };
}
