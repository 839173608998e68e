import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ReasonCode } from "../../src/decision/types.js";
import { parseAuthorizationHeader } from "../../src/identity/bearer.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { b64url, signJwt, tamperPayload } from "../support/jwt.js";
import { generateTestKey, jwksOf } from "../support/keys.js";
import {
  decideOnce,
  DEVICE_AUDIENCE,
  expectAllowed,
  expectUnauthenticated,
  startHarness,
  USER_AUDIENCE,
  type Harness,
} from "./harness.js";

/**
 * threats.md, "The user's token (401)": every bad bearer token, through the real pipeline (createPdp,
 * loopback JWKS, reference policies), ends unauthenticated with the exact reason code and exactly one audit
 * record holding no part of the token. Each table row first decides the unmodified request (allowed), so
 * a row can only pass because of what it changes.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** The paired positive control: the same setup, untouched, is a verified allow. */
async function control(): Promise<void> {
  expectAllowed(await decideOnce(h, h.request()));
}

async function expect401(bearerToken: string | undefined, code: ReasonCode) {
  const d = await decideOnce(h, h.request({ bearerToken }));
  expectUnauthenticated(d, code);
  return d;
}

interface Row {
  threat: string;
  token: () => string;
  code: ReasonCode;
  /** When the reason code is shared by several guards: the one that must have refused. */
  message?: RegExp;
}

function rows(list: Row[]): Row[] {
  return list;
}

describe("user token: presence and the Authorization header", () => {
  it("control: a valid access token with a patched managed device reads the wiki", async () => {
    const d = await decideOnce(h, h.request());
    expectAllowed(d);
    expect(d.record.identity).toMatchObject({ issuer: "dev-idp", kind: "user", tokenUse: "access", mfa: true });
    expect(d.decision.determiningPolicies).toEqual(["wiki-employees-read"]);
  });

  it("no token: unauthenticated (token_missing), not a deny", async () => {
    await control();
    const d = await expect401(undefined, "token_missing");
    expect(d.record.identity).toEqual({});
  });

  it("empty token: unauthenticated (token_malformed)", async () => {
    await control();
    await expect401("", "token_malformed");
  });

  it.each([
    ["Bearer"],
    ["bearer"],
    ["BEARER"],
    ["bEaReR"],
  ])("`%s <token>`: the scheme is case-insensitive, the token is allowed", async (scheme) => {
    const token = h.userToken();
    const parsed = parseAuthorizationHeader([`${scheme} ${token}`]);
    expect(parsed).toEqual({ ok: true, token });
    expectAllowed(await decideOnce(h, h.request({ bearerToken: parsed.ok ? parsed.token : undefined })));
  });

  it.each([
    { threat: "Basic credentials", header: () => ["Basic dXNlcjpwYXNzd29yZA=="], code: "token_malformed" },
    { threat: "missing scheme", header: () => [h.userToken()], code: "token_malformed" },
    { threat: "two spaces", header: () => [`Bearer  ${h.userToken()}`], code: "token_malformed" },
    { threat: "trailing CR/LF", header: () => [`Bearer ${h.userToken()}\r\n`], code: "token_malformed" },
    { threat: "empty header", header: () => [""], code: "token_missing" },
    { threat: "scheme only", header: () => ["Bearer"], code: "token_malformed" },
    { threat: "two Authorization headers", header: () => [`Bearer ${h.userToken()}`, `Bearer ${h.userToken()}`], code: "token_malformed" },
  ] as const)("Authorization $threat: refused by the header parser, and the core refuses what is passed on", async ({ header, code }) => {
    await control();
    const parsed = parseAuthorizationHeader([...header()]);
    expect(parsed).toMatchObject({ ok: false, code });
    // The adapters pass a refused header on as an empty (unverifiable) token, so the core records it.
    await expect401("", "token_malformed");
  });
});

