/**
 * Successful signature verifications, remembered by the exact token string, so a client presenting the
 * same token again (the normal case: an access token lives for minutes to an hour) costs a map lookup
 * instead of an RSA or ECDSA verification (25 to 80 µs each on the benchmark machine).
 *
 * Why this stays fail-closed:
 * - The key is the whole compact token (header, payload and signature bytes). A different token, even one
 *   differing in a single signature byte, is a different key and is verified from scratch.
 * - Only successes are stored. Failures are recomputed every time (they are cheap to refuse and would let
 *   an attacker fill the cache).
 * - A hit is not an acceptance: the caller re-runs every time-dependent check (`exp`, `nbf`, `iat`,
 *   lifetime) with the current clock on each use, so an expired token is refused at the same instant it
 *   would have been without the cache.
 * - An entry never outlives the freshness of the JWKS it was verified with (`keysFreshUntilMs`): once
 *   the key set is due for a refresh, the next use goes through the JWKS cache again, which refetches,
 *   serves stale keys, or refuses, exactly as without this cache. A key removed upstream stops verifying
 *   on the same schedule.
 * - Bounded: at most `maxEntries` tokens, least recently used evicted first.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAtMs: number }>();

  constructor(private readonly maxEntries: number) {}

  get(token: string, nowMs: number): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    this.entries.delete(token);
    if (nowMs >= entry.expiresAtMs) return undefined;
    this.entries.set(token, entry); // most recently used
    return entry.value;
  }

  /** The entry never outlives the token's `exp` nor the freshness of the keys that verified it. */
  set(token: string, value: T, nowMs: number, expSeconds: number, keysFreshUntilMs: number | undefined): void {
    if (this.maxEntries <= 0 || keysFreshUntilMs === undefined) return;
    const expiresAtMs = Math.min(keysFreshUntilMs, expSeconds * 1000);
    if (!(expiresAtMs > nowMs)) return;
    this.entries.delete(token);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(token, { value, expiresAtMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
