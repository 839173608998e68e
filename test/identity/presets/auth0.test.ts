import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { epochSeconds, signJwt } from "../../support/jwt.js";
import { generateTestKey, type TestKey } from "../../support/keys.js";
import { startPresetBundle, type PresetBundle } from "../../support/preset-bundle.js";

/**
 * Auth0 tokens as Auth0 documents them, through the built REST authorizer: access tokens of the default
 * (Auth0) profile (`typ: JWT`, client in `azp`, `aud` = [API, <tenant>/userinfo]) and of the RFC 9068
 * profile (`typ: at+jwt`, `client_id`, `jti`); machine tokens with `sub` = `<client id>@clients` and
 * `gty: client-credentials`; ID tokens with `aud` = client id. Roles come from a namespaced custom claim.
 * https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles
 * https://auth0.com/docs/secure/tokens/id-tokens/id-token-structure
 */

const DOMAIN = "acme.eu.auth0.com";
const DOMAIN_9068 = "acme-9068.eu.auth0.com";
const DOMAIN_ID = "acme-portal.us.auth0.com";
const API = "https://api.acme.example";
const WEB = "K1AUPhZq8mRi0Q0pjhkfu1D7y6KjDQja";
const M2M = "awZfdIir8YFdGZWkvCejDoUb7SjTDicx";
const SPA = "Sp4Ab0000000000000000000000portal";
const ROLES = "https://acme.example/roles";
const DEPARTMENT = "https://acme.example/department";

let key: TestKey;
let bundle: PresetBundle;

beforeAll(async () => {
  key = generateTestKey("RS256", { kid: "auth0-kid-1" });
  const principal = (prefix: string) => ({
    entityIdPrefix: prefix,
    attributes: { department: { claim: DEPARTMENT, type: "String" }, email_verified: "Bool" },
  });
  bundle = await startPresetBundle(
    [
      { name: "auth0", preset: "auth0", tenant: { domain: DOMAIN }, audiences: [API], clientIds: [WEB, M2M], groupClaim: ROLES, principal: principal("auth0") },
      { name: "auth0-9068", preset: "auth0", tenant: { domain: DOMAIN_9068, tokenProfile: "rfc9068" }, audiences: [API], groupClaim: ROLES, principal: principal("auth0-9068") },
      { name: "auth0-portal", preset: "auth0", tenant: { domain: DOMAIN_ID }, tokenUse: "id", clientIds: [SPA], principal: principal("auth0-portal") },
    ],
    [key],
  );
});
afterAll(async () => bundle.close());

const sign = (payload: Record<string, unknown>, typ: string | null = "JWT") => signJwt({ key, header: typ === null ? {} : { typ }, payload });
// Auth0's default access token lifetime is 86400 s, exactly the default `limits.maxTokenLifetimeSeconds`.
const times = () => ({ iat: epochSeconds(), exp: epochSeconds() + 86400 });

function accessToken(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: `https://${DOMAIN}/`,
    sub: "auth0|6553da60a54af58e29493993",
    aud: [API, `https://${DOMAIN}/userinfo`],
    azp: WEB,
    scope: "openid profile read:reports",
    [ROLES]: ["admin", "finance"],
    [DEPARTMENT]: "finance",
    email_verified: true,
    ...times(),
    ...claims,
  };
}

function rfc9068Token(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: `https://${DOMAIN_9068}/`,
    sub: "auth0|6553da60a54af58e29493993",
    aud: [API, `https://${DOMAIN_9068}/userinfo`],
    client_id: WEB,
    jti: randomBytes(16).toString("base64url"),
    scope: "openid profile read:reports",
    [ROLES]: ["admin"],
    ...times(),
    ...claims,
  };
}

function idToken(claims: Record<string, unknown> = {}, domain = DOMAIN_ID, client = SPA): Record<string, unknown> {
  return {
    iss: `https://${domain}/`,
    sub: "auth0|6553da60a54af58e29493993",
    aud: client,
    nickname: "alice",
    name: "alice@acme.example",
    picture: "https://s.gravatar.com/avatar/x.png",
    updated_at: "2026-11-20T10:00:00.000Z",
    email: "alice@acme.example",
    email_verified: true,
    sid: "Hm8-session",
    nonce: "abc",
    ...times(),
    ...claims,
  };
}

describe("auth0 preset: accepted tokens", () => {
  it("Auth0 profile access token: two audiences (API + the tenant's /userinfo), roles from the namespaced claim", async () => {
    const r = await bundle.call(sign(accessToken()), "/finance");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: "auth0|auth0|6553da60a54af58e29493993" });
    expect(r.audit.groups).toEqual(["auth0|admin", "auth0|finance"]);
  });

  it("RFC 9068 profile access token (typ at+jwt, client_id)", async () => {
    const r = await bundle.call(sign(rfc9068Token(), "at+jwt"));
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: "auth0-9068|auth0|6553da60a54af58e29493993" });
  });

  it("a machine-to-machine token (sub <client id>@clients, gty client-credentials): Service::auth0|<client id>", async () => {
    const payload = { iss: `https://${DOMAIN}/`, sub: `${M2M}@clients`, aud: API, azp: M2M, scope: "read:reports", gty: "client-credentials", ...times() };
    const r = await bundle.call(sign(payload), "/reports");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "Service", id: `auth0|${M2M}` });
  });

  it("an ID token at the issuer that accepts ID tokens", async () => {
    const r = await bundle.call(sign(idToken()));
    expect(r.status).toBe(200);
    expect(r.audit.identity.tokenUse).toBe("id");
  });
});

describe("auth0 preset: near misses are 401", () => {
  it.each([
    ["a client the issuer does not accept (azp)", () => sign(accessToken({ azp: "someOtherClient0000000000000000" })), "token_client_invalid"],
    ["an ID token where an access token is expected", () => sign(idToken({}, DOMAIN, WEB)), "token_audience_invalid"],
    ["a token for two APIs (a second audience that is not /userinfo)", () => sign(accessToken({ aud: [API, "https://other-api.example"] })), "token_audience_invalid"],
    ["an access token without azp (not an Auth0-profile access token)", () => sign(accessToken({ azp: undefined })), "token_use_invalid"],
    ["another tenant", () => sign(accessToken({ iss: "https://evil.eu.auth0.com/" })), "token_issuer_unknown"],
    ["the issuer without its trailing slash", () => sign(accessToken({ iss: `https://${DOMAIN}` })), "token_issuer_unknown"],
    ["typ at+jwt on the Auth0 profile", () => sign(accessToken(), "at+jwt"), "token_type_invalid"],
    ["typ JWT on the RFC 9068 profile", () => sign(rfc9068Token(), "JWT"), "token_type_invalid"],
    ["no typ", () => sign(accessToken(), null), "token_type_invalid"],
  ])("%s", async (_name, token, code) => bundle.expectRefused(token(), code));
});
