import type { Expr, PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import { asUid, uidKey } from "../entity-uid.js";

/**
 * What a policy's conditions (`when`/`unless`) can observe of a request, found by walking Cedar's JSON AST.
 * The trimmed fast path (request-trim.ts) passes Cedar only these parts, so every answer must be a safe
 * over-approximation: when in doubt, say "everything".
 *
 * - Context: the attribute paths read (`context.a.b`, `context has a`), or the whole context when it is used
 *   any other way (`context == {...}`, passed to a function...).
 * - Entities: which variables have attributes or tags read (then their entity must be present, with all its
 *   attributes), the entity literals named (`Group::"HR"`), and whether `in` ever tests membership in
 *   something that is not a literal (then the full hierarchy is needed).
 */
export interface ConditionReads {
  /** Attribute paths under `context`; `"all"` when the context is used as a whole. */
  context: string[][] | "all";
  /** Attributes or tags read from `principal`, `resource`, `action`. */
  derefs: Set<"principal" | "resource" | "action">;
  /** Keys (`uidKey`) of every entity literal in the conditions. */
  literals: Set<string>;
  /** An entity whose origin the walk cannot name is dereferenced, or `in` has a non-literal right side. */
  needsAllEntities: boolean;
}

export function emptyReads(): ConditionReads {
  return { context: [], derefs: new Set(), literals: new Set(), needsAllEntities: false };
}

export function conditionReads(policy: PolicyJson): ConditionReads {
  const reads = emptyReads();
  for (const clause of policy.conditions) visit(clause.body, reads);
  return reads;
}

/** Union, in place into `into`. */
export function mergeReads(into: ConditionReads, from: ConditionReads): void {
  if (into.context !== "all") into.context = from.context === "all" ? "all" : [...into.context, ...from.context];
  for (const d of from.derefs) into.derefs.add(d);
  for (const l of from.literals) into.literals.add(l);
  into.needsAllEntities ||= from.needsAllEntities;
}

type Node = Record<string, unknown>;

const BINARY = new Set(["==", "!=", "<", "<=", ">", ">=", "&&", "||", "+", "-", "*", "contains", "containsAll", "containsAny"]);
const UNARY = new Set(["!", "neg", "isEmpty"]);

function visit(expr: Expr, reads: ConditionReads): void {
  const node = expr as Node;
  const op = Object.keys(node)[0];
  if (op === undefined) return;
  const body = node[op] as Node;
  if (op === "Value") return collectLiterals(body, reads);
  if (op === "Var") {
    // A bare variable: for `context` that means the whole record is observed.
    if (body === ("context" as unknown)) reads.context = "all";
    return;
  }
  if (op === "Slot") return;
  if (op === "." || op === "has") return visitAccess(node, op, reads);
  if (op === "getTag" || op === "hasTag") {
    deref(body.left as Expr, [], reads);
    return visit(body.right as Expr, reads);
  }
  if (op === "in") {
    visit(body.left as Expr, reads);
    return visitMembershipTarget(body.right as Expr, reads);
  }
  if (op === "is") {
    visit(body.left as Expr, reads);
    if (body.in !== undefined) visitMembershipTarget(body.in as Expr, reads);
    return;
  }
  if (BINARY.has(op)) {
    visit(body.left as Expr, reads);
    return visit(body.right as Expr, reads);
  }
  if (UNARY.has(op)) return visit(body.arg as Expr, reads);
  if (op === "like") return visit(body.left as Expr, reads);
  if (op === "if-then-else") {
    for (const k of ["if", "then", "else"]) visit(body[k] as Expr, reads);
    return;
  }
  // Plain loops throughout (no forEach): see the note on V8's deoptimizer in loader.ts splitFile.
  if (op === "Set" && Array.isArray(body)) return visitAll(body as Expr[], reads);
  if (op === "Record") return visitAll(Object.values(body) as Expr[], reads);
  if (Array.isArray(body)) return visitAll(body as Expr[], reads); // extension call: `ip`, `isInRange`...
  // An operator this walk does not know (a newer Cedar): assume it can observe anything.
  reads.context = "all";
  reads.needsAllEntities = true;
}

function visitAll(exprs: Expr[], reads: ConditionReads): void {
  for (const e of exprs) visit(e, reads);
}

/** `e.a.b` or `e.a has b`: find the root of the chain of attribute accesses. */
function visitAccess(node: Node, op: "." | "has", reads: ConditionReads): void {
  const body = node[op] as { left: Expr; attr: string | string[] };
  const path = op === "has" && Array.isArray(body.attr) ? [...body.attr] : [body.attr as string];
  let left = body.left as Node;
  while (Object.keys(left)[0] === ".") {
    const inner = left["."] as { left: Expr; attr: string };
    path.unshift(inner.attr);
    left = inner.left as Node;
  }
  deref(left as Expr, path, reads);
}

/** Something is dereferenced along `path` (empty for tags). */
function deref(root: Expr, path: string[], reads: ConditionReads): void {
  const node = root as Node;
  const op = Object.keys(node)[0];
  if (op === "Var") {
    const v = node.Var as string;
    if (v === "context") {
      if (reads.context !== "all") reads.context.push(path);
      return;
    }
    reads.derefs.add(v as "principal" | "resource" | "action");
    // `principal.a.b`: the inner value is a record (the fast path refuses schemas with entity-typed
    // attributes), so one level names the entity. Deeper is still the same entity's attribute.
    return;
  }
  if (op === "Value") {
    collectLiterals(node.Value, reads);
    return; // literal entities are always passed with their attributes
  }
  // Any other root (`(if c then principal else resource).a`): cannot tell which entity; keep everything.
  reads.needsAllEntities = true;
  visit(root, reads);
}

/**
 * The right side of `in`. A literal entity (or set of literals) is fine: only membership in named entities
 * can be observed. Anything else (`principal in resource`) needs the full hierarchy.
 */
function visitMembershipTarget(target: Expr, reads: ConditionReads): void {
  const node = target as Node;
  const op = Object.keys(node)[0];
  if (op === "Value" && isLiteralEntityOrSet(node.Value)) return collectLiterals(node.Value, reads);
  if (op === "Set" && (node.Set as Node[]).every((e) => Object.keys(e)[0] === "Value" && asUid(e.Value) !== undefined)) {
    for (const e of node.Set as Node[]) collectLiterals(e.Value, reads);
    return;
  }
  reads.needsAllEntities = true;
  visit(target, reads);
}

function isLiteralEntityOrSet(value: unknown): boolean {
  if (Array.isArray(value)) return value.every((v) => asUid(v) !== undefined && isEntityRef(v));
  return isEntityRef(value);
}

function isEntityRef(value: unknown): boolean {
  return typeof value === "object" && value !== null && "__entity" in value;
}

/** Entity literals appear in `Value` nodes as `{__entity: {type, id}}`, possibly inside sets and records. */
function collectLiterals(value: unknown, reads: ConditionReads): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) collectLiterals(v, reads);
    return;
  }
  if ("__entity" in value) {
    const uid = asUid(value);
    if (uid) reads.literals.add(uidKey(uid.type, uid.id));
    else reads.needsAllEntities = true;
    return;
  }
  if ("__extn" in value) return;
  for (const v of Object.values(value)) collectLiterals(v, reads);
}
