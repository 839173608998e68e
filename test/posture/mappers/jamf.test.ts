import { describe, expect, it } from "vitest";
import { mapJamf } from "../../../src/posture/mappers/jamf.js";
import { fixture, withClaims } from "../helpers.js";

describe("jamf mapper", () => {
  it("maps the documented Verified Access claims", () => {
    expect(mapJamf(fixture("jamf"))).toEqual({
      ok: true,
      managed: true,
      compliant: true,
      os: { family: "macos", version: { major: 15, minor: 7, patch: 1, build: 0, text: "15.7.1" } },
      diskEncrypted: false,
      edrScore: 0,
      riskLevel: "low",
    });
  });

  it.each([
    ["SECURE", "secure", true],
    ["LOW", "low", true],
    ["MEDIUM", "medium", false],
    ["HIGH", "high", false],
    ["NOT_APPLICABLE", "unknown", false],
  ])("risk %s → riskLevel %s, compliant %s", (risk, riskLevel, compliant) => {
    const r = mapJamf(withClaims("jamf", { risk }));
    expect(r).toMatchObject({ ok: true, riskLevel, compliant, managed: true });
  });

  it("takes the family from an optional platform claim, any case", () => {
    expect(mapJamf(withClaims("jamf", { platform: "iOS", osv: "18.7" }))).toMatchObject({ os: { family: "ios" } });
    expect(mapJamf(withClaims("jamf", { platform: "IPADOS" }))).toMatchObject({ os: { family: "ipados" } });
    expect(mapJamf(withClaims("jamf", { platform: "macOS" }))).toMatchObject({ os: { family: "macos" } });
  });

  it("without osv, has no version (least trusted)", () => {
    expect(mapJamf(withClaims("jamf", { osv: undefined }))).toMatchObject({ ok: true, os: { family: "macos", version: null } });
  });

  it.each([
    ["risk missing", { risk: undefined }, "risk"],
    ["risk lowercase", { risk: "low" }, "risk"],
    ["risk unknown value", { risk: "NONE" }, "risk"],
    ["risk as number", { risk: 1 }, "risk"],
    ["risk as array", { risk: ["LOW"] }, "risk"],
    ["risk as __entity", { risk: { __entity: { type: "Risk", id: "LOW" } } }, "risk"],
    ["osv latest", { osv: "latest" }, "osv"],
    ["osv as number", { osv: 14.5 }, "osv"],
    ["osv empty", { osv: "" }, "osv"],
    ["osv as __extn", { osv: { __extn: { fn: "decimal", arg: "14.5" } } }, "osv"],
    ["osv null", { osv: null }, "osv"],
    ["platform unknown", { platform: "Windows" }, "platform"],
    ["platform as boolean", { platform: true }, "platform"],
  ])("rejects %s", (_name, changes, claim) => {
    const r = mapJamf(withClaims("jamf", changes));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe("device_claims_invalid");
      expect(r.message).toContain(`claim \`${claim}\``);
    }
  });
});
