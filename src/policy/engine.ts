import type { EntityJson, EntityUidJson } from "@cedar-policy/cedar-wasm/nodejs";

export type CedarValue =
  | string
  | number
  | boolean
  | CedarValue[]
  | { [key: string]: CedarValue }
  | { __extn: { fn: "ip" | "decimal" | "datetime" | "duration"; arg: string } };

/** One authorization question, already mapped to Cedar entities and a Cedar-safe context. */
export interface AuthorizationQuery {
  principal: { type: string; id: string };
  action: { type: string; id: string };
  resource: { type: string; id: string };
  context: Record<string, CedarValue>;
  entities: EntityJson[];
}

export interface EngineError {
  /** The policy whose evaluation errored, when the error belongs to one policy. */
  policyId?: string;
  message: string;
}

/**
 * Why an engine could not evaluate. `engine_failure`: it refused the request (it does not fit the schema).
 * `engine_unavailable`: a fault on the engine's side (Verified Permissions throttled, down, too slow, the
 * store missing, a mirror with nothing loaded yet). `policy_store_stale`: a mirror whose copy of the store
 * is older than its configured bound. The last two are server faults: outcome `error`, never an allow.
 */
export type EngineFailureCode = "engine_failure" | "engine_unavailable" | "policy_store_stale";

/**
 * An engine answer keeps "could not evaluate" (failure) apart from "evaluated" (success), like Cedar.
 * A success with errors is still treated as deny by the decision layer (fail closed).
 *
 * `revision`, when present, names the policy set this answer came from; it wins over `engine.revision`,
 * which an engine that reloads (the Verified Permissions mirror) may change while a decision is running.
 */
export type EngineAnswer =
  | { type: "success"; decision: "allow" | "deny"; determiningPolicies: string[]; errors: EngineError[]; revision?: string }
  | { type: "failure"; errors: EngineError[]; code?: EngineFailureCode; revision?: string };

export interface PolicyEngine {
  readonly name: "local-cedar" | "verified-permissions" | "verified-permissions-mirror";
  /** Content hash of the policy set and schema (or the store's version marker). Goes into every decision. */
  readonly revision: string;
  /** Never throws: faults come back as `{ type: "failure" }`. */
  isAuthorized(query: AuthorizationQuery): Promise<EngineAnswer> | EngineAnswer;
  /**
   * Whether any policy names this entity (in its scope or its conditions, e.g. `principal in Group::"HR"`).
   * Audit records keep such groups in full; an engine that cannot tell leaves this out.
   */
  namesEntity?(type: string, id: string): boolean;
}

export type { EntityJson, EntityUidJson };
