import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { epochSeconds, signJwt } from "../../support/jwt.js";
import { generateTestKey, type TestKey } from "../../support/keys.js";
import { startPresetBundle, type PresetBundle } from "../../support/preset-bundle.js";

/**
 * Okta custom authorization server tokens as Okta documents them, through the built REST authorizer:
 * header `{kid, alg}` only; access tokens with `ver: 1`, `jti: "AT..."`, `aud` the server's audience,
 * `cid` (client), `uid` (user id), `scp` and `sub` = the login; ID tokens with `aud` = client id and
 * `sub` = user id; client-credentials tokens with `sub` = `cid` and no `uid`.
 * https://developer.okta.com/docs/api/openapi/okta-oauth/guides/overview/
 * https://developer.okta.com/docs/guides/validate-access-tokens/nodejs/main/
 */

const DOMAIN = "acme.okta.com";
const ISSUER = `https://${DOMAIN}/oauth2/default`;
const ID_SERVER = "aus1portal0idtokens";
const ID_ISSUER = `https://${DOMAIN}/oauth2/${ID_SERVER}`;
const WEB = "0oa1webappexample";
const REPORTING = "0oa2reportingjob";
const PORTAL = "0oa3portalspa";

let key: TestKey;
let bundle: PresetBundle;

beforeAll(async () => {
  key = generateTestKey("RS256", { kid: "okta-kid-1", withAlg: false });
  const attributes = { department: "String", email_verified: "Bool" };
  bundle = await startPresetBundle(
    [
      { name: "okta", preset: "okta", tenant: { domain: DOMAIN }, clientIds: [WEB, REPORTING], principal: { entityIdPrefix: "okta", attributes } },
      {
        name: "okta-portal",
        preset: "okta",
        tenant: { domain: DOMAIN, authorizationServerId: ID_SERVER },
        tokenUse: "id",
        clientIds: [PORTAL],
        principal: { entityIdPrefix: "okta-portal", attributes },
      },
    ],
    [key],
  );
});
afterAll(async () => bundle.close());

const jti = (prefix: string) => `${prefix}.${randomBytes(24).toString("base64url")}`;
const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) => signJwt({ key, header, payload });
const times = () => ({ iat: epochSeconds() - 5, exp: epochSeconds() + 3600 });

function accessToken(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ver: 1,
    jti: jti("AT"),
    iss: ISSUER,
    aud: "api://default",
    sub: "alice@acme.example",
    cid: WEB,
    uid: "00u1alice",
    scp: ["openid", "profile", "email"],
    auth_time: epochSeconds() - 60,
    groups: ["Everyone", "Finance"],
    department: "finance",
    email_verified: true,
    ...times(),
    ...claims,
  };
}

function idToken(claims: Record<string, unknown> = {}, issuer = ID_ISSUER, client = PORTAL): Record<string, unknown> {
  return {
    sub: "00u1alice",
    name: "Alice Example",
    email: "alice@acme.example",
    ver: 1,
    iss: issuer,
    aud: client,
    jti: jti("ID"),
    amr: ["pwd", "mfa"],
    idp: "00o1idp",
    nonce: "n-0S6_WzA2Mj",
    preferred_username: "alice@acme.example",
    auth_time: epochSeconds() - 60,
    at_hash: "fPlsvVszI29LU2UhDyJ9vg",
    ...times(),
    ...claims,
  };
}

describe("okta preset: accepted tokens", () => {
  it("a user's access token without typ: User::okta|<uid> (not the mutable login in sub), its groups and attributes", async () => {
    const r = await bundle.call(sign(accessToken()), "/finance");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: "okta|00u1alice" });
    expect(r.audit.groups).toEqual(["okta|Everyone", "okta|Finance"]);
    expect(r.audit.identity).toMatchObject({ issuer: "okta", kind: "user", tokenUse: "access" });
  });

  it("a client-credentials token (sub = cid, no uid): Service::okta|<client id>", async () => {
    const payload = { ver: 1, jti: jti("AT"), iss: ISSUER, aud: "api://default", cid: REPORTING, scp: ["reports.read"], sub: REPORTING, ...times() };
    const r = await bundle.call(sign(payload), "/reports");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "Service", id: `okta|${REPORTING}` });
  });

  it("an ID token at the issuer that accepts ID tokens: User::okta-portal|<sub>", async () => {
    const r = await bundle.call(sign(idToken({ department: "finance", email_verified: true })), "/finance");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: "okta-portal|00u1alice" });
    expect(r.audit.identity.groupsUnavailable).toBe("groups_claim_absent");
  });

  it("a department of another team is denied by policy (403), not refused (401)", async () => {
    expect((await bundle.call(sign(accessToken({ department: "sales" })), "/finance")).status).toBe(403);
  });
});

describe("okta preset: near misses are 401", () => {
  it.each([
    ["a client the issuer does not accept (cid)", () => sign(accessToken({ cid: "0oa9someoneelse" })), "token_client_invalid"],
    ["an ID token where an access token is expected (aud is the client id)", () => sign(idToken({}, ISSUER, WEB)), "token_audience_invalid"],
    ["an ID token that names the API's audience has no cid", () => sign(idToken({ aud: "api://default" }, ISSUER)), "token_use_invalid"],
    ["an access token at the ID-token issuer", () => sign(accessToken({ iss: ID_ISSUER })), "token_audience_invalid"],
    ["another Okta org (tenant)", () => sign(accessToken({ iss: "https://evil.okta.com/oauth2/default" })), "token_issuer_unknown"],
    ["another authorization server of the same org", () => sign(accessToken({ iss: `https://${DOMAIN}/oauth2/aus9other` })), "token_issuer_unknown"],
    ["the org authorization server (tokens meant for Okta itself)", () => sign(accessToken({ iss: `https://${DOMAIN}` })), "token_issuer_unknown"],
    ["a typ header (Okta access tokens carry none)", () => sign(accessToken(), { typ: "JWT" }), "token_type_invalid"],
    ["a user token without uid", () => sign(accessToken({ uid: undefined })), "token_claims_invalid"],
  ])("%s", async (_name, token, code) => bundle.expectRefused(token(), code));
});
