import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { epochSeconds, signJwt } from "../../support/jwt.js";
import { generateTestKey, type TestKey } from "../../support/keys.js";
import { startPresetBundle, type PresetBundle } from "../../support/preset-bundle.js";

/**
 * Microsoft Entra ID v2.0 tokens as Microsoft documents them, through the built REST authorizer: header
 * `{typ: "JWT", alg: "RS256", kid}` (ID tokens too); access tokens with `aud` = the API's client id, the
 * caller in `azp`, `oid`, pairwise `sub`, `tid`, `ver: "2.0"`, `scp` for user tokens and `roles` (no `scp`)
 * for app-only tokens; group object ids in `groups`, replaced past 200 groups by `_claim_names`.
 * https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
 * https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
 */

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const ID_TENANT = "5d1f1b56-7f1a-4d8e-9a7c-3b2c1d0e9f8a"; // the ID-token issuer's directory
const OTHER_TENANT = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const API = "6e74172b-be56-4843-9ff4-e66a39bb12e3";
const WEB = "a1b2c3d4-0000-4000-8000-00000000web1";
const DAEMON = "d4e5f6a7-0000-4000-8000-0000daemon01";
const SPA = "c0ffee00-0000-4000-8000-0000000spa01";
const ALICE_OID = "00000000-0000-0000-66f3-3332eca7ea81";
const GROUP_FINANCE = "93d5b5a0-1f4b-4b2c-9a0e-7bd2f1f0a001";

let key: TestKey;
let bundle: PresetBundle;

beforeAll(async () => {
  key = generateTestKey("RS256", { kid: "nOo3ZDrODXEK1jKWhXslHR_KXEg", withAlg: false });
  const attributes = { department: "String", email_verified: "Bool" };
  bundle = await startPresetBundle(
    [
      { name: "entra", preset: "entra", tenant: { tenantId: TENANT }, audiences: [API], clientIds: [WEB, DAEMON], principal: { entityIdPrefix: "entra", attributes } },
      { name: "entra-id", preset: "entra", tenant: { tenantId: ID_TENANT }, tokenUse: "id", clientIds: [SPA], principal: { entityIdPrefix: "entra-id", attributes } },
    ],
    [key],
  );
});
afterAll(async () => bundle.close());

const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = { typ: "JWT" }) => signJwt({ key, header, payload });
const v2Issuer = (tid: string) => `https://login.microsoftonline.com/${tid}/v2.0`;
const times = () => ({ iat: epochSeconds() - 5, nbf: epochSeconds() - 5, exp: epochSeconds() + 3600 });

function userAccessToken(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aud: API,
    iss: v2Issuer(TENANT),
    aio: "AXQAi/8UAAAA",
    azp: WEB,
    azpacr: "0",
    groups: [GROUP_FINANCE],
    name: "Alice Example",
    oid: ALICE_OID,
    preferred_username: "alice@acme.example",
    rh: "I",
    scp: "access_as_user",
    sub: "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
    tid: TENANT,
    uti: "fqiBqXLPj0eQa82S-IYFAA",
    ver: "2.0",
    department: "finance",
    ...times(),
    ...claims,
  };
}

function appOnlyToken(claims: Record<string, unknown> = {}): Record<string, unknown> {
  const spOid = "e8a1b2c3-1111-4222-8333-444455556666";
  return { aud: API, iss: v2Issuer(TENANT), aio: "E2ZgYJ", azp: DAEMON, azpacr: "1", idtyp: "app", oid: spOid, rh: "I", roles: ["Reports.Read.All"], sub: spOid, tid: TENANT, uti: "x", ver: "2.0", ...times(), ...claims };
}

function idToken(claims: Record<string, unknown> = {}, tid = ID_TENANT, client = SPA): Record<string, unknown> {
  return {
    aud: client,
    iss: v2Issuer(tid),
    idp: v2Issuer(tid),
    name: "Alice Example",
    nonce: "12345",
    oid: ALICE_OID,
    preferred_username: "alice@acme.example",
    rh: "I",
    sub: "2lP-pairwise-sub-for-spa",
    tid,
    uti: "AbCdEf",
    ver: "2.0",
    ...times(),
    ...claims,
  };
}

describe("entra preset: accepted tokens", () => {
  it("a user's v2.0 access token: User::entra|<oid> in its group object ids", async () => {
    const r = await bundle.call(sign(userAccessToken({ email_verified: true })), "/finance");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: `entra|${ALICE_OID}` });
    expect(r.audit.groups).toEqual([`entra|${GROUP_FINANCE}`]);
  });

  it("an app-only (client-credentials) token, no scp: Service::entra|<azp>", async () => {
    const r = await bundle.call(sign(appOnlyToken()), "/reports");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "Service", id: `entra|${DAEMON}` });
  });

  it("an ID token at the issuer that accepts ID tokens", async () => {
    const r = await bundle.call(sign(idToken()));
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: `entra-id|${ALICE_OID}` });
  });

  it("groups overage (_claim_names past 200 groups): no groups, and the audit record says groups_overage", async () => {
    const payload = userAccessToken({ _claim_names: { groups: "src1" }, _claim_sources: { src1: { endpoint: `https://graph.windows.net/${TENANT}/users/${ALICE_OID}/getMemberObjects` } } });
    delete payload.groups;
    const r = await bundle.call(sign(payload));
    expect(r.status).toBe(200);
    expect(r.audit.groups).toEqual([]);
    expect(r.audit.identity.groupsUnavailable).toBe("groups_overage");
  });

  it("groups overage in the implicit flow (hasgroups: true) is noticed the same way", async () => {
    const payload = userAccessToken({ hasgroups: true });
    delete payload.groups;
    const r = await bundle.call(sign(payload));
    expect(r.audit.groups).toEqual([]);
    expect(r.audit.identity.groupsUnavailable).toBe("groups_overage");
  });
});

describe("entra preset: near misses are 401", () => {
  it.each([
    ["a client the issuer does not accept (azp)", () => sign(userAccessToken({ azp: "99999999-0000-4000-8000-000000000000" })), "token_client_invalid"],
    ["an ID token where an access token is expected (aud is the client)", () => sign(idToken({}, TENANT, WEB)), "token_audience_invalid"],
    ["an ID token whose aud is the API (client and API one registration): no azp", () => sign(idToken({}, TENANT, API)), "token_use_invalid"],
    ["another tenant", () => sign(userAccessToken({ iss: v2Issuer(OTHER_TENANT), tid: OTHER_TENANT })), "token_issuer_unknown"],
    ["a v1.0 token (sts.windows.net issuer)", () => sign(userAccessToken({ iss: `https://sts.windows.net/${TENANT}/`, ver: "1.0" })), "token_issuer_unknown"],
    ["a ver other than 2.0 at the v2.0 issuer", () => sign(userAccessToken({ ver: "1.0" })), "token_use_invalid"],
    ["a tid that is not the tenant", () => sign(userAccessToken({ tid: OTHER_TENANT })), "token_claims_invalid"],
    ["a typ other than JWT", () => sign(userAccessToken(), { typ: "at+jwt" }), "token_type_invalid"],
    ["no typ (Entra always sends one)", () => sign(userAccessToken(), {}), "token_type_invalid"],
    ["groups as a string", () => sign(userAccessToken({ groups: GROUP_FINANCE })), "token_claims_invalid"],
  ])("%s", async (_name, token, code) => bundle.expectRefused(token(), code));
});
