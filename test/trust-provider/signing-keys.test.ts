import { generateKeyPairSync } from "node:crypto";
import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { TrustProviderConfigError } from "../../src/trust-provider/errors.js";
import { signingKeysFromJwks } from "../../src/trust-provider/signing-keys.js";
import { signingJwks } from "../support/trust-provider.js";

const text = (doc: unknown) => JSON.stringify(doc);
const ecKey = (curve: string, kid: string, alg: string) => ({ ...generateKeyPairSync("ec", { namedCurve: curve }).privateKey.export({ format: "jwk" }), kid, alg });

describe("ID-token signing keys", () => {
  it("signs with the first key and publishes all of them, public parts only (rotation without downtime)", async () => {
    const doc = signingJwks(2, "rot");
    const keys = signingKeysFromJwks(text(doc), "test");
    expect(keys.activeKid).toBe("rot-1");
    expect(keys.jwks.keys.map((k) => k.kid)).toEqual(["rot-1", "rot-2"]);
    for (const k of keys.jwks.keys) expect(Object.keys(k).filter((n) => ["d", "p", "q", "dp", "dq", "qi"].includes(n))).toEqual([]);
    const token = await keys.sign({ iss: "https://tp.example.com", sub: "alice", aud: "ava", exp: Math.floor(Date.now() / 1000) + 60 });
    const { protectedHeader } = await jwtVerify(token, createLocalJWKSet(keys.jwks), { issuer: "https://tp.example.com", audience: "ava" });
    expect(protectedHeader).toMatchObject({ alg: "RS256", kid: "rot-1", typ: "JWT" });
    // After step 2 of a rotation (the new key moved first), tokens signed by the old key still verify.
    const rotated = signingKeysFromJwks(text({ keys: [doc.keys[1], doc.keys[0]] }), "test");
    expect(rotated.activeKid).toBe("rot-2");
    await expect(jwtVerify(token, createLocalJWKSet(rotated.jwks))).resolves.toBeDefined();
  });

  it("accepts ES256 on P-256", async () => {
    const keys = signingKeysFromJwks(text({ keys: [ecKey("P-256", "ec1", "ES256")] }), "test");
    expect(keys.activeAlg).toBe("ES256");
  });

  it.each([
    ["nothing", undefined, /no signing keys/],
    ["not JSON", "{", /not JSON/],
    ["no keys", text({ keys: [] }), /at least one key/],
    ["a public key only", text({ keys: [{ ...signingJwks().keys[0], d: undefined }] }), /not a private key/],
    ["a duplicate kid", text({ keys: [signingJwks(1, "a").keys[0], signingJwks(1, "a").keys[0]] }), /used twice/],
    ["HS256", text({ keys: [{ kty: "oct", k: "c2VjcmV0", kid: "h", alg: "HS256" }] }), /`alg` must be one of/],
    ["a 1024-bit RSA key", text({ keys: [{ ...generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "jwk" }), kid: "small", alg: "RS256" }] }), /at least 2048/],
    ["ES256 on the wrong curve", text({ keys: [ecKey("P-384", "ec", "ES256")] }), /P-256/],
    ["RS256 with an EC key", text({ keys: [{ ...ecKey("P-256", "ec", "RS256") }] }), /needs an RSA key/],
    ["a kid with a slash", text({ keys: [{ ...signingJwks().keys[0], kid: "../x" }] }), /`kid`/],
  ])("refuses %s, naming the source", (_name, value, message) => {
    expect(() => signingKeysFromJwks(value, "environment variable X")).toThrow(TrustProviderConfigError);
    expect(() => signingKeysFromJwks(value, "environment variable X")).toThrow(message);
    expect(() => signingKeysFromJwks(value, "environment variable X")).toThrow(/environment variable X/);
  });
});
