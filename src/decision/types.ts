import type { PostureRecord } from "../posture/types.js";

/**
 * A plain access request, free of any event shape. Adapters (API Gateway, AuthZEN, Verified Access)
 * fill it from their events; the core never sees headers it does not need.
 */
export interface AccessRequest {
  /** The caller's bearer token, without the scheme. Undefined when none was presented. */
  bearerToken: string | undefined;
  /** The signed device-posture token, if any. */
  deviceToken: string | undefined;
  /** HTTP method as routed (never from method-override headers). */
  method: string;
  /** Route template (`/wiki/{page}`), never a re-parsed raw path. */
  routeTemplate: string;
  pathParameters: Record<string, string>;
  host: string | undefined;
  sourceIp: string | undefined;
  vpceId: string | undefined;
  userAgent: string | undefined;
  /** Upstream request id (API Gateway requestId), for correlating audit records. */
  requestId?: string;
}

/**
 * Reason codes, one namespace for every layer. Lowercase snake case, stable: dashboards and alarms key on them.
 */
export type ReasonCode =
  | import("../identity/types.js").IdentityFailureCode
  | import("../posture/types.js").PostureFailureCode
  | import("../identity/types.js").GroupsNoticeCode
  | import("../trust-provider/reasons.js").TrustProviderReasonCode
  | "request_invalid"
  | "route_unknown"
  | "method_unknown"
  | "policy_denied"
  | "policy_evaluation_error"
  | "engine_failure"
  | "engine_unavailable"
  | "policy_store_stale"
  | "internal_error";

export interface DecisionError {
  code: ReasonCode;
  message: string;
  policyId?: string;
}

/**
 * - allow: a verified allow.
 * - deny: authenticated, but policy (or an evaluation error) denied.
 * - unauthenticated: no verifiable identity (401 at the edge).
 * - error: a server-side fault (engine down, keys unavailable): never an allow, a 5xx-class failure.
 */
export type Outcome = "allow" | "deny" | "unauthenticated" | "error";

export interface Decision {
  decisionId: string;
  outcome: Outcome;
  effect: "allow" | "deny";
  determiningPolicies: string[];
  errors: DecisionError[];
  policyRevision: string;
  principal?: { type: string; id: string };
  /** Present for posture-aware callers (e.g. the Verified Access backend). */
  posture?: PostureRecord;
}
