import type { IssuerConfig, LimitsConfig } from "../config/schema.js";
import { claimPathName, readClaim } from "./claim-path.js";
import type { GroupsNoticeCode } from "./types.js";

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export type GroupsReading =
  | { ok: true; groups: string[]; unavailable?: GroupsNoticeCode }
  | { ok: false; message: string };

/**
 * The group names of a user token. Groups decide authorization, so a malformed claim refuses the token
 * (a string, an object, a non-string member, more than `maxGroups` entries: never truncate a list a
 * policy may rely on). When the IdP says it left groups out, or the claim is simply absent, the result is
 * "no groups" with a notice, so the audit record says why instead of reading it as "member of nothing".
 *
 * Left out is signalled by:
 * - OIDC distributed claims (OpenID Connect Core 1.0 §5.6.2): `_claim_names` maps the group claim to a
 *   source; Entra ID does this past 200 groups (https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference#groups-overage-claim);
 * - a preset's marker claims (`groupOverageClaims`), e.g. Entra's `hasgroups: true` in implicit-flow tokens.
 */
export function readIssuerGroups(payload: Record<string, unknown>, issuer: IssuerConfig, limits: LimitsConfig): GroupsReading {
  const path = issuer.groupClaim;
  if (path === null) return { ok: true, groups: [] };
  const name = claimPathName(path);
  if (overage(payload, issuer, typeof path === "string" ? path : path[0] as string)) {
    return { ok: true, groups: [], unavailable: "groups_overage" };
  }
  const value = readClaim(payload, path);
  if (value === undefined) return { ok: true, groups: [], unavailable: "groups_claim_absent" };
  if (!Array.isArray(value)) return { ok: false, message: `claim \`${name}\` is not an array of strings` };
  if (value.length > limits.maxGroups) return { ok: false, message: `claim \`${name}\` has more than ${limits.maxGroups} entries` };
  for (const g of value) {
    if (typeof g !== "string" || g.length === 0 || g.length > limits.maxClaimStringLength || CONTROL_CHARS.test(g)) {
      return { ok: false, message: `claim \`${name}\` contains an empty, non-string, too long or control-character entry` };
    }
  }
  return { ok: true, groups: [...new Set(value as string[])] };
}

function overage(payload: Record<string, unknown>, issuer: IssuerConfig, topLevelClaim: string): boolean {
  const names = payload._claim_names;
  if (typeof names === "object" && names !== null && !Array.isArray(names) && Object.hasOwn(names, topLevelClaim)) return true;
  return issuer.groupOverageClaims.some((claim) => payload[claim] !== undefined && payload[claim] !== false);
}
