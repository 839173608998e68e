import type { PostureFailureCode } from "../../posture/types.js";

/** What a case expects. Unset optional fields are not checked; everything set must match exactly. */
export interface Expectation {
  decision: ExpectedDecision;
  /** Exactly these policies determined the decision (order does not matter). */
  determining?: string[];
  /** Exactly these policies failed to evaluate. Unset: any evaluation error fails the case. */
  errors?: string[];
  /** The device token must be rejected with this reason. Unset: a rejected device token fails the case. */
  deviceRejected?: PostureFailureCode;
}

export const EXPECTED_DECISIONS = ["allow", "deny", "unauthenticated"] as const;
export type ExpectedDecision = (typeof EXPECTED_DECISIONS)[number];

/** Every posture failure code (a Record, so a new code in src/posture is a compile error here until listed). */
const POSTURE_FAILURES: Record<PostureFailureCode, true> = {
  device_token_missing: true,
  device_token_duplicated: true,
  device_token_invalid: true,
  device_token_malformed: true,
  device_token_too_large: true,
  device_token_header_invalid: true,
  device_token_alg_not_allowed: true,
  device_token_type_invalid: true,
  device_token_crit_unsupported: true,
  device_token_signature_invalid: true,
  device_token_kid_unknown: true,
  device_token_not_yet_valid: true,
  device_token_exp_missing: true,
  device_token_lifetime_exceeded: true,
  device_token_audience_invalid: true,
  device_token_client_invalid: true,
  device_token_claims_invalid: true,
  device_token_provider_unknown: true,
  device_token_expired: true,
  device_posture_stale: true,
  device_binding_mismatch: true,
  device_claims_invalid: true,
  device_keys_unavailable: true,
};
export const POSTURE_FAILURE_CODES = Object.keys(POSTURE_FAILURES) as PostureFailureCode[];
