import { afterEach, describe, expect, it } from "vitest";
import type { JwksConfig } from "../../src/config/schema.js";
import { createMultiIssuerJwtVerifier } from "../../src/identity/jwt-verifier.js";
import { FAILURE_RETRY_MS } from "../../src/identity/jwks-cache.js";
import { testClock, type TestClock } from "../support/clock.js";
import { TEST_AUDIENCE, testJwksConfig, testLimits, trustFor } from "../support/config.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, type TestKey } from "../support/keys.js";
import { epochSeconds, signJwt } from "../support/jwt.js";

/**
 * Key lifetime and JWKS faults, over real loopback HTTP with a movable clock. Tokens stay valid in real
 * time (aws-jwt-verify checks exp against the real clock); only the cache's clock moves.
 */

const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(keys: TestKey[]): Promise<JwksServer> {
  const s = await startJwksServer({ jwks: jwksOf(...keys) });
  servers.push(s);
  return s;
}

function setup(idps: JwksServer[], jwks: Partial<JwksConfig>, clock: TestClock = testClock()) {
  const verifier = createMultiIssuerJwtVerifier(
    idps.map((s) => trustFor(s, { algorithms: ["RS256", "ES256"] })),
    { limits: testLimits(), jwks: testJwksConfig(jwks), allowInsecureLoopbackJwks: true, now: clock.now },
  );
  const code = async (jwt: string): Promise<string> => {
    const r = await verifier.verify(jwt);
    return r.ok ? "ok" : r.code;
  };
  return { verifier, clock, code };
}

function tokenFor(idp: JwksServer, key: TestKey): string {
  const now = epochSeconds();
  return signJwt({ key, header: { typ: "JWT" }, payload: { iss: idp.issuer, aud: TEST_AUDIENCE, sub: "alice", iat: now, exp: now + 3600 } });
}

const JWKS = "/.well-known/jwks.json";

describe("key lifetime", () => {
  it("stops accepting a key removed upstream once the TTL has passed", async () => {
    const a = generateTestKey("RS256");
    const b = generateTestKey("RS256");
    const idp = await server([a]);
    const { code, clock } = setup([idp], { ttlSeconds: 60 });
    expect(await code(tokenFor(idp, a))).toBe("ok");

    idp.setKeys(jwksOf(b)); // key A revoked upstream
    clock.advanceSeconds(59);
    expect(await code(tokenFor(idp, a))).toBe("ok"); // still within the TTL: cached
    expect(idp.requests(JWKS)).toBe(1);
    clock.advanceSeconds(1);
    expect(await code(tokenFor(idp, a))).toBe("token_kid_unknown");
    expect(await code(tokenFor(idp, b))).toBe("ok");
    expect(idp.requests(JWKS)).toBe(2);
  });

  it("picks up a key added upstream at once, through the unknown-kid refetch", async () => {
    const a = generateTestKey("RS256");
    const b = generateTestKey("ES256", { withAlg: false });
    const idp = await server([a]);
    const { code } = setup([idp], { ttlSeconds: 300 });
    expect(await code(tokenFor(idp, a))).toBe("ok");
    idp.setKeys(jwksOf(a, b));
    expect(await code(tokenFor(idp, b))).toBe("ok");
    expect(idp.requests(JWKS)).toBe(2);
  });

  it("uses new material when a key is replaced under the same kid", async () => {
    const oldKey = generateTestKey("RS256", { kid: "k1" });
    const newKey = generateTestKey("RS256", { kid: "k1" });
    const idp = await server([oldKey]);
    const { code, clock } = setup([idp], { ttlSeconds: 60 });
    expect(await code(tokenFor(idp, oldKey))).toBe("ok");
    idp.setKeys(jwksOf(newKey));
    clock.advanceSeconds(61);
    expect(await code(tokenFor(idp, oldKey))).toBe("token_signature_invalid");
    expect(await code(tokenFor(idp, newKey))).toBe("ok");
  });

  it("drops a kid published twice (ambiguous) but keeps the rest of the set", async () => {
    const a = generateTestKey("RS256", { kid: "dup" });
    const b = generateTestKey("RS256", { kid: "dup" });
    const c = generateTestKey("RS256");
    const idp = await server([a, b, c]);
    const { code } = setup([idp], {});
    expect(await code(tokenFor(idp, a))).toBe("token_kid_unknown");
    expect(await code(tokenFor(idp, c))).toBe("ok");
  });
});

