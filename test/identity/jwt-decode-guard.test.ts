import { describe, expect, it } from "vitest";
import { decodeJwtStrict, isCanonicalBase64url } from "../../src/identity/jwt-decode-guard.js";
import { b64url } from "../support/jwt.js";

const seg = (json: string | Buffer): string => b64url(json);
const token = (header: string | Buffer, payload: string | Buffer, sig = "c2ln"): string => `${seg(header)}.${seg(payload)}.${sig}`;
const good = token('{"alg":"RS256","kid":"k"}', '{"sub":"alice"}');

describe("decodeJwtStrict", () => {
  it("decodes a well-formed token", () => {
    expect(decodeJwtStrict(good, 8192)).toEqual({ ok: true, header: { alg: "RS256", kid: "k" }, payload: { sub: "alice" }, signature: "c2ln" });
    // an empty signature (unsecured JWT) decodes; the verifier refuses it after naming the algorithm
    expect(decodeJwtStrict(good.replace(/c2ln$/, ""), 8192)).toMatchObject({ ok: true, signature: "" });
  });

  it("caps the size before looking at the content", () => {
    expect(decodeJwtStrict("x".repeat(8193), 8192)).toMatchObject({ ok: false, code: "token_too_large" });
    expect(decodeJwtStrict(`${good}${"A".repeat(8192)}`, 8192)).toMatchObject({ ok: false, code: "token_too_large" });
    // counted in bytes: 3000 three-byte characters are 9000 bytes
    expect(decodeJwtStrict("€".repeat(3000), 8192)).toMatchObject({ ok: false, code: "token_too_large" });
    expect(decodeJwtStrict("x".repeat(8192), 8192)).toMatchObject({ ok: false, code: "token_malformed" });
  });

  it.each([
    ["empty", ""],
    ["JWE, five parts", `${good}.AAAA.BBBB`],
    ["two parts", good.split(".").slice(0, 2).join(".")],
    ["four parts", `${good}.x`],
    ["empty header", `.${seg("{}")}.c2ln`],
    ["empty payload", `${seg("{}")}..c2ln`],
    ["leading space", ` ${good}`],
    ["trailing newline", `${good}\n`],
    ["inner space", good.replace(".", ". ")],
    ["tab", good.replace(".", ".\t")],
    ["padding", `${seg('{"alg":"RS256","kid":"k1"}')}=.${seg('{"sub":"a"}')}.c2ln`],
    ["standard base64 alphabet", `${seg('{"alg":"RS256","kid":"k"}')}.${seg('{"a":"~~~>"}')}.c2ln`.replace(/-/g, "+").replace(/_/g, "/")],
    ["non-canonical trailing bits", `${seg('{"alg":"RS256","kid":"k"}')}.${seg('{"sub":"alice"}')}.YR`],
    ["non-ASCII character", good.replace("c2ln", "c2lné")],
  ])("rejects %s", (_name, input) => {
    const r = decodeJwtStrict(input, 8192);
    expect(r).toMatchObject({ ok: false, code: "token_malformed" });
  });

  it.each([
    ["invalid UTF-8 byte", Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
    ["overlong UTF-8 encoding of '/'", Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d])],
    ["lone surrogate (CESU)", Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])],
    ["UTF-8 BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')])],
    ["duplicate claim", Buffer.from('{"sub":"alice","sub":"admin"}')],
    ["__proto__ claim", Buffer.from('{"sub":"alice","__proto__":{"admin":true}}')],
    ["constructor claim", Buffer.from('{"constructor":{"prototype":{}}}')],
    ["array payload", Buffer.from('[{"sub":"alice"}]')],
    ["null payload", Buffer.from("null")],
    ["not JSON", Buffer.from("sub=alice")],
  ])("rejects a payload with %s, and still reports the header", (_name, payload) => {
    const r = decodeJwtStrict(token('{"alg":"RS256","kid":"k\\n1"}', payload), 8192);
    expect(r).toMatchObject({ ok: false, code: "token_malformed", header: { kid: "k\n1" } });
  });

  it("rejects duplicate header parameters", () => {
    const r = decodeJwtStrict(token('{"alg":"RS256","alg":"none","kid":"k"}', "{}"), 8192);
    expect(r).toMatchObject({ ok: false, code: "token_malformed", message: "header: duplicate member name `alg`" });
  });
});

describe("isCanonicalBase64url", () => {
  it("accepts only the canonical unpadded url-safe form", () => {
    expect(isCanonicalBase64url("YQ")).toBe(true);
    expect(isCanonicalBase64url("YR")).toBe(false); // same byte, non-zero spare bits
    expect(isCanonicalBase64url("YQ==")).toBe(false);
    expect(isCanonicalBase64url("Y")).toBe(false);
    expect(isCanonicalBase64url("-_-_")).toBe(true);
    expect(isCanonicalBase64url("+/+/")).toBe(false);
    expect(isCanonicalBase64url("")).toBe(false);
  });
});
