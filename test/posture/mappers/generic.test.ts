import { describe, expect, it } from "vitest";
import { mapGeneric } from "../../../src/posture/mappers/generic.js";
import { fixture, withClaims } from "../helpers.js";

describe("generic mapper", () => {
  it("maps every documented claim", () => {
    expect(mapGeneric(fixture("generic"))).toEqual({
      ok: true,
      managed: true,
      compliant: true,
      os: { family: "windows", version: { major: 10, minor: 0, patch: 26100, build: 4946, text: "10.0.26100.4946" } },
      diskEncrypted: true,
      edrScore: 87,
      riskLevel: "low",
    });
  });

  it("gives every optional signal its least-trusted value when absent", () => {
    const r = mapGeneric({ managed: true, compliant: true, iat: 1 });
    expect(r).toEqual({
      ok: true,
      managed: true,
      compliant: true,
      os: { family: "unknown", version: null },
      diskEncrypted: false,
      edrScore: 0,
      riskLevel: "unknown",
    });
    expect(mapGeneric(withClaims("generic", { os: { family: "linux" } }))).toMatchObject({ os: { family: "linux", version: null } });
  });

  it("accepts the bounds of edr_score", () => {
    expect(mapGeneric(withClaims("generic", { edr_score: 0 }))).toMatchObject({ edrScore: 0 });
    expect(mapGeneric(withClaims("generic", { edr_score: 100 }))).toMatchObject({ edrScore: 100 });
  });

  it.each([
    ["managed missing", { managed: undefined }, "managed"],
    ["managed as string", { managed: "true" }, "managed"],
    ["managed as number", { managed: 1 }, "managed"],
    ["compliant missing", { compliant: undefined }, "compliant"],
    ["compliant as string", { compliant: "false" }, "compliant"],
    ["compliant null", { compliant: null }, "compliant"],
    ["compliant as __entity", { compliant: { __entity: { type: "Bool", id: "true" } } }, "compliant"],
    ["os as string", { os: "windows" }, "os"],
    ["os without family", { os: { version: "15.7" } }, "os.family"],
    ["os family unknown value", { os: { family: "beos" } }, "os.family"],
    ["os family uppercase", { os: { family: "Windows" } }, "os.family"],
    ["os family 'unknown' (not a family)", { os: { family: "unknown" } }, "os.family"],
    ["os version latest", { os: { family: "macos", version: "latest" } }, "os.version"],
    ["os version as number", { os: { family: "macos", version: 15.7 } }, "os.version"],
    ["os with an extra key", { os: { family: "macos", build: "24G" } }, "os"],
    ["os as __extn", { os: { __extn: { fn: "ip", arg: "1.2.3.4" } } }, "os"],
    ["disk_encrypted as string", { disk_encrypted: "true" }, "disk_encrypted"],
    ["edr_score as string", { edr_score: "87" }, "edr_score"],
    ["edr_score as float", { edr_score: 87.5 }, "edr_score"],
    ["edr_score negative", { edr_score: -1 }, "edr_score"],
    ["edr_score above 100", { edr_score: 101 }, "edr_score"],
    ["risk_level unknown value", { risk_level: "critical" }, "risk_level"],
    ["risk_level uppercase", { risk_level: "LOW" }, "risk_level"],
    ["risk_level as number", { risk_level: 2 }, "risk_level"],
  ])("rejects %s", (_name, changes, claim) => {
    const r = mapGeneric(withClaims("generic", changes));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe("device_claims_invalid");
      expect(r.message).toContain(`claim \`${claim}`);
    }
  });

  it("escapes hostile key names in the failure message", () => {
    const r = mapGeneric(withClaims("generic", { os: { family: "macos", "x\u202e\ninjected": 1 } }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).not.toMatch(/[\n\u202e]/);
    }
  });
});
