import { avaQuery, type AvaEngine } from "../../ava/engine.js";
import type { CedarValue, EngineAnswer } from "../../policy/engine.js";
import { Checker, describe, isPlainObject } from "../scenario/check.js";
import { list, sameSet, type CaseResult, type Mismatch } from "../scenario/run.js";
import { readSourceDoc, type Located } from "../scenario/source.js";
import { eachCase, located, mergeCase } from "../scenario/suite.js";
import { AVA_CASE_KEYS, readAvaCase, type AvaCase, type AvaExpectation, type AvaResolveContext } from "./case.js";

/**
 * Verified Access scenario files: the same layout as the project's (`description`, `defaults`, `cases`,
 * each case `name`, `user`, `device`, `request`, `expect`), read into AVA contexts and evaluated against
 * the folder's policies the way AVA does.
 */

export type AvaSuiteEntry =
  | { kind: "ava"; file: string; line?: number; name: string; case: AvaCase }
  | { kind: "invalid"; file: string; line?: number; name: string; problems: Located[] };

const FILE_KEYS = ["description", "defaults", "cases"];

export function loadAvaSuite(files: readonly string[], shown: (file: string) => string, ctx: AvaResolveContext): { files: string[]; entries: AvaSuiteEntry[] } {
  const entries: AvaSuiteEntry[] = [];
  for (const file of files) {
    const read = readSourceDoc(file, shown(file));
    if (!read.ok) {
      entries.push(...read.problems.map((p) => invalid(p.file, p.line, "(file)", [p])));
      continue;
    }
    const { doc } = read;
    const fileCheck = new Checker();
    const top = isPlainObject(doc.value) ? fileCheck.object(doc.value, [], FILE_KEYS, ["cases"]) : undefined;
    if (!top) {
      entries.push(invalid(doc.file, undefined, "(file)", [{ file: doc.file, message: `not a scenario file: expected a mapping with \`cases:\`, got ${describe(doc.value)}` }]));
      continue;
    }
    if (top.description !== undefined) fileCheck.string(top.description, ["description"]);
    const defaults = top.defaults === undefined ? {} : fileCheck.object(top.defaults, ["defaults"], AVA_CASE_KEYS.filter((k) => k !== "name"));
    const cases = Array.isArray(top.cases) ? top.cases : (fileCheck.fail(["cases"], `expected a list of cases, got ${describe(top.cases)}`), []);
    if (Array.isArray(top.cases) && cases.length === 0) fileCheck.fail(["cases"], "the file has no cases");
    if (fileCheck.issues.length) entries.push(invalid(doc.file, doc.locate([])?.line, "(file)", located(doc, fileCheck.issues)));
    if (!defaults) continue;
    eachCase(doc, cases, defaults, mergeAvaCase, ({ raw: merged, path, line, name, check }) => {
      const c = readAvaCase(merged, path, ctx, check, { requireName: true, requireExpect: true });
      entries.push(
        c && check.issues.length === 0
          ? { kind: "ava", file: doc.file, ...(line ? { line } : {}), name, case: c }
          : invalid(doc.file, line, name, located(doc, check.issues, defaults)),
      );
    });
  }
  return { files: files.map(shown), entries };
}

function invalid(file: string, line: number | undefined, name: string, problems: Located[]): AvaSuiteEntry {
  return { kind: "invalid", file, ...(line ? { line } : {}), name, problems };
}

/** AVA's outcome of one evaluation: allow only for a Cedar allow with no evaluation error. */
export interface AvaEvaluation {
  answer: EngineAnswer;
  decision: "allow" | "deny";
  determining: string[];
  errors: Array<{ policyId?: string; message: string }>;
}

/**
 * A policy that fails to evaluate (a missing key) makes AVA deny
 * (https://docs.aws.amazon.com/verified-access/latest/ug/auth-policies-policy-eval-short-circ.html);
 * Cedar itself would only skip that policy, so any error denies here, as it does in the authorizer.
 */
export function evaluateAva(engine: AvaEngine, context: Record<string, CedarValue>): AvaEvaluation {
  const answer = engine.isAuthorized(avaQuery(context));
  if (answer.type === "failure") return { answer, decision: "deny", determining: [], errors: answer.errors };
  const allow = answer.decision === "allow" && answer.errors.length === 0;
  return { answer, decision: allow ? "allow" : "deny", determining: answer.determiningPolicies, errors: answer.errors };
}

export function runAvaSuite(entries: readonly AvaSuiteEntry[], engine: AvaEngine): CaseResult[] {
  return entries.map((entry): CaseResult => {
    const base = { file: entry.file, ...(entry.line ? { line: entry.line } : {}), name: entry.name, format: "scenario" as const };
    if (entry.kind === "invalid") return { ...base, status: "error", mismatches: [], problems: entry.problems, determining: [] };
    const ev = evaluateAva(engine, entry.case.context);
    const mismatches = compareAva(entry.case.expect, ev);
    return { ...base, status: mismatches.length ? "fail" : "pass", mismatches, problems: [], summary: entry.case.summary, determining: ev.determining };
  });
}

export function compareAva(expect: AvaExpectation, ev: AvaEvaluation): Mismatch[] {
  const out: Mismatch[] = [];
  if (ev.answer.type === "failure") out.push({ field: "engine", expected: "an evaluation", actual: ev.errors.map((e) => e.message).join("; ") });
  if (ev.decision !== expect.decision) {
    const why = ev.errors.length && ev.decision === "deny" ? ` (${ev.errors.map((e) => `${e.policyId ?? "?"}: ${e.message}`).join("; ")})` : "";
    out.push({ field: "decision", expected: expect.decision, actual: `${ev.decision}${why}` });
  }
  if (expect.determining && !sameSet(expect.determining, ev.determining)) out.push({ field: "determining", expected: list(expect.determining), actual: list(ev.determining) });
  const erroring = ev.answer.type === "success" ? ev.errors.map((e) => e.policyId ?? "(policy set)") : [];
  if (!sameSet(expect.errors ?? [], erroring)) {
    out.push({ field: "errors", expected: list(expect.errors ?? []), actual: ev.errors.length ? ev.errors.map((e) => `${e.policyId ?? "?"}: ${e.message}`).join("; ") : "[]" });
  }
  return out;
}

/**
 * A case over the file's defaults, as for the project's scenarios (mappings merge, the case wins), except
 * that a user of another trust provider, or a device of another provider (or a list of devices),
 * replaces the default instead of merging with it: claims of one provider mean nothing to another.
 */
export function mergeAvaCase(defaults: Record<string, unknown>, raw: Record<string, unknown>): Record<string, unknown> {
  const base = { ...defaults };
  const differs = (key: "user" | "device") => {
    const a = base[key];
    const b = raw[key];
    if (b === undefined || a === undefined) return false;
    if (!isPlainObject(a) || !isPlainObject(b)) return true;
    return (b.provider !== undefined && b.provider !== a.provider) || ("posture" in a) !== ("posture" in b);
  };
  if (differs("user")) delete base.user;
  if (differs("device")) delete base.device;
  return mergeCase(base, raw);
}
