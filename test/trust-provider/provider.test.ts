import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/dev/issuers.js";
import { authorizeParams, CLIENT, startHarness, type Harness } from "./harness.js";

// The trust provider's endpoints in process, on every branch a client can reach: each bad input gets its
// OAuth error (in place or redirected, as RFC 6749 says) and, for sign-ins and grants, its audit record.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const location = (res: { headers: Record<string, string> }) => new URL(res.headers.location!);
const lastAudit = () => h.audit.last()!;

describe("authorize", () => {
  it.each([
    ["response_type=token", { response_type: "token" }, "unsupported_response_type"],
    ["a scope without openid", { scope: "email" }, "invalid_scope"],
    ["PKCE plain", { code_challenge: "a".repeat(43), code_challenge_method: "plain" }, "invalid_request"],
    ["a malformed code_challenge", { code_challenge: "short", code_challenge_method: "S256" }, "invalid_request"],
    ["a request object", { request: "eyJ..." }, "request_not_supported"],
  ])("answers %s on the client's redirect URI with the error, its state and our iss", async (_name, change, error) => {
    const res = await h.login(authorizeParams(change));
    expect(res.status).toBe(302);
    const back = location(res);
    expect(back.origin + back.pathname).toBe(CLIENT.redirectUri);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({ error, state: "ava-state", iss: h.issuer });
  });

  it("refuses a repeated parameter in place (RFC 6749 §3.1)", async () => {
    const res = await h.request("GET", "/oauth2/authorize", { query: `${new URLSearchParams(authorizeParams())}&client_id=${CLIENT.id}` });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: "invalid_request" });
  });

  it("refuses an unknown client and an unregistered redirect URI in place, and audits both", async () => {
    const unknown = await h.login(authorizeParams({ client_id: "mallory" }));
    expect(unknown.status).toBe(400);
    expect(unknown.headers.location).toBeUndefined();
    expect(lastAudit()).toMatchObject({ action: "oidc:login", outcome: "deny", errors: [{ code: "client_unknown" }] });
    const evil = await h.login(authorizeParams({ redirect_uri: "https://evil.example.com/cb" }));
    expect(evil.status).toBe(400);
    expect(lastAudit()).toMatchObject({ outcome: "deny", resource: { id: CLIENT.id }, errors: [{ code: "redirect_uri_invalid" }] });
  });

  it("also accepts the authorization request as a POST form (OIDC Core §3.1.2.1)", async () => {
    const res = await h.request("POST", "/oauth2/authorize", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(authorizeParams()).toString() });
    expect(res.status).toBe(302);
    expect(res.headers.location).toContain("/idp/authorize?");
  });
});

describe("PKCE from the client (optional for a confidential client, checked when used)", () => {
  const verifier = "v".repeat(50);
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const codeWithPkce = async () => location(await h.login(authorizeParams({ code_challenge: challenge, code_challenge_method: "S256" }))).searchParams.get("code")!;

  it("redeems with the right code_verifier", async () => {
    const res = await h.token({ grant_type: "authorization_code", code: await codeWithPkce(), redirect_uri: CLIENT.redirectUri, code_verifier: verifier });
    expect(res.status).toBe(200);
  });

  it.each([
    ["a wrong verifier", "w".repeat(50)],
    ["no verifier", undefined],
  ])("refuses %s", async (_name, v) => {
    const res = await h.token({ grant_type: "authorization_code", code: await codeWithPkce(), redirect_uri: CLIENT.redirectUri, ...(v ? { code_verifier: v } : {}) });
    expect(res.status).toBe(400);
    expect(lastAudit()).toMatchObject({ action: "oidc:token", outcome: "deny", errors: [{ code: "pkce_invalid" }] });
  });

  it("refuses a verifier for a code requested without a challenge", async () => {
    const code = location(await h.login(authorizeParams())).searchParams.get("code")!;
    const res = await h.token({ grant_type: "authorization_code", code, redirect_uri: CLIENT.redirectUri, code_verifier: verifier });
    expect(res.status).toBe(400);
  });
});

describe("callback", () => {
  it("an unknown or replayed login state is refused in place and audited", async () => {
    const res = await h.request("GET", "/oauth2/callback", { query: "state=forged&code=x" });
    expect(res.status).toBe(400);
    expect(lastAudit()).toMatchObject({ action: "oidc:login", outcome: "unauthenticated", errors: [{ code: "login_unknown" }] });
  });

  it("the IdP's refusal goes back to the client as access_denied, audited", async () => {
    const start = await h.request("GET", "/oauth2/authorize", { query: new URLSearchParams(authorizeParams()).toString() });
    const upstreamState = new URL(start.headers.location!).searchParams.get("state")!;
    const res = await h.request("GET", "/oauth2/callback", { query: `state=${upstreamState}&error=access_denied` });
    expect(Object.fromEntries(location(res).searchParams)).toMatchObject({ error: "access_denied", state: "ava-state" });
    expect(lastAudit()).toMatchObject({ outcome: "unauthenticated", errors: [{ code: "upstream_login_failed" }] });
  });

  it("a successful sign-in's audit record names who, the device and the verdict, and holds no token", async () => {
    const deviceToken = h.device("alice");
    const res = await h.login(authorizeParams(), { "x-device-token": deviceToken });
    const code = location(res).searchParams.get("code")!;
    const record = lastAudit();
    expect(record).toMatchObject({
      schema: "ztpdp.audit/v2",
      action: "oidc:login",
      outcome: "allow",
      principal: { type: "User", id: "alice" },
      groups: ["Employees"],
      identity: { issuer: "dev-idp", tokenUse: "id", mfa: true },
      device: { verified: true, provider: "jamf", patched: true },
      request: { method: "GET", route: "/oauth2/callback", sourceIp: "203.0.113.10" },
      trustProvider: { risk: "low" },
    });
    const text = JSON.stringify(h.audit.records);
    expect(text).not.toContain(deviceToken);
    expect(text).not.toContain(code);
  });
});

