import type { JwtTrustConfig, LimitsConfig } from "../config/schema.js";
import { checkTokenBinding, type TokenBindingRules } from "./token-binding.js";
import type { IdentityFailureCode } from "./types.js";

/**
 * Registered claims (RFC 7519 §4.1) of a token whose issuer is already selected. These run before the
 * signature check (cheap, no JWKS fetch for a token we would refuse anyway) and again implicitly after it:
 * the payload object checked here is the one that was signed, since the decode guard made the encoding
 * canonical. Generic on purpose: user tokens and device-posture tokens share it.
 */

export type ClaimsCheck = { ok: true } | { ok: false; code: IdentityFailureCode; message: string };

/** Registered claims aws-jwt-verify also type-checks; checking them first keeps our reason codes. */
const STRING_CLAIMS = ["sub", "jti", "scope", "azp"] as const;

export function checkRegisteredClaims(
  payload: Record<string, unknown>,
  trust: JwtTrustConfig & TokenBindingRules,
  limits: LimitsConfig,
  nowMs: number,
): ClaimsCheck {
  // Types first: a claim of the wrong type is never coerced (an `exp` of "9999999999" is not a time).
  for (const name of ["exp", "nbf", "iat"] as const) {
    const value = payload[name];
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value))) {
      return fail("token_claims_invalid", `claim \`${name}\` is not a number`);
    }
  }
  for (const name of STRING_CLAIMS) {
    if (payload[name] !== undefined && typeof payload[name] !== "string") {
      return fail("token_claims_invalid", `claim \`${name}\` is not a string`);
    }
  }
  const aud = payload.aud;
  if (aud !== undefined && typeof aud !== "string" && !(Array.isArray(aud) && aud.every((a) => typeof a === "string"))) {
    return fail("token_claims_invalid", "claim `aud` is not a string or an array of strings");
  }

  const time = checkTimes(payload, limits, nowMs / 1000);
  if (!time.ok) return time;
  return checkTokenBinding(payload, trust);
}

/**
 * RFC 7519 §4.1.4/§4.1.5 with a small leeway for clock skew. `exp` is required here although RFC 7519
 * makes it optional: a bearer credential without an end is never acceptable (RFC 9068 §2.2 and OIDC Core
 * §2 require it too). The lifetime is capped so a leaked long-lived token is refused even while unexpired.
 */
function checkTimes(payload: Record<string, unknown>, limits: LimitsConfig, now: number): ClaimsCheck {
  const skew = limits.clockSkewSeconds;
  const exp = payload.exp as number | undefined;
  const nbf = payload.nbf as number | undefined;
  const iat = payload.iat as number | undefined;
  if (exp === undefined) return fail("token_exp_missing", "claim `exp` is missing");
  // "MUST NOT be accepted on or after" exp, hence >=.
  if (now >= exp + skew) return fail("token_expired", "token has expired");
  if (nbf !== undefined && nbf > now + skew) return fail("token_not_yet_valid", "token is not valid yet (`nbf`)");
  if (iat !== undefined && iat > now + skew) return fail("token_not_yet_valid", "token is issued in the future (`iat`)");
  const lifetime = exp - (iat ?? now);
  if (lifetime > limits.maxTokenLifetimeSeconds) {
    return fail("token_lifetime_exceeded", `token lifetime exceeds ${limits.maxTokenLifetimeSeconds} seconds`);
  }
  return { ok: true };
}

function fail(code: IdentityFailureCode, message: string): ClaimsCheck {
  return { ok: false, code, message };
}
