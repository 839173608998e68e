import type { JwkWithKid, Jwks, JwksCache } from "aws-jwt-verify/jwk";
import { isJwk } from "aws-jwt-verify/jwk";
import type { DecomposedJwt } from "aws-jwt-verify/jwt";
import type { JwksConfig } from "../config/schema.js";
import { JwksFetchError, JwtRejectedError } from "./errors.js";
import { assertJwkFitsAlg } from "./jwk-alg.js";

/**
 * A JWKS cache with a bounded key lifetime, implementing aws-jwt-verify's `JwksCache` interface.
 *
 * aws-jwt-verify's `SimpleJwksCache` refetches only when it meets an unknown `kid`, so a key the IdP
 * removed (compromised, rotated out) stays trusted until the next cold start. Here, per JWKS URI:
 *
 *   fresh    now < fetchedAt + ttl                 use the set
 *   expired  ttl passed                            refetch; on failure fall through to stale
 *   stale    refetch failed, now < expiry + staleIfError   keep using the last good set
 *   dead     beyond that, or never fetched          `jwks_unavailable` (a server fault, not the caller's)
 *
 * An unknown `kid` causes at most one refetch per `unknownKidBackoffSeconds`, so random kids cannot turn
 * us into a traffic amplifier against the IdP. A failed fetch is not retried for `FAILURE_RETRY_MS`, so
 * an IdP outage costs one time-out per window instead of one per request.
 *
 * Time comes from the injected `now()` (epoch ms), so tests can move it.
 */

export interface TtlJwksCacheOptions {
  jwks: JwksConfig;
  now: () => number;
  fetchJson: (uri: string) => Promise<unknown>;
}

/** Upper bound on how often a failing JWKS endpoint is retried (further capped by the TTL). */
export const FAILURE_RETRY_MS = 5_000;

interface Entry {
  keys?: Map<string, JwkWithKid>;
  /** When the current `keys` were requested (start of the successful fetch). */
  fetchedAt: number;
  retryNotBefore: number;
  unknownKidRefetchNotBefore: number;
  inflight?: Promise<boolean>;
  lastError?: string;
}

