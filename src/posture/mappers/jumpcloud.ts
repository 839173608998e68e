import { z } from "zod";
import { OS_FAMILIES, type OsFamily } from "../vocabulary.js";
import { claimsFailure, platformClaim, versionClaim } from "./claims.js";
import type { MappedPosture, MapperFailure } from "./types.js";

/**
 * JumpCloud device trust, with the claim names AWS Verified Access documents: `device.is_managed`
 * (boolean), `system` (the JumpCloud system id, a string), `org_id`, `durt_id`, `sub`, `iss`.
 *
 * - managed: `device.is_managed` exactly `true`; absent → false.
 * - compliant: false. JumpCloud sends no compliance verdict and management is not compliance; policies
 *   for JumpCloud fleets should test `managed` and `os.patched`.
 * - os: AWS documents `system` as a string id, which carries no OS data → family `unknown`, no version,
 *   not patched. If `system` is instead an object `{ os?, version? }` (a richer shape some deployments
 *   expect), `os` must be a known name (a family name, or "Mac OS X") and `version` a parseable version.
 * - riskLevel `unknown`, edrScore 0, diskEncrypted false: not in the token.
 */
const PLATFORMS = new Map<string, OsFamily>([...OS_FAMILIES.map((f) => [f, f] as [string, OsFamily]), ["mac os x", "macos"]]);

const jumpcloudClaims = z.object({
  device: z.object({ is_managed: z.boolean().optional() }).optional(),
  system: z
    .union([
      z.string().max(128),
      z.object({ os: platformClaim(PLATFORMS).optional(), version: versionClaim.optional() }),
    ])
    .optional(),
});

export function mapJumpCloud(payload: Record<string, unknown>): MappedPosture | MapperFailure {
  const parsed = jumpcloudClaims.safeParse(payload);
  if (!parsed.success) return claimsFailure("jumpcloud", parsed.error);
  const { device, system } = parsed.data;
  const os =
    typeof system === "object"
      ? { family: system.os ?? ("unknown" as const), version: system.version ?? null }
      : { family: "unknown" as const, version: null };
  return {
    ok: true,
    managed: device?.is_managed === true,
    compliant: false,
    os,
    diskEncrypted: false,
    edrScore: 0,
    riskLevel: "unknown",
  };
}
