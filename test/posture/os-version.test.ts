import { describe, expect, it } from "vitest";
import { compareVersions, parseOsVersion, type OsVersion } from "../../src/posture/os-version.js";

function v(text: string): OsVersion {
  const r = parseOsVersion(text);
  if (!r.ok) throw new Error(`test setup: ${text} did not parse: ${r.message}`);
  return r.version;
}

describe("parseOsVersion", () => {
  it.each([
    ["14.5.0", 14, 5, 0, 0, "14.5.0"],
    ["10.0.22631", 10, 0, 22631, 0, "10.0.22631"],
    ["17.4", 17, 4, 0, 0, "17.4.0"],
    ["14", 14, 0, 0, 0, "14.0.0"],
    ["10.0.26100.4946", 10, 0, 26100, 4946, "10.0.26100.4946"],
    ["0", 0, 0, 0, 0, "0.0.0"],
    ["2147483647.0.2147483647", 2147483647, 0, 2147483647, 0, "2147483647.0.2147483647"],
  ])("parses %s", (text, major, minor, patch, build, canonical) => {
    expect(parseOsVersion(text)).toEqual({ ok: true, version: { major, minor, patch, build, text: canonical } });
  });

  it.each([
    ["empty", ""],
    ["latest", "latest"],
    ["wildcard", "14.x"],
    ["negative", "-1"],
    ["negative component", "14.-1"],
    ["five components", "1.2.3.4.5"],
    ["above 2^31-1", "2147483648"],
    ["component above 2^31-1", "14.2147483648"],
    ["eleven digits", "99999999999"],
    ["leading space", " 14"],
    ["trailing space", "14 "],
    ["trailing dot", "14."],
    ["leading dot", ".14"],
    ["empty component", "1..2"],
    ["exponent", "1e3"],
    ["hex", "0x10"],
    ["leading zero", "14.05"],
    ["fullwidth digits", "１４"],
    ["pre-release suffix", "14.5.0-beta"],
    ["rapid security response suffix", "13.3.1 (a)"],
    ["plus sign", "+14"],
    ["decimal comma", "14,5"],
    ["newline", "14\n"],
    ["very long", "1.".repeat(100) + "1"],
  ])("rejects %s", (_name, text) => {
    const r = parseOsVersion(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).not.toContain(text.length > 0 ? text : "\u0000");
  });

  it("rejects a non-string at runtime", () => {
    expect(parseOsVersion(14.5 as unknown as string).ok).toBe(false);
    expect(parseOsVersion(null as unknown as string).ok).toBe(false);
  });
});

describe("compareVersions", () => {
  it("compares numerically, not lexically", () => {
    expect(compareVersions(v("14.10"), v("14.9"))).toBe(1);
    expect(compareVersions(v("9"), v("10"))).toBe(-1);
  });
  it("treats missing components as zero", () => {
    expect(compareVersions(v("17.4"), v("17.4.0"))).toBe(0);
    expect(compareVersions(v("14"), v("14.0.0.0"))).toBe(0);
  });
  it("compares the fourth (build) component", () => {
    expect(compareVersions(v("10.0.26100.4946"), v("10.0.26100.4000"))).toBe(1);
    expect(compareVersions(v("10.0.26100"), v("10.0.26100.1"))).toBe(-1);
  });
  it("is antisymmetric", () => {
    const pairs = [["1.2.3", "1.3"], ["15.7", "26.0"], ["10.0.22631", "10.0.26100"]] as const;
    for (const [a, b] of pairs) expect(compareVersions(v(a), v(b))).toBe(-compareVersions(v(b), v(a)));
  });
});
