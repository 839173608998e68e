import { describe, expect, it } from "vitest";
import { JwtRejectedError } from "../../src/identity/errors.js";
import { assertJwkFitsAlg } from "../../src/identity/jwk-alg.js";
import { isLoopbackAddress, isLoopbackHost } from "../../src/identity/jwks-uri.js";
import { generateTestKey } from "../support/keys.js";

const rsa = generateTestKey("RS256", { withAlg: false }).publicJwk as Record<string, unknown>;
const p256 = generateTestKey("ES256", { withAlg: false }).publicJwk as Record<string, unknown>;
const p384 = generateTestKey("ES384", { withAlg: false }).publicJwk as Record<string, unknown>;
const p521 = generateTestKey("ES512", { withAlg: false }).publicJwk as Record<string, unknown>;
const ed25519 = generateTestKey("EdDSA", { withAlg: false }).publicJwk as Record<string, unknown>;
const ed448 = generateTestKey("EdDSA", { withAlg: false, curve: "ed448" }).publicJwk as Record<string, unknown>;

const fits = (jwk: Record<string, unknown>, alg: string): boolean => {
  try {
    assertJwkFitsAlg(jwk, alg);
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(JwtRejectedError);
    expect((e as JwtRejectedError).code).toBe("token_alg_not_allowed");
    return false;
  }
};

describe("assertJwkFitsAlg", () => {
  it("binds each algorithm to its key type and curve", () => {
    expect(fits(rsa, "RS256")).toBe(true);
    expect(fits(rsa, "RS512")).toBe(true);
    expect(fits(rsa, "ES256")).toBe(false);
    expect(fits(p256, "ES256")).toBe(true);
    expect(fits(p256, "ES384")).toBe(false);
    expect(fits(p384, "ES256")).toBe(false);
    expect(fits(p384, "ES384")).toBe(true);
    expect(fits(p521, "ES512")).toBe(true);
    expect(fits(p256, "RS256")).toBe(false);
    expect(fits(ed25519, "EdDSA")).toBe(true);
    expect(fits(ed448, "EdDSA")).toBe(true);
    expect(fits(ed25519, "ES256")).toBe(false);
    expect(fits(rsa, "HS256")).toBe(false);
    expect(fits(rsa, "none")).toBe(false);
  });

  it("honours use, key_ops and a published alg", () => {
    expect(fits({ ...rsa, use: "enc" }, "RS256")).toBe(false);
    expect(fits({ ...rsa, key_ops: ["encrypt"] }, "RS256")).toBe(false);
    expect(fits({ ...rsa, key_ops: ["verify"] }, "RS256")).toBe(true);
    expect(fits({ ...rsa, alg: "RS384" }, "RS256")).toBe(false);
  });

  it("refuses RSA keys under 2048 bits, not counting leading zero bytes", () => {
    const n = Buffer.from(rsa.n as string, "base64url");
    const padded = Buffer.concat([Buffer.alloc(8), n.subarray(0, 250)]).toString("base64url");
    expect(fits({ ...rsa, n: padded }, "RS256")).toBe(false);
    expect(fits({ ...rsa, n: undefined }, "RS256")).toBe(false);
  });
});

describe("loopback detection", () => {
  it.each([
    ["localhost", true],
    ["LOCALHOST", true],
    ["127.0.0.1", true],
    ["127.255.255.254", true],
    ["[::1]", true],
    ["128.0.0.1", false],
    ["127.0.0.1.nip.io", false],
    ["localhost.example", false],
    ["[::ffff:7f00:1]", false], // URL keeps the IPv4-mapped form in hex; not accepted (be strict)
    ["0.0.0.0", false],
  ])("host %s → %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it("checks resolved addresses", () => {
    expect(isLoopbackAddress("127.0.0.1")).toBe(true);
    expect(isLoopbackAddress("::1")).toBe(true);
    expect(isLoopbackAddress("::ffff:127.0.0.1")).toBe(true);
    expect(isLoopbackAddress("10.0.0.1")).toBe(false);
    expect(isLoopbackAddress("127.0.0.300")).toBe(false);
  });
});