describe("user token: algorithm and signature", () => {
  const table = rows([
    { threat: "alg none, empty signature", token: () => h.userToken({ header: { alg: "none" }, signature: "empty" }), code: "token_alg_not_allowed" },
    { threat: "alg None (case variant)", token: () => h.userToken({ header: { alg: "None" }, signature: "empty" }), code: "token_alg_not_allowed" },
    { threat: "alg none with a signature", token: () => h.userToken({ header: { alg: "none" }, signAs: "RS256" }), code: "token_alg_not_allowed" },
    {
      threat: "HS256 signed with the RSA public key (PEM) as secret",
      token: () => h.userToken({ header: { alg: "HS256" }, hmacSecret: h.userKey.publicKey.export({ type: "spki", format: "pem" }) }),
      code: "token_alg_not_allowed",
    },
    {
      threat: "HS256 signed with the RSA public key (DER) as secret",
      token: () => h.userToken({ header: { alg: "HS256" }, hmacSecret: h.userKey.publicKey.export({ type: "spki", format: "der" }) }),
      code: "token_alg_not_allowed",
    },
    { threat: "alg RS384 (not configured) with the right key", token: () => h.userToken({ header: { alg: "RS384" } }), code: "token_alg_not_allowed" },
    { threat: "alg ES256 naming the RSA key", token: () => h.userToken({ header: { alg: "ES256" }, signingKey: generateTestKey("ES256").privateKey }), code: "token_alg_not_allowed" },
    { threat: "RSA all-zero signature", token: () => h.userToken({ signature: "zero" }), code: "token_signature_invalid" },
    { threat: "empty signature with alg RS256", token: () => h.userToken({ signature: "empty" }), code: "token_signature_invalid" },
    { threat: "signed by another key under the trusted kid", token: () => h.userToken({ signingKey: generateTestKey("RS256").privateKey }), code: "token_signature_invalid" },
    { threat: "tampered payload (groups += HR)", token: () => tamperPayload(h.userToken(), (p) => void (p.groups = ["Employees", "HR"])), code: "token_signature_invalid" },
    { threat: "tampered payload (sub changed)", token: () => tamperPayload(h.userToken(), (p) => void (p.sub = "admin")), code: "token_signature_invalid" },
    { threat: "no kid", token: () => h.userToken({ header: { kid: undefined } }), code: "token_header_invalid" },
    { threat: "empty kid", token: () => h.userToken({ header: { kid: "" } }), code: "token_header_invalid" },
    { threat: "kid not a string", token: () => h.userToken({ header: { kid: 1 } }), code: "token_header_invalid" },
    { threat: "kid longer than 128 characters", token: () => h.userToken({ header: { kid: "k".repeat(129) } }), code: "token_header_invalid" },
    { threat: "crit header listing exp", token: () => h.userToken({ header: { crit: ["exp"], exp: 1 } }), code: "token_crit_unsupported" },
    { threat: "crit header, empty list", token: () => h.userToken({ header: { crit: [] } }), code: "token_crit_unsupported" },
    { threat: "crit b64=false (unencoded payload)", token: () => h.userToken({ header: { crit: ["b64"], b64: false } }), code: "token_crit_unsupported" },
    { threat: "nested JWT (cty: JWT)", token: () => h.userToken({ header: { cty: "JWT" } }), code: "token_header_invalid" },
  ]);

  it.each(table)("$threat → 401 $code", async ({ token, code }) => {
    await control();
    await expect401(token(), code);
  });

  it("alg RS256 header on an EC key (issuer allowing both): the key decides the algorithm", async () => {
    // Publish the RSA key without `alg` (as many IdPs do), and let the issuer accept RS256 and ES256: the
    // only thing left to stop an ES256 header naming the RSA key is the key-type check.
    const rsaNoAlg = { ...h.userKey.publicJwk, alg: undefined };
    const ecKey = generateTestKey("ES256", { kid: "idp-ec-1", withAlg: false });
    const local = await startHarness({
      idpJwks: { keys: [rsaNoAlg, ecKey.publicJwk] },
      edit: (doc) => void (doc.issuers[0].algorithms = ["RS256", "ES256"]),
    });
    try {
      expectAllowed(await decideOnce(local, local.request()));
      expectAllowed(await decideOnce(local, local.request({ bearerToken: local.userToken({ key: ecKey }) })));
      const confused = local.userToken({ header: { alg: "ES256" }, signingKey: ecKey.privateKey });
      expectUnauthenticated(await decideOnce(local, local.request({ bearerToken: confused })), "token_alg_not_allowed");
      const reverse = local.userToken({ key: ecKey, header: { alg: "RS256" }, signingKey: h.userKey.privateKey });
      expectUnauthenticated(await decideOnce(local, local.request({ bearerToken: reverse })), "token_alg_not_allowed");
    } finally {
      await local.close();
    }
  });
});

