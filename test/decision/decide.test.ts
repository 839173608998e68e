import { describe, expect, it } from "vitest";
import { AUDIT_SCHEMA } from "../../src/audit/record.js";
import { alice, FakeEngine, pipeline, request } from "./fakes.js";

describe("decide: default deny, one audit record per outcome", () => {
  it("allows only a verified allow with no errors, and records it", async () => {
    const { pdp, audit } = pipeline({});
    const d = await pdp.decide(request());
    expect(d).toMatchObject({ outcome: "allow", effect: "allow", determiningPolicies: ["p1"], errors: [], policyRevision: "sha256:test" });
    expect(audit.records).toHaveLength(1);
    expect(audit.last()).toMatchObject({
      schema: AUDIT_SCHEMA,
      decisionId: "decision-1",
      requestId: "req-1",
      outcome: "allow",
      principal: { type: "User", id: "alice" },
      groups: ["Employees"],
      identity: { issuer: "idp", tokenFingerprint: "f".repeat(64), jti: "jti-1", mfa: true },
      resource: { type: "Route", id: "/wiki/{page}", application: "wiki", classification: "internal" },
      policyRevision: "sha256:test",
    });
  });

  it("is unauthenticated when identity fails, records the failure, and never asks the engine", async () => {
    const engine = new FakeEngine({ type: "success", decision: "allow", determiningPolicies: [], errors: [] });
    const { pdp, audit } = pipeline({
      identity: { ok: false, code: "token_expired", message: "token expired", tokenFingerprint: "ab", kid: "k\n1" },
      engine,
    });
    const d = await pdp.decide(request());
    expect(d).toMatchObject({ outcome: "unauthenticated", effect: "deny", errors: [{ code: "token_expired" }] });
    expect(engine.queries).toHaveLength(0);
    expect(audit.records).toHaveLength(1);
    expect(audit.last()).toMatchObject({ outcome: "unauthenticated", principal: null, identity: { tokenFingerprint: "ab", kid: "k\\u{000a}1" } });
  });

  it("is an error (5xx-class, never an allow) when signing keys are unavailable", async () => {
    const { pdp, audit } = pipeline({ identity: { ok: false, code: "jwks_unavailable", message: "jwks down" } });
    expect(await pdp.decide(request())).toMatchObject({ outcome: "error", effect: "deny" });
    expect(audit.last()?.outcome).toBe("error");
  });

  it("denies an unknown route without asking the engine", async () => {
    const { pdp, audit, engine } = pipeline({});
    const d = await pdp.decide(request({ routeTemplate: "/admin/{x}" }));
    expect(d).toMatchObject({ outcome: "deny", errors: [{ code: "route_unknown" }] });
    expect((engine as FakeEngine).queries).toHaveLength(0);
    expect(audit.last()).toMatchObject({ outcome: "deny", resource: null, principal: { id: "alice" } });
  });

  it("denies a method outside the action model (override headers never reach the core)", async () => {
    const { pdp } = pipeline({});
    expect(await pdp.decide(request({ method: "TRACE" }))).toMatchObject({ outcome: "deny", errors: [{ code: "method_unknown" }] });
    expect(await pdp.decide(request({ method: "get" }))).toMatchObject({ outcome: "deny", errors: [{ code: "method_unknown" }] });
  });

  it("denies when the engine cannot evaluate", async () => {
    const engine = new FakeEngine({ type: "failure", errors: [{ message: "schema mismatch" }] });
    const { pdp, audit } = pipeline({ engine });
    expect(await pdp.decide(request())).toMatchObject({ outcome: "deny", errors: [{ code: "engine_failure", message: "schema mismatch" }] });
    expect(audit.records).toHaveLength(1);
  });

  it("denies when the engine throws", async () => {
    const engine = new FakeEngine(() => {
      throw new Error("wasm trap");
    });
    const { pdp, audit } = pipeline({ engine });
    expect(await pdp.decide(request())).toMatchObject({ outcome: "deny", errors: [{ code: "engine_failure", message: "Error: wasm trap" }] });
    expect(audit.records).toHaveLength(1);
  });

  it("denies an allow that came with a per-policy evaluation error (an erroring forbid must not fail open)", async () => {
    const engine = new FakeEngine({
      type: "success",
      decision: "allow",
      determiningPolicies: ["permit-1"],
      errors: [{ policyId: "forbid-1", message: "attribute `x` not found" }],
    });
    const { pdp, audit } = pipeline({ engine });
    const d = await pdp.decide(request());
    expect(d).toMatchObject({ outcome: "deny", effect: "deny", errors: [{ code: "policy_evaluation_error", policyId: "forbid-1" }] });
    expect(audit.last()?.errors).toEqual([{ code: "policy_evaluation_error", policyId: "forbid-1", message: "attribute `x` not found" }]);
  });

  it("records the determining forbid of a policy deny", async () => {
    const engine = new FakeEngine({ type: "success", decision: "deny", determiningPolicies: ["perimeter"], errors: [] });
    const { pdp } = pipeline({ engine });
    expect(await pdp.decide(request())).toMatchObject({
      outcome: "deny",
      determiningPolicies: ["perimeter"],
      errors: [{ code: "policy_denied", message: "forbidden by policy" }],
    });
  });

  it("turns an unexpected exception into an error outcome, still audited", async () => {
    const { pdp, audit } = pipeline({ identity: async () => { throw new TypeError("boom"); } });
    expect(await pdp.decide(request())).toMatchObject({ outcome: "error", errors: [{ code: "internal_error" }] });
    expect(audit.records).toHaveLength(1);
  });

  it("never puts the raw bearer or device token in the audit record", async () => {
    const { pdp, audit } = pipeline({});
    await pdp.decide(request({ bearerToken: "eyJSECRET.eyJSECRET.sig", deviceToken: "eyJDEVICE.x.y" }));
    const text = JSON.stringify(audit.records);
    expect(text).not.toContain("eyJSECRET");
    expect(text).not.toContain("eyJDEVICE");
  });

  it("audits the device summary and why a device token was not trusted", async () => {
    const { pdp, audit } = pipeline({});
    await pdp.decide(request());
    expect(audit.last()?.device).toMatchObject({ verified: false, provider: "none", patched: false, untrustedReason: "device_token_missing" });
  });

  it("passes the service principal through for machine callers", async () => {
    const svc = alice({ kind: "service", principal: { type: "Service", id: "order-service" }, groups: [] });
    const { pdp, engine } = pipeline({ identity: { ok: true, identity: svc } });
    await pdp.decide(request());
    expect((engine as FakeEngine).queries[0]?.principal).toEqual({ type: "Service", id: "order-service" });
  });
});
