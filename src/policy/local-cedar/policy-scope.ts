import type { PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import { asUid, uidKey } from "../entity-uid.js";

/**
 * A policy's scope (the head: `principal ..., action ..., resource ...`) reduced to what the partition index
 * needs. Cedar evaluates a policy as `scope && conditions`, and the scope can never error (`==`, `in` and
 * `is` on entities are total), so a policy whose scope is false for a request is inert for it: it cannot
 * be satisfied and cannot report an error. That is the whole basis of partitioning.
 */

/** Principal and resource constraints. `slot` (templates) is never indexed: such a policy is always relevant. */
export type EntityScope =
  | { kind: "any" }
  | { kind: "eq"; key: string }
  | { kind: "in"; key: string }
  | { kind: "is"; type: string }
  | { kind: "isIn"; type: string; key: string }
  | { kind: "slot" };

/** Action constraint: `any`, or the set of actions/groups of which the request's action must be one or a member. */
export type ActionScope = { kind: "any" } | { kind: "in"; keys: string[]; exact: boolean };

export interface PolicyScope {
  principal: EntityScope;
  action: ActionScope;
  resource: EntityScope;
}

export function scopeOf(json: PolicyJson): PolicyScope {
  return { principal: entityScope(json.principal), action: actionScope(json.action), resource: entityScope(json.resource) };
}

function entityScope(c: PolicyJson["principal"]): EntityScope {
  switch (c.op) {
    case "All":
      return { kind: "any" };
    case "==":
    case "in": {
      if ("slot" in c) return { kind: "slot" };
      const uid = asUid(c.entity);
      if (!uid) return { kind: "slot" }; // unknown shape: never index it, keep it relevant everywhere
      return { kind: c.op === "==" ? "eq" : "in", key: uidKey(uid.type, uid.id) };
    }
    case "is": {
      if (!c.in) return { kind: "is", type: c.entity_type };
      if ("slot" in c.in) return { kind: "slot" };
      const uid = asUid(c.in.entity);
      return uid ? { kind: "isIn", type: c.entity_type, key: uidKey(uid.type, uid.id) } : { kind: "slot" };
    }
    default:
      return { kind: "slot" };
  }
}

function actionScope(c: PolicyJson["action"]): ActionScope {
  if (c.op === "All") return { kind: "any" };
  const uids = c.op === "==" ? ("entity" in c ? [c.entity] : []) : "entities" in c ? c.entities : [c.entity];
  const keys: string[] = [];
  for (const raw of uids) {
    const uid = asUid(raw);
    if (!uid) return { kind: "any" }; // unknown shape (a slot): relevant for every action
    keys.push(uidKey(uid.type, uid.id));
  }
  return { kind: "in", keys, exact: c.op === "==" };
}

/** The same policy with an unconstrained scope: used for partitions whose every request satisfies the scope. */
export function withoutScope(json: PolicyJson): PolicyJson {
  return { ...json, principal: { op: "All" }, action: { op: "All" }, resource: { op: "All" } };
}
