import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { epochSeconds, signJwt } from "../../support/jwt.js";
import { generateTestKey, type TestKey } from "../../support/keys.js";
import { startPresetBundle, type PresetBundle } from "../../support/preset-bundle.js";

/**
 * Keycloak tokens as Keycloak issues them, through the built REST authorizer: header
 * `{alg: RS256, typ: JWT, kid}`; the token kind in the payload `typ` (`Bearer`, `ID`); access tokens with
 * `azp` (client), `aud` from an audience mapper plus Keycloak's own `account`, realm roles in
 * `realm_access.roles`; service-account tokens with `client_id` and `preferred_username: service-account-<client>`.
 * https://www.keycloak.org/docs/latest/securing_apps/#_oidc
 * https://www.keycloak.org/docs/latest/server_admin/#_service_accounts
 */

const BASE = "https://sso.acme.example";
const REALM = "corp";
const ID_REALM = "partners";
const API = "zt-pdp-api";
const WEB = "web-portal";
const JOB = "reporting-job";
const PARTNER_PORTAL = "partner-portal";
const issuerOf = (realm: string) => `${BASE}/realms/${realm}`;

let key: TestKey;
let bundle: PresetBundle;

beforeAll(async () => {
  key = generateTestKey("RS256", { kid: "kc-rsa-generated-1" });
  const attributes = { department: "String", email_verified: "Bool" };
  bundle = await startPresetBundle(
    [
      { name: "keycloak", preset: "keycloak", tenant: { baseUrl: BASE, realm: REALM }, audiences: [API], clientIds: [WEB, JOB], principal: { entityIdPrefix: "kc", attributes } },
      { name: "keycloak-partners", preset: "keycloak", tenant: { baseUrl: BASE, realm: ID_REALM }, tokenUse: "id", clientIds: [PARTNER_PORTAL], principal: { entityIdPrefix: "kc-partners", attributes } },
    ],
    [key],
  );
});
afterAll(async () => bundle.close());

const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = { typ: "JWT" }) => signJwt({ key, header, payload });
const times = () => ({ iat: epochSeconds() - 5, exp: epochSeconds() + 300 });
const ALICE = "3f1c9a52-8d0e-4b4f-9f6e-1a2b3c4d5e6f";

function accessToken(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    auth_time: epochSeconds() - 60,
    jti: randomUUID(),
    iss: issuerOf(REALM),
    aud: [API, "account"],
    sub: ALICE,
    typ: "Bearer",
    azp: WEB,
    sid: randomUUID(),
    acr: "1",
    "allowed-origins": ["https://portal.acme.example"],
    realm_access: { roles: ["default-roles-corp", "offline_access", "uma_authorization", "finance"] },
    resource_access: { account: { roles: ["manage-account", "view-profile"] } },
    scope: "openid email profile",
    email_verified: true,
    name: "Alice Example",
    preferred_username: "alice",
    email: "alice@acme.example",
    department: "finance",
    ...times(),
    ...claims,
  };
}

function serviceAccountToken(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    jti: randomUUID(),
    iss: issuerOf(REALM),
    aud: API,
    sub: "b7d2c1e0-5f4a-4c3b-8a29-0f1e2d3c4b5a",
    typ: "Bearer",
    azp: JOB,
    acr: "1",
    realm_access: { roles: ["default-roles-corp"] },
    scope: "profile email",
    clientHost: "10.0.4.17",
    email_verified: false,
    preferred_username: `service-account-${JOB}`,
    clientAddress: "10.0.4.17",
    client_id: JOB,
    ...times(),
    ...claims,
  };
}

function idToken(claims: Record<string, unknown> = {}, realm = ID_REALM, client = PARTNER_PORTAL): Record<string, unknown> {
  return {
    auth_time: epochSeconds() - 60,
    jti: randomUUID(),
    iss: issuerOf(realm),
    aud: client,
    sub: ALICE,
    typ: "ID",
    azp: client,
    nonce: "n-0S6",
    sid: randomUUID(),
    at_hash: "77QmUPtjPfzWtF2AnpK9RQ",
    acr: "1",
    email_verified: true,
    preferred_username: "alice",
    email: "alice@acme.example",
    ...times(),
    ...claims,
  };
}

describe("keycloak preset: accepted tokens", () => {
  it("a user's access token (aud = API + account): User::kc|<sub> in its realm roles", async () => {
    const r = await bundle.call(sign(accessToken()), "/finance");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: `kc|${ALICE}` });
    expect(r.audit.groups).toEqual(["kc|default-roles-corp", "kc|offline_access", "kc|uma_authorization", "kc|finance"]);
  });

  it("the RFC 9068 header type (at+jwt) when the client enables it", async () => {
    expect((await bundle.call(sign(accessToken(), { typ: "at+jwt" }))).status).toBe(200);
  });

  it("a service-account token: Service::kc|<client_id>", async () => {
    const r = await bundle.call(sign(serviceAccountToken()), "/reports");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "Service", id: `kc|${JOB}` });
  });

  it("an ID token at the issuer that accepts ID tokens", async () => {
    const r = await bundle.call(sign(idToken()));
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: `kc-partners|${ALICE}` });
  });
});

describe("keycloak preset: near misses are 401", () => {
  it.each([
    ["a client the issuer does not accept (azp)", () => sign(accessToken({ azp: "someone-else" })), "token_client_invalid"],
    ["an ID token where an access token is expected (aud is the client)", () => sign(idToken({}, REALM, WEB)), "token_audience_invalid"],
    ["an ID token whose aud names the API (payload typ ID)", () => sign(idToken({ aud: API }, REALM, WEB)), "token_use_invalid"],
    ["a payload typ other than Bearer", () => sign(accessToken({ typ: "Refresh" })), "token_use_invalid"],
    ["another realm (tenant)", () => sign(accessToken({ iss: issuerOf("other") })), "token_issuer_unknown"],
    ["a header typ that is neither JWT nor at+jwt", () => sign(accessToken(), { typ: "logout+jwt" }), "token_type_invalid"],
    ["an access token without the API audience (no audience mapper)", () => sign(accessToken({ aud: "account" })), "token_audience_invalid"],
    ["realm roles that are not a list", () => sign(accessToken({ realm_access: { roles: "finance" } })), "token_claims_invalid"],
  ])("%s", async (_name, token, code) => bundle.expectRefused(token(), code));
});
