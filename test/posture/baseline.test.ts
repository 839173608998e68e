import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isPatched, loadBaseline, parseBaseline, PatchBaselineError } from "../../src/posture/baseline.js";
import { parseOsVersion } from "../../src/posture/os-version.js";
import { OS_FAMILIES } from "../../src/posture/vocabulary.js";
import { TEST_BASELINE } from "./helpers.js";

const FILE = "policies/patch-baseline.yaml";

function problemsOf(text: string): { error: PatchBaselineError } {
  try {
    parseBaseline(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(PatchBaselineError);
    return { error: error as PatchBaselineError };
  }
  throw new Error("expected parseBaseline to throw");
}

describe("the reference patch-baseline.yaml (the test project's copy)", () => {
  it("loads and lists only known families", () => {
    const path = fileURLToPath(new URL("../fixtures/project/policies/patch-baseline.yaml", import.meta.url));
    const baseline = loadBaseline(path);
    expect(baseline.version).toBe(1);
    expect(baseline.minimum.size).toBeGreaterThan(0);
    for (const family of baseline.minimum.keys()) expect(OS_FAMILIES).toContain(family);
    // Windows 10 (build 19045) and Windows 11 23H2 (22631) are out of support by the review date.
    expect(isPatched(baseline, "windows", "10.0.19045")).toBe(false);
    expect(isPatched(baseline, "windows", "10.0.22631")).toBe(false);
  });
});

describe("parseBaseline", () => {
  it("parses a valid document", () => {
    const b = parseBaseline('version: 1\nminimum:\n  macos: "14.6.1"\n  windows: "10.0.22631"\n  ios: "17.6"\n', FILE);
    expect(b.source).toBe(FILE);
    expect(b.minimum.get("macos")).toEqual({ major: 14, minor: 6, patch: 1, build: 0, text: "14.6.1" });
    expect(b.minimum.get("ios")?.text).toBe("17.6.0");
    expect(b.minimum.has("linux")).toBe(false);
  });

  it("accepts an unquoted multi-dot version (YAML reads it as a string)", () => {
    expect(parseBaseline("version: 1\nminimum:\n  macos: 14.6.1\n", FILE).minimum.get("macos")?.text).toBe("14.6.1");
  });

  it("rejects an unquoted number, naming file, line, key and the fix", () => {
    const { error } = problemsOf('version: 1\nminimum:\n  macos: "15.6"\n  ios: 17.10\n');
    expect(error.fileName).toBe(FILE);
    expect(error.message).toContain("`policies/patch-baseline.yaml`");
    expect(error.message).toContain("line 4: `minimum.ios`");
    expect(error.message).toContain("17.10");
    expect(error.message).toContain("quote it");
  });

  it("rejects an unknown family", () => {
    const { error } = problemsOf('version: 1\nminimum:\n  beos: "5"\n');
    expect(error.message).toContain("line 3: `minimum.beos`: unknown os family");
  });

  it("rejects `__proto__` as a family without touching prototypes", () => {
    const { error } = problemsOf('version: 1\nminimum:\n  __proto__: "1"\n');
    expect(error.message).toContain("`minimum.__proto__`: unknown os family");
    expect(({} as Record<string, unknown>)["major"]).toBeUndefined();
  });

  it.each([
    ["latest", '"latest"'],
    ["five components", '"1.2.3.4.5"'],
    ["negative", '"-1"'],
    ["empty string", '""'],
  ])("rejects a bad version (%s) naming key and value", (_name, value) => {
    const { error } = problemsOf(`version: 1\nminimum:\n  windows: ${value}\n`);
    expect(error.message).toContain("line 3: `minimum.windows`");
    expect(error.message).toContain("is not a version");
  });

  it("rejects a family with no version", () => {
    const { error } = problemsOf("version: 1\nminimum:\n  linux:\n  macos: \"15\"\n");
    expect(error.message).toContain("`minimum.linux`: no version");
  });

  it("rejects a list or a mapping as a version", () => {
    const { error } = problemsOf('version: 1\nminimum:\n  macos: ["15"]\n  ios: { min: "18" }\n');
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain("`minimum.macos`: expected a quoted version string");
    expect(error.message).toContain("`minimum.ios`: expected a quoted version string");
  });

  it("rejects duplicate families", () => {
    const { error } = problemsOf('version: 1\nminimum:\n  macos: "15"\n  macos: "14"\n');
    expect(error.message).toMatch(/line 4: .*unique/i);
  });

  it.each([
    ["version 2", 'version: 2\nminimum:\n  macos: "15"\n', "`version`: expected 1"],
    ["version as string", 'version: "1"\nminimum:\n  macos: "15"\n', "`version`: expected 1"],
    ["missing version", 'minimum:\n  macos: "15"\n', "missing key `version`"],
    ["missing minimum", "version: 1\n", "missing key `minimum`"],
    ["empty minimum", "version: 1\nminimum: {}\n", "lists no family"],
    ["minimum as list", 'version: 1\nminimum:\n  - macos\n', "`minimum`: expected a mapping"],
    ["unknown top-level key", 'version: 1\nminimum:\n  macos: "15"\nmaximum:\n  macos: "99"\n', "line 4: unknown key `maximum`"],
    ["empty file", "", "must be a mapping"],
    ["a list document", "- 1\n- 2\n", "must be a mapping"],
    ["yaml syntax error", 'version: 1\nminimum:\n  macos: "15\n', "line "],
    ["two documents", 'version: 1\nminimum:\n  macos: "15"\n---\nversion: 1\n', "line "],
  ])("rejects %s", (_name, text, expected) => {
    const { error } = problemsOf(text);
    expect(error.message).toContain(FILE);
    expect(error.message).toContain(expected);
  });

  it("lists every problem at once", () => {
    const { error } = problemsOf('version: 3\nminimum:\n  macos: 15.6\n  beos: "5"\n  ios: "latest"\nextra: 1\n');
    expect(error.problems).toHaveLength(5);
    for (const key of ["`version`", "`minimum.macos`", "`minimum.beos`", "`minimum.ios`", "`extra`"]) {
      expect(error.message).toContain(key);
    }
  });

  it("escapes control characters from the file in its message", () => {
    const { error } = problemsOf('version: 1\nminimum:\n  "mac\\u001b[31mos": "15"\n');
    expect(error.message).not.toContain("\u001b");
    expect(error.message).toContain("\\u001b");
  });
});

describe("loadBaseline", () => {
  const dir = mkdtempSync(join(tmpdir(), "baseline-"));

  it("names the file when it cannot be read", () => {
    const path = join(dir, "missing.yaml");
    expect(() => loadBaseline(path)).toThrow(PatchBaselineError);
    expect(() => loadBaseline(path)).toThrow(/missing\.yaml.*\n.*ENOENT/);
  });

  it("rejects an oversized file", () => {
    const path = join(dir, "big.yaml");
    writeFileSync(path, `version: 1\n#${"x".repeat(70_000)}\nminimum:\n  macos: "15"\n`);
    expect(() => loadBaseline(path)).toThrow(/larger than/);
  });

  it("rejects a file that is not UTF-8", () => {
    const path = join(dir, "latin1.yaml");
    writeFileSync(path, Buffer.from([0x76, 0x65, 0x72, 0xff, 0xfe, 0x0a]));
    expect(() => loadBaseline(path)).toThrow(/not valid UTF-8/);
  });

  it("reports problems in a file it read, naming it", () => {
    const path = join(dir, "bad.yaml");
    writeFileSync(path, "version: 1\nminimum:\n  macos: 15.6\n");
    expect(() => loadBaseline(path)).toThrow(new RegExp(`bad\\.yaml[\\s\\S]*line 3: \`minimum\\.macos\``));
  });
});

describe("isPatched", () => {
  const minimums: Record<string, [below: string, at: string, above: string]> = {
    macos: ["15.5.9", "15.6", "26.1"],
    windows: ["10.0.22631.4000", "10.0.26100", "10.0.26200.1"],
    ios: ["18.5", "18.6.0", "26.0.1"],
    ipados: ["17.7.10", "18.6", "18.6.2"],
    android: ["13", "14", "16"],
    linux: ["6.0.19", "6.1", "6.12.5"],
    chromeos: ["137.0.7151.119", "138.0.7204", "142"],
  };

  it("has a case for every family", () => {
    expect(Object.keys(minimums).sort()).toEqual([...OS_FAMILIES].sort());
  });

  it.each(Object.entries(minimums))("%s: below is unpatched, at and above are patched", (family, [below, at, above]) => {
    expect(isPatched(TEST_BASELINE, family, below)).toBe(false);
    expect(isPatched(TEST_BASELINE, family, at)).toBe(true);
    expect(isPatched(TEST_BASELINE, family, above)).toBe(true);
    const parsed = parseOsVersion(above);
    if (parsed.ok) expect(isPatched(TEST_BASELINE, family, parsed.version)).toBe(true);
  });

  it("fails closed for a family missing from the baseline", () => {
    const b = parseBaseline('version: 1\nminimum:\n  macos: "15"\n', FILE);
    for (const family of OS_FAMILIES.filter((f) => f !== "macos")) expect(isPatched(b, family, "999")).toBe(false);
  });

  it.each(["unknown", "", "MacOS", "__proto__", "constructor", "toString", "hasOwnProperty"])(
    "fails closed for family %j",
    (family) => {
      expect(isPatched(TEST_BASELINE, family, "999.0.0")).toBe(false);
    },
  );

  it("fails closed without a readable version", () => {
    expect(isPatched(TEST_BASELINE, "macos", null)).toBe(false);
    expect(isPatched(TEST_BASELINE, "macos", "latest")).toBe(false);
    expect(isPatched(TEST_BASELINE, "macos", "")).toBe(false);
  });

  it("compares the Windows build revision", () => {
    const b = parseBaseline('version: 1\nminimum:\n  windows: "10.0.26100.4946"\n', FILE);
    expect(isPatched(b, "windows", "10.0.26100.4945")).toBe(false);
    expect(isPatched(b, "windows", "10.0.26100")).toBe(false);
    expect(isPatched(b, "windows", "10.0.26100.4946")).toBe(true);
  });
});
