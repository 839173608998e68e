import type { DecisionError, Outcome } from "../decision/types.js";

/**
 * Bump when the record's shape changes (a field added, removed or changing meaning): each version has its
 * JSON Schema in schemas/audit-record/, generated from src/audit/record-schema.ts by `npm run schema:audit`,
 * which refuses to rewrite a published version.
 * v2: `outcome` is what the gateway got (not what the core decided before the response was built);
 * `groups` lists every policy-named group in full, then a bounded remainder, with `groupCount` and
 * `groupsOmitted`; `identity.issuer` is only ever a configured issuer name, the unverified `iss` of a
 * refused token is `identity.claimedIssuer`; device rejections carry their specific reason code.
 */
export const AUDIT_SCHEMA = "ztpdp.audit/v2";

/**
 * One record per decision, whatever the outcome. Modelled on OPA decision logs: a versioned event with
 * the decision id, the input that mattered (never the token itself), the result and the policy revision.
 */
export interface AuditRecord {
  schema: typeof AUDIT_SCHEMA;
  decisionId: string;
  timestamp: string;
  requestId?: string;
  /** What API Gateway got: `allow` only when an Allow was actually returned. */
  outcome: Outcome;
  effect: "allow" | "deny";
  principal: { type: string; id: string } | null;
  /**
   * Every group a policy names (ids in full), then up to `MAX_OTHER_GROUPS` others, in token order.
   * `groupCount` is how many groups the token carried; `groupsOmitted` how many of them are not listed.
   */
  groups: string[];
  groupCount: number;
  groupsOmitted: number;
  identity: {
    /** The configured name of the issuer (config `issuers[].name`); never a value taken from the token. */
    issuer?: string;
    /** The `iss` a refused token claimed, unverified (present only when verification failed). */
    claimedIssuer?: string;
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
    /** Why a presented device token was not trusted (one specific reason code). */
    untrustedReason?: string;
  };
  action: string;
  resource: { type: string; id: string; application?: string; classification?: string } | null;
  /** `host` is API Gateway's own domain name for the request (`requestContext.domainName`), not a client header. */
  request: { method: string; route: string; host?: string; sourceIp?: string; vpceId?: string; userAgent?: string };
  determiningPolicies: string[];
  errors: DecisionError[];
  policyRevision: string;
  engine: string;
  latencyUs: number;
}