describe("user token: kid values an attacker controls", () => {
  let local: Harness;
  beforeEach(async () => {
    local = await startHarness();
  });
  afterEach(async () => {
    await local.close();
  });

  it.each([
    { threat: "path traversal", kid: "../../../../etc/passwd", code: "token_kid_unknown", shown: "../../../../etc/passwd" },
    { threat: "URL-ish", kid: "https://attacker.example/jwks.json#k", code: "token_kid_unknown", shown: "https://attacker.example/jwks.json#k" },
    { threat: "quotes and backslash", kid: `k"}],"x":"\\`, code: "token_kid_unknown", shown: `k"}],"x":"\\` },
    { threat: "bidi override", kid: "abc\u202Egpj.exe", code: "token_kid_unknown", shown: "abc\\u{202e}gpj.exe" },
    { threat: "newline", kid: "k1\n{\"outcome\":\"allow\"}", code: "token_header_invalid", shown: 'k1\\u{000a}{"outcome":"allow"}' },
    { threat: "CR/LF", kid: "k1\r\nforged: line", code: "token_header_invalid", shown: "k1\\u{000d}\\u{000a}forged: line" },
    { threat: "NUL", kid: "k1\u0000", code: "token_header_invalid", shown: "k1\\u{0000}" },
  ] as const)("kid with $threat → 401 $code, recorded escaped, never used as a path", async ({ kid, code, shown }) => {
    expectAllowed(await decideOnce(local, local.request()));
    const d = await decideOnce(local, local.request({ bearerToken: local.userToken({ header: { kid } }) }));
    expectUnauthenticated(d, code);
    expect(d.record.identity.kid).toBe(shown);
    const line = JSON.stringify(d.record);
    expect(line).not.toMatch(/[\n\r\u0000\u202e]/);
    // The kid selects a key from the configured JWKS only: nothing else was requested on the server.
    expect(local.idp.requests()).toBe(local.idp.requests(local.idpJwksPath));
    expect(local.idp.requests()).toBeLessThanOrEqual(2);
  });
});

