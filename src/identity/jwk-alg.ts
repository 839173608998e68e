import { JwtRejectedError } from "./errors.js";

/**
 * The key decides the algorithm, not the token (RFC 8725 §3.1). aws-jwt-verify compares the JWK's `alg`
 * with the header only when the JWK has one, and many JWKS omit it; so before any crypto we check that
 * the header algorithm belongs to the key's type and curve. An `ES256` header can then never be checked
 * against a P-384 or RSA key, nor an `RS256` header against a 1024-bit key.
 */

/** RFC 7518 §3.3: RSA keys of 2048 bits or more. */
const MIN_RSA_MODULUS_BYTES = 256;

const EC_CURVE_FOR_ALG: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

export function assertJwkFitsAlg(jwk: Record<string, unknown>, alg: string): void {
  const reject = (why: string): never => {
    throw new JwtRejectedError("token_alg_not_allowed", `algorithm does not match the key: ${why}`);
  };
  if (jwk.use !== undefined && jwk.use !== "sig") reject("key is not a signing key (`use`)");
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes("verify")) reject("key does not allow `verify`");
  if (jwk.alg !== undefined && jwk.alg !== alg) reject("key is bound to another algorithm");
  if (alg.startsWith("RS") || alg.startsWith("PS")) {
    if (jwk.kty !== "RSA") reject("expected an RSA key");
    const n = typeof jwk.n === "string" ? Buffer.from(jwk.n, "base64url") : Buffer.alloc(0);
    // Leading zero bytes do not count towards the modulus size.
    const firstNonZero = n.findIndex((b) => b !== 0);
    if (firstNonZero < 0 || n.length - firstNonZero < MIN_RSA_MODULUS_BYTES) reject("RSA key is shorter than 2048 bits");
  } else if (alg in EC_CURVE_FOR_ALG) {
    if (jwk.kty !== "EC" || jwk.crv !== EC_CURVE_FOR_ALG[alg]) reject(`expected an EC ${EC_CURVE_FOR_ALG[alg]} key`);
  } else if (alg === "EdDSA") {
    if (jwk.kty !== "OKP" || (jwk.crv !== "Ed25519" && jwk.crv !== "Ed448")) reject("expected an Ed25519 or Ed448 key");
  } else {
    reject("unsupported algorithm");
  }
}
