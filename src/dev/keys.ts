import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Signing keys of the development issuers. Generated on first use into `.dev-keys/` (git-ignored, mode
 * 0600) and reused afterwards, so tokens minted by `npm run token` keep verifying across restarts of
 * `npm start`. They exist only on the developer's machine: nothing in the repository is a key.
 */

export interface DevSigningKey {
  alg: "RS256" | "ES256";
  kid: string;
  privateKey: KeyObject;
  publicJwk: JsonWebKey & { kid: string; alg: string; use: string };
}

export interface DevKeys {
  /** The development OIDC issuer's key (user and service access tokens). */
  idp: DevSigningKey;
  /** The development MDM's key: device-posture tokens, shared by the emulated providers. */
  mdm: DevSigningKey;
}

export const DEFAULT_DEV_KEYS_DIR = ".dev-keys";

export function loadOrCreateDevKeys(dir: string): DevKeys {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return { idp: loadOrCreate(join(dir, "idp.private.jwk.json"), "RS256"), mdm: loadOrCreate(join(dir, "mdm.private.jwk.json"), "ES256") };
}

/** Fresh keys that never touch the disk (tests). */
export function ephemeralDevKeys(): DevKeys {
  return { idp: generate("RS256"), mdm: generate("ES256") };
}

function loadOrCreate(file: string, alg: DevSigningKey["alg"]): DevSigningKey {
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, "utf8")) as JsonWebKey & { kid: string; alg: string };
    if (stored.alg === alg && typeof stored.kid === "string") return fromPrivateJwk(stored, alg);
  }
  const key = generate(alg);
  const jwk = { ...key.privateKey.export({ format: "jwk" }), kid: key.kid, alg };
  writeFileSync(file, JSON.stringify(jwk, null, 2) + "\n", { mode: 0o600 });
  return key;
}

function generate(alg: DevSigningKey["alg"]): DevSigningKey {
  const { privateKey } =
    alg === "RS256" ? generateKeyPairSync("rsa", { modulusLength: 2048 }) : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return withPublic(privateKey, `dev-${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`, alg);
}

function fromPrivateJwk(jwk: JsonWebKey & { kid: string }, alg: DevSigningKey["alg"]): DevSigningKey {
  return withPublic(createPrivateKey({ key: jwk, format: "jwk" }), jwk.kid, alg);
}

function withPublic(privateKey: KeyObject, kid: string, alg: DevSigningKey["alg"]): DevSigningKey {
  const publicJwk = { ...createPublicKey(privateKey).export({ format: "jwk" }), kid, alg, use: "sig" };
  return { alg, kid, privateKey, publicJwk };
}
