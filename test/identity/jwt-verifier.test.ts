import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IdentityConfigError } from "../../src/identity/errors.js";
import { createMultiIssuerJwtVerifier, type MultiIssuerJwtVerifier } from "../../src/identity/jwt-verifier.js";
import { TEST_AUDIENCE, testJwksConfig, testLimits, trustFor } from "../support/config.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { generateTestKey, jwksOf, type TestKey } from "../support/keys.js";
import { epochSeconds, signJwt, tamperPayload, type SignJwtOptions } from "../support/jwt.js";

/**
 * The generic JWT gate against a real JWKS over loopback HTTP, one test per attack in threats.md
 * "The user's token" that belongs to this layer. Every refusal asserts the exact reason code.
 */

let idp: JwksServer;
let attacker: JwksServer;
let rsa: TestKey; // publishes alg
let rsaNoAlg: TestKey; // JWK without alg, like many IdPs
let ec: TestKey;
let ed: TestKey;
let rsaSmall: TestKey;
let outsider: TestKey; // never published
let verifier: MultiIssuerJwtVerifier;

beforeAll(async () => {
  rsa = generateTestKey("RS256");
  rsaNoAlg = generateTestKey("RS256", { withAlg: false });
  ec = generateTestKey("ES256", { withAlg: false });
  ed = generateTestKey("EdDSA");
  rsaSmall = generateTestKey("RS256", { modulusLength: 1024, withAlg: false });
  outsider = generateTestKey("RS256");
  idp = await startJwksServer({ jwks: jwksOf(rsa, rsaNoAlg, ec, ed, rsaSmall) });
  attacker = await startJwksServer({ jwks: jwksOf(outsider) });
  verifier = createMultiIssuerJwtVerifier([trustFor(idp, { algorithms: ["RS256", "RS512", "ES256", "EdDSA"] })], {
    limits: testLimits(),
    jwks: testJwksConfig(),
    allowInsecureLoopbackJwks: true,
  });
});

afterAll(async () => {
  await idp.close();
  await attacker.close();
});

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = epochSeconds();
  return { iss: idp.issuer, aud: TEST_AUDIENCE, sub: "alice", iat: now, exp: now + 600, ...overrides };
}

function token(opts: Partial<SignJwtOptions> & { claims?: Record<string, unknown> } = {}): string {
  return signJwt({ key: rsa, payload: opts.claims ?? claims(), ...opts, header: { typ: "JWT", ...opts.header } });
}

async function codeOf(jwt: string): Promise<string> {
  const r = await verifier.verify(jwt);
  return r.ok ? "ok" : r.code;
}

describe("valid tokens", () => {
  it.each([
    ["RS256 (JWK with alg)", () => rsa],
    ["RS256 (JWK without alg)", () => rsaNoAlg],
    ["ES256", () => ec],
    ["EdDSA (Ed25519)", () => ed],
  ])("verifies %s", async (_name, key) => {
    const jwt = token({ key: key() });
    const r = await verifier.verify(jwt);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.payload.sub).toBe("alice");
    expect(r.trust.issuer).toBe(idp.issuer);
    expect(r.fingerprint).toBe(createHash("sha256").update(jwt).digest("hex"));
  });

  it("accepts `typ` case-insensitively, with or without `application/`", async () => {
    expect(await codeOf(token({ header: { typ: "jwt" } }))).toBe("ok");
    expect(await codeOf(token({ header: { typ: "application/JWT" } }))).toBe("ok");
  });

  it("accepts an expiry within the clock skew", async () => {
    expect(await codeOf(token({ claims: claims({ iat: epochSeconds() - 600, exp: epochSeconds() - 30 }) }))).toBe("ok");
  });

  it("accepts several audiences with a matching azp", async () => {
    expect(await codeOf(token({ claims: claims({ aud: ["other", TEST_AUDIENCE], azp: TEST_AUDIENCE }) }))).toBe("ok");
    expect(await codeOf(token({ claims: claims({ aud: [TEST_AUDIENCE] }) }))).toBe("ok");
  });
});

