import { z } from "zod";
import { OS_FAMILIES, RISK_LEVELS } from "../vocabulary.js";
import { claimsFailure, scoreClaim, versionClaim } from "./claims.js";
import type { MappedPosture, MapperFailure } from "./types.js";

/**
 * The generic device-posture format (this project's own; see GENERIC_FORMAT.md), for MDMs without a
 * dedicated mapper (Intune, Kandji, Workspace ONE...) behind a small bridge that signs a JWT:
 *
 *     {
 *       "iss": "https://posture.example.com", "sub": "<device id>", "aud": "zt-pdp",
 *       "iat": 1795000000, "exp": 1795003600, "email": "ana@example.com",
 *       "managed": true,                                         required boolean
 *       "compliant": true,                                       required boolean
 *       "os": { "family": "windows", "version": "10.0.26100.4946" },  optional; version optional
 *       "disk_encrypted": true,                                  optional boolean, default false
 *       "edr_score": 87,                                         optional integer 0..100, default 0
 *       "risk_level": "low"                                      optional secure|low|medium|high|unknown,
 *     }                                                          default unknown
 *
 * `managed` and `compliant` are required: they are the verdict the bridge exists to deliver, and a token
 * without them is a bridge bug, not a device to trust a little. Everything else is optional and defaults
 * to its least-trusted value. Types are exact (no "true", no "87"), enums are lowercase and closed, and
 * `os` is a strict object (unknown keys inside it are rejected: it is ours, so a typo is a bug).
 * Claims outside this list (registered JWT claims, binding claims) are ignored here.
 */
const genericClaims = z.object({
  managed: z.boolean(),
  compliant: z.boolean(),
  os: z
    .strictObject({
      family: z.enum(OS_FAMILIES),
      version: versionClaim.optional(),
    })
    .optional(),
  disk_encrypted: z.boolean().optional(),
  edr_score: scoreClaim(0, 100).optional(),
  risk_level: z.enum(RISK_LEVELS).optional(),
});

export function mapGeneric(payload: Record<string, unknown>): MappedPosture | MapperFailure {
  const parsed = genericClaims.safeParse(payload);
  if (!parsed.success) return claimsFailure("generic", parsed.error);
  const claims = parsed.data;
  return {
    ok: true,
    managed: claims.managed,
    compliant: claims.compliant,
    os: { family: claims.os?.family ?? "unknown", version: claims.os?.version ?? null },
    diskEncrypted: claims.disk_encrypted ?? false,
    edrScore: claims.edr_score ?? 0,
    riskLevel: claims.risk_level ?? "unknown",
  };
}
