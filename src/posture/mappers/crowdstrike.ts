import { z } from "zod";
import type { OsFamily, RiskLevel } from "../vocabulary.js";
import { claimsFailure, failure, platformClaim, scoreClaim, versionClaim } from "./claims.js";
import type { MappedPosture, MapperFailure } from "./types.js";

/**
 * CrowdStrike Falcon Zero Trust Assessment (ZTA), with the claim names AWS Verified Access documents:
 * `assessment.{overall, os, sensor_config}` (integers 1-100, higher is healthier), `assessment.version`
 * (the ZTA format version, e.g. "3.4.0": NOT the OS version), `platform`, `serial_number`, `sub` (agent
 * id), `typ` "crowdstrike-zta+jwt".
 *
 * - managed: true. A ZTA token exists only where a Falcon sensor runs ("managed" here means "under an
 *   agent we trust", not MDM enrolment).
 * - edrScore: `assessment.overall` (required: a ZTA token without it is malformed).
 * - riskLevel from `overall`, with this project's thresholds (CrowdStrike defines scores, not levels;
 *   policies needing another cut-off compare `edrScore` directly):
 *       80..100 → low      (the range CrowdStrike integrations commonly treat as high trust)
 *       50..79  → medium   (AWS's example policy admits `overall > 50`)
 *        1..49  → high
 *   Never `secure`: a heuristic score is not a full compliance assessment.
 * - compliant: riskLevel is `low` (overall >= 80).
 * - os family: from `platform` (Windows | Windows 10 | Windows 11 | Mac | macOS | Linux, any case); absent → `unknown`.
 * - os version: ZTA's documented payload has none. An optional `os_version` or `product_version`
 *   string is read if a deployment adds one; if both are present they must agree. Absent → not patched.
 * - diskEncrypted false: not in the ZTA payload.
 * - `typ`, when present as a claim, must be "crowdstrike-zta+jwt" (the verifier checks the header;
 *   this stops another token kind with a matching header from being read as an assessment).
 */
export const CROWDSTRIKE_LOW_RISK_MIN = 80;
export const CROWDSTRIKE_MEDIUM_RISK_MIN = 50;

const PLATFORMS = new Map<string, OsFamily>([
  ["windows", "windows"],
  // What AWS documents for CrowdStrike's `platform` in Verified Access: "Windows 10" | "Windows 11" | "macOS"
  // (https://docs.aws.amazon.com/verified-access/latest/ug/trust-data-third-party-trust.html).
  ["windows 10", "windows"],
  ["windows 11", "windows"],
  ["mac", "macos"],
  ["macos", "macos"],
  ["linux", "linux"],
]);

const score = scoreClaim(1, 100);

const crowdstrikeClaims = z.object({
  assessment: z.object({
    overall: score,
    os: score.optional(),
    sensor_config: score.optional(),
    version: z.string().max(32).optional(),
  }),
  platform: platformClaim(PLATFORMS).optional(),
  typ: z.literal("crowdstrike-zta+jwt").optional(),
  os_version: versionClaim.optional(),
  product_version: versionClaim.optional(),
});

export function riskFromZtaScore(overall: number): RiskLevel {
  if (overall >= CROWDSTRIKE_LOW_RISK_MIN) return "low";
  if (overall >= CROWDSTRIKE_MEDIUM_RISK_MIN) return "medium";
  return "high";
}

export function mapCrowdStrike(payload: Record<string, unknown>): MappedPosture | MapperFailure {
  const parsed = crowdstrikeClaims.safeParse(payload);
  if (!parsed.success) return claimsFailure("crowdstrike", parsed.error);
  const claims = parsed.data;
  const { os_version: a, product_version: b } = claims;
  if (a !== undefined && b !== undefined && a.text !== b.text) {
    return failure("crowdstrike posture rejected: claims `os_version` and `product_version` disagree");
  }
  const riskLevel = riskFromZtaScore(claims.assessment.overall);
  return {
    ok: true,
    managed: true,
    compliant: riskLevel === "low",
    os: { family: claims.platform ?? "unknown", version: a ?? b ?? null },
    diskEncrypted: false,
    edrScore: claims.assessment.overall,
    riskLevel,
  };
}