describe("algorithm attacks", () => {
  it("refuses alg none, signed or not", async () => {
    expect(await codeOf(token({ header: { alg: "none" }, signature: "empty" }))).toBe("token_alg_not_allowed");
    expect(await codeOf(token({ header: { alg: "none", kid: undefined }, signature: "empty" }))).toBe("token_alg_not_allowed");
    expect(await codeOf(token({ header: { alg: "none" } }).replace(/\.[^.]*$/, ".c2ln"))).toBe("token_alg_not_allowed");
    expect(await codeOf(token({ header: { alg: "None" }, signature: "empty" }))).toBe("token_alg_not_allowed");
  });

  it("refuses an HMAC token signed with the public key (RS/HS confusion)", async () => {
    const pem = rsa.publicKey.export({ type: "spki", format: "pem" });
    expect(await codeOf(token({ header: { alg: "HS256" }, hmacSecret: pem }))).toBe("token_alg_not_allowed");
    const der = rsa.publicKey.export({ type: "spki", format: "der" });
    expect(await codeOf(token({ header: { alg: "HS512" }, hmacSecret: der }))).toBe("token_alg_not_allowed");
  });

  it("refuses an algorithm the issuer does not allow", async () => {
    expect(await codeOf(token({ header: { alg: "RS384" } }))).toBe("token_alg_not_allowed");
  });

  it("refuses a header alg that does not match the key", async () => {
    // ES256 header pointing at an RSA key without `alg`: the key type decides
    expect(await codeOf(token({ key: rsaNoAlg, header: { alg: "ES256" }, signAs: "RS256" }))).toBe("token_alg_not_allowed");
    // RS256 header pointing at the EC key
    expect(await codeOf(token({ key: ec, header: { alg: "RS256" }, signAs: "ES256" }))).toBe("token_alg_not_allowed");
    // RS512 header, key published for RS256
    expect(await codeOf(token({ key: rsa, header: { alg: "RS512" } }))).toBe("token_alg_not_allowed");
  });

  it("refuses a key shorter than 2048 bits", async () => {
    expect(await codeOf(token({ key: rsaSmall }))).toBe("token_alg_not_allowed");
  });

  it("refuses an all-zero ECDSA signature", async () => {
    expect(await codeOf(token({ key: ec, signature: "zero" }))).toBe("token_signature_invalid");
  });

  it("refuses an empty, truncated or garbage signature", async () => {
    expect(await codeOf(token({ signature: "empty" }))).toBe("token_signature_invalid");
    expect(await codeOf(token({ key: ec, signature: Buffer.alloc(10, 1) }))).toBe("token_signature_invalid");
    expect(await codeOf(token({ signature: Buffer.alloc(256, 7) }))).toBe("token_signature_invalid");
  });

  it("refuses a tampered payload", async () => {
    const jwt = tamperPayload(token(), (p) => {
      p.sub = "admin";
    });
    expect(await codeOf(jwt)).toBe("token_signature_invalid");
  });

  it("refuses a token signed by another key under a published kid", async () => {
    expect(await codeOf(token({ signingKey: outsider.privateKey }))).toBe("token_signature_invalid");
  });
});

describe("kid", () => {
  it("refuses a missing, non-string or oversized kid", async () => {
    expect(await codeOf(token({ header: { kid: undefined } }))).toBe("token_header_invalid");
    expect(await codeOf(token({ header: { kid: 7 } }))).toBe("token_header_invalid");
    expect(await codeOf(token({ header: { kid: "" } }))).toBe("token_header_invalid");
    expect(await codeOf(token({ header: { kid: "k".repeat(129) } }))).toBe("token_header_invalid");
  });

  it("refuses an unknown kid", async () => {
    expect(await codeOf(token({ header: { kid: "no-such-key" } }))).toBe("token_kid_unknown");
  });

  it.each([
    ["newline", "abc\ninjected: yes", "token_header_invalid"],
    ["carriage return", "abc\r\n", "token_header_invalid"],
    ["NUL", "abc\u0000", "token_header_invalid"],
    ["quotes", `abc" OR "1"="1`, "token_kid_unknown"],
    ["path", "../../../../etc/passwd", "token_kid_unknown"],
    ["backslashes", "..\\..\\key", "token_kid_unknown"],
  ])("reports a kid with %s raw (the audit layer escapes it)", async (_name, kid, code) => {
    const r = await verifier.verify(token({ header: { kid } }));
    expect(r).toMatchObject({ ok: false, code, kid, issuer: idp.issuer });
  });
});

