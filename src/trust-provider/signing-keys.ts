import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { SignJWT, type JWTPayload } from "jose";
import { TrustProviderConfigError } from "./errors.js";

/**
 * The keys that sign our ID tokens. The operator provides them as a JWKS of private keys (a secret:
 * Secrets Manager or SSM SecureString resolved into the environment at deploy time). The first key signs;
 * every key is published, which is what makes rotation free of downtime:
 *
 *   1. add the new key second: it is published, the old one still signs;
 *   2. after relying parties have refreshed their key cache, move it first: it signs, the old is still published;
 *   3. after the longest ID-token lifetime, remove the old key.
 *
 * RS256 is the default because OpenID Connect Core §15.1 requires every relying party to support it.
 */

export const SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: SigningAlgorithm;
  use: "sig";
}

export interface SigningKeySet {
  /** The document served at the JWKS endpoint: public parts only. */
  readonly jwks: { keys: PublicJwk[] };
  readonly activeKid: string;
  readonly activeAlg: SigningAlgorithm;
  /** Signs a JWT with the active key (`typ: JWT`, `kid` of the active key). */
  sign(payload: JWTPayload): Promise<string>;
}

/** JOSE curve names and the OpenSSL names node reports in `asymmetricKeyDetails.namedCurve`. */
const CURVE: Partial<Record<SigningAlgorithm, { jose: string; openssl: string }>> = {
  ES256: { jose: "P-256", openssl: "prime256v1" },
  ES384: { jose: "P-384", openssl: "secp384r1" },
};

/** Parses and checks the private JWKS (text of the secret). Throws `TrustProviderConfigError` naming `source`. */
export function signingKeysFromJwks(text: string | undefined, source: string): SigningKeySet {
  if (text === undefined || text.trim() === "") throw new TrustProviderConfigError(`${source}: no signing keys (expected a JWKS of private keys)`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new TrustProviderConfigError(`${source}: signing keys are not JSON`);
  }
  const keys = (doc as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new TrustProviderConfigError(`${source}: expected {"keys": [private JWK, ...]} with at least one key`);
  const seen = new Set<string>();
  const parsed = keys.map((jwk, i) => {
    const where = `${source}: keys[${i}]`;
    const { kid, alg, d } = (jwk ?? {}) as { kid?: unknown; alg?: unknown; d?: unknown };
    if (typeof kid !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(kid)) throw new TrustProviderConfigError(`${where}: \`kid\` must be 1-64 characters of [A-Za-z0-9._-]`);
    if (seen.has(kid)) throw new TrustProviderConfigError(`${where}: \`kid\` ${kid} is used twice`);
    seen.add(kid);
    if (!SIGNING_ALGORITHMS.includes(alg as SigningAlgorithm)) {
      throw new TrustProviderConfigError(`${where}: \`alg\` must be one of ${SIGNING_ALGORITHMS.join(", ")}`);
    }
    if (typeof d !== "string") throw new TrustProviderConfigError(`${where}: not a private key (no \`d\`)`);
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: "jwk" });
    } catch (err) {
      throw new TrustProviderConfigError(`${where}: not a usable private key (${(err as Error).message})`);
    }
    checkKeyFits(privateKey, alg as SigningAlgorithm, where);
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = createPublicKey(privateKey).export({ format: "jwk" });
    return { kid, alg: alg as SigningAlgorithm, privateKey, publicJwk: { ...pub, kid, alg: alg as SigningAlgorithm, use: "sig" as const } };
  });
  const active = parsed[0]!;
  return {
    jwks: { keys: parsed.map((k) => k.publicJwk) },
    activeKid: active.kid,
    activeAlg: active.alg,
    sign: (payload) => new SignJWT(payload).setProtectedHeader({ alg: active.alg, kid: active.kid, typ: "JWT" }).sign(active.privateKey),
  };
}

function checkKeyFits(key: KeyObject, alg: SigningAlgorithm, where: string): void {
  const details = key.asymmetricKeyDetails ?? {};
  if (alg.startsWith("RS") || alg.startsWith("PS")) {
    if (key.asymmetricKeyType !== "rsa") throw new TrustProviderConfigError(`${where}: ${alg} needs an RSA key`);
    // NIST SP 800-131A: RSA below 2048 bits is disallowed for signatures.
    if ((details.modulusLength ?? 0) < 2048) throw new TrustProviderConfigError(`${where}: RSA keys must be at least 2048 bits`);
    return;
  }
  const curve = CURVE[alg]!;
  if (key.asymmetricKeyType !== "ec" || details.namedCurve !== curve.openssl) {
    throw new TrustProviderConfigError(`${where}: ${alg} needs an EC key on ${curve.jose}`);
  }
}
