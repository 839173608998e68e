/**
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` (API Gateway docs).
 * The policy returned for a decision is scoped to the decision's method and route template: path
 * parameters become `*`, everything else stays literal. So even when API Gateway caches the policy
 * (cache key includes method and route), it grants nothing beyond the route that was decided.
 */
export interface MethodArn {
  prefix: string; // arn:aws:execute-api:region:account:apiId
  stage: string;
  method: string;
  path: string; // without leading slash
}

export function parseMethodArn(arn: string): MethodArn | undefined {
  const parts = arn.split(":");
  if (parts.length !== 6 || parts[0] !== "arn" || parts[2] !== "execute-api") return undefined;
  const [apiId, stage, method, ...rest] = (parts[5] ?? "").split("/");
  if (!apiId || !stage || !method) return undefined;
  return { prefix: parts.slice(0, 5).join(":") + ":" + apiId, stage, method, path: rest.join("/") };
}

/** ARN covering exactly one method on one route template. */
export function scopedResourceArn(arn: MethodArn, method: string, routeTemplate: string): string {
  const path = routeTemplate
    .split("/")
    .filter((s) => s !== "")
    .map((segment) => (/^\{.+\}$/.test(segment) ? "*" : segment))
    .join("/");
  return `${arn.prefix}/${arn.stage}/${method}/${path}`;
}

/**
 * For TOKEN authorizers, which receive no route template: match the ARN's path against the catalog's
 * templates segment by segment. A segment that is empty, dot-only or percent-encoded never matches a
 * parameter, so encoded traversal (`..%2F`, `%2e%2e`) cannot select a route.
 */
export function matchRouteTemplate(path: string, templates: readonly string[]): string | undefined {
  const segments = path.split("/").filter((_, i, all) => !(i === 0 && all[0] === ""));
  for (const template of templates) {
    const t = template.split("/").filter((s) => s !== "");
    if (t.length !== segments.length) continue;
    const matches = t.every((ts, i) => {
      const s = segments[i] ?? "";
      if (/^\{.+\}$/.test(ts)) return s !== "" && s !== "." && s !== ".." && !/[%\u0000-\u001f]/.test(s);
      return ts === s;
    });
    if (matches) return template;
  }
  return undefined;
}
