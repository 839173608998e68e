import type { Harness, Evaluation } from "../harness/harness.js";
import type { DeviceInput } from "../harness/types.js";
import type { EngineAnswer } from "../../policy/engine.js";
import type { CedarCase } from "./cedar-tests.js";
import type { Expectation } from "./expectation.js";
import type { Located } from "./source.js";
import type { Suite } from "./suite.js";

/** One expected-versus-actual difference, rendered as a `-`/`+` pair. */
export interface Mismatch {
  field: string;
  expected: string;
  actual: string;
}

export interface CaseResult {
  file: string;
  line?: number;
  name: string;
  format: "scenario" | "cedar";
  status: "pass" | "fail" | "error";
  mismatches: Mismatch[];
  /** Why an invalid case could not run. */
  problems: Located[];
  /** What was evaluated, in one line (shown with failures). */
  summary?: string;
  determining: string[];
}

/** Cases run one at a time, in file order: the harness records each evaluation's steps. */
export async function runSuite(suite: Suite, harness: Harness): Promise<CaseResult[]> {
  for (const entry of suite.entries) if (entry.kind === "scenario") harness.prepare(entry.case.input);
  const results: CaseResult[] = [];
  for (const entry of suite.entries) {
    const base = { file: entry.file, ...(entry.line ? { line: entry.line } : {}), name: entry.name };
    if (entry.kind === "invalid") {
      results.push({ ...base, format: "scenario", status: "error", mismatches: [], problems: entry.problems, determining: [] });
    } else if (entry.kind === "scenario") {
      const ev = await harness.evaluate(entry.case.input);
      const mismatches = compareScenario(entry.case.expect, ev, entry.case.input.device);
      results.push({
        ...base,
        format: "scenario",
        status: mismatches.length ? "fail" : "pass",
        mismatches,
        problems: [],
        summary: summarize(ev, entry.case.input.request.method, entry.case.input.request.route),
        determining: ev.decision.determiningPolicies,
      });
    } else {
      const answer = await harness.engine.isAuthorized(entry.case.query);
      const mismatches = compareCedar(entry.case, answer);
      const q = entry.case.query;
      results.push({
        ...base,
        format: "cedar",
        status: mismatches.length ? "fail" : "pass",
        mismatches,
        problems: [],
        summary: `${uid(q.principal)} · ${uid(q.action)} on ${uid(q.resource)}`,
        determining: answer.type === "success" ? answer.determiningPolicies : [],
      });
    }
  }
  return results;
}

export function compareScenario(expect: Expectation, ev: Evaluation, device: DeviceInput): Mismatch[] {
  const out: Mismatch[] = [];
  const d = ev.decision;
  const failures = d.errors.filter((e) => e.code === "engine_failure");
  if (failures.length > 0) {
    // The request did not fit the schema: a harness or model bug, never a result to compare.
    out.push({ field: "engine", expected: "the request fits the schema", actual: failures.map((e) => e.message).join("; ") });
  }
  if (d.outcome !== expect.decision) {
    const why = d.outcome === "allow" || d.outcome === "deny" ? "" : ` (${d.errors.map((e) => `${e.code}: ${e.message}`).join("; ")})`;
    out.push({ field: "decision", expected: expect.decision, actual: `${d.outcome}${why}` });
  }
  if (expect.determining && !sameSet(expect.determining, d.determiningPolicies)) {
    out.push({ field: "determining", expected: list(expect.determining), actual: list(d.determiningPolicies) });
  }
  const evaluationErrors = d.errors.filter((e) => e.code === "policy_evaluation_error");
  const erroring = evaluationErrors.map((e) => e.policyId ?? "(policy set)");
  if (!sameSet(expect.errors ?? [], erroring)) {
    out.push({
      field: "errors",
      expected: list(expect.errors ?? []),
      actual: evaluationErrors.length ? evaluationErrors.map((e) => `${e.policyId ?? "?"}: ${e.message}`).join("; ") : "[]",
    });
  }
  if (device.kind === "token") {
    const failure = ev.posture?.failure;
    const actual = failure ? `rejected: ${failure.code}: ${failure.message}` : ev.posture ? "trusted" : "not evaluated";
    const expected = expect.deviceRejected ? `rejected: ${expect.deviceRejected}` : "trusted";
    const matches = expect.deviceRejected ? failure?.code === expect.deviceRejected : failure === undefined;
    // An unauthenticated caller never gets to posture; only compare when posture was evaluated.
    if (!matches && ev.posture) out.push({ field: "device", expected, actual });
  }
  return out;
}

export function compareCedar(c: CedarCase, answer: EngineAnswer): Mismatch[] {
  if (answer.type === "failure") {
    return [{ field: "request", expected: "a request that fits the schema", actual: answer.errors.map((e) => e.message).join("; ") }];
  }
  const out: Mismatch[] = [];
  if (answer.decision !== c.decision) out.push({ field: "decision", expected: c.decision, actual: answer.decision });
  // `cedar run-tests` semantics: the listed reasons must be among the determining policies.
  const missing = c.reason.filter((r) => !answer.determiningPolicies.includes(r));
  if (missing.length > 0) out.push({ field: "reason", expected: `includes ${list(c.reason)}`, actual: list(answer.determiningPolicies) });
  if (answer.errors.length !== c.numErrors) {
    const detail = answer.errors.map((e) => `${e.policyId ?? "?"}: ${e.message}`).join("; ");
    out.push({ field: "num_errors", expected: String(c.numErrors), actual: `${answer.errors.length}${detail ? ` (${detail})` : ""}` });
  }
  return out;
}

/** `User::"alice" in [Employees] · device jamf macos 15.7.2 patched · GET /wiki/{page}` */
export function summarize(ev: Evaluation, method: string, route: string): string {
  const id = ev.identity;
  const who = id?.ok
    ? `${uid(id.identity.principal)}${id.identity.groups.length ? ` in [${id.identity.groups.map((g) => g.id).join(", ")}]` : ""}${id.identity.mfa ? " (mfa)" : ""}`
    : `unauthenticated${id ? ` (${id.code})` : ""}`;
  const p = ev.posture;
  const device = !p
    ? "device not evaluated"
    : p.failure
      ? `device untrusted (${p.failure.code})`
      : `device ${p.posture.provider} ${p.posture.os.family} ${p.posture.os.version}${p.posture.os.patched ? " patched" : " unpatched"}${p.posture.managed ? ", managed" : ""}${p.posture.compliant ? ", compliant" : ""}`;
  return `${who} · ${device} · ${method} ${route}`;
}

function uid(e: { type: string; id: string }): string {
  return `${e.type}::${JSON.stringify(e.id)}`;
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export function list(items: readonly string[]): string {
  return `[${[...items].sort().join(", ")}]`;
}
