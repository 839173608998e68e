import type { RouteConfig } from "../../config/schema.js";
import { METHOD_GROUPS } from "../../decision/resource.js";
import type { RequestInput } from "../harness/types.js";
import type { ResolveContext } from "./case.js";
import { closest, type Checker } from "./check.js";
import type { Path } from "./source.js";

const FILE_HINT = "use `{ action, resource: { route, application, classification } }`";

const REQUEST_KEYS = ["method", "route", "action", "resource", "sourceIp", "vpceId", "host", "userAgent"];

export function readRequest(value: unknown, path: Path, ctx: ResolveContext, check: Checker): RequestInput | undefined {
  const r = check.object(value, path, REQUEST_KEYS);
  if (!r) return undefined;
  const byRoute = r.method !== undefined || r.route !== undefined;
  const byAction = r.action !== undefined || r.resource !== undefined;
  if (byRoute === byAction) {
    return check.fail(path, "a request is `{ method, route }` (HTTP terms) or `{ action, resource }` (Cedar terms), not both or neither");
  }
  let method: string | undefined;
  let resource: RouteConfig | undefined;
  if (byRoute) {
    method = readMethod(r.method, [...path, "method"], check);
    const route = readCatalogRoute(r.route, [...path, "route"], ctx, check);
    resource = ctx.config.routes.find((c) => c.path === route);
  } else {
    method = readMethod(stripEntity(r.action, "Action"), [...path, "action"], check);
    resource = readResource(r.resource, [...path, "resource"], ctx, check);
  }
  const request: RequestInput = { method: method ?? "", route: resource?.path ?? "" };
  if (resource && !ctx.config.routes.some((c) => c.path === resource.path)) request.adHocRoute = resource;
  for (const key of ["sourceIp", "vpceId", "host", "userAgent"] as const) {
    const v = check.optionalString(r[key], [...path, key]);
    if (v !== undefined) request[key] = v;
  }
  return method && resource ? request : undefined;
}

function readMethod(value: unknown, path: Path, check: Checker): string | undefined {
  const methods = Object.keys(METHOD_GROUPS);
  if (value === "read" || value === "write") {
    const members = methods.filter((m) => METHOD_GROUPS[m] === value).join(", ");
    return check.fail(path, `\`${value}\` is an action group, not a request: a request names one HTTP method (${value}: ${members})`);
  }
  return check.oneOf(value, path, methods);
}

function readCatalogRoute(value: unknown, path: Path, ctx: ResolveContext, check: Checker): string | undefined {
  const route = check.string(value, path);
  if (route === undefined) return undefined;
  if (ctx.config.routes.some((r) => r.path === route)) return route;
  const hint = closest(route, ctx.config.routes.map((r) => r.path));
  return check.fail(
    path,
    `route \`${route}\` is not in the config's route catalog${hint ? ` (did you mean \`${hint}\`?)` : ""}; routes: ${ctx.config.routes.map((r) => r.path).join(", ")}` +
      `; to test a resource not in the catalog, ${ctx.hints?.inlineResource ?? FILE_HINT}`,
  );
}

/** A catalog route (`/wiki/{page}` or `Route::"/wiki/{page}"`), or an inline one with its attributes. */
function readResource(value: unknown, path: Path, ctx: ResolveContext, check: Checker): RouteConfig | undefined {
  if (typeof value === "string") {
    const route = readCatalogRoute(stripEntity(value, "Route"), path, ctx, check);
    return ctx.config.routes.find((r) => r.path === route);
  }
  const o = check.object(value, path, ["route", "application", "classification"], ["route", "application", "classification"]);
  if (!o) return undefined;
  const route = check.string(o.route, [...path, "route"]);
  const application = check.string(o.application, [...path, "application"]);
  const classification = check.oneOf(o.classification, [...path, "classification"], ["public", "internal", "confidential", "restricted"] as const);
  if (!route || !application || !classification) return undefined;
  const inCatalog = ctx.config.routes.find((r) => r.path === route);
  if (inCatalog && (inCatalog.application !== application || inCatalog.classification !== classification)) {
    return check.fail(path, `route \`${route}\` is in the config's catalog as ${inCatalog.application}/${inCatalog.classification}; an inline resource cannot redefine it`);
  }
  return { path: route, application, classification };
}

/** `Type::"x"` → `x` when the type matches; anything else unchanged (and checked by the caller). */
function stripEntity(value: unknown, type: string): unknown {
  if (typeof value !== "string") return value;
  const m = new RegExp(`^${type}::"((?:[^"\\\\]|\\\\.)*)"$`).exec(value);
  return m ? (JSON.parse(`"${m[1]}"`) as string) : value;
}

