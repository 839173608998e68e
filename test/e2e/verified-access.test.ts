import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintDeviceToken, type DevProvider, type DeviceState } from "../../src/dev/mint.js";
import { avaDecision, browserLogin, redeemCode, tokenRequest, userinfo, type AvaClient } from "../../src/dev/ava-client.js";
import { AVA_CLIENT_ID, AVA_CLIENT_SECRET, AVA_REDIRECT_URI, startTrustProviderStack, type TrustProviderStack } from "./trust-provider-stack.js";

// End to end, playing AWS Verified Access: real HTTP to serverless-offline's HTTP API emulation, which runs
// the built tp-* bundles; they broker the login to the development IdP, verify real device tokens, keep
// their state in dynalite through the AWS SDK, and sign ID tokens with keys made for this run. The claims
// AVA would get are then evaluated as AVA does, with cedar-wasm over `context.<ref>`.

let stack: TrustProviderStack;
let ava: AvaClient;
beforeAll(async () => {
  stack = await startTrustProviderStack();
  ava = { issuer: stack.issuer, clientId: AVA_CLIENT_ID, clientSecret: AVA_CLIENT_SECRET, redirectUri: AVA_REDIRECT_URI };
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const now = () => Math.floor(Date.now() / 1000);
const device = (user: string, state: DeviceState, o: { provider?: DevProvider; nowSeconds?: number; lifetimeSeconds?: number } = {}) =>
  mintDeviceToken(stack.keys.mdm, {
    provider: o.provider ?? "jamf",
    issuer: stack.providerIssuer(o.provider ?? "jamf"),
    audience: "zt-pdp-device",
    user,
    state,
    ...(o.nowSeconds !== undefined ? { nowSeconds: o.nowSeconds } : {}),
    ...(o.lifetimeSeconds !== undefined ? { lifetimeSeconds: o.lifetimeSeconds } : {}),
  });

// The policy reference name the administrator chose for this trust provider: `context.ztpdp`.
const EMPLOYEES_ON_PATCHED_MANAGED_DEVICES = `
// Employees on a patched, managed device
permit (principal, action, resource)
when {
  context.ztpdp.groups.contains("Employees") &&
  context.ztpdp.device.managed &&
  context.ztpdp.device.patched
};
forbid (principal, action, resource) when { context.ztpdp.risk == "high" };
`;
const HR_ONLY = `permit (principal, action, resource) when { context.ztpdp.groups.contains("HR") };`;

/** The whole flow for one user and device: login, code redemption, userinfo. */
async function signIn(user: string, deviceToken: string | undefined, auth: "basic" | "post" = "basic") {
  const login = await browserLogin(ava, { user, ...(deviceToken ? { deviceToken } : {}) });
  expect(login.code, `login hops ${login.hops.join(" ")} ended at ${login.location.href}`).toBeDefined();
  const tokens = await redeemCode(ava, login.code!, { auth });
  expect(tokens.status).toBe(200);
  const info = await userinfo(ava, tokens.body.access_token as string);
  expect(info.status).toBe(200);
  return { login, tokens: tokens.body, claims: info.body };
}

describe("discovery and keys", () => {
  it("publishes the metadata AVA's fields are copied from, and every signing key (old and new) for rotation", async () => {
    const meta = (await (await fetch(`${stack.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: stack.issuer,
      authorization_endpoint: `${stack.issuer}/oauth2/authorize`,
      token_endpoint: `${stack.issuer}/oauth2/token`,
      userinfo_endpoint: `${stack.issuer}/oauth2/userinfo`,
      jwks_uri: `${stack.issuer}/oauth2/jwks`,
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    });
    const jwks = (await (await fetch(`${stack.issuer}/oauth2/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(["tp-test-1", "tp-test-2"]);
    for (const key of jwks.keys) expect(key).not.toHaveProperty("d");
  });
});

describe("an Employee signs in through Verified Access", () => {
  it("on a patched, managed Mac: the code flow completes, the claims carry the device, and AVA's policy allows", async () => {
    const { login, tokens, claims } = await signIn("alice", device("alice", "patched"));
    expect(login.location.searchParams.get("state")).toBe(login.state);
    expect(login.location.searchParams.get("iss")).toBe(stack.issuer);
    // The ID token: signed by the first key, for AVA's client, echoing AVA's nonce.
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token as string, createRemoteJWKSet(new URL(`${stack.issuer}/oauth2/jwks`)), {
      issuer: stack.issuer,
      audience: AVA_CLIENT_ID,
    });
    expect(protectedHeader.kid).toBe("tp-test-1");
    expect(payload).toMatchObject({ sub: "alice", nonce: login.nonce });
    expect(claims).toMatchObject({
      sub: "alice",
      email: "alice@example.com",
      email_verified: true,
      groups: ["Employees"],
      groups_truncated: false,
      mfa: true,
      device: { verified: true, managed: true, compliant: true, patched: true, os: "macos", os_version: "15.7.2", provider: "jamf", risk: "low", untrusted_reason: "" },
      risk: "low",
    });
    expect(avaDecision(EMPLOYEES_ON_PATCHED_MANAGED_DEVICES, "ztpdp", claims)).toEqual({ decision: "allow", errors: [] });
    expect(avaDecision(HR_ONLY, "ztpdp", claims).decision).toBe("deny");
    const audit = await stack.waitForAudit((r) => r.action === "oidc:login" && r.principal?.id === "alice" && r.device.verified);
    expect(audit).toMatchObject({ outcome: "allow", resource: { type: "VerifiedAccessClient", id: AVA_CLIENT_ID }, device: { provider: "jamf", patched: true } });
    expect((audit as unknown as { trustProvider: { risk: string } }).trustProvider.risk).toBe("low");
  });

  it("serves the same claims on userinfo POST, and accepts client_secret_post at the token endpoint", async () => {
    const { tokens, claims } = await signIn("hana", device("hana", "patched", { provider: "crowdstrike" }), "post");
    const post = await userinfo(ava, tokens.access_token as string, "POST");
    expect(post).toEqual({ status: 200, body: claims });
    expect(claims).toMatchObject({ groups: ["Employees", "HR"], device: { provider: "crowdstrike", os: "windows", patched: true } });
    expect(avaDecision(HR_ONLY, "ztpdp", claims).decision).toBe("allow");
  });

  it("on an unpatched OS: signed in, but AVA's policy denies", async () => {
    const { claims } = await signIn("alice", device("alice", "unpatched"));
    expect(claims).toMatchObject({ device: { verified: true, patched: false }, risk: "medium" });
    expect(avaDecision(EMPLOYEES_ON_PATCHED_MANAGED_DEVICES, "ztpdp", claims).decision).toBe("deny");
  });

  it("without a device token: the least-trusted device, high risk, denied", async () => {
    const { claims } = await signIn("alice", undefined);
    expect(claims).toMatchObject({ device: { verified: false, managed: false, provider: "none", untrusted_reason: "device_token_missing" }, risk: "high" });
    expect(avaDecision(EMPLOYEES_ON_PATCHED_MANAGED_DEVICES, "ztpdp", claims).decision).toBe("deny");
  });
});

describe("near misses fail", () => {
  it("a device of another user is not trusted for this user: denied, and the audit record says why", async () => {
    const { claims } = await signIn("alice", device("bob", "patched"));
    expect(claims).toMatchObject({ device: { verified: false, untrusted_reason: "device_binding_mismatch" }, risk: "high" });
    expect(avaDecision(EMPLOYEES_ON_PATCHED_MANAGED_DEVICES, "ztpdp", claims).decision).toBe("deny");
    await stack.waitForAudit((r) => r.action === "oidc:login" && r.device.untrustedReason === "device_binding_mismatch");
  });

  it("stale posture (observed longer ago than the maximum age) is not trusted: denied", async () => {
    const stale = device("alice", "patched", { nowSeconds: now() - stack.maxAgeSeconds - 30, lifetimeSeconds: stack.maxAgeSeconds * 2 });
    const { claims } = await signIn("alice", stale);
    expect(claims).toMatchObject({ device: { verified: false, untrusted_reason: "device_posture_stale" } });
    expect(avaDecision(EMPLOYEES_ON_PATCHED_MANAGED_DEVICES, "ztpdp", claims).decision).toBe("deny");
  });

  it("a replayed code is refused, and the session it opened is revoked", async () => {
    const login = await browserLogin(ava, { user: "alice", deviceToken: device("alice", "patched") });
    const first = await redeemCode(ava, login.code!);
    expect(first.status).toBe(200);
    const replay = await redeemCode(ava, login.code!);
    expect(replay).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect((await userinfo(ava, first.body.access_token as string)).status).toBe(401);
    const refresh = await tokenRequest(ava, { grant_type: "refresh_token", refresh_token: first.body.refresh_token as string });
    expect(refresh).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    await stack.waitForAudit((r) => r.action === "oidc:token" && r.errors.some((e) => e.code === "code_replayed"));
  });

  it("a wrong client secret is refused (401, Basic challenge) without spending the code", async () => {
    const login = await browserLogin(ava, { user: "alice", deviceToken: device("alice", "patched") });
    const wrong = await redeemCode(ava, login.code!, { secret: "not-the-secret" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe("invalid_client");
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic/);
    const wrongPost = await redeemCode(ava, login.code!, { auth: "post", secret: "not-the-secret" });
    expect(wrongPost.status).toBe(401);
    expect((await redeemCode(ava, login.code!)).status).toBe(200);
    await stack.waitForAudit((r) => r.action === "oidc:token" && r.outcome === "unauthenticated" && r.errors[0]?.code === "client_auth_failed");
  });

  it("a redirect URI that is not registered is refused in place (never redirected to), and a mismatch at the token endpoint fails", async () => {
    const evil = await browserLogin(ava, { user: "alice", redirectUri: "https://evil.example.com/oauth2/idpresponse" });
    expect(evil.hops).toEqual([400]);
    expect(evil.code).toBeUndefined();
    const login = await browserLogin(ava, { user: "alice", deviceToken: device("alice", "patched") });
    const mismatch = await redeemCode(ava, login.code!, { redirectUri: "https://wiki.example.com/other" });
    expect(mismatch).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("an unknown client is refused in place", async () => {
    const res = await browserLogin(ava, { user: "alice", clientId: "someone-else" });
    expect(res.hops).toEqual([400]);
  });

  it("a session whose posture went stale cannot refresh; a new sign-in with fresh posture can", async () => {
    // Posture observed so long ago that it stays fresh for only a few more seconds.
    const remaining = 8;
    const aging = device("alice", "patched", { nowSeconds: now() - stack.maxAgeSeconds + remaining });
    const { tokens, claims } = await signIn("alice", aging);
    expect(claims).toMatchObject({ device: { verified: true } });
    // No token outlives the posture: AVA must come back for fresh posture.
    expect(tokens.expires_in).toBeLessThanOrEqual(remaining);
    expect(tokens.refresh_expires_in).toBeLessThanOrEqual(remaining);
    // While fresh, a refresh works and rotates the refresh token (the old one is spent).
    const refreshed = await tokenRequest(ava, { grant_type: "refresh_token", refresh_token: tokens.refresh_token as string });
    expect(refreshed.status).toBe(200);
    expect((await tokenRequest(ava, { grant_type: "refresh_token", refresh_token: tokens.refresh_token as string })).status).toBe(400);
    await new Promise((r) => setTimeout(r, (remaining + 1) * 1000));
    const stale = await tokenRequest(ava, { grant_type: "refresh_token", refresh_token: refreshed.body.refresh_token as string });
    expect(stale).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect((await userinfo(ava, refreshed.body.access_token as string)).status).toBe(401);
    await stack.waitForAudit((r) => r.action === "oidc:refresh" && r.errors.some((e) => e.code === "session_posture_stale"));
    const again = await signIn("alice", device("alice", "patched"));
    expect(avaDecision(EMPLOYEES_ON_PATCHED_MANAGED_DEVICES, "ztpdp", again.claims).decision).toBe("allow");
  }, 30_000);
});
