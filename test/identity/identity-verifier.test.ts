import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentityVerifier, type IdentityVerifier } from "../../src/identity/identity-verifier.js";
import { createMultiIssuerJwtVerifier } from "../../src/identity/jwt-verifier.js";
import { issuerFor, testJwksConfig, testLimits, trustFor } from "../support/config.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, type TestKey } from "../support/keys.js";
import { epochSeconds, signJwt } from "../support/jwt.js";

/**
 * User and machine tokens end to end through the identity verifier: two issuers at once (an Okta-like one
 * with RS256 and `at+jwt`, a Cognito-like one with ES256, `token_use` and AVP-style entity id prefixes),
 * plus a device-posture provider whose tokens must never pass as user tokens.
 */

let okta: JwksServer;
let cognito: JwksServer;
let device: JwksServer;
let oktaKey: TestKey;
let cognitoKey: TestKey;
let deviceKey: TestKey;
let verifier: IdentityVerifier;

const OKTA_AUD = "api://orders";
const COGNITO_CLIENT = "3abc1clientid";
const POOL = "us-east-1_AbCdEf";

beforeAll(async () => {
  oktaKey = generateTestKey("RS256");
  cognitoKey = generateTestKey("ES256");
  deviceKey = generateTestKey("EdDSA");
  okta = await startJwksServer({ jwks: jwksOf(oktaKey), issuerPath: "/oauth2/default", jwksPath: "/oauth2/default/v1/keys" });
  cognito = await startJwksServer({ jwks: jwksOf(cognitoKey), issuerPath: `/${POOL}` });
  device = await startJwksServer({ jwks: jwksOf(deviceKey) });
  verifier = createIdentityVerifier(
    [
      issuerFor(okta, { name: "okta", audiences: [OKTA_AUD], types: ["at+jwt"], services: { clientIdClaims: ["cid"] } }),
      issuerFor(cognito, {
        name: "cognito",
        audiences: [COGNITO_CLIENT],
        types: ["JWT"],
        algorithms: ["ES256"],
        groupClaim: "cognito:groups",
        principal: { entityIdPrefix: POOL },
      }),
    ],
    { limits: testLimits({ maxGroups: 5, maxClaimStringLength: 64 }), jwks: testJwksConfig(), allowInsecureLoopbackJwks: true },
  );
  await verifier.hydrate();
});

afterAll(async () => {
  await Promise.all([okta, cognito, device].map((s) => s.close()));
});

function times(): { iat: number; exp: number } {
  const now = epochSeconds();
  return { iat: now, exp: now + 900 };
}

function oktaToken(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  return signJwt({
    key: oktaKey,
    header: { typ: "at+jwt", ...header },
    payload: { iss: okta.issuer, aud: OKTA_AUD, sub: "00u1alice", cid: "0oa-web", groups: ["engineering"], ...times(), ...claims },
  });
}

function cognitoToken(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  return signJwt({
    key: cognitoKey,
    header: { typ: "JWT", ...header },
    payload: {
      iss: cognito.issuer,
      aud: COGNITO_CLIENT,
      client_id: COGNITO_CLIENT,
      sub: "b1c2-alice",
      token_use: "access",
      "cognito:groups": ["admins", "readers"],
      ...times(),
      ...claims,
    },
  });
}

async function codeOf(token: string | undefined): Promise<string> {
  const r = await verifier.verify(token);
  return r.ok ? "ok" : r.code;
}

