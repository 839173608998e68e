import { z } from "zod";
import type { OsFamily, RiskLevel } from "../vocabulary.js";
import { claimsFailure, platformClaim, versionClaim } from "./claims.js";
import type { MappedPosture, MapperFailure } from "./types.js";

/**
 * Jamf device trust, with the claim names AWS Verified Access documents for its Jamf trust provider:
 * `risk` (HIGH | MEDIUM | LOW | SECURE | NOT_APPLICABLE) and `osv` (Apple version, "14.5.0").
 *
 * - managed: true. Jamf only issues this token for a device enrolled in Jamf, so its signature is the
 *   proof of management.
 * - compliant: risk is SECURE or LOW (the threshold AWS's own example policy uses).
 * - NOT_APPLICABLE: Jamf did not assess the device's risk (no risk engine in scope for it). The absence
 *   of an assessment is not a clean bill of health, so it maps to riskLevel `unknown` and compliant
 *   false: the least-trusted values.
 * - os family: from the optional `platform` claim (macOS | iOS | iPadOS, any case) when present, else
 *   `macos`, because the Verified Access Jamf integration covers macOS devices only (AWS docs: "Jamf
 *   (which supports macOS devices)"). An unknown `platform` value is rejected, never defaulted: an iPhone
 *   judged against the macOS baseline would be a guess toward trust (iOS and macOS majors overlap).
 * - os version: `osv`; absent means no version, so the device is not patched.
 * - diskEncrypted false, edrScore 0: Jamf's token carries neither signal.
 */
const RISK: Readonly<Record<JamfRisk, { riskLevel: RiskLevel; compliant: boolean }>> = {
  SECURE: { riskLevel: "secure", compliant: true },
  LOW: { riskLevel: "low", compliant: true },
  MEDIUM: { riskLevel: "medium", compliant: false },
  HIGH: { riskLevel: "high", compliant: false },
  NOT_APPLICABLE: { riskLevel: "unknown", compliant: false },
};
type JamfRisk = "SECURE" | "LOW" | "MEDIUM" | "HIGH" | "NOT_APPLICABLE";

const PLATFORMS = new Map<string, OsFamily>([
  ["macos", "macos"],
  ["ios", "ios"],
  ["ipados", "ipados"],
]);

const jamfClaims = z.object({
  risk: z.enum(["SECURE", "LOW", "MEDIUM", "HIGH", "NOT_APPLICABLE"]),
  osv: versionClaim.optional(),
  platform: platformClaim(PLATFORMS).optional(),
});

export function mapJamf(payload: Record<string, unknown>): MappedPosture | MapperFailure {
  const parsed = jamfClaims.safeParse(payload);
  if (!parsed.success) return claimsFailure("jamf", parsed.error);
  const claims = parsed.data;
  const risk = RISK[claims.risk];
  return {
    ok: true,
    managed: true,
    compliant: risk.compliant,
    os: { family: claims.platform ?? "macos", version: claims.osv ?? null },
    diskEncrypted: false,
    edrScore: 0,
    riskLevel: risk.riskLevel,
  };
}
