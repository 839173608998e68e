// The closing line CI reads, `N passed, N failed`, from vitest's JSON report (written by vitest.config.ts).
// A test file that fails to load (or whose hooks fail) has no failed test in the report, only a failed file:
// it counts as one failure, so the line never says `0 failed` for a run that did not pass. Extra checks
// run by .ci/run outside vitest are added with --passed N / --failed N.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

export function summarize(report, extra = { passed: 0, failed: 0 }) {
  const failedFiles = (report.testResults ?? []).filter(
    (file) => file.status === "failed" && !(file.assertionResults ?? []).some((t) => t.status === "failed"),
  ).length;
  let failed = (report.numFailedTests ?? 0) + failedFiles + extra.failed;
  // An error outside any test or file (e.g. an unhandled rejection) fails the run without failing a test.
  if (report.success === false && failed === 0) failed = 1;
  return `${(report.numPassedTests ?? 0) + extra.passed} passed, ${failed} failed`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { passed: { type: "string", default: "0" }, failed: { type: "string", default: "0" } } });
  const extra = { passed: Number(values.passed), failed: Number(values.failed) };
  let line;
  try {
    line = summarize(JSON.parse(readFileSync(positionals[0] ?? "test-results/vitest.json", "utf8")), extra);
  } catch {
    // No report: the run stopped before vitest (install, build or policy checks failed).
    line = `${extra.passed} passed, ${extra.failed + 1} failed`;
  }
  console.log(line);
}