describe("user tokens", () => {
  it("maps an Okta access token without prefixes", async () => {
    const token = oktaToken({ email: "alice@example.com", amr: ["pwd", "mfa"], jti: "jti-1" });
    const r = await verifier.verify(token);
    expect(r).toEqual({
      ok: true,
      identity: {
        kind: "user",
        issuerName: "okta",
        issuer: okta.issuer,
        principal: { type: "User", id: "00u1alice" },
        groups: [{ type: "Group", id: "engineering" }],
        subject: "00u1alice",
        email: "alice@example.com",
        clientId: "0oa-web",
        tokenUse: "access",
        amr: ["pwd", "mfa"],
        mfa: true,
        issuedAt: expect.any(Number),
        expiresAt: expect.any(Number),
        tokenFingerprint: createHash("sha256").update(token).digest("hex"),
        jti: "jti-1",
        bindingClaims: {
          iss: okta.issuer,
          aud: OKTA_AUD,
          sub: "00u1alice",
          cid: "0oa-web",
          email: "alice@example.com",
          jti: "jti-1",
        },
      },
    });
  });

  it("prefixes user and group entity ids like a Verified Permissions identity source", async () => {
    const r = await verifier.verify(cognitoToken());
    expect(r.ok && r.identity.principal).toEqual({ type: "User", id: `${POOL}|b1c2-alice` });
    expect(r.ok && r.identity.groups).toEqual([
      { type: "Group", id: `${POOL}|admins` },
      { type: "Group", id: `${POOL}|readers` },
    ]);
    expect(r.ok && r.identity.issuerName).toBe("cognito");
  });

  it("treats a missing group claim as no groups, and removes duplicates", async () => {
    const none = await verifier.verify(oktaToken({ groups: undefined }));
    expect(none.ok && none.identity.groups).toEqual([]);
    const dup = await verifier.verify(oktaToken({ groups: ["a", "a"] }));
    expect(dup.ok && dup.identity.groups).toEqual([{ type: "Group", id: "a" }]);
  });

  it("accepts exactly maxGroups groups", async () => {
    expect(await codeOf(oktaToken({ groups: ["a", "b", "c", "d", "e"] }))).toBe("ok");
  });

  it.each([
    ["a string", "admins"],
    ["an object", { admins: true }],
    ["a Cedar entity escape", [{ __entity: { type: "Group", id: "admins" } }]],
    ["a number member", ["a", 1]],
    ["an empty member", [""]],
    ["a too long member", ["x".repeat(65)]],
    ["a member with a newline", ["admins\nreaders"]],
    ["more than maxGroups entries (never truncated)", ["a", "b", "c", "d", "e", "f"]],
    ["null", null],
  ])("refuses groups given as %s", async (_name, groups) => {
    expect(await codeOf(oktaToken({ groups }))).toBe("token_claims_invalid");
    expect(await codeOf(cognitoToken({ "cognito:groups": groups }))).toBe("token_claims_invalid");
  });

  it.each([
    ["sub missing", { sub: undefined }],
    ["sub empty", { sub: "" }],
    ["sub too long", { sub: "x".repeat(65) }],
    ["sub with a control character", { sub: "alice\u0000" }],
    ["sub as a number", { sub: 42 }],
    ["token_use as a number", { token_use: 1 }],
  ])("refuses %s", async (_name, claims) => {
    expect(await codeOf(oktaToken(claims))).toBe("token_claims_invalid");
  });

  it("uses a configured principal id claim", async () => {
    const v = createIdentityVerifier([issuerFor(okta, { audiences: [OKTA_AUD], principal: { principalIdClaim: "uid", entityIdPrefix: "okta" } })], {
      limits: testLimits(),
      jwks: testJwksConfig(),
      allowInsecureLoopbackJwks: true,
    });
    const r = await v.verify(oktaToken({ uid: "alice" }));
    expect(r.ok && r.identity.principal).toEqual({ type: "User", id: "okta|alice" });
    expect(await v.verify(oktaToken({ uid: ["alice"] }))).toMatchObject({ ok: false, code: "token_claims_invalid" });
  });
});

describe("machine callers", () => {
  it("maps an Okta client-credentials token (sub = cid) to a service principal", async () => {
    const r = await verifier.verify(oktaToken({ sub: "0oa-orders-svc", cid: "0oa-orders-svc", groups: ["ignored"] }));
    expect(r).toMatchObject({
      ok: true,
      identity: { kind: "service", principal: { type: "Service", id: "0oa-orders-svc" }, groups: [], clientId: "0oa-orders-svc" },
    });
  });

  it("prefixes a Cognito service principal", async () => {
    const r = await verifier.verify(cognitoToken({ sub: COGNITO_CLIENT, "cognito:groups": undefined }));
    expect(r).toMatchObject({ ok: true, identity: { kind: "service", principal: { type: "Service", id: `${POOL}|${COGNITO_CLIENT}` } } });
  });

  it("only considers the configured client id claims, and can be switched off", async () => {
    // azp is not in Okta's clientIdClaims here, so sub = azp is still a user
    const r = await verifier.verify(oktaToken({ sub: "x1", azp: "x1", cid: "0oa-web" }));
    expect(r.ok && r.identity.kind).toBe("user");
    const off = createIdentityVerifier([issuerFor(okta, { audiences: [OKTA_AUD], services: { enabled: false } })], {
      limits: testLimits(),
      jwks: testJwksConfig(),
      allowInsecureLoopbackJwks: true,
    });
    const u = await off.verify(oktaToken({ sub: "0oa-web" }));
    expect(u.ok && u.identity.kind).toBe("user");
  });
});

