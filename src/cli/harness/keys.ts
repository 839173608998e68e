import { createPublicKey, generateKeyPair, randomUUID, sign, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { InputError } from "../errors.js";

/**
 * Ephemeral signing keys for `test` and `explain`: generated in memory once per run (one key pair per
 * signing algorithm the config's issuers and posture providers use), never written anywhere, and served
 * to the real JWT verifiers through their `fetchJson` hook instead of the configured JWKS URIs. So scenario
 * tokens go through exactly the production verification, and no real key is ever needed or exposed.
 */
export interface EphemeralKey {
  alg: string;
  kid: string;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

/**
 * Asynchronous on purpose: key generation runs on libuv's thread pool, so a command can start it first
 * and parse policies and scenarios meanwhile (an RSA-2048 key takes ~80 ms, several times that on a busy
 * machine).
 */
export async function generateEphemeralKeys(algorithms: Iterable<string>): Promise<Map<string, EphemeralKey>> {
  const algs = [...new Set(algorithms)];
  const keys = await Promise.all(
    algs.map(async (alg) => {
      const privateKey = await generate(alg);
      const kid = `ztpdp-ephemeral-${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`;
      const publicJwk = { ...createPublicKey(privateKey).export({ format: "jwk" }), kid, alg, use: "sig" };
      return [alg, { alg, kid, privateKey, publicJwk }] as const;
    }),
  );
  return new Map(keys);
}

const generatePair = promisify(generateKeyPair);

async function generate(alg: string): Promise<KeyObject> {
  // RSA at 2048 bits: the verifier refuses shorter keys (RFC 7518 §3.3).
  if (/^RS(256|384|512)$/.test(alg)) return (await generatePair("rsa", { modulusLength: 2048 })).privateKey;
  const curve = { ES256: "P-256", ES384: "P-384", ES512: "P-521" }[alg];
  if (curve) return (await generatePair("ec", { namedCurve: curve })).privateKey;
  if (alg === "EdDSA") return (await generatePair("ed25519", undefined)).privateKey;
  throw new InputError(`the config uses the signing algorithm \`${alg}\`, which the test harness cannot sign with`);
}

/** The signing algorithm each configured issuer and posture provider's tokens are minted with. */
export function signingAlgorithms(trusts: ReadonlyArray<{ algorithms: readonly string[] }>): string[] {
  return trusts.map((t) => t.algorithms[0] as string);
}

const signAsync = promisify(sign);

/**
 * A compact JWS (RFC 7515) over the JSON header and payload. Signing runs on libuv's thread pool, so a
 * run can sign the tokens of later cases while evaluating earlier ones (RSA signing is ~0.7 ms each).
 */
export async function signJws(key: EphemeralKey, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  const input = Buffer.from(`${encode({ ...header, alg: key.alg, kid: key.kid })}.${encode(payload)}`, "ascii");
  const hash = key.alg === "EdDSA" ? null : `sha${key.alg.slice(2)}`;
  // JWS ECDSA signatures are the raw r||s pair (RFC 7518 §3.4), not DER.
  const signature = await signAsync(hash, input, key.alg.startsWith("ES") ? { key: key.privateKey, dsaEncoding: "ieee-p1363" } : key.privateKey);
  return `${input.toString("ascii")}.${signature.toString("base64url")}`;
}
