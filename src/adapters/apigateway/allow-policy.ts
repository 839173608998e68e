import { compareSpecificity, parseTemplate, templatesOverlap, type TemplateSegment } from "../../decision/route-template.js";
import type { MethodArn } from "./method-arn.js";

/**
 * The IAM statements of an allow: exactly the decided method on exactly the decided route template, and
 * nothing else, even when API Gateway caches the policy and matches it against other requests' ARNs.
 *
 * In an execute-api ARN, `*` matches any characters including `/` (IAM resource matching), so the glob
 * `GET/wiki/*` that stands for `/wiki/{page}` also covers `GET/wiki/home/history`, another route. IAM has
 * no "one segment" wildcard, but an explicit Deny always wins over an Allow, so the allow is made exact
 * with a Deny of what the glob over-covers:
 *
 * - more segments than the template has (`GET/wiki/* /*`, n+1 stars for n segments): a `{param}` never
 *   spans a `/`, so no path of the template has that many;
 * - a parameter left empty (`GET/wiki/`): API Gateway never routes an empty segment to a `{param}`;
 * - every catalog route that overlaps the template and is more specific (`/status/admin` beside
 *   `/status/{component}`): API Gateway routes such paths there, so they were not decided.
 *
 * A template without parameters is a literal ARN, exact by itself. A trailing slash adds a segment, so
 * it is not covered either (fail closed). Policy patterns are built from templates only, never from the
 * request path, so a `*` or `?` typed by a client can never widen an allow.
 * (IAM wildcards: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html;
 * authorizer output: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html)
 */

export interface IamStatement {
  Action: "execute-api:Invoke";
  Effect: "Allow" | "Deny";
  Resource: string | string[];
}

export function allowStatements(arn: MethodArn, method: string, routeTemplate: string, catalog: readonly string[] = []): IamStatement[] {
  const base = `${arn.prefix}/${arn.stage}/${method}/`;
  const template = parseTemplate(routeTemplate);
  const allow: IamStatement = { Action: "execute-api:Invoke", Effect: "Allow", Resource: base + glob(template) };
  const deny = new Set<string>();
  const variable = template.some((s) => s.kind !== "literal");
  if (variable) {
    if (!template.some((s) => s.kind === "greedy")) deny.add(base + Array.from({ length: template.length + 1 }, () => "*").join("/"));
    template.forEach((segment, i) => {
      if (segment.kind === "literal") return;
      const empty = template.map((s, j) => (j === i ? "" : star(s))).join("/");
      deny.add(base + empty);
      // A greedy parameter's first segment left empty, with more after it (`GET/files//x`).
      if (segment.kind === "greedy") deny.add(`${base}${empty}/*`);
    });
    for (const other of catalog) {
      const sibling = parseTemplate(other);
      if (other !== routeTemplate && templatesOverlap(template, sibling) && compareSpecificity(sibling, template) < 0) deny.add(base + glob(sibling));
    }
  }
  return deny.size === 0 ? [allow] : [allow, { Action: "execute-api:Invoke", Effect: "Deny", Resource: [...deny] }];
}

function star(segment: TemplateSegment): string {
  return segment.kind === "literal" ? segment.text : "*";
}

function glob(template: readonly TemplateSegment[]): string {
  return template.map(star).join("/");
}
