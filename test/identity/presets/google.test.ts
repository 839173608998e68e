import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { epochSeconds, signJwt } from "../../support/jwt.js";
import { generateTestKey, type TestKey } from "../../support/keys.js";
import { startPresetBundle, type PresetBundle } from "../../support/preset-bundle.js";

/**
 * Google ID tokens as Google documents them, through the built REST authorizer: header
 * `{alg: RS256, kid, typ: JWT}`; `iss` `https://accounts.google.com` (or `accounts.google.com`), `aud` and
 * `azp` the OAuth client id, `sub` the account id, `hd` for Workspace accounts; service-account ID tokens
 * with `aud` the target audience and `azp` = `sub` = the service account's unique id. Google access tokens
 * are opaque, so only ID tokens exist here (and the preset refuses `tokenUse: access`).
 * https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
 * https://cloud.google.com/docs/authentication/token-types#id
 */

const WEB = "1234567890-abcdefghijklmnop.apps.googleusercontent.com";
const API_AUDIENCE = "https://api.acme.example";
const SA_ID = "113774264463038321964";
const USER_ID = "110169484474386276334";

let key: TestKey;
const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = { typ: "JWT" }) => signJwt({ key, header, payload });
const times = () => ({ iat: epochSeconds() - 5, exp: epochSeconds() + 3600 });

function userIdToken(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: "https://accounts.google.com",
    azp: WEB,
    aud: WEB,
    sub: USER_ID,
    hd: "acme.example",
    email: "alice@acme.example",
    email_verified: true,
    at_hash: "HK6E_P6Dh8Y93mRNtsDB1Q",
    name: "Alice Example",
    picture: "https://lh3.googleusercontent.com/a/x",
    given_name: "Alice",
    family_name: "Example",
    ...times(),
    ...claims,
  };
}

function serviceAccountIdToken(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return { aud: API_AUDIENCE, azp: SA_ID, email: "reporting@acme-prod.iam.gserviceaccount.com", email_verified: true, iss: "https://accounts.google.com", sub: SA_ID, ...times(), ...claims };
}

beforeAll(() => {
  key = generateTestKey("RS256", { kid: "c7e04465649ffa606557650c7e65f0a87ae00fe8" });
});

describe("google preset, any Google account of the client (service accounts too)", () => {
  let bundle: PresetBundle;
  beforeAll(async () => {
    bundle = await startPresetBundle(
      [{ name: "google", preset: "google", tokenUse: "id", clientIds: [WEB], audiences: [WEB, API_AUDIENCE], principal: { entityIdPrefix: "google", attributes: { email_verified: "Bool", department: "String" } } }],
      [key],
    );
  });
  afterAll(async () => bundle.close());

  it("a user's ID token: User::google|<sub>; Google conveys no groups", async () => {
    const r = await bundle.call(sign(userIdToken()));
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: `google|${USER_ID}` });
    expect(r.audit.groups).toEqual([]);
    expect(r.audit.identity.groupsUnavailable).toBeUndefined();
  });

  it("the scheme-less issuer form accounts.google.com", async () => {
    expect((await bundle.call(sign(userIdToken({ iss: "accounts.google.com" })))).status).toBe(200);
  });

  it("a service account's ID token (azp = sub): Service::google|<unique id>", async () => {
    const r = await bundle.call(sign(serviceAccountIdToken()), "/reports");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "Service", id: `google|${SA_ID}` });
  });

  it.each([
    ["an ID token for another OAuth client", () => sign(userIdToken({ aud: "999-other.apps.googleusercontent.com", azp: "999-other.apps.googleusercontent.com" })), "token_audience_invalid"],
    ["another issuer", () => sign(userIdToken({ iss: "https://accounts.google.example" })), "token_issuer_unknown"],
    ["typ other than JWT", () => sign(userIdToken(), { typ: "at+jwt" }), "token_type_invalid"],
    ["no typ", () => sign(userIdToken(), {}), "token_type_invalid"],
  ])("401: %s", async (_name, token, code) => bundle.expectRefused(token(), code));
});

describe("google preset with a Workspace domain (hd)", () => {
  let bundle: PresetBundle;
  beforeAll(async () => {
    bundle = await startPresetBundle(
      [{ name: "google", preset: "google", tenant: { hostedDomain: "acme.example" }, tokenUse: "id", clientIds: [WEB], principal: { attributes: { email_verified: "Bool", department: "String" } } }],
      [key],
    );
  });
  afterAll(async () => bundle.close());

  it("an account of the domain is accepted", async () => {
    const r = await bundle.call(sign(userIdToken()));
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: USER_ID });
  });

  it.each([
    ["an account of another Workspace (tenant)", () => sign(userIdToken({ hd: "evil.example" })), "token_claims_invalid"],
    ["a consumer account (no hd)", () => sign(userIdToken({ hd: undefined })), "token_claims_invalid"],
  ])("401: %s", async (_name, token, code) => bundle.expectRefused(token(), code));
});
