import type { OsVersion } from "../os-version.js";
import type { OsFamilyOrUnknown, RiskLevel } from "../vocabulary.js";

/**
 * The provider-specific part of a `PostureRecord`: what one provider's (already signature-verified)
 * claims say about the device, before the patch baseline and the token age are applied.
 *
 * Invariant: every field not backed by a claim holds its least-trusted value (false, 0, `unknown`,
 * null version). A mapper never infers a signal the provider did not send.
 */
export interface MappedPosture {
  ok: true;
  managed: boolean;
  compliant: boolean;
  os: { family: OsFamilyOrUnknown; version: OsVersion | null };
  diskEncrypted: boolean;
  /** Integer 0..100, higher is healthier; 0 when the provider sends no EDR score. */
  edrScore: number;
  riskLevel: RiskLevel;
}

/** A claim of the wrong type, out of range, or outside its closed set: the whole posture is untrusted. */
export interface MapperFailure {
  ok: false;
  code: "device_claims_invalid";
  message: string;
}

export type PostureMapper = (payload: Record<string, unknown>) => MappedPosture | MapperFailure;