export class TtlJwksCache implements JwksCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly kidBackoffMs: number;
  private readonly failureRetryMs: number;

  constructor(private readonly opts: TtlJwksCacheOptions) {
    this.ttlMs = opts.jwks.ttlSeconds * 1000;
    this.staleMs = opts.jwks.staleIfErrorSeconds * 1000;
    this.kidBackoffMs = opts.jwks.unknownKidBackoffSeconds * 1000;
    this.failureRetryMs = Math.min(FAILURE_RETRY_MS, this.ttlMs);
  }

  /**
   * Until when (epoch ms) the keys now held for `jwksUri` are fresh, i.e. used without asking the issuer
   * again; undefined when none are held. Anything derived from those keys (a verified-token cache entry)
   * must not outlive this, so key removals upstream take effect on the same schedule.
   */
  freshUntil(jwksUri: string): number | undefined {
    const entry = this.entries.get(jwksUri);
    return entry?.keys === undefined ? undefined : entry.fetchedAt + this.ttlMs;
  }

  /** Called by aws-jwt-verify for every verification: the JWK to check this token's signature with. */
  async getJwk(jwksUri: string, decomposedJwt: DecomposedJwt): Promise<JwkWithKid> {
    const { kid, alg } = decomposedJwt.header;
    if (typeof kid !== "string" || typeof alg !== "string") {
      throw new JwtRejectedError("token_header_invalid", "header `kid` or `alg` is missing");
    }
    const now = this.opts.now();
    const entry = this.entry(jwksUri);
    let fetchedNow = false;
    if (entry.keys === undefined || now >= entry.fetchedAt + this.ttlMs) {
      fetchedNow = await this.refresh(jwksUri, entry, now);
    }
    let keys = this.usableKeys(entry, now);
    if (keys === undefined) {
      throw new JwtRejectedError("jwks_unavailable", `signing keys are unavailable${entry.lastError ? `: ${entry.lastError}` : ""}`);
    }
    let jwk = keys.get(kid);
    if (jwk === undefined && !fetchedNow && now >= entry.unknownKidRefetchNotBefore) {
      // Maybe the IdP rotated in a new key since our last fetch: look once, then back off.
      entry.unknownKidRefetchNotBefore = now + this.kidBackoffMs;
      await this.refresh(jwksUri, entry, now);
      keys = this.usableKeys(entry, now);
      jwk = keys?.get(kid);
    } else if (jwk === undefined && fetchedNow) {
      // The fetch we just made was the one allowed look for this kid.
      entry.unknownKidRefetchNotBefore = Math.max(entry.unknownKidRefetchNotBefore, now + this.kidBackoffMs);
    }
    if (jwk === undefined) throw new JwtRejectedError("token_kid_unknown", "no trusted key has this `kid`");
    assertJwkFitsAlg(jwk, alg);
    return jwk;
  }

  /** Synchronous variant of the interface: only answers from a usable set, never fetches. */
  getCachedJwk(jwksUri: string, decomposedJwt: DecomposedJwt): JwkWithKid {
    const { kid, alg } = decomposedJwt.header;
    const keys = this.usableKeys(this.entry(jwksUri), this.opts.now());
    if (keys === undefined) throw new JwtRejectedError("jwks_unavailable", "signing keys are not cached");
    const jwk = typeof kid === "string" ? keys.get(kid) : undefined;
    if (jwk === undefined || typeof alg !== "string") throw new JwtRejectedError("token_kid_unknown", "no trusted key has this `kid`");
    assertJwkFitsAlg(jwk, alg);
    return jwk;
  }

  /** Install a key set obtained elsewhere; it counts as fetched now. */
  addJwks(jwksUri: string, jwks: Jwks): void {
    const entry = this.entry(jwksUri);
    entry.keys = toKeyMap(jwks);
    entry.fetchedAt = this.opts.now();
  }

  /** Fetch now (ignoring freshness, honouring the failure back-off); rejects if no fresh set was obtained. */
  async getJwks(jwksUri: string): Promise<Jwks> {
    const entry = this.entry(jwksUri);
    const ok = await this.refresh(jwksUri, entry, this.opts.now());
    if (!ok || entry.keys === undefined) throw new JwksFetchError(entry.lastError ?? "JWKS fetch failed");
    return { keys: [...entry.keys.values()] };
  }

  /** Prefetch every URI; reports per URI and never rejects (one IdP down must not stop the others). */
  async hydrate(jwksUris: Iterable<string>): Promise<{ jwksUri: string; ok: boolean; error?: string }[]> {
    const uris = [...new Set(jwksUris)];
    const results = await Promise.allSettled(uris.map((u) => this.getJwks(u)));
    return results.map((r, i) =>
      r.status === "fulfilled"
        ? { jwksUri: uris[i]!, ok: true }
        : { jwksUri: uris[i]!, ok: false, error: r.reason instanceof Error ? r.reason.message : String(r.reason) },
    );
  }

  private entry(jwksUri: string): Entry {
    let entry = this.entries.get(jwksUri);
    if (entry === undefined) {
      entry = { fetchedAt: 0, retryNotBefore: 0, unknownKidRefetchNotBefore: 0 };
      this.entries.set(jwksUri, entry);
    }
    return entry;
  }

  /** The set if fresh or within the stale-if-error window, else undefined. */
  private usableKeys(entry: Entry, now: number): Map<string, JwkWithKid> | undefined {
    if (entry.keys === undefined) return undefined;
    return now < entry.fetchedAt + this.ttlMs + this.staleMs ? entry.keys : undefined;
  }

  /**
   * One fetch at a time per URI (concurrent callers share it). Resolves true when a new set was installed.
   * Never rejects: a failure is remembered and the previous set is left in place for the stale window.
   */
  private refresh(jwksUri: string, entry: Entry, now: number): Promise<boolean> {
    if (entry.inflight) return entry.inflight;
    if (now < entry.retryNotBefore) return Promise.resolve(false);
    entry.inflight = (async () => {
      try {
        const keys = toKeyMap(await this.opts.fetchJson(jwksUri));
        entry.keys = keys;
        entry.fetchedAt = now; // counted from the request, so a removed key lives at most `ttl`
        entry.retryNotBefore = 0;
        entry.lastError = undefined;
        return true;
      } catch (err) {
        entry.retryNotBefore = now + this.failureRetryMs;
        entry.lastError = err instanceof Error ? err.message : String(err);
        return false;
      } finally {
        entry.inflight = undefined;
      }
    })();
    return entry.inflight;
  }
}

/**
 * Index a downloaded document by `kid`. The document must be an object with a `keys` array (RFC 7517 §5).
 * Entries that are not JWKs or have no string `kid` are skipped (we only select keys by `kid`); a `kid`
 * that appears twice is dropped entirely, since we could not tell which of the two keys the IdP means.
 */
export function toKeyMap(doc: unknown): Map<string, JwkWithKid> {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || !Array.isArray((doc as { keys?: unknown }).keys)) {
    throw new JwksFetchError("JWKS document has no `keys` array");
  }
  const keys = new Map<string, JwkWithKid>();
  const duplicated = new Set<string>();
  for (const jwk of (doc as { keys: unknown[] }).keys) {
    if (!isJwk(jwk as never)) continue;
    const kid = (jwk as { kid?: unknown }).kid;
    if (typeof kid !== "string") continue;
    if (keys.has(kid)) duplicated.add(kid);
    keys.set(kid, jwk as JwkWithKid);
  }
  for (const kid of duplicated) keys.delete(kid);
  return keys;
}
