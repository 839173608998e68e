import { createPublicKey } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { JwkWithKid as Jwk } from "aws-jwt-verify/jwk";
import { JwksFetchError, JwtRejectedError } from "../errors.js";
import { loopbackOnlyLookup } from "../jwks-fetch.js";

/**
 * The public keys of AWS Verified Access: one PEM per key id, at `<regional endpoint>/<kid>`
 * (https://docs.aws.amazon.com/verified-access/latest/ug/user-claims-passing.html). A key never changes
 * under its id (AVA rotates by issuing a new id), so a fetched key is kept for the life of the process
 * (bounded, oldest out first); an id the key service does not know is not asked for again within
 * `unknownKidBackoffSeconds`, so a stream of made-up ids cannot turn into a stream of fetches.
 */

export interface AvaKeyStoreOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  unknownKidBackoffSeconds: number;
  now: () => number;
  /** Replaces the HTTP download (unit tests). Resolves to the status and body text. */
  fetchText?: (url: string) => Promise<{ status: number; body: string }>;
  allowInsecureLoopback: boolean;
}

const MAX_KEYS = 64;

export class AvaKeyStore {
  private readonly keys = new Map<string, Jwk>();
  private readonly unknown = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<Jwk>>();

  constructor(private readonly opts: AvaKeyStoreOptions) {}

  /** The key at `url` (already `<base>/<kid>`) as an ES384 JWK; rejects with a reason code. */
  async get(url: string, kid: string): Promise<Jwk> {
    const known = this.keys.get(url);
    if (known) return known;
    const refusedAt = this.unknown.get(url);
    if (refusedAt !== undefined && this.opts.now() - refusedAt < this.opts.unknownKidBackoffSeconds * 1000) {
      throw new JwtRejectedError("token_kid_unknown", "the key service does not know this `kid` (asked recently)");
    }
    let pending = this.inflight.get(url);
    if (!pending) {
      pending = this.fetch(url, kid).finally(() => this.inflight.delete(url));
      this.inflight.set(url, pending);
    }
    return pending;
  }

  private async fetch(url: string, kid: string): Promise<Jwk> {
    const { status, body } = await (this.opts.fetchText ?? ((u: string) => fetchText(u, this.opts)))(url);
    if (status === 404 || status === 403) {
      // S3-style key hosting answers 403 for a missing object as well as 404.
      this.unknown.set(url, this.opts.now());
      throw new JwtRejectedError("token_kid_unknown", "the key service has no key with this `kid` in this region");
    }
    if (status !== 200) throw new JwksFetchError(`key service answered ${status}`);
    const jwk = pemToEs384Jwk(body, kid);
    if (this.keys.size >= MAX_KEYS) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(url, jwk);
    this.unknown.delete(url);
    return jwk;
  }
}

/** A P-384 public key in PEM (SPKI), as the key service serves it; anything else is a key service fault. */
export function pemToEs384Jwk(pem: string, kid: string): Jwk {
  let key;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch {
    throw new JwksFetchError("key service answered something that is not a PEM public key");
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "secp384r1") {
    throw new JwksFetchError("key service answered a key that is not an EC P-384 key (ES384)");
  }
  const jwk = key.export({ format: "jwk" }) as Record<string, string>;
  return { kty: "EC", crv: "P-384", x: jwk.x as string, y: jwk.y as string, alg: "ES384", use: "sig", kid } as unknown as Jwk;
}

/** One GET, one deadline for the whole exchange, the body capped; redirects are not followed. */
function fetchText(uri: string, opts: Pick<AvaKeyStoreOptions, "timeoutMs" | "maxResponseBytes">): Promise<{ status: number; body: string }> {
  const url = new URL(uri);
  const isHttp = url.protocol === "http:";
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | undefined, value?: { status: number; body: string }) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      if (err) {
        req.destroy();
        reject(err instanceof JwksFetchError ? err : new JwksFetchError(`key fetch from \`${url.origin}\` failed: ${err.message}`));
      } else resolve(value!);
    };
    const deadline = setTimeout(() => finish(new JwksFetchError(`key fetch from \`${url.origin}\` timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    deadline.unref();
    const req = (isHttp ? httpRequest : httpsRequest)(url, { method: "GET", ...(isHttp ? { lookup: loopbackOnlyLookup } : {}) }, (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        res.resume();
        return finish(undefined, { status, body: "" });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxResponseBytes) return finish(new JwksFetchError(`key from \`${url.origin}\` is larger than ${opts.maxResponseBytes} bytes`));
        chunks.push(chunk);
      });
      res.on("error", (e) => finish(e));
      res.on("end", () => finish(undefined, { status, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", (e) => finish(e));
    req.end();
  });
}