describe("header parameters", () => {
  it("never fetches jku / x5u and never uses an embedded jwk / x5c", async () => {
    attacker.resetCounts();
    const hostile = {
      jku: attacker.jwksUri,
      x5u: `${attacker.origin}/cert.pem`,
      jwk: outsider.publicJwk,
      x5c: ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"],
    };
    // A genuine token with these headers verifies with the configured keys, as if they were absent...
    expect(await codeOf(token({ header: hostile }))).toBe("ok");
    // ...and a token signed by the key they point at does not.
    expect(await codeOf(token({ key: outsider, header: hostile }))).toBe("token_kid_unknown");
    expect(await codeOf(token({ header: hostile, signingKey: outsider.privateKey }))).toBe("token_signature_invalid");
    expect(attacker.requests()).toBe(0);
  });

  it("refuses crit, whatever it lists", async () => {
    expect(await codeOf(token({ header: { crit: ["exp"], exp: 1 } }))).toBe("token_crit_unsupported");
    expect(await codeOf(token({ header: { crit: [] } }))).toBe("token_crit_unsupported");
    expect(await codeOf(token({ header: { crit: ["b64"], b64: false } }))).toBe("token_crit_unsupported");
  });

  it("refuses a missing or foreign typ", async () => {
    expect(await codeOf(token({ header: { typ: undefined } }))).toBe("token_type_invalid");
    expect(await codeOf(token({ header: { typ: "at+jwt" } }))).toBe("token_type_invalid");
    expect(await codeOf(token({ header: { typ: "device+jwt" } }))).toBe("token_type_invalid");
    expect(await codeOf(token({ header: { typ: 1 } }))).toBe("token_header_invalid");
  });

  it("refuses nested tokens", async () => {
    expect(await codeOf(token({ header: { cty: "JWT" } }))).toBe("token_header_invalid");
  });
});

describe("issuer", () => {
  it.each([
    ["missing", { iss: undefined }, "token_issuer_unknown"],
    ["unconfigured", { iss: "https://evil.example" }, "token_issuer_unknown"],
    ["almost right (trailing slash)", { iss: "ISSUER/" }, "token_issuer_unknown"],
    ["different case", { iss: "ISSUER_UPPER" }, "token_issuer_unknown"],
    ["not a string", { iss: 42 }, "token_claims_invalid"],
    ["an array", { iss: ["ISSUER"] }, "token_claims_invalid"],
  ])("refuses an iss that is %s", async (_name, override, code) => {
    const fixed = Object.fromEntries(
      Object.entries(override).map(([k, v]) => [
        k,
        v === "ISSUER/" ? `${idp.issuer}/` : v === "ISSUER_UPPER" ? idp.issuer.toUpperCase() : Array.isArray(v) ? [idp.issuer] : v,
      ]),
    );
    expect(await codeOf(token({ claims: claims(fixed) }))).toBe(code);
  });
});

describe("time", () => {
  const now = (): number => epochSeconds();
  it.each([
    ["exp missing", () => ({ exp: undefined }), "token_exp_missing"],
    ["exp as a string", () => ({ exp: String(now() + 600) }), "token_claims_invalid"],
    ["exp null", () => ({ exp: null }), "token_claims_invalid"],
    ["expired beyond the skew", () => ({ iat: now() - 700, exp: now() - 61 }), "token_expired"],
    ["nbf in the future", () => ({ nbf: now() + 120 }), "token_not_yet_valid"],
    ["nbf as a string", () => ({ nbf: "0" }), "token_claims_invalid"],
    ["iat in the future", () => ({ iat: now() + 120, exp: now() + 700 }), "token_not_yet_valid"],
    ["iat as a string", () => ({ iat: String(now()) }), "token_claims_invalid"],
    ["absurd lifetime", () => ({ iat: now(), exp: now() + 86400 * 365 }), "token_lifetime_exceeded"],
    ["absurd lifetime without iat", () => ({ iat: undefined, exp: now() + 86400 * 2 }), "token_lifetime_exceeded"],
    ["exp far beyond any date", () => ({ exp: 1e300 }), "token_lifetime_exceeded"],
  ])("refuses %s", async (_name, override, code) => {
    expect(await codeOf(token({ claims: claims(override()) }))).toBe(code);
  });

  it("accepts nbf and iat within the skew", async () => {
    expect(await codeOf(token({ claims: claims({ nbf: now() + 30, iat: now() + 30 }) }))).toBe("ok");
  });
});

describe("claims of the wrong type and audience", () => {
  it.each([
    ["sub as a number", { sub: 42 }, "token_claims_invalid"],
    ["jti as an object", { jti: { a: 1 } }, "token_claims_invalid"],
    ["scope as an array", { scope: ["a"] }, "token_claims_invalid"],
    ["aud as a number", { aud: 1 }, "token_claims_invalid"],
    ["aud with a non-string", { aud: [TEST_AUDIENCE, 1] }, "token_claims_invalid"],
    ["aud missing", { aud: undefined }, "token_audience_invalid"],
    ["aud empty", { aud: [] }, "token_audience_invalid"],
    ["aud wrong", { aud: "api://other" }, "token_audience_invalid"],
    ["several audiences without azp", { aud: [TEST_AUDIENCE, "api://other"] }, "token_audience_invalid"],
    ["several audiences, azp another party", { aud: [TEST_AUDIENCE, "api://other"], azp: "api://other" }, "token_audience_invalid"],
    ["azp as a number", { aud: [TEST_AUDIENCE, "x"], azp: 3 }, "token_claims_invalid"],
  ])("refuses %s", async (_name, override, code) => {
    expect(await codeOf(token({ claims: claims(override) }))).toBe(code);
  });
});

