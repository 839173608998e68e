import type { PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import { asUid } from "../entity-uid.js";

/**
 * A policy whose conditions *start* with `resource.attr == "literal"` (or `!=`) is inert for a request
 * whose resource has that attribute set to a string that makes the comparison false. Cedar evaluates a
 * policy as `scope && clause1 && clause2 ...` left to right with short-circuit `&&`, scopes never error,
 * `resource.attr` cannot error when the resource entity is in the request with that attribute, and `==`
 * never errors; so the policy can be neither satisfied nor report an error. Resource attributes come
 * from the route catalog, so this splits partitions per kind of route, not per request.
 *
 * Example: the data-perimeter forbid `when { resource.classification == "restricted" } unless {...}`
 * drops out of every non-restricted route's partition, and with it the context it reads.
 */
export interface ResourceGuard {
  attr: string;
  literal: string;
  /** `!=`: the guard is false when the attribute equals the literal. */
  negated: boolean;
}

type Node = Record<string, unknown>;

/** The guard at the very start of the policy's conditions, if there is one of the supported shape. */
export function resourceGuardOf(policy: PolicyJson): ResourceGuard | undefined {
  const first = policy.conditions[0];
  if (first === undefined || first.kind !== "when") return undefined;
  let expr = first.body as Node;
  // Leftmost conjunct of a `&&` chain: evaluated first.
  while (Object.keys(expr)[0] === "&&") expr = (expr["&&"] as { left: Node }).left;
  const op = Object.keys(expr)[0];
  if (op !== "==" && op !== "!=") return undefined;
  const { left, right } = expr[op] as { left: Node; right: Node };
  const attr = resourceAttr(left) ?? resourceAttr(right);
  const literal = stringLiteral(right) ?? stringLiteral(left);
  if (attr === undefined || literal === undefined) return undefined;
  return { attr, literal, negated: op === "!=" };
}

function resourceAttr(e: Node): string | undefined {
  const access = e["."] as { left: Node; attr: string } | undefined;
  return access !== undefined && Object.keys(e).length === 1 && access.left.Var === "resource" ? access.attr : undefined;
}

function stringLiteral(e: Node): string | undefined {
  return Object.keys(e).length === 1 && typeof e.Value === "string" ? e.Value : undefined;
}

/**
 * The resource's string attributes as the request gives them, or undefined if the request does not say
 * unambiguously (resource absent, listed twice, odd shapes): then no guard is applied.
 */
export function resourceStringAttrs(resource: { type: string; id: string }, entities: unknown): Map<string, string> | undefined {
  if (!Array.isArray(entities)) return undefined;
  let found: Record<string, unknown> | undefined;
  for (const e of entities as Array<{ uid?: unknown; attrs?: unknown }>) {
    const uid = asUid(e?.uid);
    if (!uid || uid.type !== resource.type || uid.id !== resource.id) continue;
    if (found !== undefined || typeof e.attrs !== "object" || e.attrs === null) return undefined;
    found = e.attrs as Record<string, unknown>;
  }
  if (found === undefined) return undefined;
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(found)) if (typeof v === "string") out.set(k, v);
  return out;
}

/** True when the guard cannot hold for this resource, i.e. the policy is inert for the request. */
export function guardFails(guard: ResourceGuard, attrs: ReadonlyMap<string, string>): boolean {
  const value = attrs.get(guard.attr);
  if (value === undefined) return false; // missing or not a string: Cedar may error or compare otherwise; keep it
  return guard.negated ? value === guard.literal : value !== guard.literal;
}
