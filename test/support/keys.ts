import { generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from "node:crypto";

/**
 * Test key pairs, generated during the run (never committed). Generic: user-token, device-posture and
 * end-to-end tests all use these.
 */

export type TestAlg = "RS256" | "RS384" | "RS512" | "PS256" | "ES256" | "ES384" | "ES512" | "EdDSA";

export interface TestKey {
  kid: string;
  alg: TestAlg;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Public JWK as a JWKS would publish it: `kid`, `use: "sig"`, and `alg` unless `withAlg: false`. */
  publicJwk: JsonWebKey & { kid: string };
}

export interface KeyOptions {
  kid?: string;
  /** Publish `alg` in the JWK (default true). Many IdPs omit it, which matters for alg/key checks. */
  withAlg?: boolean;
  /** RSA modulus size (default 2048). */
  modulusLength?: number;
  /** For EdDSA: "ed25519" (default) or "ed448". */
  curve?: "ed25519" | "ed448";
}

const EC_CURVES = { ES256: "P-256", ES384: "P-384", ES512: "P-521" } as const;

export function generateTestKey(alg: TestAlg, options: KeyOptions = {}): TestKey {
  const { publicKey, privateKey } = generatePair(alg, options);
  const kid = options.kid ?? `${alg.toLowerCase()}-${randomUUID()}`;
  const publicJwk: JsonWebKey & { kid: string } = { ...publicKey.export({ format: "jwk" }), kid, use: "sig" };
  if (options.withAlg !== false) publicJwk.alg = alg;
  return { kid, alg, privateKey, publicKey, publicJwk };
}

function generatePair(alg: TestAlg, options: KeyOptions): { publicKey: KeyObject; privateKey: KeyObject } {
  if (alg.startsWith("RS") || alg.startsWith("PS")) {
    return generateKeyPairSync("rsa", { modulusLength: options.modulusLength ?? 2048 });
  }
  if (alg === "EdDSA") {
    return options.curve === "ed448" ? generateKeyPairSync("ed448") : generateKeyPairSync("ed25519");
  }
  return generateKeyPairSync("ec", { namedCurve: EC_CURVES[alg as keyof typeof EC_CURVES] });
}

/** A JWKS document for the given keys (or raw JWKs). */
export function jwksOf(...keys: (TestKey | JsonWebKey)[]): { keys: JsonWebKey[] } {
  return { keys: keys.map((k) => ("publicJwk" in k ? (k as TestKey).publicJwk : (k as JsonWebKey))) };
}
