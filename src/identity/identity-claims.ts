import type { IssuerConfig, LimitsConfig } from "../config/schema.js";
import { readIssuerGroups } from "./groups.js";
import { readPrincipalAttributes, type AttributeCatalog } from "./principal-attributes.js";
import { isServiceToken } from "./service-match.js";
import { namespacedEntityId } from "./entity-namespace.js";
import type { IdentityFailureCode, VerifiedIdentity } from "./types.js";

/**
 * The typed mapping from a verified user-token payload to a `VerifiedIdentity`. Only values checked here
 * (bounded strings, string arrays, numbers) leave this file; a raw claim object never reaches Cedar, so a
 * claim such as `{"__entity": ...}` cannot become an entity reference.
 */

export type ClaimsMapping = { ok: true; identity: VerifiedIdentity } | { ok: false; code: IdentityFailureCode; message: string };

/**
 * `amr` values (RFC 8176) that mean a second factor or a possession-based authenticator was used, plus
 * FIDO (phishing-resistant, used by Okta/Auth0). Left out on purpose: `sms` and `tel` (SIM-swap, NIST SP
 * 800-63B "restricted"), and single-factor values such as `pwd`, `pin`, `kba`.
 */
export const MFA_AMR_VALUES: ReadonlySet<string> = new Set(["mfa", "otp", "hwk", "swk", "fido"]);

/** `acr` values that assert multi-factor authentication. */
export const MFA_ACR_VALUES: ReadonlySet<string> = new Set([
  "http://schemas.openid.net/pape/policies/2007/06/multi-factor",
  "http://schemas.openid.net/pape/policies/2007/06/multi-factor-physical",
  "phr", // OpenID EAP ACR values: phishing-resistant
  "phrh", // phishing-resistant, hardware-protected
  "urn:okta:loa:2fa:any",
]);

/** `amr` is informational, so it is capped (not refused) beyond these bounds. */
export const MAX_AMR_VALUES = 16;
export const MAX_AMR_LENGTH = 64;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export function mapVerifiedClaims(
  payload: Record<string, unknown>,
  issuer: IssuerConfig,
  limits: LimitsConfig,
  fingerprint: string,
  nowMs: number,
  catalog: AttributeCatalog = new Map(),
): ClaimsMapping {
  const max = limits.maxClaimStringLength;
  const bad = (message: string): ClaimsMapping => ({ ok: false, code: "token_claims_invalid", message });

  // Cognito puts `token_use` in both kinds of token; an ID token must not pass where an access token is
  // expected (their audiences and meaning differ). Other IdPs rely on `typ`, checked earlier.
  const tokenUse = payload.token_use;
  if (tokenUse !== undefined) {
    if (typeof tokenUse !== "string") return bad("claim `token_use` is not a string");
    if (tokenUse !== issuer.tokenUse) {
      return { ok: false, code: "token_use_invalid", message: `expected a token with \`token_use\` ${issuer.tokenUse}` };
    }
  }

  const sub = payload.sub;
  if (!isIdentifier(sub, max)) return bad("claim `sub` is missing, empty, too long or contains control characters");

  const clientId = firstString(payload, issuer.services.clientIdClaims, max);
  const prefixed = (value: string): string => namespacedEntityId(issuer.principal.entityIdPrefix, value);

  // Validated for every token (a malformed claim is refused even when a service token would not use it).
  const groupNames = readIssuerGroups(payload, issuer, limits);
  if (!groupNames.ok) return bad(groupNames.message);

  let kind: VerifiedIdentity["kind"] = "user";
  let principal: VerifiedIdentity["principal"];
  let groups: VerifiedIdentity["groups"] = [];
  if (clientId !== undefined && isServiceToken(payload, issuer, clientId, sub)) {
    // Client-credentials token: the subject is the client itself (RFC 9068 §2.2 / Okta `cid`).
    kind = "service";
    principal = { type: issuer.principal.serviceEntityType, id: prefixed(clientId) };
  } else {
    const principalId = payload[issuer.principal.principalIdClaim];
    if (!isIdentifier(principalId, max)) {
      return bad(`claim \`${issuer.principal.principalIdClaim}\` is missing, empty, too long or contains control characters`);
    }
    principal = { type: issuer.principal.userEntityType, id: prefixed(principalId) };
    groups = groupNames.groups.map((g) => ({ type: issuer.principal.groupEntityType, id: prefixed(g) }));
  }

  const amr = readAmr(payload.amr);
  const acr = payload.acr;
  const mfa = amr.some((v) => MFA_AMR_VALUES.has(v)) || (typeof acr === "string" && MFA_ACR_VALUES.has(acr));

  const bindingClaims = readBindingClaims(payload, max);
  const email = bindingClaims.email;
  const iat = payload.iat as number | undefined; // type checked by the generic layer
  const identity: VerifiedIdentity = {
    kind,
    issuerName: issuer.name,
    issuer: issuer.issuer,
    principal,
    groups,
    subject: sub,
    tokenUse: issuer.tokenUse,
    amr,
    mfa,
    // Without `iat`, the verification time stands in (the lifetime cap used the same assumption).
    issuedAt: iat ?? Math.floor(nowMs / 1000),
    expiresAt: payload.exp as number,
    tokenFingerprint: fingerprint,
    bindingClaims,
  };
  const mapping = kind === "service" ? issuer.services.attributes : issuer.principal.attributes;
  const read = readPrincipalAttributes(payload, mapping, catalog.get(principal.type), limits);
  if (Object.keys(read.attributes).length > 0) identity.attributes = read.attributes;
  if (read.untrusted.length > 0) identity.attributesUntrusted = read.untrusted;
  if (kind === "user" && groupNames.unavailable) identity.groupsUnavailable = groupNames.unavailable;
  if (email !== undefined) identity.email = email;
  if (clientId !== undefined) identity.clientId = clientId;
  if (typeof payload.jti === "string") {
    if (payload.jti.length > max) return bad("claim `jti` is too long");
    identity.jti = payload.jti;
  }
  return { ok: true, identity };
}

/** A principal or group name: a non-empty string within the length limit and without control characters. */
function isIdentifier(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= max && !CONTROL_CHARS.test(value);
}

function firstString(payload: Record<string, unknown>, names: string[], max: number): string | undefined {
  for (const name of names) {
    const value = payload[name];
    if (isIdentifier(value, max)) return value;
  }
  return undefined;
}

/** `amr` only ever adds assurance, so dropping malformed input is the safe direction: anything else is []. */
function readAmr(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) return [];
  return (value as string[]).filter((v) => v.length > 0 && v.length <= MAX_AMR_LENGTH).slice(0, MAX_AMR_VALUES);
}

/**
 * Every top-level string claim within the length limit, for device-posture binding (`binding.userClaim`).
 * An `email` the IdP itself marks unverified (`email_verified: false`) is left out: anyone could have typed
 * it, so it must not bind a device to this user.
 */
function readBindingClaims(payload: Record<string, unknown>, max: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (typeof value === "string" && value.length <= max) out[name] = value;
  }
  if (payload.email_verified === false || payload.email_verified === "false") delete out.email;
  return out;
}
