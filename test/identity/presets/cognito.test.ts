import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { epochSeconds, signJwt } from "../../support/jwt.js";
import { generateTestKey, jwksOf, type TestKey } from "../../support/keys.js";
import { startPresetBundle, type PresetBundle } from "../../support/preset-bundle.js";

/**
 * Amazon Cognito user pool tokens exactly as Cognito documents them, through the built REST authorizer:
 * header `{kid, alg}` without `typ`; access tokens without `aud` (client in `client_id`, `token_use: access`);
 * ID tokens with `aud` = client id and `token_use: id`; machine (client-credentials) access tokens with
 * `sub` = client id. Access and ID tokens are signed with different keys, as Cognito does.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
 */

const REGION = "eu-west-1";
const POOL = `${REGION}_AbCdEf123`; // access tokens
const ID_POOL = `${REGION}_IdTok456`; // a second pool whose API accepts ID tokens
const OTHER_POOL = `${REGION}_Other789`; // another tenant
const WEB_CLIENT = "4lb0b3k5example0clientid1";
const MACHINE_CLIENT = "7m2machineexample0client2";
const ID_CLIENT = "1h5idtokenexample0client3";
const issuerOf = (pool: string) => `https://cognito-idp.${REGION}.amazonaws.com/${pool}`;

let accessKey: TestKey;
let idKey: TestKey;
let bundle: PresetBundle;

beforeAll(async () => {
  accessKey = generateTestKey("RS256", { kid: "cognito-access-kid" });
  idKey = generateTestKey("RS256", { kid: "cognito-id-kid" });
  bundle = await startPresetBundle(
    [
      {
        name: "cognito",
        preset: "cognito",
        tenant: { userPoolId: POOL },
        clientIds: [WEB_CLIENT, MACHINE_CLIENT],
        principal: { attributes: { department: { claim: "custom:department", type: "String" }, email_verified: "Bool" } },
      },
      {
        name: "cognito-id",
        preset: "cognito",
        tenant: { userPoolId: ID_POOL },
        tokenUse: "id",
        clientIds: [ID_CLIENT],
        principal: { attributes: { department: { claim: "custom:department", type: "String" }, email_verified: "Bool" } },
      },
    ],
    [accessKey, idKey],
    { jwks: { ttlSeconds: 1 } },
  );
});
afterAll(async () => bundle.close());

const sign = (key: TestKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}) => signJwt({ key, header, payload });

function times() {
  const now = epochSeconds();
  return { auth_time: now - 5, iat: now - 5, exp: now + 3600 };
}

/** A user's access token (documented sample fields). */
function accessToken(claims: Record<string, unknown> = {}, pool = POOL): Record<string, unknown> {
  return {
    sub: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    "cognito:groups": ["admins", "readers"],
    iss: issuerOf(pool),
    version: 2,
    client_id: WEB_CLIENT,
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    token_use: "access",
    scope: "aws.cognito.signin.user.admin phone openid profile email",
    jti: randomUUID(),
    username: "alice",
    ...times(),
    ...claims,
  };
}

/** A user's ID token (documented sample fields, plus a custom attribute). */
function idToken(claims: Record<string, unknown> = {}, pool = ID_POOL, client = ID_CLIENT): Record<string, unknown> {
  return {
    sub: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    "cognito:groups": ["finance-team"],
    email_verified: true,
    iss: issuerOf(pool),
    "cognito:username": "alice",
    origin_jti: randomUUID(),
    aud: client,
    event_id: randomUUID(),
    token_use: "id",
    jti: randomUUID(),
    email: "alice@example.com",
    "custom:department": "finance",
    ...times(),
    ...claims,
  };
}

/** A machine client's client-credentials access token: `sub` is the client id. */
function machineToken(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: MACHINE_CLIENT,
    token_use: "access",
    scope: "reports/read",
    iss: issuerOf(POOL),
    version: 2,
    jti: randomUUID(),
    client_id: MACHINE_CLIENT,
    ...times(),
    ...claims,
  };
}

