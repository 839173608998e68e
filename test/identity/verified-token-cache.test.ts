import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMultiIssuerJwtVerifier } from "../../src/identity/jwt-verifier.js";
import { VerifiedTokenCache } from "../../src/identity/verified-token-cache.js";
import { testClock } from "../support/clock.js";
import { TEST_AUDIENCE, testJwksConfig, testLimits, trustFor } from "../support/config.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { epochSeconds, signJwt } from "../support/jwt.js";
import { generateTestKey, jwksOf, type TestKey } from "../support/keys.js";

describe("VerifiedTokenCache", () => {
  it("returns what was stored until the earlier of exp and the keys' freshness", () => {
    const cache = new VerifiedTokenCache<string>(10);
    cache.set("t", "v", 1_000, 5, 3_000); // exp 5 s, keys fresh until 3 s
    expect(cache.get("t", 2_999)).toBe("v");
    expect(cache.get("t", 3_000)).toBeUndefined();
    cache.set("u", "w", 1_000, 2, 9_000);
    expect(cache.get("u", 1_999)).toBe("w");
    expect(cache.get("u", 2_000)).toBeUndefined();
  });

  it("stores nothing without fresh keys, already expired, or with size 0", () => {
    const cache = new VerifiedTokenCache<string>(10);
    cache.set("a", "v", 1_000, 60, undefined);
    cache.set("b", "v", 1_000, 1, 9_000); // exp (1 s) is already past
    expect(cache.size).toBe(0);
    const off = new VerifiedTokenCache<string>(0);
    off.set("c", "v", 0, 60, 9_000);
    expect(off.get("c", 1)).toBeUndefined();
  });

  it("is bounded, evicting the least recently used token", () => {
    const cache = new VerifiedTokenCache<number>(2);
    cache.set("a", 1, 0, 100, 50_000);
    cache.set("b", 2, 0, 100, 50_000);
    expect(cache.get("a", 1)).toBe(1); // a is now the most recent
    cache.set("c", 3, 0, 100, 50_000);
    expect(cache.size).toBe(2);
    expect(cache.get("b", 1)).toBeUndefined();
    expect(cache.get("a", 1)).toBe(1);
    expect(cache.get("c", 1)).toBe(3);
  });
});

describe("the JWT gate with its verified-token cache", () => {
  let idp: JwksServer;
  let key: TestKey;
  beforeAll(async () => {
    key = generateTestKey("RS256");
    idp = await startJwksServer({ jwks: jwksOf(key) });
  });
  afterAll(() => idp.close());

  const setup = (ttlSeconds = 300) => {
    const clock = testClock();
    const verifier = createMultiIssuerJwtVerifier([trustFor(idp)], {
      limits: testLimits(),
      jwks: testJwksConfig({ ttlSeconds, staleIfErrorSeconds: 0 }),
      allowInsecureLoopbackJwks: true,
      now: clock.now,
    });
    return { clock, verifier };
  };
  const token = (exp: number) =>
    signJwt({ key, header: { typ: "JWT" }, payload: { iss: idp.issuer, aud: TEST_AUDIENCE, sub: "alice", iat: epochSeconds(), exp } });

  it("still refuses a cached token once it expires (time checks run on every use)", async () => {
    const { clock, verifier } = setup();
    const t = token(epochSeconds() + 120);
    expect((await verifier.verify(t)).ok).toBe(true);
    expect((await verifier.verify(t)).ok).toBe(true); // served from the cache
    clock.advanceSeconds(120 + testLimits().clockSkewSeconds);
    expect(await verifier.verify(t)).toMatchObject({ ok: false, code: "token_expired" });
  });

  it("does not serve a token whose signature differs by one byte", async () => {
    const { verifier } = setup();
    const t = token(epochSeconds() + 120);
    expect((await verifier.verify(t)).ok).toBe(true);
    const last = t.at(-2) === "A" ? "B" : "A";
    const forged = `${t.slice(0, -2)}${last}${t.at(-1)}`;
    expect(await verifier.verify(forged)).toMatchObject({ ok: false });
  });

  it("lets a key removed upstream stop verifying after the JWKS TTL, as without the cache", async () => {
    const { clock, verifier } = setup(60);
    const t = token(epochSeconds() + 3_000);
    expect((await verifier.verify(t)).ok).toBe(true);
    idp.setKeys(jwksOf(generateTestKey("RS256")));
    try {
      clock.advanceSeconds(30);
      expect((await verifier.verify(t)).ok).toBe(true); // keys still fresh: same answer with or without cache
      clock.advanceSeconds(31);
      expect(await verifier.verify(t)).toMatchObject({ ok: false, code: "token_kid_unknown" });
    } finally {
      idp.setKeys(jwksOf(key));
    }
  });
});