describe("token and userinfo", () => {
  it("refuses an unknown grant type and a non-form body", async () => {
    expect((await h.token({ grant_type: "password" })).status).toBe(400);
    const json = await h.request("POST", "/oauth2/token", { headers: { "content-type": "application/json" }, body: "{}" });
    expect(JSON.parse(json.body)).toMatchObject({ error: "invalid_request" });
  });

  it("userinfo: no token is 401 with a Bearer challenge; a token in the query is not accepted; a POST form token is", async () => {
    const code = location(await h.login(authorizeParams())).searchParams.get("code")!;
    const tokens = JSON.parse((await h.token({ grant_type: "authorization_code", code, redirect_uri: CLIENT.redirectUri })).body) as { access_token: string };
    const none = await h.request("GET", "/oauth2/userinfo");
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect((await h.request("GET", "/oauth2/userinfo", { query: `access_token=${tokens.access_token}` })).status).toBe(401);
    expect((await h.request("GET", "/oauth2/userinfo", { headers: { authorization: "Bearer not-a-token" } })).status).toBe(401);
    expect((await h.request("GET", "/oauth2/userinfo", { headers: { authorization: "Basic abc" } })).status).toBe(400);
    const form = await h.request("POST", "/oauth2/userinfo", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: `access_token=${tokens.access_token}` });
    expect(form.status).toBe(200);
    expect(JSON.parse(form.body)).toMatchObject({ sub: "alice" });
  });

  it("unknown paths are 404 and wrong methods 405", async () => {
    expect((await h.request("GET", "/oauth2/nope")).status).toBe(404);
    expect((await h.request("DELETE", "/oauth2/token")).status).toBe(405);
  });
});

describe("configured behaviour and faults", () => {
  it("requireDevice: a sign-in without verified posture is refused with access_denied, audited as a deny", async () => {
    const strict = await startHarness({ edit: (doc) => ((doc.trustProvider as Record<string, unknown>).requireDevice = true) });
    try {
      const res = await strict.login(authorizeParams());
      expect(location(res).searchParams.get("error")).toBe("access_denied");
      expect(strict.audit.last()).toMatchObject({ outcome: "deny", errors: [{ code: "device_required" }], device: { untrustedReason: "device_token_missing" } });
      const ok = await strict.login(authorizeParams(), { "x-device-token": strict.device("alice") });
      expect(location(ok).searchParams.get("code")).toBeTruthy();
    } finally {
      await strict.close();
    }
  });

  it("an upstream ID token that fails this project's identity verifier (here its `typ`) is refused and audited", async () => {
    const picky = await startHarness({ edit: (doc) => (((doc.trustProvider as Record<string, Record<string, unknown>>).upstream!).idTokenTypes = ["id+jwt"]) });
    try {
      const res = await picky.login(authorizeParams());
      expect(location(res).searchParams.get("error")).toBe("access_denied");
      expect(picky.audit.last()).toMatchObject({ outcome: "unauthenticated", errors: [{ code: "token_type_invalid" }] });
    } finally {
      await picky.close();
    }
  });

  it("the corporate IdP down: the provider still starts; a sign-in goes back as temporarily_unavailable, audited as an error", async () => {
    const deadIdp = `http://127.0.0.1:${await freeLoopbackPort()}/idp`;
    const cut = await startHarness({
      edit: (doc) => {
        const issuers = doc.issuers as Record<string, unknown>[];
        // A second issuer needs its own entity namespace (issue 9); this one only has to be unreachable.
        issuers[0] = { ...issuers[0], principal: { ...(issuers[0]!.principal as object), entityIdPrefix: "dev" } };
        issuers.push({ ...issuers[0], name: "down-idp", issuer: deadIdp, jwksUri: `${deadIdp}/.well-known/jwks.json`, principal: { entityIdPrefix: "down" } });
        for (const provider of (doc.devicePosture as { providers: { binding: Record<string, unknown> }[] }).providers) provider.binding.issuers = ["down-idp"];
        ((doc.trustProvider as Record<string, Record<string, unknown>>).upstream!).issuer = "down-idp";
      },
    });
    try {
      const res = await cut.login(authorizeParams());
      expect(Object.fromEntries(location(res).searchParams)).toMatchObject({ error: "temporarily_unavailable", state: "ava-state" });
      expect(cut.audit.last()).toMatchObject({ action: "oidc:login", outcome: "error", errors: [{ code: "upstream_unavailable" }] });
    } finally {
      await cut.close();
    }
  });

  it("refuses to start with an issuer override that is not https", async () => {
    await expect(startHarness({ env: { ZTPDP_TP_ISSUER: "http://tp.example.com" } })).rejects.toThrow(/must be https/);
  });

  it("the state table down: 503 temporarily_unavailable, never a 500 or an allow, and the sign-in is audited as an error", async () => {
    const down = await startHarness({ env: { ZTPDP_TP_DYNAMODB_ENDPOINT: `http://127.0.0.1:${await freeLoopbackPort()}` } });
    try {
      const res = await down.login(authorizeParams());
      expect(res.status).toBe(503);
      expect(down.audit.last()).toMatchObject({ action: "oidc:login", outcome: "error", errors: [{ code: "store_unavailable" }] });
    } finally {
      await down.close();
    }
  });
});