describe("cognito preset: accepted tokens", () => {
  it("a user's access token (no typ, no aud): User::<pool>|<sub> in prefixed cognito:groups", async () => {
    const r = await bundle.call(sign(accessKey, accessToken()));
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: `${POOL}|aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee` });
    expect(r.audit.groups).toEqual([`${POOL}|admins`, `${POOL}|readers`]);
    expect(r.audit.identity).toMatchObject({ issuer: "cognito", kind: "user", tokenUse: "access" });
    expect(r.audit.identity.groupsUnavailable).toBeUndefined();
  });

  it("the updated issuer form (issuer-cognito-idp) of the same pool", async () => {
    const r = await bundle.call(sign(accessKey, accessToken({ iss: `https://issuer-cognito-idp.${REGION}.amazonaws.com/${POOL}` })));
    expect(r.status).toBe(200);
  });

  it("a client-credentials token: Service::<pool>|<client id>, which the service policy admits", async () => {
    const r = await bundle.call(sign(accessKey, machineToken()), "/reports");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "Service", id: `${POOL}|${MACHINE_CLIENT}` });
    expect(r.audit.identity.kind).toBe("service");
  });

  it("an ID token where the issuer accepts ID tokens; custom:department becomes principal.department", async () => {
    const r = await bundle.call(sign(idKey, idToken()), "/finance");
    expect(r.status).toBe(200);
    expect(r.audit.principal).toEqual({ type: "User", id: `${ID_POOL}|aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee` });
    expect(r.audit.determiningPolicies).toEqual(["finance-department-reads-finance"]);
    expect((await bundle.call(sign(idKey, idToken({ "custom:department": "sales" })), "/finance")).status).toBe(403);
  });

  it("a claim of the wrong type gets the least-trusted value, and the audit record names it", async () => {
    const r = await bundle.call(sign(idKey, idToken({ email_verified: "true" })), "/finance");
    expect(r.status).toBe(403);
    expect(r.audit.identity.attributesUntrusted).toEqual(["email_verified"]);
  });

  it("a user in no group: no cognito:groups claim, so no groups, and the audit record says so", async () => {
    const payload = accessToken();
    delete payload["cognito:groups"];
    const r = await bundle.call(sign(accessKey, payload));
    expect(r.status).toBe(200);
    expect(r.audit.groups).toEqual([]);
    expect(r.audit.identity.groupsUnavailable).toBe("groups_claim_absent");
  });
});

describe("cognito preset: near misses are 401", () => {
  it.each([
    ["a client id the issuer does not accept", () => sign(accessKey, accessToken({ client_id: "9zzotherclient0000000000" })), "token_client_invalid"],
    ["an ID token where an access token is expected", () => sign(idKey, idToken({}, POOL, WEB_CLIENT)), "token_use_invalid"],
    ["a wrong token_use", () => sign(accessKey, accessToken({ token_use: "refresh" })), "token_use_invalid"],
    ["no token_use at all", () => sign(accessKey, accessToken({ token_use: undefined })), "token_use_invalid"],
    ["an access token where the issuer accepts ID tokens", () => sign(accessKey, accessToken({}, ID_POOL)), "token_use_invalid"],
    ["another user pool (tenant)", () => sign(accessKey, accessToken({}, OTHER_POOL)), "token_issuer_unknown"],
    ["a typ header (Cognito sends none)", () => sign(accessKey, accessToken(), { typ: "JWT" }), "token_type_invalid"],
    ["an ID token for another app client", () => sign(idKey, idToken({ aud: WEB_CLIENT })), "token_client_invalid"],
  ])("%s", async (_name, token, code) => bundle.expectRefused(token(), code));
});

describe("cognito preset: keys", () => {
  it("a key replaced upstream under the same kid stops verifying once the JWKS cache refreshes", async () => {
    const token = sign(accessKey, accessToken());
    expect((await bundle.call(token)).status).toBe(200);
    const impostor = generateTestKey("RS256", { kid: accessKey.kid }); // same kid, other key material
    bundle.jwks.setKeys(jwksOf(impostor, idKey));
    await new Promise((r) => setTimeout(r, 1200)); // past the 1 s TTL of this config
    const r = await bundle.call(token);
    expect(r.status).toBe(401);
    expect(r.audit.errors[0]?.code).toBe("token_signature_invalid");
    expect((await bundle.call(sign(impostor, accessToken()))).status).toBe(200);
    bundle.jwks.setKeys(jwksOf(accessKey, idKey));
  });
});