describe("user token: headers that name their own key (jku, x5u, jwk, x5c) are ignored", () => {
  let attacker: JwksServer;
  const evil = generateTestKey("RS256", { kid: "attacker-1" });
  beforeAll(async () => {
    attacker = await startJwksServer({ jwks: jwksOf(evil), jwksPath: "/jwks.json" });
  });
  afterAll(async () => {
    await attacker?.close();
  });

  const selfKeyed = () => ({
    jku: `${attacker.origin}/jwks.json`,
    x5u: `${attacker.origin}/cert.pem`,
    jwk: evil.publicJwk,
    x5c: [b64url("not really a certificate, never read")],
  });

  it("a token signed by the attacker's key, pointing at it: 401, and no outbound call", async () => {
    await control();
    attacker.resetCounts();
    const token = h.userToken({ key: evil, header: selfKeyed() });
    await expect401(token, "token_kid_unknown");
    for (const header of ["jku", "x5u", "jwk", "x5c"] as const) {
      const single = h.userToken({ key: evil, header: { [header]: selfKeyed()[header] } });
      await expect401(single, "token_kid_unknown");
    }
    expect(attacker.requests()).toBe(0);
  });

  it("the same headers on a token signed by the trusted key change nothing (still allowed, no outbound call)", async () => {
    attacker.resetCounts();
    expectAllowed(await decideOnce(h, h.request({ bearerToken: h.userToken({ header: selfKeyed() }) })));
    expect(attacker.requests()).toBe(0);
  });

  it("a device token pointing at the attacker's key: untrusted posture, no outbound call", async () => {
    attacker.resetCounts();
    const evilEc = generateTestKey("ES256", { kid: "attacker-ec" });
    attacker.setKeys(jwksOf(evilEc));
    const device = h.deviceToken("jamf", { key: evilEc, header: { jku: `${attacker.origin}/jwks.json`, jwk: evilEc.publicJwk } });
    const d = await decideOnce(h, h.request({ deviceToken: device }));
    expect(d.decision.outcome).toBe("deny");
    expect(d.record.device.untrustedReason).toBe("device_token_kid_unknown");
    expect(attacker.requests()).toBe(0);
  });
});

describe("user token: time claims", () => {
  const now = () => h.nowSeconds();
  const table = rows([
    { threat: "missing exp", token: () => h.userToken({ claims: { exp: undefined } }), code: "token_exp_missing" },
    { threat: "expired (beyond the skew)", token: () => h.userToken({ claims: { iat: now() - 3700, exp: now() - 100 } }), code: "token_expired" },
    { threat: "expiring exactly at now minus skew", token: () => h.userToken({ claims: { iat: now() - 3600, exp: now() - 60 } }), code: "token_expired" },
    { threat: "nbf in the future beyond the skew", token: () => h.userToken({ claims: { nbf: now() + 120 } }), code: "token_not_yet_valid" },
    { threat: "iat in the future beyond the skew", token: () => h.userToken({ claims: { iat: now() + 120, exp: now() + 3600 } }), code: "token_not_yet_valid" },
    { threat: "absurd lifetime (30 days)", token: () => h.userToken({ claims: { exp: now() + 30 * 86400 } }), code: "token_lifetime_exceeded" },
    { threat: "absurd lifetime, no iat", token: () => h.userToken({ claims: { iat: undefined, exp: now() + 2 * 86400 } }), code: "token_lifetime_exceeded" },
    { threat: "exp beyond Cedar's Long range", token: () => h.userToken({ claims: { exp: 2 ** 64 } }), code: "token_lifetime_exceeded" },
    { threat: "iat far in the past (-2^63)", token: () => h.userToken({ claims: { iat: -(2 ** 63) } }), code: "token_lifetime_exceeded" },
  ]);

  it.each(table)("$threat → 401 $code", async ({ token, code }) => {
    await control();
    await expect401(token(), code);
  });

  it("control: iat and nbf a little in the future (within the 60 s skew) are accepted", async () => {
    expectAllowed(await decideOnce(h, h.request({ bearerToken: h.userToken({ claims: { iat: now() + 30, nbf: now() + 30 } }) })));
  });
});

