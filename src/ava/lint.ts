import type { PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import { lintPolicy } from "../cli/lint/lint.js";
import { children, isObject, opOf } from "../cli/lint/policy-ast.js";
import type { LoadedPolicy } from "../policy/loader.js";
import type { PolicyProblem } from "../policy/problems.js";
import { closest } from "../cli/scenario/check.js";
import type { AvaPolicySet } from "./loader.js";
import type { AvaManifest } from "./manifest.js";
import { HTTP_REQUEST_SHAPE, PROVIDER_SHAPES, fieldOf, type Shape } from "./shapes.js";

/**
 * Checks of a Verified Access policy's `context` reads, on top of the project's general lint (a policy
 * without `@id`, a permit with no condition, a forbid that can fail to evaluate).
 *
 * The missing-key rule. AVA evaluates a policy that reads a key missing from the context as an error and
 * denies (https://docs.aws.amazon.com/verified-access/latest/ug/auth-policies-policy-eval-short-circ.html),
 * so every read must be of a key that is always there, or be dominated by a `has` that proves it:
 * - always there: `context.http_request.*` (AVA adds it to every evaluation:
 *   trust-data-default-context.html), the one user trust provider of a folder that declares exactly one
 *   (user-trust.html), and the documented fields of a provider's record once the record is there
 *   (shapes.ts says which);
 * - proved: a `has` on the path, or on each missing step of it (`context has jamf.risk`, or
 *   `context has jamf && context.jamf has risk`), that dominates the read: the left side of `&&` for its
 *   right side, the negated left side of `||` for its right side, the condition of `if` for `then` (its
 *   negation for `else`), and earlier `when`/`unless` clauses for later ones (Cedar joins them with `&&`).
 * Anything else is flagged, including a `has` that does not dominate (`context.jamf.risk == "LOW" &&
 * context has jamf`). Reads are tracked through `context` paths only; AVA policies read nothing else.
 */
export function lintAvaPolicySet(set: AvaPolicySet): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  for (const policy of set.policies) {
    out.push(...lintPolicy(policy, policy.json, new Set()));
    out.push(...lintAvaPolicy(policy, policy.json, set.manifest));
  }
  return out;
}

export function lintAvaPolicy(policy: LoadedPolicy, json: PolicyJson, manifest: AvaManifest): PolicyProblem[] {
  const state: LintState = { manifest, missing: new Map(), unknown: new Map() };
  let facts: Facts = new Set();
  for (const clause of json.conditions) {
    visit(clause.body, facts, state);
    facts = union(facts, clause.kind === "when" ? whenTrue(clause.body) : whenFalse(clause.body));
  }
  const at = { file: policy.file, line: policy.line, col: policy.col, policyId: policy.id };
  const out: PolicyProblem[] = [];
  for (const [read, gap] of state.missing) {
    out.push({
      ...at,
      severity: "warning",
      message: `policy \`${policy.id}\` reads \`${read}\`, but \`${gap.path}\` may be missing (${gap.why}): AVA then fails the policy and denies`,
      help: `guard the read with a \`has\` that dominates it: \`${gap.guard} && ${read} ...\``,
    });
  }
  for (const message of state.unknown.values()) out.push({ ...at, severity: "warning", message });
  return out;
}

/** Paths (`jamf.risk`) a `has` has proved present at a point of the expression. */
type Facts = ReadonlySet<string>;

interface LintState {
  manifest: AvaManifest;
  /** Unguarded read → its first step that may be missing. */
  missing: Map<string, { path: string; why: string; guard: string }>;
  unknown: Map<string, string>;
}

function visit(expr: unknown, facts: Facts, state: LintState): void {
  const node = opOf(expr);
  if (!node) return;
  const { op, body } = node;
  if (isObject(body)) {
    if (op === "&&") {
      visit(body.left, facts, state);
      visit(body.right, union(facts, whenTrue(body.left)), state);
      return;
    }
    if (op === "||") {
      visit(body.left, facts, state);
      visit(body.right, union(facts, whenFalse(body.left)), state);
      return;
    }
    if (op === "if-then-else") {
      visit(body.if, facts, state);
      visit(body.then, union(facts, whenTrue(body.if)), state);
      visit(body.else, union(facts, whenFalse(body.if)), state);
      return;
    }
    if (op === ".") {
      const path = contextPath(expr);
      if (path) {
        checkRead(path, facts, state);
        return; // its sub-reads are the prefixes, checked by checkRead
      }
    }
  }
  for (const child of children(expr)) visit(child, facts, state);
}

/** `context.a.b` → ["a", "b"]; undefined for anything not rooted at `context`. */
function contextPath(expr: unknown): string[] | undefined {
  const node = opOf(expr);
  if (node?.op === "Var") return node.body === "context" ? [] : undefined;
  if (node?.op !== "." || !isObject(node.body) || typeof node.body.attr !== "string") return undefined;
  const left = contextPath(node.body.left);
  return left ? [...left, node.body.attr] : undefined;
}

