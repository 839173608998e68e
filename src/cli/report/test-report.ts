import type { LoadedPolicy } from "../../policy/loader.js";
import { plural } from "../commands/validate.js";
import type { Printer } from "../io.js";
import type { CaseResult } from "../scenario/run.js";

export interface PolicyCoverage {
  id: string;
  effect: "permit" | "forbid";
  /** file:line:col of the policy. */
  at: string;
  /** Cases in which this policy was among the determining policies. */
  cases: number;
}

export interface TestReport {
  results: CaseResult[];
  coverage: PolicyCoverage[];
  files: string[];
  seconds: number;
}

/** How many evaluated cases each policy determined; a policy at 0 is untested by this suite. */
export function coverageOf(
  policies: readonly LoadedPolicy[],
  results: readonly CaseResult[],
  shown: (file: string) => string,
): PolicyCoverage[] {
  const counts = new Map(policies.map((p) => [p.id, 0]));
  for (const r of results) for (const id of new Set(r.determining)) if (counts.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return policies.map((p) => ({ id: p.id, effect: p.effect, at: `${shown(p.file)}:${p.line}:${p.col}`, cases: counts.get(p.id) ?? 0 }));
}

/** A test runner's output: one line per case grouped by file, a diff per failure, coverage, a summary. */
export function renderTestText(report: TestReport, out: Printer, requireCoverage: boolean): void {
  let file: string | undefined;
  for (const r of report.results) {
    if (r.file !== file) {
      if (file !== undefined) out.line();
      file = r.file;
      out.line(r.file);
    }
    const where = r.line ? `  (${r.file}:${r.line})` : "";
    if (r.status === "pass") {
      out.line(`  ✓ ${r.name}`);
    } else if (r.status === "fail") {
      out.line(`  ✗ ${r.name}${where}`);
      for (const m of r.mismatches) {
        out.line(`      - ${m.field}: ${m.expected}`);
        out.line(`      + ${m.field}: ${m.actual}`);
      }
      if (r.summary) out.line(`      evaluated: ${r.summary}`);
    } else {
      out.line(`  ✗ ${r.name}  invalid${where}`);
      for (const p of r.problems) out.line(`      ${p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ""}: ${p.message}`);
    }
  }

  const width = Math.max(0, ...report.coverage.map((c) => c.id.length));
  const never = report.coverage.filter((c) => c.cases === 0);
  out.line();
  out.line("policy coverage (cases in which the policy determined the decision):");
  for (const c of report.coverage) {
    out.line(`  ${c.id.padEnd(width)}  ${c.effect.padEnd(6)}  ${String(c.cases).padStart(4)}${c.cases === 0 ? "  never determined a decision" : ""}`);
  }
  if (never.length > 0) {
    out.line(`${plural(never.length, "policy", "policies")} never determined a decision: ${never.map((c) => `${c.id} (${c.at})`).join(", ")}${requireCoverage ? "" : " (--require-coverage makes this a failure)"}`);
  }

  const count = (s: CaseResult["status"]) => report.results.filter((r) => r.status === s).length;
  const [passed, failed, invalid] = [count("pass"), count("fail"), count("error")];
  const parts = [`${passed} passed`, `${failed} failed`, ...(invalid ? [`${invalid} invalid`] : [])];
  out.line();
  out.line(
    `${parts.join(", ")} (${plural(report.results.length, "case")} in ${plural(report.files.length, "file")}; ` +
      `${report.coverage.length - never.length}/${report.coverage.length} policies covered) in ${report.seconds.toFixed(2)} s`,
  );
}

export function renderTestJson(report: TestReport, failed: boolean): unknown {
  const count = (s: CaseResult["status"]) => report.results.filter((r) => r.status === s).length;
  return {
    ok: !failed,
    summary: {
      cases: report.results.length,
      passed: count("pass"),
      failed: count("fail"),
      invalid: count("error"),
      files: report.files.length,
      seconds: Math.round(report.seconds * 1000) / 1000,
    },
    cases: report.results.map((r) => ({
      file: r.file,
      line: r.line ?? null,
      name: r.name,
      format: r.format,
      status: r.status === "error" ? "invalid" : r.status,
      determining: r.determining,
      ...(r.mismatches.length ? { diff: r.mismatches } : {}),
      ...(r.problems.length ? { problems: r.problems } : {}),
      ...(r.status === "fail" && r.summary ? { evaluated: r.summary } : {}),
    })),
    coverage: report.coverage,
    uncovered: report.coverage.filter((c) => c.cases === 0).map((c) => c.id),
  };
}
