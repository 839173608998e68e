import { LEAST_TRUSTED_POSTURE, type PostureResult } from "../posture/types.js";
import type { AuditRecord } from "./record.js";

/** The audit record's device summary, from a posture result (none: the least-trusted posture). */
export function deviceSummary(result: PostureResult | undefined): AuditRecord["device"] {
  const posture = result?.posture ?? LEAST_TRUSTED_POSTURE;
  return {
    verified: posture.verified,
    provider: posture.provider,
    managed: posture.managed,
    compliant: posture.compliant,
    os: `${posture.os.family} ${posture.os.version}`,
    patched: posture.os.patched,
    riskLevel: posture.riskLevel,
    edrScore: posture.edrScore,
    ageSeconds: posture.ageSeconds,
    ...(result?.tokenFingerprint ? { tokenFingerprint: result.tokenFingerprint } : {}),
    ...(result?.jti ? { jti: result.jti } : {}),
    ...(result?.failure ? { untrustedReason: result.failure.code } : {}),
  };
}