describe("user token: claims of the wrong type are never coerced", () => {
  const table = rows([
    { threat: "exp as a string", token: () => h.userToken({ claims: { exp: String(h.nowSeconds() + 600) } }), code: "token_claims_invalid" },
    { threat: "exp as Infinity (1e999)", token: () => h.userToken({ rawPayload: rawWith(h, '"exp":1e999', ["exp"]) }), code: "token_claims_invalid" },
    { threat: "iat as a string", token: () => h.userToken({ claims: { iat: "now" } }), code: "token_claims_invalid" },
    { threat: "nbf as a boolean", token: () => h.userToken({ claims: { nbf: true } }), code: "token_claims_invalid" },
    { threat: "sub as a number", token: () => h.userToken({ claims: { sub: 12345 } }), code: "token_claims_invalid" },
    { threat: "sub as an object", token: () => h.userToken({ claims: { sub: { id: "alice" } } }), code: "token_claims_invalid" },
    { threat: "sub empty", token: () => h.userToken({ claims: { sub: "" } }), code: "token_claims_invalid" },
    { threat: "sub with control characters", token: () => h.userToken({ claims: { sub: "alice\nadmin" } }), code: "token_claims_invalid" },
    { threat: "groups as a string", token: () => h.userToken({ claims: { groups: "Employees" } }), code: "token_claims_invalid" },
    { threat: "groups as an object", token: () => h.userToken({ claims: { groups: { Employees: true } } }), code: "token_claims_invalid" },
    { threat: "groups holding a number", token: () => h.userToken({ claims: { groups: ["Employees", 7] } }), code: "token_claims_invalid" },
    { threat: "groups holding null", token: () => h.userToken({ claims: { groups: ["Employees", null] } }), code: "token_claims_invalid" },
    { threat: "jti as a number", token: () => h.userToken({ claims: { jti: 5 } }), code: "token_claims_invalid" },
    { threat: "token_use as an array", token: () => h.userToken({ claims: { token_use: ["access"] } }), code: "token_claims_invalid" },
    { threat: "aud as a number", token: () => h.userToken({ claims: { aud: 42 } }), code: "token_claims_invalid" },
    { threat: "iss as a number", token: () => h.userToken({ claims: { iss: 1 } }), code: "token_claims_invalid" },
  ]);

  it.each(table)("$threat → 401 $code", async ({ token, code }) => {
    await control();
    await expect401(token(), code);
  });
});

describe("user token: issuer, audience and token kind", () => {
  const table = rows([
    { threat: "missing iss", token: () => h.userToken({ claims: { iss: undefined } }), code: "token_issuer_unknown" },
    { threat: "unconfigured iss", token: () => h.userToken({ claims: { iss: "https://idp.attacker.example" } }), code: "token_issuer_unknown" },
    { threat: "iss with a trailing slash", token: () => h.userToken({ claims: { iss: `${h.idp.issuer}/` } }), code: "token_issuer_unknown" },
    { threat: "iss in another case", token: () => h.userToken({ claims: { iss: h.idp.issuer.toUpperCase() } }), code: "token_issuer_unknown" },
    { threat: "wrong aud", token: () => h.userToken({ claims: { aud: "another-api" } }), code: "token_audience_invalid" },
    { threat: "missing aud", token: () => h.userToken({ claims: { aud: undefined } }), code: "token_audience_invalid" },
    { threat: "the device audience", token: () => h.userToken({ claims: { aud: DEVICE_AUDIENCE } }), code: "token_audience_invalid" },
    { threat: "multi-audience without azp", token: () => h.userToken({ claims: { aud: [USER_AUDIENCE, "another-api"] } }), code: "token_audience_invalid" },
    {
      threat: "multi-audience with azp naming another client",
      token: () => h.userToken({ claims: { aud: [USER_AUDIENCE, "another-api"], azp: "another-api" } }),
      code: "token_audience_invalid",
    },
    { threat: "ID token (typ JWT)", token: () => h.userToken({ header: { typ: "JWT" } }), code: "token_type_invalid" },
    { threat: "no typ", token: () => h.userToken({ header: { typ: undefined } }), code: "token_type_invalid" },
    { threat: "typ as a number", token: () => h.userToken({ header: { typ: 1 } }), code: "token_header_invalid" },
    { threat: "ID token (token_use id) typed at+jwt", token: () => h.userToken({ claims: { token_use: "id" } }), code: "token_use_invalid" },
    { threat: "the device token as the user token", token: () => h.deviceToken("jamf"), code: "token_issuer_unknown" },
    {
      threat: "device-typed token from the user IdP",
      token: () => h.userToken({ header: { typ: "device-posture+jwt" } }),
      code: "token_type_invalid",
    },
    {
      threat: "user-shaped token signed by the MDM key",
      token: () => h.userToken({ key: h.deviceKey }),
      code: "token_alg_not_allowed",
    },
  ]);

  it.each(table)("$threat → 401 $code", async ({ token, code }) => {
    await control();
    await expect401(token(), code);
  });

  it("controls: multi-audience with azp naming us, `application/AT+JWT` typ, and token_use access are accepted", async () => {
    expectAllowed(await decideOnce(h, h.request({ bearerToken: h.userToken({ claims: { aud: [USER_AUDIENCE, "another-api"], azp: USER_AUDIENCE } }) })));
    expectAllowed(await decideOnce(h, h.request({ bearerToken: h.userToken({ header: { typ: "application/AT+JWT" } }) })));
    expectAllowed(await decideOnce(h, h.request({ bearerToken: h.userToken({ claims: { token_use: "access" } }) })));
  });
});

