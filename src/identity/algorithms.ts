import { supportedSignatureAlgorithms } from "aws-jwt-verify/jwt-verifier";

/**
 * The one list of JWS algorithms this PDP accepts, for user tokens and device tokens alike. The config
 * schema, the header check and the verifier construction all read it, so a value the verifier could never
 * check (`PS256` with aws-jwt-verify 5.2) is refused when the config is loaded, not at cold start.
 *
 * Asymmetric only (RFC 8725 §3.1, §2.1): with HMAC, anyone holding the public key could mint tokens, and
 * `none` is no signature at all.
 */
export const SUPPORTED_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA"] as const;

export type SupportedAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

const LIBRARY: readonly string[] = supportedSignatureAlgorithms;
// Invariant, checked once at load: every algorithm offered here is one aws-jwt-verify can verify. If a
// library upgrade drops one, start-up fails here instead of every token of that algorithm failing later.
for (const alg of SUPPORTED_ALGORITHMS) {
  if (!LIBRARY.includes(alg)) throw new Error(`aws-jwt-verify no longer verifies ${alg}: remove it from SUPPORTED_ALGORITHMS`);
}

const SET: ReadonlySet<string> = new Set(SUPPORTED_ALGORITHMS);

export function isSupportedAlgorithm(alg: unknown): alg is SupportedAlgorithm {
  return typeof alg === "string" && SET.has(alg);
}
