/**
 * API Gateway route templates (`/wiki/{page}`, `/files/{proxy+}`): parsing, matching a concrete path, and
 * API Gateway's precedence when several templates match one path. A literal segment is more specific
 * than a `{param}`, which is more specific than a greedy `{proxy+}` (which must be the last segment); the
 * most specific template wins, compared segment by segment from the left. (REST: resources; HTTP APIs:
 * "the route with the most-specific match", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html)
 */

export type SegmentKind = "literal" | "param" | "greedy";

export interface TemplateSegment {
  kind: SegmentKind;
  text: string;
}

const RANK: Readonly<Record<SegmentKind, number>> = { literal: 0, param: 1, greedy: 2 };

export function parseTemplate(template: string): TemplateSegment[] {
  return template
    .split("/")
    .filter((s) => s !== "")
    .map((text) => ({ kind: /^\{.+\+\}$/.test(text) ? "greedy" : /^\{.+\}$/.test(text) ? "param" : "literal", text }));
}

/**
 * A path segment a `{param}` can stand for. Percent-encoding, colons and any unicode are just characters of
 * one segment (the decision reads the template, never the value); an empty or dot-only segment, or a control
 * character, never selects a parameterised route.
 */
function isParamValue(segment: string): boolean {
  // eslint-disable-next-line no-control-regex
  return segment !== "" && segment !== "." && segment !== ".." && !/[\u0000-\u001f\u007f]/.test(segment);
}


export function templateMatches(template: readonly TemplateSegment[], segments: readonly string[]): boolean {
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    if (t.kind === "greedy") {
      // `{proxy+}`: one or more remaining segments, the first of them a real one.
      return i === template.length - 1 && segments.length > i && isParamValue(segments[i]!);
    }
    const s = segments[i];
    if (s === undefined) return false;
    if (t.kind === "literal" ? s !== t.text : !isParamValue(s)) return false;
  }
  return segments.length === template.length;
}

/** Negative when `a` is more specific than `b` (API Gateway prefers it), positive when less, 0 when equal. */
export function compareSpecificity(a: readonly TemplateSegment[], b: readonly TemplateSegment[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = RANK[a[i]!.kind] - RANK[b[i]!.kind];
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The template API Gateway would route a path to, among `templates`; ties go to the first listed.
 * `segments` are the path's segments exactly as split on `/`: an empty one (`//status`) is kept, and
 * matches no template segment, so it can never stand for another path.
 */
export function bestTemplateFor(segments: readonly string[], templates: readonly string[]): string | undefined {
  let best: { template: string; parsed: TemplateSegment[] } | undefined;
  for (const template of templates) {
    const parsed = parseTemplate(template);
    if (!templateMatches(parsed, segments)) continue;
    if (best === undefined || compareSpecificity(parsed, best.parsed) < 0) best = { template, parsed };
  }
  return best?.template;
}

/** Whether some path matches both templates (then precedence decides which one API Gateway routes it to). */
export function templatesOverlap(a: readonly TemplateSegment[], b: readonly TemplateSegment[]): boolean {
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return x === y;
    if (x.kind === "greedy" || y.kind === "greedy") return true;
    if (x.kind === "literal" && y.kind === "literal" && x.text !== y.text) return false;
  }
}
