import type { VerifiedIdentity } from "../identity/types.js";
import type { PostureRecord } from "../posture/types.js";

/**
 * What userinfo returns, and so what AVA puts under `context.<policy reference name>`. Every key is
 * always present with a least-trusted default, so a policy never needs `has`; every value is a Bool, a
 * Long (an integer within Cedar's range) or a String: Cedar has no floats
 * (https://docs.cedarpolicy.com/policies/syntax-datatypes.html), and AVA does not document how it maps
 * other JSON (https://docs.aws.amazon.com/verified-access/latest/ug/trust-data-default-context.html).
 * Nesting is one level (`device.*`), as in AVA's own JumpCloud context (`device.is_managed`).
 */
export interface UserinfoClaims {
  sub: string;
  email: string;
  email_verified: boolean;
  groups: string[];
  /** True when groups were left out to respect `claims.maxGroups` or the byte budget. */
  groups_truncated: boolean;
  mfa: boolean;
  /** Config name of the corporate IdP (`issuers[].name`). */
  idp: string;
  device: DeviceClaims;
  /** The trust provider's verdict over the device, see `riskVerdict`. */
  risk: RiskVerdict;
}

export interface DeviceClaims {
  verified: boolean;
  managed: boolean;
  compliant: boolean;
  patched: boolean;
  /** macos, windows, ios, ipados, android, linux, chromeos, unknown */
  os: string;
  os_version: string;
  os_major: number;
  os_minor: number;
  os_patch: number;
  disk_encrypted: boolean;
  edr_score: number;
  /** The provider's own risk: secure, low, medium, high, unknown. */
  risk: string;
  /** Config name of the posture provider, or "none". */
  provider: string;
  /** Epoch seconds when the provider observed the device; 0 when unknown. */
  observed_at: number;
  /** Why a presented device token was not trusted ("" when it was). */
  untrusted_reason: string;
}

export type RiskVerdict = "low" | "medium" | "high";

/**
 * - low: verified, managed, compliant, patched, and the provider does not say medium or high;
 * - high: no verified device, an unmanaged one, or the provider says high;
 * - medium: anything else (e.g. a managed device one patch behind).
 */
export function riskVerdict(p: PostureRecord): RiskVerdict {
  if (!p.verified || !p.managed || p.riskLevel === "high") return "high";
  if (p.compliant && p.os.patched && p.riskLevel !== "medium") return "low";
  return "medium";
}

export function deviceClaims(p: PostureRecord, untrustedReason: string | undefined): DeviceClaims {
  return {
    verified: p.verified,
    managed: p.managed,
    compliant: p.compliant,
    patched: p.os.patched,
    os: p.os.family,
    os_version: p.os.version,
    os_major: p.os.major,
    os_minor: p.os.minor,
    os_patch: p.os.patch,
    disk_encrypted: p.diskEncrypted,
    edr_score: p.edrScore,
    risk: p.riskLevel,
    provider: p.provider,
    observed_at: p.observedAt,
    untrusted_reason: untrustedReason ?? "",
  };
}

export interface ClaimsInput {
  identity: VerifiedIdentity;
  /** Group names as the IdP sent them (without the entity id prefix). */
  groups: string[];
  emailVerified: boolean;
  posture: PostureRecord;
  untrustedReason: string | undefined;
  maxGroups: number;
  maxBytes: number;
}

export type ClaimsResult = { ok: true; claims: UserinfoClaims; bytes: number } | { ok: false; bytes: number };

/**
 * Builds the claims and keeps them within `maxBytes` of JSON (AVA's OIDC claim quota is 11 KB, fixed:
 * https://docs.aws.amazon.com/verified-access/latest/ug/verified-access-quotas.html). Groups are the only
 * unbounded part: they are cut, in the IdP's order, and `groups_truncated` says so. A policy that needs a
 * group that was cut denies, which is the safe direction; the flag lets a policy deny explicitly.
 */
export function buildClaims(input: ClaimsInput): ClaimsResult {
  const { identity, posture } = input;
  const email = identity.email ?? "";
  const all = input.groups;
  const claims: UserinfoClaims = {
    sub: identity.subject,
    email,
    email_verified: email !== "" && input.emailVerified,
    groups: all.slice(0, input.maxGroups),
    groups_truncated: all.length > input.maxGroups,
    mfa: identity.mfa,
    idp: identity.issuerName,
    device: deviceClaims(posture, input.untrustedReason),
    risk: riskVerdict(posture),
  };
  let bytes = byteLength(claims);
  if (bytes <= input.maxBytes) return { ok: true, claims, bytes };
  // Find the longest prefix of groups that fits (binary search: a list may hold up to 1,000 groups).
  claims.groups_truncated = true;
  const kept = claims.groups;
  let lo = 0;
  let hi = kept.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    claims.groups = kept.slice(0, mid);
    if (byteLength(claims) <= input.maxBytes) lo = mid;
    else hi = mid - 1;
  }
  claims.groups = kept.slice(0, lo);
  bytes = byteLength(claims);
  return bytes <= input.maxBytes ? { ok: true, claims, bytes } : { ok: false, bytes };
}

export function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}
