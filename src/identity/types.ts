/** A caller whose token verified. Only typed, bounded values: never the raw claim object. */
export interface VerifiedIdentity {
  kind: "user" | "service";
  /** Configured issuer label (`IssuerConfig.name`). */
  issuerName: string;
  /** Exact `iss`. */
  issuer: string;
  /** Cedar principal entity, e.g. `{ type: "User", id: "okta|00u1" }` or `{ type: "Service", id: "order-service" }`. */
  principal: { type: string; id: string };
  /** Group entity ids (already prefixed like AVP does), parents of a user principal. Empty for services. */
  groups: { type: string; id: string }[];
  /** Raw claim values the binding and context need, all validated strings. */
  subject: string;
  email?: string;
  clientId?: string;
  tokenUse: "access" | "id";
  /** `amr` values, capped; `mfa` is true when `amr` contains mfa/otp/hwk/swk/fido or `acr` says so. */
  amr: string[];
  mfa: boolean;
  issuedAt: number;
  expiresAt: number;
  /** For audit: sha256 of the token (hex), and the `jti` if present. Never the token. */
  tokenFingerprint: string;
  jti?: string;
  /** String claims available for device-posture binding (`binding.userClaim`), validated and capped. */
  bindingClaims: Record<string, string>;
  /** Set when the IdP left the groups out or the group claim was absent: the decision saw no groups. */
  groupsUnavailable?: GroupsNoticeCode;
  /** Principal attributes from claims (every attribute the principal's entity type has, typed; see principal-attributes.ts). */
  attributes?: Record<string, import("../policy/engine.js").CedarValue>;
  /** Attributes whose claim had the wrong type and so got their least-trusted value. */
  attributesUntrusted?: string[];
}

/** Why a verified user token's groups were not used: never an authentication failure, always audited. */
export type GroupsNoticeCode = "groups_overage" | "groups_claim_absent";

/** Reason codes for an identity failure: every one is a 401 at the edge, except `jwks_unavailable` (5xx-class). */
export type IdentityFailureCode =
  | "token_missing"
  | "token_malformed"
  | "token_too_large"
  | "token_header_invalid"
  | "token_alg_not_allowed"
  | "token_type_invalid"
  | "token_crit_unsupported"
  | "token_signature_invalid"
  | "token_kid_unknown"
  | "token_expired"
  | "token_not_yet_valid"
  | "token_exp_missing"
  | "token_lifetime_exceeded"
  | "token_issuer_unknown"
  | "token_audience_invalid"
  | "token_client_invalid"
  | "token_claims_invalid"
  | "token_use_invalid"
  | "jwks_unavailable";

export type IdentityResult =
  | { ok: true; identity: VerifiedIdentity }
  | {
      ok: false;
      code: IdentityFailureCode;
      message: string;
      tokenFingerprint?: string;
      kid?: string;
      /** Configured name of the issuer whose rules refused the token (its claimed `iss` is configured). */
      issuerName?: string;
      /** The `iss` the token claimed, unverified. */
      claimedIssuer?: string;
    };
