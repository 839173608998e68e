import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jwksSchema, jwtTrustSchema, limitsSchema } from "../../src/config/schema.js";
import { generateEphemeralKeys, signJws } from "../../src/cli/harness/keys.js";
import { createMultiIssuerJwtVerifier } from "../../src/identity/jwt-verifier.js";
import { PROJECT, runCli, tempProject } from "./helpers.js";

describe("scenario tokens", () => {
  it.each(["RS256", "RS384", "ES256", "ES384", "ES512", "EdDSA"])("are real %s JWS that the production verifier accepts", async (alg) => {
    const keys = await generateEphemeralKeys([alg]);
    const key = keys.get(alg)!;
    const trust = jwtTrustSchema.parse({
      issuer: "https://idp.example.invalid",
      jwksUri: "https://idp.example.invalid/jwks.json",
      audiences: ["api"],
      algorithms: [alg],
      types: ["at+jwt"],
    });
    const verifier = createMultiIssuerJwtVerifier([trust], {
      limits: limitsSchema.parse({}),
      jwks: jwksSchema.parse({}),
      allowInsecureLoopbackJwks: false,
      fetchJson: async () => ({ keys: [key.publicJwk] }),
    });
    const now = Math.floor(Date.now() / 1000);
    const token = await signJws(key, { typ: "at+jwt" }, { iss: trust.issuer, aud: "api", sub: "alice", iat: now, exp: now + 60 });
    expect(await verifier.verify(token)).toMatchObject({ ok: true, payload: { sub: "alice" } });
    // A token signed by another run's key does not verify: the keys really are the trust anchor.
    const other = (await generateEphemeralKeys([alg])).get(alg)!;
    const forged = await signJws({ ...other, kid: key.kid }, { typ: "at+jwt" }, { iss: trust.issuer, aud: "api", sub: "alice", iat: now, exp: now + 60 });
    expect(await verifier.verify(forged)).toMatchObject({ ok: false, code: "token_signature_invalid" });
  });

  it("are generated fresh for every run", async () => {
    const [a, b] = await Promise.all([generateEphemeralKeys(["ES256"]), generateEphemeralKeys(["ES256"])]);
    expect(a.get("ES256")?.kid).not.toBe(b.get("ES256")?.kid);
    expect(a.get("ES256")?.publicJwk.x).not.toBe(b.get("ES256")?.publicJwk.x);
  });

  it("never need the configured key endpoints: a config with unreachable https JWKS URIs runs the suite", async () => {
    const config = readFileSync(join(PROJECT, "config/pdp.yaml"), "utf8")
      .replaceAll("http://127.0.0.1:8471", "https://keys.example.invalid")
      .replace("issuer: http://127.0.0.1:3000", "issuer: https://tp.example.invalid") // the trust provider's own URL
      .replace("allowInsecureLoopbackJwks: true", "allowInsecureLoopbackJwks: false");
    const dir = tempProject({ "config/pdp.yaml": config }, { withReferenceScenarios: true });
    const r = await runCli(["test"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