describe("user token: encoding, size and parser differentials", () => {
  const table = rows([
    { threat: "oversized (9 KB, over the 8 KB cap)", token: () => h.userToken({ claims: { pad: "x".repeat(9000) } }), code: "token_too_large" },
    { threat: "oversized with multi-byte characters (bytes, not chars)", token: () => `${"é".repeat(4200)}`, code: "token_too_large" },
    { threat: "JWE (5 parts)", token: () => [b64url('{"alg":"RSA-OAEP","enc":"A256GCM"}'), b64url("k".repeat(32)), b64url("iv"), b64url("ct"), b64url("tag")].join("."), code: "token_malformed", message: /JWE/ },
    { threat: "two parts", token: () => h.userToken().split(".").slice(0, 2).join("."), code: "token_malformed" },
    { threat: "four parts", token: () => `${h.userToken()}.extra`, code: "token_malformed" },
    { threat: "a lone UTF-16 surrogate inside the token", token: () => insertAt(h.userToken(), ".", 1, "\ud800"), code: "token_malformed" },
    { threat: "a non-ASCII letter inside the token", token: () => insertAt(h.userToken(), ".", 1, "\u00e9"), code: "token_malformed" },
    { threat: "leading space", token: () => ` ${h.userToken()}`, code: "token_malformed" },
    { threat: "trailing newline", token: () => `${h.userToken()}\n`, code: "token_malformed" },
    { threat: "space inside the payload", token: () => insertAt(h.userToken(), ".", 1, " "), code: "token_malformed" },
    { threat: "tab inside the signature", token: () => insertAt(h.userToken(), ".", 2, "\t"), code: "token_malformed" },
    { threat: "base64 padding", token: () => padded(h.userToken()), code: "token_malformed" },
    { threat: "standard base64 alphabet (+/)", token: () => standardAlphabet(() => h.userToken()), code: "token_malformed" },
    { message: /UTF-8/, threat: "non-UTF-8 payload (signed)", token: () => h.userToken({ payloadBytes: Buffer.concat([Buffer.from(rawWith(h, '"name":"').slice(0, -1)), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]) }), code: "token_malformed" },
    { threat: "overlong UTF-8 encoding of '/' (signed)", token: () => h.userToken({ payloadBytes: Buffer.concat([Buffer.from(rawWith(h, '"name":"').slice(0, -1)), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]) }), code: "token_malformed" },
    { threat: "non-UTF-8 header", token: () => h.userToken({ headerBytes: Buffer.concat([Buffer.from(`{"alg":"RS256","kid":"${h.userKey.kid}","typ":"at+jwt","x":"`), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from('"}')]) }), code: "token_malformed" },
    { threat: "UTF-8 BOM before the payload JSON (signed)", token: () => h.userToken({ payloadBytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rawWith(h))]) }), code: "token_malformed" },
    { threat: "duplicate sub (signed)", token: () => h.userToken({ rawPayload: rawWith(h, '"sub":"admin"') }), code: "token_malformed", message: /duplicate member name `sub`/ },
    { threat: "duplicate groups, escaped name (signed)", token: () => h.userToken({ rawPayload: rawWith(h, '"gr\\u006fups":["HR"]') }), code: "token_malformed" },
    { threat: "duplicate alg in the header", token: () => h.userToken({ rawHeader: `{"alg":"RS256","kid":"${h.userKey.kid}","typ":"at+jwt","alg":"none"}` }), code: "token_malformed" },
    { threat: "__proto__ in the payload (signed)", token: () => h.userToken({ rawPayload: rawWith(h, '"__proto__":{"groups":["HR"]}') }), code: "token_malformed", message: /forbidden member name `__proto__`/ },
    { threat: "constructor in the payload (signed)", token: () => h.userToken({ rawPayload: rawWith(h, '"constructor":{"prototype":{"admin":true}}') }), code: "token_malformed" },
    { threat: "nested __proto__ (signed)", token: () => h.userToken({ rawPayload: rawWith(h, '"ext":{"a":{"__proto__":{"x":1}}}') }), code: "token_malformed" },
    { threat: "__proto__ in the header", token: () => h.userToken({ rawHeader: `{"alg":"RS256","kid":"${h.userKey.kid}","typ":"at+jwt","__proto__":{"alg":"none"}}` }), code: "token_malformed" },
    { threat: "payload is a JSON array (signed)", token: () => h.userToken({ rawPayload: "[1,2,3]" }), code: "token_malformed" },
    { threat: "payload nested 40 levels (signed)", token: () => h.userToken({ rawPayload: rawWith(h, `"deep":${"[".repeat(40)}${"]".repeat(40)}`) }), code: "token_malformed" },
  ]);

  it.each(table)("$threat → 401 $code", async ({ token, code, message }) => {
    await control();
    const d = await expect401(token(), code);
    if (message) expect(d.decision.errors[0]?.message).toMatch(message);
  });

  it("control: a large but allowed token (7 KB) verifies", async () => {
    const token = h.userToken({ claims: { pad: "x".repeat(5200) } });
    expect(token.length).toBeGreaterThan(7000);
    expect(token.length).toBeLessThan(8192);
    expectAllowed(await decideOnce(h, h.request({ bearerToken: token })));
  });

  it("control: the exact raw JSON used by the differential rows verifies when it has no duplicate", async () => {
    expectAllowed(await decideOnce(h, h.request({ bearerToken: h.userToken({ rawPayload: rawWith(h) }) })));
  });

  it("a 10 MB token is refused by the size cap before any parsing", async () => {
    await control();
    const token = `${"A".repeat(10 * 1024 * 1024)}.${"B".repeat(10)}.${"C".repeat(10)}`;
    await expect401(token, "token_too_large");
  });
});

