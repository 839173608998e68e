import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedHeaderSchema } from "../../src/config/verified-access.js";
import { createAvaHeaderVerifier } from "../../src/identity/ava-header/verifier.js";
import { generateTestKey, type TestKey } from "../support/keys.js";
import { testJwksConfig, testLimits } from "../support/config.js";
import { signJwt } from "../support/jwt.js";
import {
  EU_INSTANCE_ARN,
  IDC_ISSUER,
  INSTANCE_ARN,
  OIDC_ISSUER,
  OTHER_INSTANCE_ARN,
  signAvaHeader,
  startAvaKeyServer,
  type AvaKeyServer,
} from "../support/ava.js";

let keys: AvaKeyServer;
let key: TestKey;
beforeAll(async () => {
  keys = await startAvaKeyServer();
  key = keys.addKey("us-east-1");
});
afterAll(() => keys.close());

function verifier(overrides: Record<string, unknown> = {}) {
  const config = signedHeaderSchema.parse({ instanceArns: [INSTANCE_ARN], issuers: [OIDC_ISSUER, IDC_ISSUER], keyUrl: keys.keyUrl, ...overrides });
  return createAvaHeaderVerifier(config, { limits: testLimits(), jwks: testJwksConfig(), allowInsecureLoopback: true });
}

