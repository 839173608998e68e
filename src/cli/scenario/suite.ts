import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RouteConfig } from "../../config/schema.js";
import { readCase, type ResolveContext, type ScenarioCase, CASE_KEYS } from "./case.js";
import { readCedarCase, type CedarCase } from "./cedar-tests.js";
import { Checker, describe, isPlainObject, type Issue } from "./check.js";
import type { ReadResult } from "./parse-worker.js";
import { showPath, type Located, type SourceDoc } from "./source.js";

/** One case of a suite: ready to run, or invalid with every problem found in it. */
export type SuiteEntry =
  | { kind: "scenario"; file: string; line?: number; name: string; case: ScenarioCase }
  | { kind: "cedar"; file: string; line?: number; name: string; case: CedarCase }
  | { kind: "invalid"; file: string; line?: number; name: string; problems: Located[] };

export interface Suite {
  files: string[];
  entries: SuiteEntry[];
}

const SCENARIO_EXTENSIONS = /\.(ya?ml|json)$/i;
const FILE_KEYS = ["description", "knownGroups", "defaults", "cases"];

/** Scenario files under a folder, recursively, in a stable order (code-unit order, like the policy loader). */
export function findScenarioFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (SCENARIO_EXTENSIONS.test(name)) out.push(path);
    }
  };
  visit(dir);
  return out;
}

/**
 * Loads every file. A file is either this project's scenario format (a mapping with `cases:`) or Cedar's
 * test format (a JSON list); a JSON list of entities referenced by a Cedar test file is data, not a suite.
 * A problem in one case never hides the other cases of its file.
 */
export function loadSuite(
  files: readonly string[],
  read: readonly ReadResult[],
  ctx: Omit<ResolveContext, "knownGroups"> & { knownGroups?: ReadonlySet<string> },
): Suite {
  const docs: Array<{ file: string; doc?: SourceDoc; problems?: Located[] }> = files.map((file, i) => {
    const r = read[i] as ReadResult;
    return r.ok ? { file, doc: r.doc } : { file, problems: r.problems };
  });
  const referenced = new Set<string>();
  const perFile = new Map<string, SuiteEntry[]>();
  // Cedar test files first: they name the entity files to leave out.
  for (const { file, doc } of docs) if (doc && Array.isArray(doc.value)) perFile.set(file, cedarEntries(doc, file, referenced));
  const suiteFiles: string[] = [];
  const entries: SuiteEntry[] = [];
  const adHoc = new Map<string, RouteConfig>();
  for (const { file, doc, problems } of docs) {
    if (referenced.has(file)) continue;
    suiteFiles.push(file);
    if (problems) {
      entries.push(...problems.map((p) => invalid(p.file, p.line, "(file)", [p])));
    } else if (doc) {
      entries.push(...(perFile.get(file) ?? scenarioEntries(doc, ctx, adHoc)));
    }
  }
  return { files: suiteFiles, entries };
}

function scenarioEntries(
  doc: SourceDoc,
  ctx: Omit<ResolveContext, "knownGroups"> & { knownGroups?: ReadonlySet<string> },
  adHoc: Map<string, RouteConfig>,
): SuiteEntry[] {
  const fileCheck = new Checker();
  const top = isPlainObject(doc.value) ? fileCheck.object(doc.value, [], FILE_KEYS, ["cases"]) : undefined;
  if (!top) {
    const message = `not a scenario file: expected a mapping with \`cases:\` (or a JSON list of Cedar tests), got ${describe(doc.value)}`;
    return [invalid(doc.file, doc.locate([])?.line, "(file)", [{ file: doc.file, message }])];
  }
  if (top.description !== undefined) fileCheck.string(top.description, ["description"]);
  const knownGroups = new Set([...(ctx.knownGroups ?? []), ...fileCheck.stringList(top.knownGroups, ["knownGroups"])]);
  const defaults = top.defaults === undefined ? {} : fileCheck.object(top.defaults, ["defaults"], CASE_KEYS.filter((k) => k !== "name"));
  const cases = Array.isArray(top.cases) ? top.cases : (fileCheck.fail(["cases"], `expected a list of cases, got ${describe(top.cases)}`), []);
  if (Array.isArray(top.cases) && cases.length === 0) fileCheck.fail(["cases"], "the file has no cases");
  const out: SuiteEntry[] = fileCheck.issues.length ? [invalid(doc.file, doc.locate([])?.line, "(file)", located(doc, fileCheck.issues))] : [];
  if (!defaults) return out;

  eachCase(doc, cases, defaults, mergeCase, ({ raw: merged, path, line, name, check }) => {
    const resolved = readCase(merged, path, { ...ctx, knownGroups }, check, { requireName: true, requireExpect: true });
    const inline = resolved?.input.request.adHocRoute;
    if (inline) {
      // One run has one route catalog: two cases cannot give the same inline route different attributes.
      const first = adHoc.get(inline.path);
      if (first && (first.application !== inline.application || first.classification !== inline.classification)) {
        check.fail([...path, "request", "resource"], `inline route \`${inline.path}\` is already defined by another case as ${first.application}/${first.classification}`);
      } else adHoc.set(inline.path, inline);
    }
    out.push(
      resolved && check.issues.length === 0
        ? { kind: "scenario", file: doc.file, ...(line ? { line } : {}), name, case: resolved }
        : invalid(doc.file, line, name, located(doc, check.issues, defaults)),
    );
  });
  return out;
}