/** Valid claims as raw JSON text, with `extra` members appended (which may duplicate earlier ones). */
function rawWith(harness: Harness, extra?: string, omit: string[] = []): string {
  const text = JSON.stringify(harness.userClaims(Object.fromEntries(omit.map((k) => [k, undefined]))));
  return extra === undefined ? text : `${text.slice(0, -1)},${extra}}`;
}

function insertAt(token: string, sep: string, part: number, what: string): string {
  const parts = token.split(sep);
  const p = parts[part]!;
  parts[part] = `${p.slice(0, 5)}${what}${p.slice(5)}`;
  return parts.join(sep);
}

function padded(token: string): string {
  const [h0, p, s] = token.split(".") as [string, string, string];
  const pad = (x: string) => x + "=".repeat((4 - (x.length % 4)) % 4 || 4);
  return `${pad(h0)}.${p}.${s}`;
}

/** The token in the standard base64 alphabet (`+/`), which base64url forbids (and Node's decoder accepts). */
function standardAlphabet(mint: () => string): string {
  for (let i = 0; i < 50; i++) {
    const token = mint();
    if (/[-_]/.test(token)) return token.replace(/_/g, "/").replace(/-/g, "+");
  }
  throw new Error("no token with a `-` or `_` in 50 tries");
}
