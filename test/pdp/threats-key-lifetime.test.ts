import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generateTestKey, jwksOf } from "../support/keys.js";
import { decideOnce, expectAllowed, expectUnauthenticated, startHarness, type Harness } from "./harness.js";

/**
 * threats.md, "The user's token": an unknown `kid` costs at most one JWKS refetch per back-off window, and
 * a key removed from the JWKS stops verifying within the cache TTL (moved with the injectable clock), not
 * at the next cold start. Each test runs on its own PDP, since it moves the clock and the published keys.
 */

describe("user token: key lifetime in the JWKS cache", () => {
  let local: Harness;
  beforeEach(async () => {
    local = await startHarness();
  });
  afterEach(async () => {
    await local.close();
  });

  it("unknown kid: one JWKS refetch, then a back-off (random kids cannot amplify traffic to the IdP)", async () => {
    const fetches = () => local.idp.requests(local.idpJwksPath);
    expectAllowed(await decideOnce(local, local.request()));
    expect(fetches()).toBe(1); // the cold-start hydration; the allow used the cache

    const stranger = () => generateTestKey("RS256", { kid: `rotated-${Math.random()}` });
    const first = await decideOnce(local, local.request({ bearerToken: local.userToken({ key: stranger() }) }));
    expectUnauthenticated(first, "token_kid_unknown");
    expect(fetches()).toBe(2);

    // Within the 30 s back-off: sequential and concurrent unknown kids cause no further fetch.
    for (let i = 0; i < 5; i++) {
      expectUnauthenticated(await decideOnce(local, local.request({ bearerToken: local.userToken({ key: stranger() }) })), "token_kid_unknown");
    }
    const recordsBefore = local.audit.records.length;
    const burst = await Promise.all(Array.from({ length: 20 }, () => local.pdp.decide(local.request({ bearerToken: local.userToken({ key: stranger() }) }))));
    expect(burst.every((d) => d.outcome === "unauthenticated" && d.errors[0]?.code === "token_kid_unknown")).toBe(true);
    expect(local.audit.records.length - recordsBefore).toBe(20);
    expect(fetches()).toBe(2);
    expectAllowed(await decideOnce(local, local.request()));

    // After the back-off, a legitimately rotated-in key is found with exactly one more fetch.
    const rotated = generateTestKey("RS256", { kid: "idp-rsa-2" });
    local.idp.setKeys(jwksOf(local.userKey, rotated));
    local.clock.advanceSeconds(31);
    expectAllowed(await decideOnce(local, local.request({ bearerToken: local.userToken({ key: rotated }) })));
    expect(fetches()).toBe(3);
  });

  it("a key removed from the JWKS stops verifying once the cache TTL (300 s) has passed, not at the next cold start", async () => {
    const fetches = () => local.idp.requests(local.idpJwksPath);
    const successor = generateTestKey("RS256", { kid: "idp-rsa-next" });
    expectAllowed(await decideOnce(local, local.request()));

    local.idp.setKeys(jwksOf(successor)); // the IdP drops the (say, compromised) key
    local.clock.advanceSeconds(299);
    expectAllowed(await decideOnce(local, local.request())); // still within the TTL: the cached set is used
    expect(fetches()).toBe(1);

    local.clock.advanceSeconds(2); // 301 s after the fetch
    const d = await decideOnce(local, local.request());
    expectUnauthenticated(d, "token_kid_unknown");
    expect(fetches()).toBe(2);
    expectAllowed(await decideOnce(local, local.request({ bearerToken: local.userToken({ key: successor }) })));
  });

  it("a key replaced under the same kid stops verifying after the TTL (no stale key object kept)", async () => {
    const sameKid = generateTestKey("RS256", { kid: local.userKey.kid });
    expectAllowed(await decideOnce(local, local.request()));
    local.idp.setKeys(jwksOf(sameKid));
    local.clock.advanceSeconds(301);
    expectUnauthenticated(await decideOnce(local, local.request()), "token_signature_invalid");
    expectAllowed(await decideOnce(local, local.request({ bearerToken: local.userToken({ key: sameKid }) })));
  });
});
