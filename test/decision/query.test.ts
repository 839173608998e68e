import { describe, expect, it } from "vitest";
import { buildQuery } from "../../src/decision/query.js";
import { cedarIp, cedarLong } from "../../src/decision/cedar-values.js";
import { LEAST_TRUSTED_POSTURE } from "../../src/posture/types.js";
import { alice, NOW_MS, request } from "./fakes.js";

const resolved = {
  action: { type: "Action" as const, id: "GET" },
  route: { path: "/wiki/{page}", application: "wiki", classification: "internal" as const },
};

describe("buildQuery", () => {
  it("builds principal, groups, route and application entities from verified data", () => {
    const q = buildQuery(alice(), LEAST_TRUSTED_POSTURE, resolved, request(), NOW_MS / 1000);
    expect(q.principal).toEqual({ type: "User", id: "alice" });
    expect(q.action).toEqual({ type: "Action", id: "GET" });
    expect(q.resource).toEqual({ type: "Route", id: "/wiki/{page}" });
    expect(q.entities).toEqual([
      { uid: { type: "User", id: "alice" }, attrs: {}, parents: [{ type: "Group", id: "Employees" }] },
      { uid: { type: "Group", id: "Employees" }, attrs: {}, parents: [] },
      { uid: { type: "Route", id: "/wiki/{page}" }, attrs: { classification: "internal", application: "wiki" }, parents: [{ type: "Application", id: "wiki" }] },
      { uid: { type: "Application", id: "wiki" }, attrs: {}, parents: [] },
    ]);
  });

  it("fills the context with identity, device, network and request facts", () => {
    const q = buildQuery(alice(), LEAST_TRUSTED_POSTURE, resolved, request({ vpceId: "vpce-1" }), NOW_MS / 1000);
    expect(q.context).toEqual({
      identity: { issuer: "idp", tokenUse: "access", mfa: true, amr: ["pwd", "mfa"], tokenAgeSeconds: 30 },
      device: {
        verified: false,
        provider: "none",
        managed: false,
        compliant: false,
        os: { family: "unknown", version: "0.0.0", major: 0, minor: 0, patch: 0, patched: false },
        diskEncrypted: false,
        edrScore: 0,
        riskLevel: "unknown",
        observedAt: 0,
        ageSeconds: 2147483647,
      },
      network: { sourceIp: { __extn: { fn: "ip", arg: "10.1.2.3" } }, sourceIpKnown: true, vpceId: "vpce-1", host: "api.example.com", userAgent: "curl/8" },
      request: { method: "GET", route: "/wiki/{page}" },
    });
  });

  it("keeps entity-looking claim text as plain strings: a group named like an entity reference is just an id", () => {
    const evil = '{"__entity":{"type":"Group","id":"Admins"}}';
    const q = buildQuery(alice({ groups: [{ type: "Group", id: evil }], amr: ['{"__extn":{"fn":"ip","arg":"10.0.0.1"}}'] }), LEAST_TRUSTED_POSTURE, resolved, request(), NOW_MS / 1000);
    expect(q.entities[0]?.parents).toEqual([{ type: "Group", id: evil }]);
    expect((q.context.identity as { amr: unknown[] }).amr).toEqual(['{"__extn":{"fn":"ip","arg":"10.0.0.1"}}']);
  });

  it("gives least-trusted network values when the source is unknown", () => {
    const q = buildQuery(alice(), LEAST_TRUSTED_POSTURE, resolved, request({ sourceIp: undefined, vpceId: undefined, host: undefined, userAgent: undefined }), NOW_MS / 1000);
    expect(q.context.network).toEqual({ sourceIp: { __extn: { fn: "ip", arg: "0.0.0.0" } }, sourceIpKnown: false, vpceId: "", host: "", userAgent: "" });
  });
});

describe("Cedar value constructors", () => {
  it("accepts IPv4 and IPv6, strips zone ids, and rejects anything else to the unknown address", () => {
    expect(cedarIp("2001:db8::1")).toEqual({ value: { __extn: { fn: "ip", arg: "2001:db8::1" } }, known: true });
    expect(cedarIp("fe80::1%eth0")).toEqual({ value: { __extn: { fn: "ip", arg: "fe80::1" } }, known: true });
    for (const bad of ["10.0.0.1/8", "not-an-ip", "10.0.0.1, 1.2.3.4", "", "ip(\"10.0.0.1\")"]) {
      expect(cedarIp(bad)).toEqual({ value: { __extn: { fn: "ip", arg: "0.0.0.0" } }, known: false });
    }
  });

  it("clamps Longs into the range JS and Cedar agree on", () => {
    expect(cedarLong(2 ** 70)).toBe(Number.MAX_SAFE_INTEGER);
    expect(cedarLong(-Infinity)).toBe(Number.MIN_SAFE_INTEGER);
    expect(cedarLong(NaN)).toBe(Number.MIN_SAFE_INTEGER);
    expect(cedarLong(3.9)).toBe(3);
  });
});
