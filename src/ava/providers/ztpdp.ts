import type { PostureRecord } from "../../posture/types.js";

/**
 * The claims this project's Verified Access trust provider (issue 13, src/trust-provider/claims.ts)
 * returns from userinfo, and so what AVA puts under `context.<ref>` for it. Kept in this one file so
 * it aligns with that module in one place: the names and the `riskVerdict` rule are the same; when both
 * are on one branch, this file imports them instead of repeating them.
 */

export type RiskVerdict = "low" | "medium" | "high";

export interface ZtpdpDeviceClaims {
  verified: boolean;
  managed: boolean;
  compliant: boolean;
  patched: boolean;
  os: string;
  os_version: string;
  os_major: number;
  os_minor: number;
  os_patch: number;
  disk_encrypted: boolean;
  edr_score: number;
  risk: string;
  provider: string;
  observed_at: number;
  untrusted_reason: string;
}

export interface ZtpdpClaims {
  sub: string;
  email: string;
  email_verified: boolean;
  groups: string[];
  groups_truncated: boolean;
  mfa: boolean;
  idp: string;
  device: ZtpdpDeviceClaims;
  risk: RiskVerdict;
}

/** low: verified, managed, compliant, patched and not medium/high; high: no verified or managed device, or high; else medium. */
export function riskVerdict(p: PostureRecord): RiskVerdict {
  if (!p.verified || !p.managed || p.riskLevel === "high") return "high";
  if (p.compliant && p.os.patched && p.riskLevel !== "medium") return "low";
  return "medium";
}

export function ztpdpDeviceClaims(p: PostureRecord, untrustedReason: string | undefined): ZtpdpDeviceClaims {
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

export interface ZtpdpClaimsInput {
  sub: string;
  email: string | undefined;
  emailVerified: boolean;
  /** As the IdP sent them (no entity id prefix). */
  groups: readonly string[];
  maxGroups: number;
  mfa: boolean;
  /** Config name of the corporate IdP. */
  idp: string;
  posture: PostureRecord;
  untrustedReason: string | undefined;
}

/** The userinfo claims, with the group list bounded as the trust provider bounds it (`groups_truncated`). */
export function ztpdpClaims(input: ZtpdpClaimsInput): ZtpdpClaims {
  const email = input.email ?? "";
  return {
    sub: input.sub,
    email,
    email_verified: email !== "" && input.emailVerified,
    groups: input.groups.slice(0, input.maxGroups),
    groups_truncated: input.groups.length > input.maxGroups,
    mfa: input.mfa,
    idp: input.idp,
    device: ztpdpDeviceClaims(input.posture, input.untrustedReason),
    risk: riskVerdict(input.posture),
  };
}
