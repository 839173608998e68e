import type { DecisionError, Outcome } from "../decision/types.js";

/** Bump when a field changes meaning or disappears; adding optional fields keeps the version. */
export const AUDIT_SCHEMA = "ztpdp.audit/v1";

/**
 * One record per decision, whatever the outcome. Modelled on OPA decision logs: a versioned event with
 * the decision id, the input that mattered (never the token itself), the result and the policy revision.
 */
export interface AuditRecord {
  schema: typeof AUDIT_SCHEMA;
  decisionId: string;
  timestamp: string;
  requestId?: string;
  outcome: Outcome;
  effect: "allow" | "deny";
  principal: { type: string; id: string } | null;
  groups: string[];
  identity: {
    issuer?: string;
    kind?: "user" | "service";
    tokenUse?: string;
    mfa?: boolean;
    /** sha256 (hex) of the bearer token: correlates without being replayable. */
    tokenFingerprint?: string;
    jti?: string;
    kid?: string;
    /** The IdP left groups out (`groups_overage`) or sent no group claim (`groups_claim_absent`): the decision saw none. */
    groupsUnavailable?: import("../identity/types.js").GroupsNoticeCode;
    /** Principal attributes whose claim had the wrong type, so they held their least-trusted value. */
    attributesUntrusted?: string[];
  };
  device: {
    verified: boolean;
    provider: string;
    managed: boolean;
    compliant: boolean;
    os: string;
    patched: boolean;
    riskLevel: string;
    edrScore: number;
    ageSeconds: number;
    tokenFingerprint?: string;
    jti?: string;
    /** Why a presented device token was not trusted. */
    untrustedReason?: string;
  };
  action: string;
  resource: { type: string; id: string; application?: string; classification?: string } | null;
  request: { method: string; route: string; host?: string; sourceIp?: string; vpceId?: string; userAgent?: string };
  determiningPolicies: string[];
  errors: DecisionError[];
  policyRevision: string;
  engine: string;
  latencyUs: number;
}
