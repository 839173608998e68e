import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tamperPayload } from "../support/jwt.js";
import { generateTestKey } from "../support/keys.js";
import {
  decideOnce,
  expectAllowed,
  expectDeviceUntrusted,
  expectRefused,
  PATCHED_MANAGED,
  PROVIDERS,
  startHarness,
  USER_AUDIENCE,
  type Harness,
  type Provider,
} from "./harness.js";

/**
 * threats.md, "The device-posture token": a missing or untrusted device token is never an authentication
 * failure. The decision goes on with every device attribute at its least-trusted value, so the wiki (which
 * needs a managed, patched device) denies: a 403-class deny, with the `device_*` reason in the audit
 * record. Each row first shows the same request with a good device token being allowed.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function control(provider: Provider = "jamf"): Promise<void> {
  expectAllowed(await decideOnce(h, h.request({ deviceToken: h.deviceToken(provider) })));
}

describe("device token: missing", () => {
  it("control: a fresh, bound, patched jamf device token reads the wiki, and the record shows the verified posture", async () => {
    const d = await decideOnce(h, h.request());
    expectAllowed(d);
    expect(d.record.device).toMatchObject({ verified: true, provider: "jamf", managed: true, compliant: true, os: "macos 15.7.1", patched: true });
    expect(d.record.device.untrustedReason).toBeUndefined();
    expect(d.record.device.tokenFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
  ])("%s: not unauthenticated; least-trusted posture, so the wiki denies (403), reason device_token_missing", async (_, deviceToken) => {
    await control();
    const d = await decideOnce(h, h.request({ deviceToken }));
    expectDeviceUntrusted(d, "device_token_missing");
    expect(d.record.device).toMatchObject({ os: "unknown 0.0.0", riskLevel: "unknown", edrScore: 0, ageSeconds: 2_147_483_647 });
    expect(d.record.identity).toMatchObject({ issuer: "dev-idp", kind: "user" });
  });

  it("control: a route with no posture requirement (status) is allowed without any device token", async () => {
    const d = await decideOnce(h, h.request({ deviceToken: undefined, routeTemplate: "/status", pathParameters: {} }));
    expectAllowed(d);
    expect(d.record.device.untrustedReason).toBe("device_token_missing");
  });

  it("control: a verified but unpatched device is denied with no untrusted reason (the policy, not the token, says no)", async () => {
    const d = await decideOnce(h, h.request({ deviceToken: h.deviceToken("jamf", { claims: { osv: "15.6.1" } }) }));
    expectRefused(d, "deny", "policy_denied");
    expect(d.record.device).toMatchObject({ verified: true, patched: false });
    expect(d.record.device.untrustedReason).toBeUndefined();
  });
});

describe("device token: signature, issuer, audience, type, time, binding", () => {
  const now = () => h.nowSeconds();
  const table: { threat: string; token: () => string; reason: string }[] = [
    { threat: "signed by another key under the trusted kid", token: () => h.deviceToken("jamf", { signingKey: generateTestKey("ES256").privateKey }), reason: "device_token_signature_invalid" },
    { threat: "ECDSA all-zero signature (r = s = 0)", token: () => h.deviceToken("jamf", { signature: "zero" }), reason: "device_token_signature_invalid" },
    { threat: "alg none", token: () => h.deviceToken("jamf", { header: { alg: "none" }, signature: "empty" }), reason: "device_token_alg_not_allowed" },
    { threat: "ES384 header on the P-256 key", token: () => h.deviceToken("jamf", { header: { alg: "ES384" } }), reason: "device_token_alg_not_allowed" },
    { threat: "signed by the user IdP's RSA key", token: () => h.deviceToken("jamf", { key: h.userKey }), reason: "device_token_alg_not_allowed" },
    { threat: "tampered payload (risk HIGH → SECURE)", token: () => tamperPayload(h.deviceToken("jamf", { claims: { risk: "HIGH" } }), (p) => void (p.risk = "SECURE")), reason: "device_token_signature_invalid" },
    { threat: "unknown kid", token: () => h.deviceToken("jamf", { header: { kid: "mdm-ec-unknown" } }), reason: "device_token_kid_unknown" },
    { threat: "wrong issuer", token: () => h.deviceToken("jamf", { claims: { iss: "https://mdm.attacker.example" } }), reason: "device_token_provider_unknown" },
    { threat: "missing issuer", token: () => h.deviceToken("jamf", { claims: { iss: undefined } }), reason: "device_token_provider_unknown" },
    { threat: "the user token as the device token", token: () => h.userToken(), reason: "device_token_provider_unknown" },
    { threat: "wrong audience (the user API's)", token: () => h.deviceToken("jamf", { claims: { aud: USER_AUDIENCE } }), reason: "device_token_audience_invalid" },
    { threat: "missing audience", token: () => h.deviceToken("jamf", { claims: { aud: undefined } }), reason: "device_token_audience_invalid" },
    { threat: "wrong type (at+jwt)", token: () => h.deviceToken("jamf", { header: { typ: "at+jwt" } }), reason: "device_token_type_invalid" },
    { threat: "another provider's type (crowdstrike-zta+jwt on jamf)", token: () => h.deviceToken("jamf", { header: { typ: "crowdstrike-zta+jwt" } }), reason: "device_token_type_invalid" },
    { threat: "no type", token: () => h.deviceToken("jamf", { header: { typ: undefined } }), reason: "device_token_type_invalid" },
    { threat: "crit header", token: () => h.deviceToken("jamf", { header: { crit: ["x-posture"] } }), reason: "device_token_crit_unsupported" },
    { threat: "expired", token: () => h.deviceToken("jamf", { claims: { iat: now() - 3000, exp: now() - 120 } }), reason: "device_token_expired" },
    { threat: "missing exp", token: () => h.deviceToken("jamf", { claims: { exp: undefined } }), reason: "device_token_exp_missing" },
    { threat: "iat in the future beyond the skew", token: () => h.deviceToken("jamf", { claims: { iat: now() + 300, exp: now() + 3600 } }), reason: "device_token_not_yet_valid" },
    { threat: "older than the posture maximum age (3600 s)", token: () => h.deviceToken("jamf", { claims: { iat: now() - 3700, exp: now() + 600 } }), reason: "device_posture_stale" },
    { threat: "missing iat (posture age unknown)", token: () => h.deviceToken("jamf", { claims: { iat: undefined } }), reason: "device_claims_invalid" },
    { threat: "bound to another user", token: () => h.deviceToken("jamf", { claims: { user_sub: "mallory" } }), reason: "device_binding_mismatch" },
    { threat: "binding claim missing", token: () => h.deviceToken("jamf", { claims: { user_sub: undefined } }), reason: "device_binding_mismatch" },
    { threat: "binding claim in another case", token: () => h.deviceToken("jamf", { claims: { user_sub: "Alice" } }), reason: "device_binding_mismatch" },
    { threat: "binding claim with trailing space", token: () => h.deviceToken("jamf", { claims: { user_sub: "alice " } }), reason: "device_binding_mismatch" },
    { threat: "binding claim as an array", token: () => h.deviceToken("jamf", { claims: { user_sub: ["alice"] } }), reason: "device_binding_mismatch" },
    { threat: "duplicate risk member (signed)", token: () => h.deviceToken("jamf", { rawPayload: `${JSON.stringify(h.deviceClaims("jamf", { risk: "HIGH" })).slice(0, -1)},"risk":"SECURE"}` }), reason: "device_token_malformed" },
    { threat: "__proto__ member (signed)", token: () => h.deviceToken("jamf", { rawPayload: `${JSON.stringify(h.deviceClaims("jamf")).slice(0, -1)},"__proto__":{"managed":true}}` }), reason: "device_token_malformed" },
    { threat: "oversized (over the 8 KB cap)", token: () => h.deviceToken("jamf", { claims: { pad: "x".repeat(9000) } }), reason: "device_token_too_large" },
    { threat: "JWE (5 parts)", token: () => "eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y3Q.dGFn", reason: "device_token_malformed" },
  ];

  it.each(table)("$threat → no valid posture, 403, $reason", async ({ token, reason }) => {
    await control();
    expectDeviceUntrusted(await decideOnce(h, h.request({ deviceToken: token() })), reason);
  });

  it("alice's valid device token presented with bob's user token: bound to another user", async () => {
    const bob = h.userToken({ claims: { sub: "bob", email: "bob@example.com" } });
    expectAllowed(await decideOnce(h, h.request({ bearerToken: bob, deviceToken: h.deviceToken("jamf", { claims: { user_sub: "bob" } }) })), { type: "User", id: "bob" });
    const d = await decideOnce(h, h.request({ bearerToken: bob, deviceToken: h.deviceToken("jamf") }));
    expectRefused(d, "deny", "policy_denied");
    expect(d.record.principal).toEqual({ type: "User", id: "bob" });
    expect(d.record.device).toMatchObject({ verified: false, untrustedReason: "device_binding_mismatch" });
  });
});

describe("device token: attribute types are never coerced to trust", () => {
  const entity = { __entity: { type: "Group", id: "HR" } };
  const extn = { __extn: { fn: "ip", arg: "10.0.0.1" } };
  const table: { provider: Provider; threat: string; claims: Record<string, unknown> }[] = [
    { provider: "jamf", threat: "risk in lower case", claims: { risk: "low" } },
    { provider: "jamf", threat: "risk as a boolean", claims: { risk: true } },
    { provider: "jamf", threat: "risk outside the enum", claims: { risk: "TRUSTED" } },
    { provider: "jamf", threat: "risk as an entity reference", claims: { risk: entity } },
    { provider: "jamf", threat: "missing risk", claims: { risk: undefined } },
    { provider: "jamf", threat: "osv \"latest\"", claims: { osv: "latest" } },
    { provider: "jamf", threat: "osv as a number", claims: { osv: 15.7 } },
    { provider: "jamf", threat: "osv with a suffix", claims: { osv: "15.7.1-beta" } },
    { provider: "jamf", threat: "osv \"15.x\"", claims: { osv: "15.x" } },
    { provider: "jamf", threat: "osv component beyond 2^31-1", claims: { osv: "99999999999.0.0" } },
    { provider: "jamf", threat: "osv as an extension value", claims: { osv: extn } },
    { provider: "jamf", threat: "unknown platform", claims: { platform: "windows" } },
    { provider: "jamf", threat: "platform as an entity reference", claims: { platform: entity } },
    { provider: "crowdstrike", threat: "overall score as a string", claims: { assessment: { overall: "95" } } },
    { provider: "crowdstrike", threat: "overall score fractional", claims: { assessment: { overall: 95.5 } } },
    { provider: "crowdstrike", threat: "overall score above 100", claims: { assessment: { overall: 101 } } },
    { provider: "crowdstrike", threat: "overall score beyond Long range", claims: { assessment: { overall: 2 ** 63 } } },
    { provider: "crowdstrike", threat: "assessment missing", claims: { assessment: undefined } },
    { provider: "crowdstrike", threat: "unknown platform", claims: { platform: "Darwin" } },
    { provider: "crowdstrike", threat: "os_version \"latest\"", claims: { os_version: "latest" } },
    { provider: "crowdstrike", threat: "os_version and product_version disagree", claims: { product_version: "16.0.0" } },
    { provider: "crowdstrike", threat: "typ claim of another kind", claims: { typ: "device-posture+jwt" } },
    { provider: "jumpcloud", threat: "is_managed as the string \"true\"", claims: { device: { is_managed: "true" } } },
    { provider: "jumpcloud", threat: "is_managed as 1", claims: { device: { is_managed: 1 } } },
    { provider: "jumpcloud", threat: "unknown system os", claims: { system: { os: "BeOS", version: "15.7.1" } } },
    { provider: "jumpcloud", threat: "system version \"latest\"", claims: { system: { os: "macos", version: "latest" } } },
    { provider: "jumpcloud", threat: "system as a number", claims: { system: 42 } },
    { provider: "generic-mdm", threat: "managed as the string \"true\"", claims: { managed: "true" } },
    { provider: "generic-mdm", threat: "compliant as the string \"true\"", claims: { compliant: "true" } },
    { provider: "generic-mdm", threat: "managed as 1", claims: { managed: 1 } },
    { provider: "generic-mdm", threat: "managed missing", claims: { managed: undefined } },
    { provider: "generic-mdm", threat: "risk_level outside the enum", claims: { risk_level: "safe" } },
    { provider: "generic-mdm", threat: "risk_level in upper case", claims: { risk_level: "LOW" } },
    { provider: "generic-mdm", threat: "edr_score as a string", claims: { edr_score: "87" } },
    { provider: "generic-mdm", threat: "edr_score beyond Long range", claims: { edr_score: 2 ** 63 } },
    { provider: "generic-mdm", threat: "edr_score negative", claims: { edr_score: -1 } },
    { provider: "generic-mdm", threat: "os.version \"latest\"", claims: { os: { family: "macos", version: "latest" } } },
    { provider: "generic-mdm", threat: "os.family outside the enum", claims: { os: { family: "MacOS", version: "15.7.1" } } },
    { provider: "generic-mdm", threat: "os with an unknown key", claims: { os: { family: "macos", version: "15.7.1", patched: true } } },
    { provider: "generic-mdm", threat: "os.family as an entity reference", claims: { os: { family: entity, version: "15.7.1" } } },
    { provider: "generic-mdm", threat: "disk_encrypted as \"yes\"", claims: { disk_encrypted: "yes" } },
  ];

  it.each(PROVIDERS)("control: a patched, managed %s device reads the wiki", async (provider) => {
    const d = await decideOnce(h, h.request({ deviceToken: h.deviceToken(provider) }));
    expectAllowed(d);
    expect(d.record.device).toMatchObject({ verified: true, provider, managed: true, patched: true });
  });

  it.each(table)("$provider: $threat → rejected (device_claims_invalid), 403", async ({ provider, claims }) => {
    await control(provider);
    // Nested objects are replaced whole, so a row changes only what it names.
    const merged = { ...PATCHED_MANAGED[provider], ...claims };
    expectDeviceUntrusted(await decideOnce(h, h.request({ deviceToken: h.deviceToken(provider, { claims: merged }) })), "device_claims_invalid");
  });
});

describe("device token: MDM keys unavailable", () => {
  it("the MDM JWKS is down: posture untrusted (device_keys_unavailable), a 403 deny, not a server error; recovers when it is back", async () => {
    const local = await startHarness({ hydrate: false });
    try {
      local.mdm.setMode("error500");
      const d = await decideOnce(local, local.request());
      expectDeviceUntrusted(d, "device_keys_unavailable");
      expect(local.mdm.requests(local.mdmJwksPath)).toBe(1);

      // Same PDP, same kind of request, once the endpoint answers again (after the 5 s failure back-off).
      local.mdm.setMode("ok");
      local.clock.advanceSeconds(6);
      expectAllowed(await decideOnce(local, local.request()));
    } finally {
      await local.close();
    }
  });
});
