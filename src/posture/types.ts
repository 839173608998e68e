/**
 * The normalized, Cedar-safe device posture. Every field is a Boolean, a String from a closed set, or a
 * Long within Cedar's range, so policies can compare without `has` guards.
 */
export interface PostureRecord {
  verified: boolean;
  /** Provider label from config, or "none". */
  provider: string;
  managed: boolean;
  compliant: boolean;
  os: {
    /** "macos" | "windows" | "ios" | "ipados" | "android" | "linux" | "chromeos" | "unknown" */
    family: string;
    version: string;
    major: number;
    minor: number;
    patch: number;
    /** At or above the patch baseline for its family. */
    patched: boolean;
  };
  diskEncrypted: boolean;
  /** 0..100, higher is healthier (CrowdStrike ZTA overall score); 0 when unknown. */
  edrScore: number;
  /** "secure" | "low" | "medium" | "high" | "unknown" */
  riskLevel: string;
  /** Epoch seconds the provider observed the device (token `iat`); 0 when unknown. */
  observedAt: number;
  /** Seconds since observedAt at decision time; LEAST_TRUSTED.ageSeconds when unknown. */
  ageSeconds: number;
}

/**
 * The JWT gate's own refusals (src/identity/jwt-verifier.ts), each recorded for a device token under its
 * own name (`device_token_signature_invalid`, `device_token_type_invalid`, ...), never lumped together.
 */
export type DeviceTokenGateFailure =
  | "malformed"
  | "too_large"
  | "header_invalid"
  | "alg_not_allowed"
  | "type_invalid"
  | "crit_unsupported"
  | "signature_invalid"
  | "kid_unknown"
  | "not_yet_valid"
  | "exp_missing"
  | "lifetime_exceeded"
  | "audience_invalid"
  | "client_invalid"
  | "claims_invalid";

/** Why a presented device token was not trusted (the decision still happens, with LEAST_TRUSTED_POSTURE). */
export type PostureFailureCode =
  | "device_token_missing"
  | "device_token_duplicated"
  | "device_token_invalid"
  | `device_token_${DeviceTokenGateFailure}`
  | "device_token_provider_unknown"
  | "device_token_expired"
  | "device_posture_stale"
  | "device_binding_mismatch"
  | "device_claims_invalid"
  | "device_keys_unavailable";

export interface PostureResult {
  posture: PostureRecord;
  /** Present when a token was presented but not trusted, or was missing. */
  failure?: { code: PostureFailureCode; message: string };
  tokenFingerprint?: string;
  jti?: string;
}

/** Every attribute at its least-trusted value: what the decision sees without verified posture. */
export const LEAST_TRUSTED_POSTURE: Readonly<PostureRecord> = Object.freeze({
  verified: false,
  provider: "none",
  managed: false,
  compliant: false,
  os: Object.freeze({ family: "unknown", version: "0.0.0", major: 0, minor: 0, patch: 0, patched: false }),
  diskEncrypted: false,
  edrScore: 0,
  riskLevel: "unknown",
  observedAt: 0,
  ageSeconds: 2_147_483_647,
}) as PostureRecord;
