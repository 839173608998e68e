import type { JwtTrustConfig } from "../config/schema.js";
import { isSupportedAlgorithm } from "./algorithms.js";
import { shown } from "./message-value.js";
import type { IdentityFailureCode } from "./types.js";

/**
 * JOSE header rules (RFC 7515 §4, RFC 8725 §3).
 *
 * Deliberately never read: `jku`, `x5u`, `jwk`, `x5c`. Keys come only from the configured JWKS URI of the
 * issuer selected by `iss`; a token must not be able to name its own key or make us fetch a URL
 * (RFC 8725 §3.10, SSRF and key injection).
 */

export type HeaderCheck = { ok: true } | { ok: false; code: IdentityFailureCode; message: string };

export const MAX_KID_LENGTH = 128;

/** C0 controls, DEL and C1 controls: never part of a key id, and dangerous in logs. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** Checks that do not depend on which issuer the token claims. */
export function checkHeaderShape(header: Record<string, unknown>): HeaderCheck {
  const { alg, kid } = header;
  if (typeof alg !== "string") return fail("token_header_invalid", "header `alg` is missing or not a string");
  // Asymmetric only, and only what the verifier can check (algorithms.ts): `none` and HS* are refused here.
  if (!isSupportedAlgorithm(alg)) return fail("token_alg_not_allowed", `algorithm ${shown(alg)} is not allowed`);
  if (typeof kid !== "string" || kid.length === 0) return fail("token_header_invalid", "header `kid` is missing or not a string");
  if (kid.length > MAX_KID_LENGTH) return fail("token_header_invalid", `header \`kid\` is longer than ${MAX_KID_LENGTH} characters`);
  if (CONTROL_CHARS.test(kid)) return fail("token_header_invalid", "header `kid` contains control characters");
  // RFC 7515 §4.1.11: a recipient must reject a token whose `crit` lists an extension it does not
  // implement. We implement none, so any `crit` (even an empty or malformed one) is refused.
  if (Object.hasOwn(header, "crit")) return fail("token_crit_unsupported", "header `crit` is not supported");
  if (header.typ !== undefined && typeof header.typ !== "string") return fail("token_header_invalid", "header `typ` is not a string");
  // A `cty` of JWT marks a nested token (RFC 7519 §5.2); we never unwrap one.
  if (header.cty !== undefined && (typeof header.cty !== "string" || normalizeMediaType(header.cty) === "jwt")) {
    return fail("token_header_invalid", "nested tokens (`cty`) are not accepted");
  }
  return { ok: true };
}

/** Checks against the issuer selected by `iss`: its algorithm list and its explicit token types. */
export function checkHeaderForTrust(header: Record<string, unknown>, trust: JwtTrustConfig): HeaderCheck {
  const alg = header.alg as string; // established by checkHeaderShape
  if (!(trust.algorithms as readonly string[]).includes(alg)) {
    return fail("token_alg_not_allowed", `algorithm ${shown(alg)} is not allowed for this issuer`);
  }
  // Explicit typing (RFC 8725 §3.11): an ID token, a device token or a logout token signed by the same
  // key must not pass as an access token. A missing `typ` is a mismatch, unless this issuer is known to
  // send none (`acceptMissingTyp`, set by a preset or the operator); those issuers' tokens are told apart
  // by their claims instead (token-binding.ts). A `typ` that is present must always be one of `types`.
  const typ = header.typ;
  if (typ === undefined && trust.acceptMissingTyp === true) return { ok: true };
  const accepted = trust.types.map(normalizeMediaType);
  if (typeof typ !== "string" || !accepted.includes(normalizeMediaType(typ))) {
    return fail("token_type_invalid", `token type ${shown(typ)} is not accepted for this issuer`);
  }
  return { ok: true };
}

/**
 * RFC 7515 §4.1.9: media type names are case-insensitive and `application/` may be omitted, so
 * `application/at+JWT` and `at+jwt` are the same type.
 */
export function normalizeMediaType(value: string): string {
  const lower = value.toLowerCase();
  return lower.startsWith("application/") ? lower.slice("application/".length) : lower;
}

function fail(code: IdentityFailureCode, message: string): HeaderCheck {
  return { ok: false, code, message };
}