/**
 * Visits the cases of a scenario file, each merged over the file's defaults, with its own checker that
 * already holds a duplicate-name problem if the name was used before in the file.
 */
export function eachCase(
  doc: SourceDoc,
  cases: readonly unknown[],
  defaults: Record<string, unknown>,
  merge: (defaults: Record<string, unknown>, raw: Record<string, unknown>) => Record<string, unknown>,
  visit: (c: { raw: unknown; path: Array<string | number>; line: number | undefined; name: string; check: Checker }) => void,
): void {
  const names = new Set<string>();
  cases.forEach((raw, i) => {
    const path = ["cases", i];
    const line = doc.locate(path)?.line;
    const name = isPlainObject(raw) && typeof raw.name === "string" ? raw.name : `case #${i + 1}`;
    const check = new Checker();
    if (names.has(name)) check.fail([...path, "name"], `duplicate case name \`${name}\` in this file`);
    names.add(name);
    visit({ raw: isPlainObject(raw) ? merge(defaults, raw) : raw, path, line, name, check });
  });
}

function cedarEntries(doc: SourceDoc, file: string, referenced: Set<string>): SuiteEntry[] {
  return (doc.value as unknown[]).map((raw, i) => {
    const path = [i];
    const line = doc.locate(path)?.line;
    const name = isPlainObject(raw) && typeof raw.name === "string" ? raw.name : `test #${i + 1}`;
    const check = new Checker();
    const c = readCedarCase(raw, path, check, file, i, referenced);
    return c && check.issues.length === 0
      ? { kind: "cedar" as const, file: doc.file, ...(line ? { line } : {}), name, case: c }
      : invalid(doc.file, line, name, located(doc, check.issues));
  });
}

function invalid(file: string, line: number | undefined, name: string, problems: Located[]): SuiteEntry {
  return { kind: "invalid", file, ...(line ? { line } : {}), name, problems };
}

/**
 * Issues with source positions. A case issue whose key came from `defaults:` points there instead (the
 * case itself has no such node), so the author is sent to the line that holds the value.
 */
export function located(doc: SourceDoc, issues: readonly Issue[], defaults?: Record<string, unknown>): Located[] {
  return issues.map((issue) => {
    let where = doc.locate(issue.path);
    const [head, , ...rest] = issue.path;
    if (head === "cases" && defaults && rest.length > 0 && !hasPath(doc.value, issue.path) && hasPath(defaults, rest)) {
      where = doc.locate(["defaults", ...rest]);
    }
    return { file: doc.file, ...(where ?? {}), message: `${showPath(issue.path) || "(document)"}: ${issue.message}` };
  });
}

function hasPath(value: unknown, path: ReadonlyArray<string | number>): boolean {
  let v: unknown = value;
  for (const key of path) {
    if (typeof v !== "object" || v === null || !Object.hasOwn(v, key)) return false;
    v = (v as Record<string | number, unknown>)[key];
  }
  return true;
}

/**
 * A case over the file's `defaults:`. Mappings merge key by key (the case wins); lists and scalars
 * replace. Where a case switches form, the default's other form is dropped instead of merged: a `service`
 * case drops the default `user` (and the reverse), a `{ posture }` device drops a default
 * `{ provider, claims }` (and the reverse), `{ action, resource }` drops a default `{ method, route }`.
 */
export function mergeCase(defaults: Record<string, unknown>, raw: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> = { ...defaults };
  if (raw.service !== undefined) delete base.user;
  if (raw.user !== undefined) delete base.service;
  const deviceForm = (d: unknown) => (!isPlainObject(d) ? "scalar" : "posture" in d ? "posture" : "token");
  if (raw.device !== undefined && deviceForm(raw.device) !== deviceForm(base.device)) delete base.device;
  if (isPlainObject(raw.request) && isPlainObject(base.request)) {
    const other = "action" in raw.request || "resource" in raw.request ? ["method", "route"] : "method" in raw.request || "route" in raw.request ? ["action", "resource"] : [];
    base.request = Object.fromEntries(Object.entries(base.request).filter(([k]) => !other.includes(k)));
  }
  return deepMerge(base, raw);
}

/** Mappings merge key by key (the second wins); lists and scalars replace. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}