describe("stale-if-error", () => {
  it("keeps the last good set for staleIfErrorSeconds past expiry, then fails as a server fault", async () => {
    const a = generateTestKey("RS256");
    const idp = await server([a]);
    const { code, clock } = setup([idp], { ttlSeconds: 60, staleIfErrorSeconds: 120 });
    expect(await code(tokenFor(idp, a))).toBe("ok");

    idp.setMode("error500");
    clock.advanceSeconds(61); // expired: refresh fails, stale set used
    expect(await code(tokenFor(idp, a))).toBe("ok");
    expect(idp.requests(JWKS)).toBe(2);
    expect(await code(tokenFor(idp, a))).toBe("ok"); // no new attempt within the failure back-off
    expect(idp.requests(JWKS)).toBe(2);

    clock.advanceSeconds(60 + 120 - 61 - 1); // 1 s before the end of the stale window
    expect(await code(tokenFor(idp, a))).toBe("ok");
    clock.advanceSeconds(1); // past ttl + staleIfError
    expect(await code(tokenFor(idp, a))).toBe("jwks_unavailable");

    idp.setMode("ok");
    clock.advanceSeconds(FAILURE_RETRY_MS / 1000);
    expect(await code(tokenFor(idp, a))).toBe("ok");
  });

  it("with staleIfErrorSeconds 0, an outage fails as soon as the TTL passes", async () => {
    const a = generateTestKey("RS256");
    const idp = await server([a]);
    const { code, clock } = setup([idp], { ttlSeconds: 10, staleIfErrorSeconds: 0 });
    expect(await code(tokenFor(idp, a))).toBe("ok");
    idp.setMode("html");
    clock.advanceSeconds(10);
    expect(await code(tokenFor(idp, a))).toBe("jwks_unavailable");
  });
});

describe("unknown kid", () => {
  it("refetches once, then backs off for unknownKidBackoffSeconds", async () => {
    const a = generateTestKey("RS256");
    const stranger = generateTestKey("RS256");
    const idp = await server([a]);
    const { verifier, code, clock } = setup([idp], { unknownKidBackoffSeconds: 30 });
    await verifier.hydrate();
    expect(idp.requests(JWKS)).toBe(1);

    expect(await code(tokenFor(idp, stranger))).toBe("token_kid_unknown");
    expect(idp.requests(JWKS)).toBe(2); // the one refetch
    for (let i = 0; i < 20; i++) {
      const other = signJwt({ key: stranger, header: { typ: "JWT", kid: `random-${i}` }, payload: {
        iss: idp.issuer, aud: TEST_AUDIENCE, sub: "x", iat: epochSeconds(), exp: epochSeconds() + 60 } });
      expect(await code(other)).toBe("token_kid_unknown");
    }
    expect(idp.requests(JWKS)).toBe(2); // no amplification
    expect(await code(tokenFor(idp, a))).toBe("ok"); // known keys unaffected

    clock.advanceSeconds(30);
    expect(await code(tokenFor(idp, stranger))).toBe("token_kid_unknown");
    expect(idp.requests(JWKS)).toBe(3);
  });

  it("counts the cold-start fetch as the one look for a kid", async () => {
    const stranger = generateTestKey("RS256");
    const idp = await server([generateTestKey("RS256")]);
    const { code } = setup([idp], {});
    expect(await code(tokenFor(idp, stranger))).toBe("token_kid_unknown");
    expect(await code(tokenFor(idp, stranger))).toBe("token_kid_unknown");
    expect(idp.requests(JWKS)).toBe(1);
  });

  it("shares one fetch between concurrent cold-start requests", async () => {
    const a = generateTestKey("RS256");
    const idp = await server([a]);
    const { code } = setup([idp], {});
    const results = await Promise.all(Array.from({ length: 10 }, () => code(tokenFor(idp, a))));
    expect(results).toEqual(Array(10).fill("ok"));
    expect(idp.requests(JWKS)).toBe(1);
  });
});

