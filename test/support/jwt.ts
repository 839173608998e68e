import { constants, createHmac, sign, type KeyObject } from "node:crypto";
import type { TestKey } from "./keys.js";

/**
 * Build JWTs with node:crypto only, including every malformed variant a test may need. Nothing here checks
 * anything: that is the point (alg none, HMAC with a public key as secret, forged signatures, raw JSON with
 * duplicate keys, non-UTF-8 bytes, ...).
 */

export interface SignJwtOptions {
  /** Merged over `{ alg: key.alg, kid: key.kid }`. A property set to `undefined` is left out. */
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  key?: TestKey;
  /** Exact header / payload JSON text (e.g. with duplicate keys), used instead of `header` / `payload`. */
  rawHeader?: string;
  rawPayload?: string;
  /** Exact header / payload bytes (e.g. invalid UTF-8), used instead of everything else. */
  headerBytes?: Buffer;
  payloadBytes?: Buffer;
  /** Algorithm actually used to sign (default: the header's `alg`), for alg-confusion tests. */
  signAs?: string;
  /** Secret for HS* signing, e.g. the public key's PEM or DER bytes (RS/HS confusion). */
  hmacSecret?: Buffer | string;
  /** Replace the signature: bytes, all zeros of the right size for the alg, or empty. */
  signature?: Buffer | "zero" | "empty";
  /** Key used instead of `key.privateKey` (e.g. another key, same kid). */
  signingKey?: KeyObject;
}

export function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

export function signJwt(opts: SignJwtOptions): string {
  const header = { alg: opts.key?.alg, kid: opts.key?.kid, ...opts.header };
  const headerBytes = opts.headerBytes ?? Buffer.from(opts.rawHeader ?? JSON.stringify(header), "utf8");
  const payloadBytes = opts.payloadBytes ?? Buffer.from(opts.rawPayload ?? JSON.stringify(opts.payload ?? {}), "utf8");
  const input = `${b64url(headerBytes)}.${b64url(payloadBytes)}`;
  const alg = opts.signAs ?? (typeof header.alg === "string" ? header.alg : "none");
  let signature: Buffer;
  if (opts.signature instanceof Buffer) signature = opts.signature;
  else if (opts.signature === "empty") signature = Buffer.alloc(0);
  else if (opts.signature === "zero") signature = Buffer.alloc(signatureSize(alg));
  else signature = signInput(alg, input, opts);
  return `${input}.${b64url(signature)}`;
}

function signInput(alg: string, input: string, opts: SignJwtOptions): Buffer {
  const data = Buffer.from(input, "ascii");
  const hash = `sha${alg.slice(2)}`;
  if (alg === "none") return Buffer.alloc(0);
  if (alg.startsWith("HS")) {
    if (opts.hmacSecret === undefined) throw new Error("hmacSecret needed for HS*");
    return createHmac(hash, opts.hmacSecret).update(data).digest();
  }
  const key = opts.signingKey ?? opts.key?.privateKey;
  if (key === undefined) throw new Error(`a key is needed to sign ${alg}`);
  if (alg === "EdDSA") return sign(null, data, key);
  if (alg.startsWith("RS")) return sign(hash, data, key);
  if (alg.startsWith("PS")) {
    return sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  }
  if (alg.startsWith("ES")) return sign(hash, data, { key, dsaEncoding: "ieee-p1363" });
  throw new Error(`cannot sign with ${alg}`);
}

/** Raw signature length in bytes (ECDSA r||s, RSA 2048, Ed25519). */
function signatureSize(alg: string): number {
  return ({ ES256: 64, ES384: 96, ES512: 132, EdDSA: 64 } as Record<string, number>)[alg] ?? 256;
}

/** Decode a compact JWT's header and payload without any checks. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } {
  const [h = "", p = "", s = ""] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>,
    signature: s,
  };
}

/** Change the payload and keep the original header and signature (a tampered token). */
export function tamperPayload(token: string, mutate: (payload: Record<string, unknown>) => void): string {
  const [h, , s] = token.split(".");
  const { payload } = decodeJwt(token);
  mutate(payload);
  return `${h}.${b64url(JSON.stringify(payload))}.${s}`;
}

/** Seconds since the epoch, as JWT NumericDate (RFC 7519 §2). */
export function epochSeconds(ms: number = Date.now()): number {
  return Math.floor(ms / 1000);
}