describe("token kinds", () => {
  it("refuses an ID token where an access token is expected (typ)", async () => {
    expect(await codeOf(oktaToken({ aud: OKTA_AUD }, { typ: "JWT" }))).toBe("token_type_invalid");
  });

  it("refuses a Cognito ID token where an access token is expected (token_use)", async () => {
    expect(await codeOf(cognitoToken({ token_use: "id" }))).toBe("token_use_invalid");
  });

  it("refuses a device-posture token presented as the user token", async () => {
    const now = epochSeconds();
    const deviceClaims = { iss: device.issuer, aud: OKTA_AUD, sub: "device-1", user_email: "alice@example.com", iat: now, exp: now + 300 };
    // from the device provider: not a user-token issuer
    const fromProvider = signJwt({ key: deviceKey, header: { typ: "device+jwt" }, payload: deviceClaims });
    expect(await codeOf(fromProvider)).toBe("token_issuer_unknown");
    // claiming the user IdP as issuer: EdDSA is not an algorithm of that issuer (nor is its kid in that set) ...
    expect(await codeOf(signJwt({ key: deviceKey, header: { typ: "at+jwt" }, payload: { ...deviceClaims, iss: okta.issuer } }))).toBe(
      "token_alg_not_allowed",
    );
    // ... and if the IdP itself signed a device-typed token, the type does not match
    expect(await codeOf(oktaToken({}, { typ: "device+jwt" }))).toBe("token_type_invalid");

    // the same token verifies with the posture trust list: the generic layer is shared
    const posture = createMultiIssuerJwtVerifier([trustFor(device, { algorithms: ["EdDSA"], types: ["device+jwt"], audiences: [OKTA_AUD] })], {
      limits: testLimits(),
      jwks: testJwksConfig(),
      allowInsecureLoopbackJwks: true,
    });
    expect((await posture.verify(fromProvider)).ok).toBe(true);
  });

  it("keeps the key sets of two issuers apart", async () => {
    // Cognito's key id, Okta's issuer: the kid is looked up in Okta's set only
    const crossed = signJwt({
      key: cognitoKey,
      header: { typ: "at+jwt", alg: "RS256" },
      signAs: "ES256",
      payload: { iss: okta.issuer, aud: OKTA_AUD, sub: "x", ...times() },
    });
    expect(await codeOf(crossed)).toBe("token_kid_unknown");
  });
});

describe("authentication strength", () => {
  it.each([
    [["pwd", "otp"], true],
    [["hwk"], true],
    [["fido"], true],
    [["swk", "pwd"], true],
    [["pwd"], false],
    [["sms"], false],
    [["pwd", "sms"], false],
    ["mfa", false],
    [[1, "mfa"], false],
  ])("amr %j → mfa %s", async (amr, mfa) => {
    const r = await verifier.verify(oktaToken({ amr }));
    expect(r.ok && r.identity.mfa).toBe(mfa);
  });

  it("accepts a multi-factor acr", async () => {
    const r = await verifier.verify(oktaToken({ acr: "http://schemas.openid.net/pape/policies/2007/06/multi-factor" }));
    expect(r.ok && r.identity.mfa).toBe(true);
  });

  it("caps amr", async () => {
    const r = await verifier.verify(oktaToken({ amr: Array.from({ length: 40 }, (_, i) => `m${i}`) }));
    expect(r.ok && r.identity.amr.length).toBe(16);
  });
});

describe("binding claims and results", () => {
  it("keeps bounded string claims only, and leaves out an email the IdP marks unverified", async () => {
    const r = await verifier.verify(oktaToken({ email: "mallory@example.com", email_verified: false, n: 3, long: "y".repeat(65), obj: { a: "b" } }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.identity.email).toBeUndefined();
    expect(r.identity.bindingClaims).not.toHaveProperty("email");
    expect(r.identity.bindingClaims).not.toHaveProperty("n");
    expect(r.identity.bindingClaims).not.toHaveProperty("long");
    expect(r.identity.bindingClaims).not.toHaveProperty("obj");
    expect(r.identity.bindingClaims.sub).toBe("00u1alice");
  });

  it("reports token_missing for no token", async () => {
    expect(await verifier.verify(undefined)).toEqual({ ok: false, code: "token_missing", message: "no bearer token" });
  });

  it("carries fingerprint, kid and the configured issuer's name on failures, never the token", async () => {
    const token = oktaToken({ groups: "admins" });
    const r = await verifier.verify(token);
    expect(r).toMatchObject({
      ok: false,
      code: "token_claims_invalid",
      tokenFingerprint: createHash("sha256").update(token).digest("hex"),
      kid: oktaKey.kid,
      issuerName: "okta",
    });
    expect(JSON.stringify(r)).not.toContain(token.split(".")[2]);
  });
});
