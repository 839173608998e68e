import { describe, expect, it } from "vitest";
import { mapCrowdStrike, riskFromZtaScore } from "../../../src/posture/mappers/crowdstrike.js";
import { fixture, withClaims } from "../helpers.js";

const assessment = (changes: Record<string, unknown>) => {
  const a: Record<string, unknown> = { overall: 86, os: 74, sensor_config: 92, version: "3.4.0", ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete a[k];
  return a;
};

describe("crowdstrike mapper", () => {
  it("maps the documented Zero Trust Assessment claims", () => {
    expect(mapCrowdStrike(fixture("crowdstrike"))).toEqual({
      ok: true,
      managed: true,
      compliant: true,
      os: { family: "windows", version: null },
      diskEncrypted: false,
      edrScore: 86,
      riskLevel: "low",
    });
  });

  it("derives the risk level from documented thresholds", () => {
    expect([100, 80, 79, 50, 49, 1].map(riskFromZtaScore)).toEqual(["low", "low", "medium", "medium", "high", "high"]);
    expect(mapCrowdStrike(withClaims("crowdstrike", { assessment: assessment({ overall: 52 }) }))).toMatchObject({
      riskLevel: "medium",
      compliant: false,
      edrScore: 52,
    });
  });

  it.each([
    ["Windows", "windows"],
    ["Mac", "macos"],
    ["macOS", "macos"],
    ["Linux", "linux"],
    // The values AWS Verified Access documents for CrowdStrike's `platform` (trust-data-third-party-trust.html).
    ["Windows 10", "windows"],
    ["Windows 11", "windows"],
  ])("maps platform %s to %s", (platform, family) => {
    expect(mapCrowdStrike(withClaims("crowdstrike", { platform }))).toMatchObject({ os: { family } });
  });

  it("without platform, the family is unknown", () => {
    expect(mapCrowdStrike(withClaims("crowdstrike", { platform: undefined }))).toMatchObject({ os: { family: "unknown" } });
  });

  it("reads an optional os_version or product_version", () => {
    expect(mapCrowdStrike(withClaims("crowdstrike", { os_version: "10.0.26100.4946" }))).toMatchObject({
      os: { version: { text: "10.0.26100.4946" } },
    });
    expect(mapCrowdStrike(withClaims("crowdstrike", { product_version: "10.0.26100" }))).toMatchObject({
      os: { version: { text: "10.0.26100" } },
    });
    expect(mapCrowdStrike(withClaims("crowdstrike", { os_version: "10.0.26100", product_version: "10.0.26100.0" })).ok).toBe(false);
    expect(mapCrowdStrike(withClaims("crowdstrike", { os_version: "10.0.26100", product_version: "10.0.26100" })).ok).toBe(true);
  });

  it("does not read assessment.version as the OS version", () => {
    expect(mapCrowdStrike(fixture("crowdstrike"))).toMatchObject({ os: { version: null } });
  });

  it("accepts a payload without the optional sub-scores", () => {
    const r = mapCrowdStrike(withClaims("crowdstrike", { assessment: { overall: 90 } }));
    expect(r).toMatchObject({ ok: true, edrScore: 90 });
  });

  it.each([
    ["assessment missing", { assessment: undefined }, "assessment"],
    ["assessment as string", { assessment: "86" }, "assessment"],
    ["assessment as __entity", { assessment: { __entity: { type: "A", id: "x" } } }, "assessment.overall"],
    ["overall missing", { assessment: assessment({ overall: undefined }) }, "assessment.overall"],
    ["overall as string", { assessment: assessment({ overall: "86" }) }, "assessment.overall"],
    ["overall as float", { assessment: assessment({ overall: 86.5 }) }, "assessment.overall"],
    ["overall zero", { assessment: assessment({ overall: 0 }) }, "assessment.overall"],
    ["overall above 100", { assessment: assessment({ overall: 101 }) }, "assessment.overall"],
    ["overall huge", { assessment: assessment({ overall: 2 ** 63 }) }, "assessment.overall"],
    ["overall as __extn", { assessment: assessment({ overall: { __extn: { fn: "decimal", arg: "99" } } }) }, "assessment.overall"],
    ["os score as boolean", { assessment: assessment({ os: true }) }, "assessment.os"],
    ["sensor_config negative", { assessment: assessment({ sensor_config: -1 }) }, "assessment.sensor_config"],
    ["assessment version as number", { assessment: assessment({ version: 3 }) }, "assessment.version"],
    ["platform unknown", { platform: "BeOS" }, "platform"],
    ["platform as number", { platform: 1 }, "platform"],
    ["typ of another token kind", { typ: "at+jwt" }, "typ"],
    ["os_version latest", { os_version: "latest" }, "os_version"],
    ["product_version as number", { product_version: 10 }, "product_version"],
  ])("rejects %s", (_name, changes, claim) => {
    const r = mapCrowdStrike(withClaims("crowdstrike", changes));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe("device_claims_invalid");
      expect(r.message).toContain(`claim \`${claim}\``);
    }
  });
});