describe("AWS Verified Access signed header (x-amzn-ava-user-context)", () => {
  it("accepts a valid OIDC header: ES384 with a raw 96-byte R||S signature, key fetched by kid from the signer's region", async () => {
    const token = signAvaHeader({ key });
    expect(Buffer.from(token.split(".")[2]!, "base64url")).toHaveLength(96);
    const result = await verifier().verify(token);
    expect(result).toMatchObject({
      ok: true,
      identity: {
        kind: "user",
        issuerName: "verified-access",
        issuer: OIDC_ISSUER,
        principal: { type: "User", id: "00u1alice" },
        groups: [{ type: "Group", id: "engineering" }],
        email: "alice@example.com",
        mfa: false,
      },
    });
  });

  it("accepts an IAM Identity Center header (user info only, no groups) with the user id as principal", async () => {
    const payload = { user: { user_id: "f478d4c8-a001-7064-6ea6-12423523", user_name: "test-123", email: { address: "test@example.com", verified: true } } };
    const result = await verifier().verify(signAvaHeader({ key, iss: IDC_ISSUER, payload }));
    expect(result).toMatchObject({ ok: true, identity: { principal: { id: "f478d4c8-a001-7064-6ea6-12423523" }, groups: [], email: "test@example.com" } });
    if (result.ok) expect(result.identity.claims).toEqual(payload);
  });

  it("maps the principal like any issuer: entity id prefix and principal id claim", async () => {
    const v = verifier({ principal: { entityIdPrefix: "ava", principalIdClaim: "email" } });
    const result = await v.verify(signAvaHeader({ key }));
    expect(result).toMatchObject({ ok: true, identity: { principal: { id: "ava|alice@example.com" }, groups: [{ id: "ava|engineering" }] } });
  });

  it("refuses a wrong signer before fetching any key", async () => {
    const before = keys.requests();
    const result = await verifier().verify(signAvaHeader({ key, signer: OTHER_INSTANCE_ARN }));
    expect(result).toMatchObject({ ok: false, code: "token_signer_invalid", issuerName: "verified-access", claimedIssuer: OIDC_ISSUER, kid: key.kid });
    expect(keys.requests()).toBe(before);
    expect((await verifier().verify(signAvaHeader({ key, header: { signer: undefined } }))).ok).toBe(false);
  });

  it("refuses an expired header, and one valid for longer than AVA ever signs", async () => {
    expect(await verifier().verify(signAvaHeader({ key, expiresIn: -120 }))).toMatchObject({ ok: false, code: "token_expired" });
    expect(await verifier().verify(signAvaHeader({ key, expiresIn: 86_400 }))).toMatchObject({ ok: false, code: "token_lifetime_exceeded" });
    expect(await verifier().verify(signAvaHeader({ key, header: { exp: undefined } }))).toMatchObject({ ok: false, code: "token_exp_missing" });
    // A payload `exp` in the past is refused too, even with a fresh header `exp`.
    const stale = signAvaHeader({ key, payload: { sub: "a", exp: Math.floor(Date.now() / 1000) - 600 } });
    expect(await verifier().verify(stale)).toMatchObject({ ok: false, code: "token_expired" });
  });

  it("refuses a header signed by another key under a known kid", async () => {
    const attacker = generateTestKey("ES384");
    const result = await verifier().verify(signAvaHeader({ key, signingKey: attacker }));
    expect(result).toMatchObject({ ok: false, code: "token_signature_invalid", kid: key.kid });
  });

  it("refuses a key of another region: keys come from the region of our configured instance, never from the header", async () => {
    // A real AVA key, valid in eu-west-1, presented for our us-east-1 instance.
    const euKey = keys.addKey("eu-west-1");
    const result = await verifier().verify(signAvaHeader({ key: euKey }));
    expect(result).toMatchObject({ ok: false, code: "token_kid_unknown", kid: euKey.kid });
    // With the eu-west-1 instance trusted as well, the same key verifies for a header that instance signed.
    const both = verifier({ instanceArns: [INSTANCE_ARN, EU_INSTANCE_ARN] });
    expect(await both.verify(signAvaHeader({ key: euKey, signer: EU_INSTANCE_ARN }))).toMatchObject({ ok: true });
    expect(await both.verify(signAvaHeader({ key: euKey, signer: INSTANCE_ARN }))).toMatchObject({ ok: false, code: "token_kid_unknown" });
  });

  it("refuses any alg but ES384, including ES256, none and HMAC keyed with the public PEM", async () => {
    const p256 = generateTestKey("ES256", { kid: key.kid });
    const es256 = signJwt({ key: p256, header: { signer: INSTANCE_ARN, iss: OIDC_ISSUER, exp: Math.floor(Date.now() / 1000) + 60 }, payload: { sub: "a" } });
    expect(await verifier().verify(es256)).toMatchObject({ ok: false, code: "token_alg_not_allowed" });
    const none = signAvaHeader({ key, header: { alg: "none" } }).replace(/\.[^.]+$/, ".");
    expect(await verifier().verify(none)).toMatchObject({ ok: false, code: "token_alg_not_allowed" });
    const hs = signJwt({
      header: { alg: "HS384", kid: key.kid, signer: INSTANCE_ARN, iss: OIDC_ISSUER, exp: Math.floor(Date.now() / 1000) + 60 },
      payload: { sub: "a" },
      hmacSecret: key.publicKey.export({ type: "spki", format: "pem" }),
    });
    expect(await verifier().verify(hs)).toMatchObject({ ok: false, code: "token_alg_not_allowed" });
  });

  it("refuses an unaccepted issuer, a payload `iss` that disagrees, and a kid that is not AWS's form", async () => {
    expect(await verifier().verify(signAvaHeader({ key, iss: "https://evil.example" }))).toMatchObject({ ok: false, code: "token_issuer_unknown" });
    expect(await verifier().verify(signAvaHeader({ key, payload: { sub: "a", iss: "https://evil.example" } }))).toMatchObject({ ok: false, code: "token_issuer_unknown" });
    const pathKid = signAvaHeader({ key, header: { kid: "../eu-west-1/abc" } });
    expect(await verifier().verify(pathKid)).toMatchObject({ ok: false, code: "token_header_invalid" });
  });

  it("caches keys by kid: one fetch for many headers; an unknown kid is not asked for again at once", async () => {
    const fresh = keys.addKey("us-east-1");
    const v = verifier();
    const before = keys.requests();
    for (let i = 0; i < 5; i++) expect((await v.verify(signAvaHeader({ key: fresh, payload: { sub: `u${i}` } }))).ok).toBe(true);
    expect(keys.requests() - before).toBe(1);
    const ghost = generateTestKey("ES384", { kid: "00000000-0000-4000-8000-000000000000" });
    const mid = keys.requests();
    for (let i = 0; i < 3; i++) expect(await v.verify(signAvaHeader({ key: ghost }))).toMatchObject({ ok: false, code: "token_kid_unknown" });
    expect(keys.requests() - mid).toBe(1);
  });

  it("a header verified once is not re-verified, but its expiry is checked again on every use", async () => {
    let nowMs = Date.now();
    const config = signedHeaderSchema.parse({ instanceArns: [INSTANCE_ARN], issuers: [OIDC_ISSUER], keyUrl: keys.keyUrl });
    const v = createAvaHeaderVerifier(config, { limits: testLimits(), jwks: testJwksConfig(), allowInsecureLoopback: true, now: () => nowMs });
    const token = signAvaHeader({ key, expiresIn: 120 });
    expect((await v.verify(token)).ok).toBe(true);
    expect((await v.verify(token)).ok).toBe(true);
    nowMs += 200_000; // past exp (120 s) and the clock skew (60 s)
    expect(await v.verify(token)).toMatchObject({ ok: false, code: "token_expired" });
  });

  it("refuses claims that map to no principal, and malformed headers, without throwing", async () => {
    expect(await verifier().verify(signAvaHeader({ key, payload: { email: "x@example.com" } }))).toMatchObject({ ok: false, code: "token_claims_invalid" });
    expect(await verifier().verify("")).toMatchObject({ ok: false, code: "token_malformed" });
    expect(await verifier().verify("a.b.c")).toMatchObject({ ok: false });
    expect(await verifier().verify("x".repeat(20_000))).toMatchObject({ ok: false, code: "token_too_large" });
  });

  it("a key service that is down is a fault (5xx class), not a 401", async () => {
    const config = signedHeaderSchema.parse({ instanceArns: [INSTANCE_ARN], issuers: [OIDC_ISSUER], keyUrl: "http://127.0.0.1:9/{region}" });
    const v = createAvaHeaderVerifier(config, { limits: testLimits(), jwks: testJwksConfig({ timeoutMs: 500 }), allowInsecureLoopback: true });
    expect(await v.verify(signAvaHeader({ key }))).toMatchObject({ ok: false, code: "jwks_unavailable" });
  });

  it("refuses a plain-http key URL off loopback at start-up", () => {
    const config = signedHeaderSchema.parse({ instanceArns: [INSTANCE_ARN], issuers: [OIDC_ISSUER], keyUrl: "http://keys.example.com/{region}" });
    expect(() => createAvaHeaderVerifier(config, { limits: testLimits(), jwks: testJwksConfig(), allowInsecureLoopback: true })).toThrow(/not loopback/);
    expect(signedHeaderSchema.safeParse({ instanceArns: ["arn:aws:elasticloadbalancing:us-east-1:1:x"], issuers: ["x"] }).success).toBe(false);
  });
});
