import { randomUUID } from "node:crypto";
import { preparsePolicySet } from "@cedar-policy/cedar-wasm/nodejs";
import { callCedar, describe } from "../policy/cedar-answer.js";
import type { AuthorizationQuery, CedarValue, EngineAnswer, PolicyEngine } from "../policy/engine.js";
import { conditionReads, emptyReads, mergeReads } from "../policy/local-cedar/condition-reads.js";
import { contextSelector, selectContext } from "../policy/local-cedar/request-trim.js";
import type { AvaPolicySet } from "./loader.js";

/**
 * Evaluates a Verified Access policy folder the way AVA does: Cedar with no schema and no entities,
 * everything in `context` (auth-policies-policy-statement-struct.html). The policies are parsed once,
 * at creation. There is no request validation (AVA has no schema): the context builders (context.ts)
 * are what keeps the context to documented, Cedar-safe values.
 *
 * The principal, action and resource are fixed placeholders: AVA policies keep the scope undefined and
 * the loader refuses any policy that reads them, so they can never change an answer.
 */

export interface AvaEngine extends PolicyEngine {
  readonly name: "local-cedar";
  readonly policyIds: readonly string[];
  isAuthorized(query: AuthorizationQuery): EngineAnswer;
}

let counter = 0;

export function createAvaEngine(set: AvaPolicySet): AvaEngine {
  counter += 1;
  // cedar-wasm's pre-parsed cache replaces an entry with the same id and never evicts: unique per engine.
  const id = `ava/${set.revision}/${counter}/${randomUUID()}`;
  const staticPolicies: Record<string, string> = {};
  for (const p of set.policies) staticPolicies[p.id] = p.text;
  const parsed = preparsePolicySet(id, { staticPolicies });
  if (parsed.type === "failure") throw new Error(`cedar refused the Verified Access policies: ${parsed.errors.map(describe).join("; ")}`);
  // Converting the context into wasm is most of a call's cost: pass Cedar only the paths the policies
  // can observe, cut exactly as the project's own engine cuts requests (request-trim.ts says why the
  // answers, errors included, stay the same). The loader refuses entity reads, so context is all there is.
  const reads = emptyReads();
  for (const p of set.policies) mergeReads(reads, conditionReads(p.json));
  const selector = contextSelector(reads.context);
  return {
    name: "local-cedar",
    revision: set.revision,
    policyIds: Object.freeze(set.policies.map((p) => p.id)),
    isAuthorized: (query) => callCedar(id, { ...query, context: selectContext(query.context, selector) }),
  };
}

export const AVA_PRINCIPAL = { type: "VerifiedAccess::User", id: "" } as const;
export const AVA_ACTION = { type: "VerifiedAccess::Action", id: "request" } as const;
export const AVA_RESOURCE = { type: "VerifiedAccess::Endpoint", id: "" } as const;

/** The one question an AVA evaluation asks: this context, no entities. */
export function avaQuery(context: Record<string, CedarValue>): AuthorizationQuery {
  return { principal: { ...AVA_PRINCIPAL }, action: { ...AVA_ACTION }, resource: { ...AVA_RESOURCE }, context, entities: [] };
}