describe("hydrate", () => {
  it("prefetches every issuer and survives one being down", async () => {
    const a = generateTestKey("RS256");
    const b = generateTestKey("ES256");
    const up = await server([a]);
    const down = await server([b]);
    down.setMode("hang");
    const { verifier, code, clock } = setup([up, down], { timeoutMs: 200 });
    const started = Date.now();
    await expect(verifier.hydrate()).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(up.requests(JWKS)).toBe(1);

    expect(await code(tokenFor(up, a))).toBe("ok");
    expect(up.requests(JWKS)).toBe(1); // served from the hydrated cache
    expect(await code(tokenFor(down, b))).toBe("jwks_unavailable"); // within the failure back-off: no wait
    down.setMode("ok");
    clock.advanceSeconds(FAILURE_RETRY_MS / 1000);
    expect(await code(tokenFor(down, b))).toBe("ok");
  });

  it("resolves even when every issuer is down", async () => {
    const idp = await server([]);
    idp.setMode("error500");
    const { verifier } = setup([idp], {});
    await expect(verifier.hydrate()).resolves.toBeUndefined();
  });
});

describe("fetch limits", () => {
  it.each([
    ["an HTML page", "html"],
    ["a 500", "error500"],
    ["a body that is not JSON", "not-json"],
    ["a JSON document without keys", "no-keys"],
    ["a huge chunked body", "huge"],
    ["a huge declared body", "huge-declared"],
  ] as const)("refuses %s as jwks_unavailable", async (_name, mode) => {
    const a = generateTestKey("RS256");
    const idp = await server([a]);
    idp.setMode(mode);
    const { code } = setup([idp], { maxResponseBytes: 65536 });
    expect(await code(tokenFor(idp, a))).toBe("jwks_unavailable");
  });

  it.each([
    ["a server that never answers", "hang"],
    ["a server that trickles its body", "slow-body"],
  ] as const)("gives up on %s after timeoutMs", async (_name, mode) => {
    const a = generateTestKey("RS256");
    const idp = await server([a]);
    idp.setMode(mode);
    const { code } = setup([idp], { timeoutMs: 300 });
    const started = Date.now();
    expect(await code(tokenFor(idp, a))).toBe("jwks_unavailable");
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
  });

  it("does not follow redirects", async () => {
    const a = generateTestKey("RS256");
    const elsewhere = await server([a]);
    const idp = await startJwksServer({ jwks: jwksOf(a), redirectTo: elsewhere.jwksUri });
    servers.push(idp);
    idp.setMode("redirect");
    const { code } = setup([idp], {});
    expect(await code(tokenFor(idp, a))).toBe("jwks_unavailable");
    expect(elsewhere.requests()).toBe(0);
  });

  it("accepts application/jwk-set+json and http://localhost when loopback is allowed", async () => {
    const a = generateTestKey("RS256");
    const idp = await startJwksServer({ jwks: jwksOf(a), contentType: "application/jwk-set+json; charset=utf-8" });
    servers.push(idp);
    const local = { issuer: idp.issuer, jwksUri: idp.jwksUri.replace("127.0.0.1", "localhost") };
    const verifier = createMultiIssuerJwtVerifier([trustFor(local)], {
      limits: testLimits(),
      jwks: testJwksConfig(),
      allowInsecureLoopbackJwks: true,
    });
    const r = await verifier.verify(tokenFor(idp, a));
    expect(r.ok).toBe(true);
  });

  it("uses an injected fetcher instead of HTTP", async () => {
    const a = generateTestKey("RS256");
    const fetched: string[] = [];
    const trust = trustFor({ issuer: "https://idp.example", jwksUri: "https://idp.example/jwks" });
    const verifier = createMultiIssuerJwtVerifier([trust], {
      limits: testLimits(),
      jwks: testJwksConfig(),
      allowInsecureLoopbackJwks: false,
      fetchJson: async (uri) => {
        fetched.push(uri);
        return jwksOf(a);
      },
    });
    const now = epochSeconds();
    const jwt = signJwt({ key: a, header: { typ: "JWT" }, payload: { iss: trust.issuer, aud: TEST_AUDIENCE, sub: "s", iat: now, exp: now + 60 } });
    expect((await verifier.verify(jwt)).ok).toBe(true);
    expect(fetched).toEqual(["https://idp.example/jwks"]);
  });
});
