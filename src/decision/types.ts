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
  /** The device-token header was sent more than once: neither copy is trusted, and the record says why. */
  deviceTokenDuplicated?: boolean;
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
  /** AWS Verified Access: its signed header and the request facts only AVA-mode policies read (src/ava). */
  ava?: import("../ava/request.js").AvaRequestFields;
}

/** A request that carries nothing: no credentials, no route. Decided as `unauthenticated`. */
export function emptyRequest(requestId?: string): AccessRequest {
  return {
    bearerToken: undefined,
    deviceToken: undefined,
    method: "",
    routeTemplate: "",
    pathParameters: {},
    host: undefined,
    sourceIp: undefined,
    vpceId: undefined,
    userAgent: undefined,
    ...(requestId ? { requestId } : {}),
  };
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
  | "internal_error"
  | "decision_deadline_exceeded"
  | "response_invalid";

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

/**
 * What an adapter gives the gateway for a decision: a response, or an error to throw (API Gateway's 401
 * signal, or a fault), with the outcome that throw stands for. The audit record and the metrics are
 * written from this, after it is built, so they describe what the gateway actually got.
 */
export type GatewayAnswer<R> = { respond: R } | { raise: Error; outcome: Exclude<Outcome, "allow"> };

/** The port adapters decide through (implemented by the composition root, `createPdp`). */
export interface Authorizer {
  /**
   * Decides `request`, hands the decision to `answer`, records one audit record for what `answer`
   * produced, then returns the response or throws the error. If `answer` itself throws, the recorded
   * outcome is `error` (reason `response_invalid`) and the throw is a fault, never an allow.
   */
  authorize<R>(request: AccessRequest, answer: (decision: Decision) => GatewayAnswer<R>, options?: { deadlineMs?: number }): Promise<R>;
}
