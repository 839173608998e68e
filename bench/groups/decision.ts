import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { policySetTextToParts, preparsePolicySet, preparseSchema, statefulIsAuthorized } from "@cedar-policy/cedar-wasm/nodejs";
import type { AuthorizationQuery } from "../../src/policy/engine.js";
import { lambdaContext, REPO, startFixture, type Fixture } from "../fixture.js";
import { expectAllow, loadHandler } from "./handler.js";
import { measure, type Measurement } from "../measure.js";

/**
 * decision.full (the built REST authorizer handler, in process, on a real REQUEST event) and the floor
 * (the same two signatures with node:crypto plus one statefulIsAuthorized of the whole set), in one process.
 */

export async function decisionGroup(iterations: number): Promise<Measurement[]> {
  const fixture = await startFixture();
  const handler = await loadHandler(fixture);
  const userToken = fixture.userToken();
  const deviceToken = fixture.deviceToken();
  const event = fixture.event(userToken, deviceToken);
  await expectAllow(handler, event);
  const out: Measurement[] = [];

  out.push(await measure("decision.full", () => handler(event, lambdaContext), { yieldBetween: true, warmup: 5_000, iterations, note: "same tokens (verified-token cache hit)" }));

  // Fresh tokens: every call verifies two new signatures (the verified-token cache never hits).
  const fresh = Array.from({ length: 3_000 }, (_, i) => fixture.event(fixture.userToken({ sub: `u${i}` }), fixture.deviceToken(`u${i}`)));
  await expectAllow(handler, fresh[0]);
  out.push(await measure("decision.full.fresh-tokens", (i) => handler(fresh[i % fresh.length], lambdaContext), { yieldBetween: true, warmup: 0, iterations: fresh.length - 1, note: "new user and device token per call" }));

  out.push(await measure("floor", floor(fixture, userToken, deviceToken), { warmup: 2_000, iterations: Math.min(iterations, 10_000), note: "2 x node:crypto verify + statefulIsAuthorized(whole set, schema)" }));
  await fixture.close();
  return out;
}

/** The naive minimum: verify both signatures with cached KeyObjects, then one validated Cedar call on the whole set. */
function floor(fixture: Fixture, userToken: string, deviceToken: string): () => unknown {
  const userKey = createPublicKey({ key: fixture.user.publicJwk as never, format: "jwk" });
  const deviceKey = createPublicKey({ key: fixture.device.publicJwk as never, format: "jwk" });
  const split = (t: string) => {
    const at = t.lastIndexOf(".");
    return { input: Buffer.from(t.slice(0, at)), sig: Buffer.from(t.slice(at + 1), "base64url") };
  };
  const u = split(userToken);
  const d = split(deviceToken);
  const dir = join(REPO, "policies");
  const staticPolicies: Record<string, string> = {};
  for (const f of ["data-perimeter.cedar", "hr.cedar", "payments.cedar", "status.cedar", "wiki.cedar"]) {
    const parts = policySetTextToParts(readFileSync(join(dir, f), "utf8"));
    if (parts.type === "success") parts.policies.forEach((p, i) => (staticPolicies[`${f}#${i}`] = p));
  }
  preparsePolicySet("floor", { staticPolicies });
  preparseSchema("floor", readFileSync(join(dir, "schema.cedarschema"), "utf8"));
  const call = { ...WIKI_QUERY, preparsedPolicySetId: "floor", preparsedSchemaName: "floor", validateRequest: true } as Parameters<typeof statefulIsAuthorized>[0];
  const check = statefulIsAuthorized(call);
  if (check.type !== "success" || check.response.decision !== "allow") throw new Error(`floor query not allowed: ${JSON.stringify(check)}`);
  return () => {
    if (!verify("sha256", u.input, userKey, u.sig)) throw new Error("user signature");
    if (!verify("sha256", d.input, { key: deviceKey, dsaEncoding: "ieee-p1363" }, d.sig)) throw new Error("device signature");
    return statefulIsAuthorized(call);
  };
}

/** The Cedar request the pipeline builds for the benchmark event (src/decision/query.ts shape). */
export const WIKI_QUERY: AuthorizationQuery = {
  principal: { type: "User", id: "alice" },
  action: { type: "Action", id: "GET" },
  resource: { type: "Route", id: "/wiki/{page}" },
  context: {
    identity: { issuer: "bench-idp", tokenUse: "access", mfa: true, amr: ["pwd", "mfa"], tokenAgeSeconds: 1 },
    device: {
      verified: true, provider: "jamf", managed: true, compliant: true,
      os: { family: "macos", version: "15.7.1", major: 15, minor: 7, patch: 1, patched: true },
      diskEncrypted: false, edrScore: 0, riskLevel: "low", observedAt: 1_767_000_000, ageSeconds: 1,
    },
    network: { sourceIp: { __extn: { fn: "ip", arg: "10.20.30.40" } }, sourceIpKnown: true, vpceId: "", host: "api.example.com", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 15_7_1) bench" },
    request: { method: "GET", route: "/wiki/{page}" },
  },
  entities: [
    { uid: { type: "User", id: "alice" }, attrs: {}, parents: [{ type: "Group", id: "Employees" }] },
    { uid: { type: "Group", id: "Employees" }, attrs: {}, parents: [] },
    { uid: { type: "Route", id: "/wiki/{page}" }, attrs: { classification: "internal", application: "wiki" }, parents: [{ type: "Application", id: "wiki" }] },
    { uid: { type: "Application", id: "wiki" }, attrs: {}, parents: [] },
  ],
};
