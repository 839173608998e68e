import type { VerifiedIdentity } from "../identity/types.js";
import type { AuditRecord } from "./record.js";

/** The audit record's identity block for a verified caller: never the token, its sha256 fingerprint. */
export function identitySummary(identity: VerifiedIdentity): AuditRecord["identity"] {
  return {
    issuer: identity.issuerName,
    kind: identity.kind,
    tokenUse: identity.tokenUse,
    mfa: identity.mfa,
    tokenFingerprint: identity.tokenFingerprint,
    ...(identity.jti ? { jti: identity.jti } : {}),
    ...(identity.groupsUnavailable ? { groupsUnavailable: identity.groupsUnavailable } : {}),
    ...(identity.attributesUntrusted ? { attributesUntrusted: [...identity.attributesUntrusted] } : {}),
  };
}
