import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/local-config.js";

// .ci/run's closing line, from a vitest JSON report shaped like the ones vitest writes (a file that fails
// to load is `status: "failed"` with no assertion results, and `numFailedTests` stays 0).
function summary(report: unknown, ...args: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "ztpdp-ci-")), "vitest.json");
  writeFileSync(file, JSON.stringify(report));
  return execFileSync(process.execPath, [join(ROOT, "scripts/ci-summary.mjs"), file, ...args], { encoding: "utf8" }).trim();
}

const passedFile = { name: "/p/test/a.test.ts", status: "passed", assertionResults: [{ status: "passed" }, { status: "passed" }], message: "" };

describe(".ci/run closing line", () => {
  it("counts a test file that fails to load as a failure", () => {
    const report = {
      numPassedTests: 2,
      numFailedTests: 0,
      success: false,
      testResults: [passedFile, { name: "/p/test/broken.test.ts", status: "failed", assertionResults: [], message: "Cannot find module './nonexistent.js'" }],
    };
    expect(summary(report)).toBe("2 passed, 1 failed");
  });

  it("counts failed tests once, not again for their file", () => {
    const report = {
      numPassedTests: 1,
      numFailedTests: 2,
      success: false,
      testResults: [{ name: "/p/test/b.test.ts", status: "failed", assertionResults: [{ status: "passed" }, { status: "failed" }, { status: "failed" }], message: "" }],
    };
    expect(summary(report)).toBe("1 passed, 2 failed");
  });

  it("never says 0 failed for a run that did not succeed", () => {
    expect(summary({ numPassedTests: 3, numFailedTests: 0, success: false, testResults: [passedFile] })).toBe("3 passed, 1 failed");
  });

  it("adds the checks .ci/run makes outside vitest, and says 1 failed when there is no report", () => {
    expect(summary({ numPassedTests: 2, numFailedTests: 0, success: true, testResults: [passedFile] }, "--passed", "1")).toBe("3 passed, 0 failed");
    const out = execFileSync(process.execPath, [join(ROOT, "scripts/ci-summary.mjs"), "/nonexistent/vitest.json"], { encoding: "utf8" }).trim();
    expect(out).toBe("0 passed, 1 failed");
  });
});
