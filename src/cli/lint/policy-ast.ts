import type { PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";

/**
 * A read-only walk over Cedar's JSON policy form (`policyToJson`), for the lints and for finding the
 * entities policies name. The JSON form is Cedar's stable interchange format, so this does not depend
 * on the text syntax.
 */

export type Expr = Record<string, unknown>;
export interface EntityRef {
  type: string;
  id: string;
}

/** Binary operators of the JSON form: `{ op: { left, right } }`. */
const BINARY = new Set([
  "==", "!=", "in", "<", "<=", ">", ">=", "&&", "||", "+", "-", "*",
  "contains", "containsAll", "containsAny", "getTag", "hasTag",
]);
export const ARITHMETIC = new Set(["+", "-", "*", "neg"]);

/** The operator of an expression (`{ op: body }` has exactly one key) and its body. */
export function opOf(expr: unknown): { op: string; body: unknown } | undefined {
  if (!isObject(expr)) return undefined;
  const first = Object.entries(expr)[0];
  return first ? { op: first[0], body: first[1] } : undefined;
}

/** The direct sub-expressions of an expression, in evaluation order. */
export function children(expr: unknown): unknown[] {
  const node = opOf(expr);
  if (!node || node.op === "Value" || node.op === "Var" || node.op === "Slot") return [];
  const { op, body } = node;
  if (Array.isArray(body)) return body; // `Set`, or an extension function / method call: `{ "ip": [arg] }`
  if (!isObject(body)) return [];
  if (BINARY.has(op)) return [body.left, body.right];
  if (op === "!" || op === "neg" || op === "isEmpty") return [body.arg];
  if (op === "is") return body.in === undefined ? [body.left] : [body.left, body.in];
  if (op === "." || op === "has" || op === "like") return [body.left];
  if (op === "if-then-else") return [body.if, body.then, body.else];
  if (op === "Record") return Object.values(body);
  return [];
}

/** Calls `visit` on every sub-expression, outermost first. */
export function walkExpr(expr: unknown, visit: (e: Expr, op: string) => void): void {
  const node = opOf(expr);
  if (!node) return;
  visit(expr as Expr, node.op);
  for (const child of children(expr)) walkExpr(child, visit);
}

/** Entity literals a value holds (`{"__entity": ...}`, also inside sets and records). */
export function entitiesInValue(value: unknown, out: EntityRef[] = []): EntityRef[] {
  if (Array.isArray(value)) value.forEach((v) => entitiesInValue(v, out));
  else if (isObject(value)) {
    const ref = Object.hasOwn(value, "__entity") ? asEntityRef(value) : undefined;
    if (ref) out.push(ref);
    else Object.values(value).forEach((v) => entitiesInValue(v, out));
  }
  return out;
}

/** Every entity a policy names, in its scope or its conditions. */
export function entitiesNamedBy(policy: PolicyJson): EntityRef[] {
  const out: EntityRef[] = [];
  const scope = [policy.principal, policy.action, policy.resource] as unknown as Expr[];
  for (const constraint of scope) {
    const one = asEntityRef(constraint.entity);
    if (one) out.push(one);
    if (Array.isArray(constraint.entities)) constraint.entities.forEach((e) => asEntityRef(e) && out.push(asEntityRef(e)!));
    if (isObject(constraint.in)) {
      const inner = asEntityRef(constraint.in.entity);
      if (inner) out.push(inner);
    }
  }
  for (const clause of policy.conditions) {
    walkExpr(clause.body, (e, op) => {
      if (op === "Value") entitiesInValue(e.Value, out);
    });
  }
  return out;
}

/** `{type, id}` or `{"__entity": {type, id}}`. */
export function asEntityRef(value: unknown): EntityRef | undefined {
  if (!isObject(value)) return undefined;
  const inner = isObject(value.__entity) ? value.__entity : value;
  return typeof inner.type === "string" && typeof inner.id === "string" ? { type: inner.type, id: inner.id } : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `Type::"id"` as Cedar writes it. */
export function showEntity(ref: EntityRef): string {
  return `${ref.type}::${JSON.stringify(ref.id)}`;
}