describe("encoding", () => {
  it("refuses an oversized token before parsing or fetching", async () => {
    idp.resetCounts();
    const big = token({ claims: claims({ pad: "x".repeat(9000) }) });
    const r = await verifier.verify(big);
    expect(r).toMatchObject({ ok: false, code: "token_too_large" });
    expect(r).not.toHaveProperty("kid"); // nothing was parsed
    expect(idp.requests()).toBe(0);
  });

  it("refuses a signed token with duplicate claims or a __proto__ claim", async () => {
    const now = epochSeconds();
    const base = `"iss":"${idp.issuer}","aud":"${TEST_AUDIENCE}","iat":${now},"exp":${now + 600}`;
    expect(await codeOf(token({ rawPayload: `{${base},"sub":"alice","sub":"admin"}` }))).toBe("token_malformed");
    expect(await codeOf(token({ rawPayload: `{${base},"sub":"alice","__proto__":{"admin":true}}` }))).toBe("token_malformed");
    expect(await codeOf(token({ rawHeader: `{"alg":"RS256","kid":"${rsa.kid}","typ":"JWT","typ":"at+jwt"}` }))).toBe("token_malformed");
  });

  it("refuses JWE, whitespace and non-UTF-8", async () => {
    const jwt = token();
    expect(await codeOf(`${jwt}.AAAA.BBBB`)).toBe("token_malformed");
    expect(await codeOf(`${jwt} `)).toBe("token_malformed");
    expect(await codeOf(token({ payloadBytes: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) }))).toBe("token_malformed");
  });

  it("never returns the token itself", async () => {
    const jwt = token({ claims: claims({ exp: undefined }) });
    const r = await verifier.verify(jwt);
    expect(JSON.stringify(r)).not.toContain(jwt.split(".")[1]);
  });
});

describe("configuration", () => {
  const base = { limits: testLimits(), jwks: testJwksConfig() };
  // Built without the zod schema, so the verifier's own start-up checks are what is tested.
  const make = (jwksUri: string, allow: boolean, extra: Record<string, unknown> = {}) => () =>
    createMultiIssuerJwtVerifier([{ ...trustFor({ issuer: "https://idp.example", jwksUri: "https://x.example" }, extra), jwksUri }], {
      ...base,
      allowInsecureLoopbackJwks: allow,
    });

  it("accepts https, and http to loopback only when allowed", () => {
    expect(make("https://idp.example/jwks", false)).not.toThrow();
    for (const uri of ["http://127.0.0.1:9/jwks", "http://127.1.2.3/jwks", "http://localhost:9/jwks", "http://[::1]:9/jwks", "http://127.1/jwks"]) {
      expect(make(uri, true), uri).not.toThrow();
    }
  });

  it.each([
    ["http to loopback without the development flag", "http://127.0.0.1:9/jwks", false],
    ["http to a public host", "http://idp.example/jwks", true],
    ["http to a host that merely starts with 127", "http://127.0.0.1.evil.example/jwks", true],
    ["http to localhost-looking names", "http://localhost.evil.example/jwks", true],
    ["http to a private address", "http://10.0.0.1/jwks", true],
    ["a non-http scheme", "file:///etc/jwks.json", true],
    ["credentials in the URI", "https://user:pw@idp.example/jwks", true],
  ])("refuses %s at construction", (_name, uri, allow) => {
    expect(make(uri, allow)).toThrow(IdentityConfigError);
  });

  it("refuses algorithms aws-jwt-verify cannot check (PS*) and duplicate issuers", () => {
    expect(make("https://idp.example/jwks", false, { algorithms: ["RS256", "PS256"] })).toThrow(/PS256/);
    const t = trustFor({ issuer: "https://idp.example", jwksUri: "https://idp.example/jwks" });
    expect(() => createMultiIssuerJwtVerifier([t, { ...t }], { ...base, allowInsecureLoopbackJwks: false })).toThrow(IdentityConfigError);
    expect(() => createMultiIssuerJwtVerifier([], { ...base, allowInsecureLoopbackJwks: false })).toThrow(IdentityConfigError);
  });
});
