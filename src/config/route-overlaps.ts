import { compareSpecificity, parseTemplate, templatesOverlap } from "../decision/route-template.js";
import type { RouteConfig } from "./schema.js";

/**
 * Catalog templates that can match the same path (`/users/me` and `/users/{id}`, or anything under a
 * `{proxy+}`). Not an error: API Gateway routes such a path to the most specific template, and so do the
 * authorizers. But each of them is a separate resource for policies, and an author who expects the
 * catch-all's rule to cover the specific route would be wrong: config load says so, once, at start-up.
 */
export function routeOverlapWarnings(routes: readonly RouteConfig[]): string[] {
  const parsed = routes.map((r) => parseTemplate(r.path));
  const warnings: string[] = [];
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length; j++) {
      if (!templatesOverlap(parsed[i]!, parsed[j]!)) continue;
      const order = compareSpecificity(parsed[i]!, parsed[j]!);
      const [specific, general] = order <= 0 ? [routes[i]!, routes[j]!] : [routes[j]!, routes[i]!];
      warnings.push(
        order === 0
          ? `routes \`${routes[i]!.path}\` and \`${routes[j]!.path}\` match the same paths: API Gateway refuses such a pair, and the first listed would win here`
          : `routes \`${general.path}\` and \`${specific.path}\` overlap: a path matching both is decided as \`${specific.path}\` ` +
              `(${specific.classification}, ${specific.application}), like API Gateway routes it (literal > {param} > {proxy+})`,
      );
    }
  }
  return warnings;
}
