import type { JwtTrustConfig } from "../config/schema.js";
import type { RequiredClaim } from "../config/issuer-fields.js";
import { shown } from "./message-value.js";
import type { IdentityFailureCode } from "./types.js";

/**
 * Is this token meant for us, and is it the kind of token we accept? The audience, the client it was
 * issued to, and the claims an IdP uses to tell its access tokens from its other tokens. Device-posture
 * providers use only the audience part; user-token issuers may add the rest (src/identity/presets/).
 */
export interface TokenBindingRules {
  audiences: readonly string[];
  /** Audiences that never make a token "multi-audience" (Auth0's own `/userinfo`). */
  ignoredAudiences?: readonly string[];
  clientIdClaim?: string | undefined;
  clientIds?: readonly string[];
  requiredClaims?: readonly (Omit<RequiredClaim, "code"> & { code?: RequiredClaim["code"] })[];
}

export type BindingCheck = { ok: true } | { ok: false; code: IdentityFailureCode; message: string };

export function checkTokenBinding(payload: Record<string, unknown>, trust: JwtTrustConfig & TokenBindingRules): BindingCheck {
  // Empty `audiences` is only valid configuration when the client id is checked instead (Cognito access
  // tokens have no `aud`; config refuses it otherwise), so the audience rule applies whenever some are listed.
  if (trust.audiences.length > 0) {
    const audience = checkAudience(payload, trust);
    if (!audience.ok) return audience;
  }
  if (trust.clientIdClaim !== undefined) {
    // An access token names the client it was issued to (RFC 9068 §2.2 `client_id`; Okta `cid`; Entra
    // `azp`/`appid`; Auth0 `azp`). Its absence means another kind of token (an ID token has none of these).
    const clientId = payload[trust.clientIdClaim];
    if (typeof clientId !== "string" || clientId.length === 0) {
      return fail("token_use_invalid", `claim \`${trust.clientIdClaim}\` (the client of an access token) is missing`);
    }
    const accepted = trust.clientIds ?? [];
    if (accepted.length > 0 && !accepted.includes(clientId)) {
      return fail("token_client_invalid", `client ${shown(clientId)} is not accepted`);
    }
  }
  for (const rule of trust.requiredClaims ?? []) {
    const value = payload[rule.claim];
    if (!rule.oneOf.some((v) => v === value)) {
      return fail(rule.code ?? "token_claims_invalid", `claim \`${rule.claim}\` is ${shown(value)}, expected ${rule.oneOf.map((v) => shown(v)).join(" or ")}`);
    }
  }
  return { ok: true };
}

/**
 * RFC 7519 §4.1.3: the token must name us. OIDC Core §2: with several audiences, `azp` names the party the
 * token was issued to, and it must be one of ours; otherwise a token minted for another client that merely
 * lists us as an extra audience would pass. Audiences in `ignoredAudiences` do not count as another one.
 */
function checkAudience(payload: Record<string, unknown>, trust: JwtTrustConfig & TokenBindingRules): BindingCheck {
  const raw = payload.aud;
  const audiences = raw === undefined ? [] : typeof raw === "string" ? [raw] : [...new Set(raw as string[])];
  if (!audiences.some((a) => trust.audiences.includes(a))) {
    return fail("token_audience_invalid", raw === undefined ? "claim `aud` is missing" : `audience ${shown(raw)} is not accepted`);
  }
  const ignored = trust.ignoredAudiences ?? [];
  const counted = audiences.filter((a) => !ignored.includes(a));
  if (counted.length > 1) {
    const azp = payload.azp;
    if (typeof azp !== "string" || !trust.audiences.includes(azp)) {
      return fail("token_audience_invalid", "a token with several audiences needs an `azp` naming an accepted audience");
    }
  }
  return { ok: true };
}

function fail(code: IdentityFailureCode, message: string): BindingCheck {
  return { ok: false, code, message };
}
