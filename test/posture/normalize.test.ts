import { describe, expect, it } from "vitest";
import type { PostureFormat } from "../../src/config/schema.js";
import { normalizePosture, type NormalizePostureArgs } from "../../src/posture/normalize.js";
import { postureRecordSchema } from "../../src/posture/record-schema.js";
import { LEAST_TRUSTED_POSTURE } from "../../src/posture/types.js";
import { allKeys, fixture, TEST_BASELINE, withClaims } from "./helpers.js";

const IAT = 1_795_000_000;
const NOW = IAT + 120;

function run(format: PostureFormat, payload: Record<string, unknown>, over: Partial<NormalizePostureArgs> = {}) {
  return normalizePosture({
    providerName: `${format}-prod`,
    format,
    payload,
    baseline: TEST_BASELINE,
    nowSeconds: NOW,
    maxAgeSeconds: 3600,
    ...over,
  });
}

function posture(result: ReturnType<typeof normalizePosture>) {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`);
  return result.posture;
}

describe("normalizePosture", () => {
  it("builds a verified record from a jamf payload", () => {
    expect(posture(run("jamf", fixture("jamf")))).toEqual({
      verified: true,
      provider: "jamf-prod",
      managed: true,
      compliant: true,
      os: { family: "macos", version: "15.7.1", major: 15, minor: 7, patch: 1, patched: true },
      diskEncrypted: false,
      edrScore: 0,
      riskLevel: "low",
      observedAt: IAT,
      ageSeconds: 120,
    });
  });

  it("builds a verified record from a generic payload", () => {
    expect(posture(run("generic", fixture("generic")))).toMatchObject({
      verified: true,
      os: { family: "windows", version: "10.0.26100.4946", major: 10, minor: 0, patch: 26100, patched: true },
      diskEncrypted: true,
      edrScore: 87,
      riskLevel: "low",
    });
  });

  it("computes patched from the baseline, per family", () => {
    const old = posture(run("jamf", withClaims("jamf", { osv: "14.8.1" })));
    expect(old.os).toMatchObject({ family: "macos", major: 14, patched: false });
    const ios = posture(run("jamf", withClaims("jamf", { platform: "iOS", osv: "18.6" })));
    expect(ios.os).toMatchObject({ family: "ios", patched: true });
    const win = posture(run("generic", withClaims("generic", { os: { family: "windows", version: "10.0.22631.4460" } })));
    expect(win.os.patched).toBe(false);
  });

  it("CrowdStrike without an OS version is verified but not patched", () => {
    const p = posture(run("crowdstrike", fixture("crowdstrike")));
    expect(p).toMatchObject({ verified: true, managed: true, edrScore: 86, riskLevel: "low" });
    expect(p.os).toEqual({ family: "windows", version: "0.0.0", major: 0, minor: 0, patch: 0, patched: false });
  });

  it("fills least-trusted values for signals the provider does not send", () => {
    const p = posture(run("jumpcloud", { iat: IAT }));
    expect(p).toEqual({
      ...LEAST_TRUSTED_POSTURE,
      os: { ...LEAST_TRUSTED_POSTURE.os },
      verified: true,
      provider: "jumpcloud-prod",
      observedAt: IAT,
      ageSeconds: 120,
    });
  });

  it.each(["jamf", "crowdstrike", "jumpcloud", "generic"] as const)("%s: the record is Cedar-safe", (format) => {
    const p = posture(run(format, fixture(format)));
    expect(postureRecordSchema.safeParse(p).success).toBe(true);
    const numbers = [p.os.major, p.os.minor, p.os.patch, p.edrScore, p.observedAt, p.ageSeconds];
    for (const n of numbers) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
  });

  it("the least-trusted posture itself satisfies the record schema", () => {
    expect(postureRecordSchema.safeParse(LEAST_TRUSTED_POSTURE).success).toBe(true);
  });

  describe("iat and age", () => {
    it.each([
      ["missing", undefined, /`iat` is missing/],
      ["a string", String(IAT), /non-negative integer/],
      ["a float", IAT + 0.5, /non-negative integer/],
      ["negative", -1, /non-negative integer/],
      ["beyond safe integers", 2 ** 60, /non-negative integer/],
      ["an object", { __extn: { fn: "datetime", arg: "2026-01-01" } }, /non-negative integer/],
      ["in the future beyond skew", NOW + 61, /future/],
    ])("rejects iat %s", (_name, iat, message) => {
      const r = run("generic", withClaims("generic", { iat }));
      expect(r).toMatchObject({ ok: false, code: "device_claims_invalid" });
      if (!r.ok) expect(r.message).toMatch(message);
    });

    it("accepts iat within the skew as age 0, never negative", () => {
      expect(posture(run("generic", withClaims("generic", { iat: NOW + 60 }))).ageSeconds).toBe(0);
      expect(posture(run("generic", withClaims("generic", { iat: NOW }))).ageSeconds).toBe(0);
    });

    it("rejects posture older than maxAgeSeconds as stale", () => {
      const r = run("jamf", withClaims("jamf", { iat: NOW - 3601 }));
      expect(r).toMatchObject({ ok: false, code: "device_posture_stale" });
      if (!r.ok) expect(r.message).toContain("3601 s old");
    });

    it("accepts posture exactly maxAgeSeconds old", () => {
      expect(posture(run("jamf", withClaims("jamf", { iat: NOW - 3600 }))).ageSeconds).toBe(3600);
    });

    it("reports invalid claims before staleness", () => {
      expect(run("jamf", withClaims("jamf", { iat: 1, risk: "true" }))).toMatchObject({ code: "device_claims_invalid" });
    });
  });

  describe("claims that must never reach Cedar", () => {
    it.each([
      ["jamf", { risk: { __entity: { type: "Risk", id: "SECURE" } } }],
      ["jamf", { osv: { __extn: { fn: "decimal", arg: "99.0" } } }],
      ["crowdstrike", { assessment: { overall: { __extn: { fn: "decimal", arg: "100.0" } } } }],
      ["jumpcloud", { device: { is_managed: { __entity: { type: "Bool", id: "true" } } } }],
      ["generic", { managed: { __entity: { type: "Bool", id: "true" } } }],
      ["generic", { os: { __entity: { type: "Os", id: "macos" } } }],
      ["generic", { risk_level: { __extn: { fn: "ip", arg: "127.0.0.1" } } }],
    ] as const)("%s: rejects an entity or extension object in a read claim (%j)", (format, changes) => {
      expect(run(format, withClaims(format, changes))).toMatchObject({ ok: false, code: "device_claims_invalid" });
    });

    it.each(["jamf", "crowdstrike", "jumpcloud", "generic"] as const)(
      "%s: never passes through unread claims holding __entity/__extn",
      (format) => {
        const hostile = {
          groups: [{ __entity: { type: "Group", id: "admins" } }],
          extra: { __extn: { fn: "ip", arg: "0.0.0.0/0" } },
          __entity: { type: "User", id: "root" },
        };
        const p = posture(run(format, withClaims(format, hostile)));
        const keys = allKeys(p);
        expect(keys).not.toContain("__entity");
        expect(keys).not.toContain("__extn");
        expect(keys).not.toContain("groups");
        expect(keys).not.toContain("extra");
        expect(postureRecordSchema.safeParse(p).success).toBe(true);
      },
    );
  });

  describe("caller faults", () => {
    it("rejects an unknown format", () => {
      expect(run("intune" as PostureFormat, fixture("generic"))).toMatchObject({ ok: false, code: "device_token_provider_unknown" });
      expect(run("__proto__" as PostureFormat, fixture("generic"))).toMatchObject({ ok: false, code: "device_token_provider_unknown" });
    });

    it("rejects a provider name that is not a config label", () => {
      for (const providerName of ["", "a b", "x".repeat(65), "jamf\n", "<script>"]) {
        expect(run("jamf", fixture("jamf"), { providerName })).toMatchObject({ ok: false, code: "device_token_provider_unknown" });
      }
    });

    it("rejects a payload that is not a plain object", () => {
      for (const payload of [null, [], "x", 1, new Date()]) {
        expect(run("generic", payload as unknown as Record<string, unknown>)).toMatchObject({ ok: false, code: "device_claims_invalid" });
      }
    });

    it("rejects a non-integer clock or age limit instead of producing a non-integer age", () => {
      expect(run("jamf", fixture("jamf"), { nowSeconds: NOW + 0.5 })).toMatchObject({ ok: false, code: "device_token_invalid" });
      expect(run("jamf", fixture("jamf"), { nowSeconds: Number.NaN })).toMatchObject({ ok: false });
      expect(run("jamf", fixture("jamf"), { maxAgeSeconds: -1 })).toMatchObject({ ok: false });
    });
  });
});