function checkRead(path: string[], facts: Facts, state: LintState): void {
  const read = show(path);
  let shape: Shape | undefined;
  for (let i = 0; i < path.length; i++) {
    const step = path.slice(0, i + 1);
    const key = step.join(".");
    const name = path[i]!;
    const known = i === 0 ? rootField(name, state.manifest) : shape ? fieldOf(shape, name) : undefined;
    if (i === 0 && !known) noteUnknownRef(name, state);
    if (i > 0 && shape && !known && shape.t === "record" && !shape.open) noteUnknownKey(path.slice(0, i), name, shape, state);
    const always = known?.always === true;
    if (!always && !facts.has(key) && !state.missing.has(read)) {
      state.missing.set(read, { path: show(step), why: whyMissing(step, shape, state.manifest), guard: guardFor(step) });
    }
    shape = known?.shape ?? (shape?.t === "map" ? shape.of : undefined);
  }
}

function rootField(name: string, manifest: AvaManifest): { shape: Shape; always: boolean } | undefined {
  if (name === "http_request") return { shape: HTTP_REQUEST_SHAPE, always: true };
  const provider = manifest.byRef.get(name);
  if (!provider) return undefined;
  return { shape: PROVIDER_SHAPES[provider.type], always: manifest.guaranteedUserRef === name };
}

function whyMissing(step: string[], parent: Shape | undefined, manifest: AvaManifest): string {
  if (step.length === 1) {
    const provider = manifest.byRef.get(step[0]!);
    if (!provider) return `no trust provider \`${step[0]}\` is declared in verified-access.yaml`;
    if (provider.kind === "device") return `a device without the ${provider.type} agent or browser extension sends no \`${provider.ref}\` data`;
    return "the folder declares several user trust providers and a request carries only one";
  }
  if (parent?.t === "map") return "a user in no such group has no such key";
  if (parent?.t === "record" && parent.open) return "a claim the identity provider may not send";
  return "it is not a documented field";
}

function guardFor(step: string[]): string {
  const [first, ...rest] = step;
  if (rest.length === 0) return `context has ${attr(first!)}`;
  const last = rest.pop()!;
  return `${show([first!, ...rest])} has ${attr(last)}`;
}

function noteUnknownRef(name: string, state: LintState): void {
  const refs = ["http_request", ...state.manifest.byRef.keys()];
  const hint = closest(name, refs);
  state.unknown.set(
    `ref:${name}`,
    `\`context.${name}\` is not a trust provider of this folder${hint ? ` (did you mean \`${hint}\`?)` : ""}: declared are ${refs.map((r) => `\`${r}\``).join(", ")} (verified-access.yaml)`,
  );
}

function noteUnknownKey(parent: string[], name: string, shape: Extract<Shape, { t: "record" }>, state: LintState): void {
  const fields = Object.keys(shape.fields);
  const hint = closest(name, fields);
  state.unknown.set(
    `key:${parent.join(".")}.${name}`,
    `\`${show(parent)}\` has no documented field \`${name}\`${hint ? ` (did you mean \`${hint}\`?)` : ""}; its fields are ${fields.map((f) => `\`${f}\``).join(", ")}`,
  );
}

/** Paths proved present when `expr` is true. */
function whenTrue(expr: unknown): Set<string> {
  const node = opOf(expr);
  if (!node || !isObject(node.body)) return new Set();
  const { op, body } = node;
  if (op === "has") {
    const base = contextPath(body.left);
    const attrs = Array.isArray(body.attr) ? body.attr.map(String) : [String(body.attr)];
    if (!base) return new Set();
    // `e has a.b` being true proves `e.a` and `e.a.b`, and `e` itself (evaluating it did not fail).
    const full = [...base, ...attrs];
    return new Set(full.map((_, i) => full.slice(0, i + 1).join(".")));
  }
  if (op === "&&") return union(whenTrue(body.left), whenTrue(body.right));
  if (op === "||") return intersect(whenTrue(body.left), whenTrue(body.right));
  if (op === "!") return whenFalse(body.arg);
  if (op === "if-then-else") return intersect(union(whenTrue(body.if), whenTrue(body.then)), union(whenFalse(body.if), whenTrue(body.else)));
  return new Set();
}

/** Paths proved present when `expr` is false. */
function whenFalse(expr: unknown): Set<string> {
  const node = opOf(expr);
  if (!node || !isObject(node.body)) return new Set();
  const { op, body } = node;
  if (op === "!") return whenTrue(body.arg);
  if (op === "||") return union(whenFalse(body.left), whenFalse(body.right));
  if (op === "&&") return intersect(whenFalse(body.left), whenFalse(body.right));
  if (op === "if-then-else") return intersect(union(whenTrue(body.if), whenFalse(body.then)), union(whenFalse(body.if), whenFalse(body.else)));
  return new Set();
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  return new Set([...a, ...b]);
}

function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  return new Set([...a].filter((x) => b.has(x)));
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function attr(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** `context.jamf.risk`, with brackets where Cedar needs them (`context.idc.groups["c242…"]`). */
export function show(path: readonly string[]): string {
  return `context${path.map((p) => (IDENTIFIER.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join("")}`;
}
