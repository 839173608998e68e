import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import {
  checkParseSchema,
  policySetTextToParts,
  policyToJson,
  schemaToJson,
  validate,
  type DetailedError,
  type PolicyJson,
} from "@cedar-policy/cedar-wasm/nodejs";
import { readPrecompiled } from "./precompiled.js";
import { PolicyLoadError, type PolicyProblem } from "./problems.js";
import { computeRevision } from "./revision.js";
import { byteOffsetToIndex, lineColAt, splitPolicyText, type PolicyChunk } from "./source-text.js";

/**
 * Policy loading: a directory of `*.cedar` files plus `schema.cedarschema` becomes a validated policy set
 * with stable ids, or a list of every problem found. Runs once at cold start (or in the CLI), never on
 * the request path. Nothing partial is ever returned: one problem refuses the whole set.
 */

export const SCHEMA_FILE_NAME = "schema.cedarschema";
/** Source files larger than this are refused before parsing. */
export const MAX_SOURCE_BYTES = 1_048_576;
/** Verified Permissions' per-policy size limit: a larger policy loads locally but could not be published. */
export const AVP_MAX_POLICY_BYTES = 10_000;

/** File names policies may come from: derived ids (`wiki.cedar#0`) embed them, so keep them plain. */
const POLICY_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.cedar$/;
/** `@id("...")` values: they end up in audit records and metric dimensions. */
const POLICY_ID = /^[A-Za-z0-9][A-Za-z0-9._:#-]{0,127}$/;

export interface LoadedPolicy {
  /** Stable id: the `@id("...")` annotation, else `<file name>#<index in file, 0-based>`. */
  id: string;
  idSource: "annotation" | "position";
  file: string;
  /** 1-based line and column of the policy's first annotation (or its effect keyword). */
  line: number;
  col: number;
  /** The policy exactly as written, from its first annotation to its `;` (what Cedar evaluates). */
  text: string;
  effect: "permit" | "forbid";
  /** Cedar's JSON form of `text`, when the loader has it (saves re-parsing it for the partition index). */
  json?: PolicyJson;
}

export interface LoadedPolicySet {
  /** In file order (files sorted by name), then position in the file. May be empty: everything denies. */
  policies: readonly LoadedPolicy[];
  schemaFile: string;
  schemaText: string;
  /** See `computeRevision`: changes exactly when the evaluated policies or schema change. */
  revision: string;
  /** Validator warnings (e.g. an impossible policy) and loader advice; never a reason the set loaded partially. */
  warnings: readonly PolicyProblem[];
  /**
   * Present when the set comes from a build-time validation of exactly these sources (precompiled.ts):
   * Cedar already accepted every policy and the schema, and the schema's resolved JSON is included so
   * the engine need not parse the schema text at cold start.
   */
  precompiled?: { resolvedSchemaJson: unknown };
}

export interface PolicySource {
  /** Path used in problems and in `LoadedPolicy.file`. */
  file: string;
  text: string;
}

export type PolicyLoadResult = { ok: true; policySet: LoadedPolicySet } | { ok: false; problems: PolicyProblem[] };

export interface LoadOptions {
  /** Schema to validate against; defaults to `<dir>/schema.cedarschema`. */
  schemaPath?: string;
  /** Refuse the set on validator warnings too (CI should; a cold start need not). */
  warningsAsErrors?: boolean;
}

/**
 * Load, split, name and strictly validate a policy directory. Throws `PolicyLoadError` listing every problem.
 * With default options, a build-time result for exactly these sources is used instead of re-validating
 * (precompiled.ts); the CLI's `readPolicyDir` always validates.
 */
export function loadPolicyDir(dir: string, options: LoadOptions = {}): LoadedPolicySet {
  if (options.schemaPath === undefined && options.warningsAsErrors !== true) {
    const precompiled = readPrecompiled(dir, join(dir, SCHEMA_FILE_NAME));
    if (precompiled) return precompiled;
  }
  const result = readPolicyDir(dir, options);
  if (!result.ok) throw new PolicyLoadError(result.problems);
  return result.policySet;
}

/** Like `loadPolicyDir`, with problems as a value (for the CLI). Never throws for bad input. */
export function readPolicyDir(dir: string, options: LoadOptions = {}): PolicyLoadResult {
  const problems: PolicyProblem[] = [];
  const schemaFile = options.schemaPath ?? join(dir, SCHEMA_FILE_NAME);
  const schemaText = readSource(schemaFile, problems);
  const sources = readPolicySources(dir, problems);
  if (schemaText === undefined) return { ok: false, problems };
  // Files that could not be read are already problems; still compile the rest so one run reports all.
  return compile({ file: schemaFile, text: schemaText }, sources, { ...options, setName: dir }, problems);
}

/** Every `*.cedar` file of a folder, in code-unit order of names; unreadable or misnamed files become problems. */
export function readPolicySources(dir: string, problems: PolicyProblem[]): PolicySource[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith(".cedar"))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)); // code-unit order: the same on every machine and locale
  } catch (err) {
    problems.push({ severity: "error", file: dir, message: `cannot read policy directory: ${errorText(err)}` });
  }

  const sources: PolicySource[] = [];
  for (const name of names) {
    const file = join(dir, name);
    if (!POLICY_FILE_NAME.test(name)) {
      // Refused rather than skipped: silently skipping a file could drop a forbid.
      problems.push({
        severity: "error",
        file,
        message: "policy file name must match `[A-Za-z0-9][A-Za-z0-9._-]*.cedar` (ids are derived from it)",
      });
      continue;
    }
    const text = readSource(file, problems);
    if (text !== undefined) sources.push({ file, text });
  }
  return sources;
}

/**
 * The pure core, no file system: parse, split, name and validate the given sources. Policy files are
 * taken in the order given (`readPolicyDir` sorts them by name).
 */
export function compilePolicySources(
  schema: PolicySource,
  files: readonly PolicySource[],
  options: LoadOptions & { setName?: string } = {},
): PolicyLoadResult {
  return compile(schema, files, options, []);
}

function compile(
  schema: PolicySource,
  files: readonly PolicySource[],
  options: LoadOptions & { setName?: string },
  problems: PolicyProblem[],
): PolicyLoadResult {

  // 1. The schema, on its own first, so its errors point into the schema file.
  let schemaJson: unknown;
  const schemaParse = checkParseSchema(schema.text);
  if (schemaParse.type === "failure") {
    problems.push(...fromCedarErrors(schemaParse.errors, { file: schema.file, fileText: schema.text, base: 0 }));
  } else {
    const asJson = schemaToJson(schema.text);
    if (asJson.type === "failure") {
      problems.push(...fromCedarErrors(asJson.errors, { file: schema.file, fileText: schema.text, base: 0 }));
    } else {
      schemaJson = asJson.json;
    }
  }

  // 2. Each policy file: Cedar's split (for parse errors at exact file positions), then ours (for positions).
  const candidates: Candidate[] = [];
  for (const source of files) candidates.push(...splitFile(source, problems));

  // 3. Ids unique across the whole set.
  const { byId, unique } = uniqueIds(candidates, problems);

  // 4. Strict validation of everything that parsed, so one run reports every problem.
  if (schemaJson !== undefined && unique.length > 0) {
    problems.push(...validateAll(schema, unique, byId));
  }

  for (const c of unique) {
    const bytes = Buffer.byteLength(c.chunk.text, "utf8");
    if (bytes > AVP_MAX_POLICY_BYTES) {
      problems.push({
        ...at(c, c.chunk.start),
        severity: "warning",
        policyId: c.id,
        message: `policy is ${bytes} bytes, over Verified Permissions' ${AVP_MAX_POLICY_BYTES}-byte limit`,
      });
    }
  }
  if (candidates.length === 0 && problems.length === 0) {
    problems.push({
      severity: "warning",
      file: options.setName ?? "(policy set)",
      message: "the policy set is empty: every request will be denied",
    });
  }

  sortProblems(problems);
  const refused = problems.some((p) => p.severity === "error" || options.warningsAsErrors === true);
  if (refused || schemaJson === undefined) return { ok: false, problems };

  const policies: LoadedPolicy[] = unique.map((c) => ({
    id: c.id,
    idSource: c.idSource,
    file: c.file,
    line: c.line,
    col: c.col,
    text: c.chunk.text,
    effect: c.effect,
    json: c.json,
  }));
  return {
    ok: true,
    policySet: {
      policies,
      schemaFile: schema.file,
      schemaText: schema.text,
      revision: computeRevision(schemaJson, unique),
      warnings: problems,
    },
  };
}

/** The candidates with ids not used before them; each repeat is a problem naming the first use. */
export function uniqueIds(candidates: readonly Candidate[], problems: PolicyProblem[]): { byId: Map<string, Candidate>; unique: Candidate[] } {
  const byId = new Map<string, Candidate>();
  const unique: Candidate[] = [];
  for (const c of candidates) {
    const first = byId.get(c.id);
    if (first) {
      problems.push({
        ...at(c, c.chunk.start),
        severity: "error",
        policyId: c.id,
        message: `duplicate policy id \`${c.id}\`: also used by the policy at ${first.file}:${first.line}:${first.col}`,
      });
    } else {
      byId.set(c.id, c);
      unique.push(c);
    }
  }
  return { byId, unique };
}

/** What the CLI prints for `list`: one row per policy, with where it came from. */
export interface PolicyListing {
  revision: string;
  schemaFile: string;
  policies: Array<Pick<LoadedPolicy, "id" | "idSource" | "effect" | "file" | "line" | "col" | "text">>;
  warnings: PolicyProblem[];
}

export function describePolicySet(set: LoadedPolicySet): PolicyListing {
  return {
    revision: set.revision,
    schemaFile: set.schemaFile,
    policies: set.policies.map(({ id, idSource, effect, file, line, col, text }) => ({
      id,
      idSource,
      effect,
      file,
      line,
      col,
      text,
    })),
    warnings: [...set.warnings],
  };
}

// ---------------------------------------------------------------------------------------------------

export interface Candidate {
  id: string;
  idSource: "annotation" | "position";
  file: string;
  fileText: string;
  chunk: PolicyChunk;
  line: number;
  col: number;
  effect: "permit" | "forbid";
  /** Cedar's JSON form of the policy, for the revision and the partition index. */
  json: PolicyJson;
}

export function splitFile(source: PolicySource, problems: PolicyProblem[]): Candidate[] {
  const { file, text } = source;
  const whole = { file, fileText: text, base: 0 };

  const parts = policySetTextToParts(text);
  if (parts.type === "failure") {
    problems.push(...fromCedarErrors(parts.errors, whole));
    return [];
  }
  const split = splitPolicyText(text);
  if (!split.ok) {
    problems.push({ severity: "error", file, ...lineColAt(text, split.index), message: split.message });
    return [];
  }
  // Invariant: our slices are exactly Cedar's (same texts, same count). Anything else refuses the file.
  const ours = split.chunks.map((c) => c.text).sort();
  const theirs = [...parts.policies, ...parts.policy_templates].sort();
  if (ours.length !== theirs.length || ours.some((t, i) => t !== theirs[i])) {
    problems.push({ severity: "error", file, message: "could not locate the policies of this file in its text" });
    return [];
  }
  const templates = new Set(parts.policy_templates);

  const out: Candidate[] = [];
  // A plain loop, not `forEach`: on Node 22 (V8 12.4), a large file (thousands of policies) made V8 abort
  // with "unreachable code" while deoptimizing this callback inside forEach's builtin continuation.
  for (const [index, chunk] of split.chunks.entries()) {
    const where = { file, ...lineColAt(text, chunk.start) };
    if (templates.has(chunk.text)) {
      problems.push({
        ...where,
        severity: "error",
        message: "policy templates (`?principal`, `?resource`) are not supported yet; write a static policy",
      });
      continue;
    }
    const json = policyToJson(chunk.text);
    if (json.type === "failure") {
      problems.push(...fromCedarErrors(json.errors, { file, fileText: text, base: chunk.start }));
      continue;
    }
    const annotations: Record<string, string | null> = json.json.annotations ?? {};
    let id = `${basename(file)}#${index}`;
    let idSource: Candidate["idSource"] = "position";
    if (Object.hasOwn(annotations, "id")) {
      const value = annotations["id"];
      if (typeof value !== "string" || !POLICY_ID.test(value)) {
        problems.push({
          ...where,
          severity: "error",
          message: `\`@id\` must be a string of 1 to 128 characters from \`A-Z a-z 0-9 . _ : # -\` starting with a letter or digit`,
        });
        continue;
      }
      id = value;
      idSource = "annotation";
    }
    out.push({ id, idSource, fileText: text, chunk, ...where, effect: json.json.effect, json: json.json });
  }
  return out;
}

function validateAll(schema: PolicySource, policies: Candidate[], byId: Map<string, Candidate>): PolicyProblem[] {
  const record: Record<string, string> = {};
  for (const p of policies) record[p.id] = p.chunk.text;
  const answer = validate({ schema: schema.text, policies: { staticPolicies: record }, validationSettings: { mode: "strict" } });

  const schemaBase = { file: schema.file, fileText: schema.text, base: 0 };
  const baseFor = (policyId: string | undefined): Base => {
    const p = policyId === undefined ? undefined : byId.get(policyId);
    return p ? { file: p.file, fileText: p.fileText, base: p.chunk.start, policyId: p.id } : schemaBase;
  };
  if (answer.type === "failure") {
    // Not expected once the schema and every policy parsed; attribute to the policy Cedar names, if any.
    return answer.errors.flatMap((e) => fromCedarErrors([e], baseFor(/policy with id `([^`]+)`/.exec(e.message)?.[1])));
  }
  const problems = [
    ...answer.validationErrors.flatMap((v) => fromCedarErrors([v.error], baseFor(v.policyId), "error")),
    ...answer.validationWarnings.flatMap((v) => fromCedarErrors([v.error], baseFor(v.policyId), "warning")),
    ...answer.otherWarnings.flatMap((e) => fromCedarErrors([e], { ...schemaBase, noLocation: true }, "warning")),
  ];
  return collapsePerAction(problems);
}

interface Base {
  file: string;
  /** The whole file's text (for line and column). */
  fileText: string;
  /** UTF-16 index in `fileText` of the string Cedar was given; its offsets are bytes into that string. */
  base: number;
  policyId?: string;
  /** Cedar's offsets do not refer to this file's text. */
  noLocation?: boolean;
}

function fromCedarErrors(errors: readonly DetailedError[], b: Base, severity?: PolicyProblem["severity"]): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  const given = b.fileText.slice(b.base);
  const visit = (e: DetailedError) => {
    const loc = b.noLocation ? undefined : e.sourceLocations?.[0];
    const problem: PolicyProblem = {
      severity: severity ?? (e.severity === "warning" || e.severity === "advice" ? "warning" : "error"),
      file: b.file,
      message: loc?.label ? `${e.message}: ${loc.label}` : e.message,
    };
    if (loc) Object.assign(problem, lineColAt(b.fileText, b.base + byteOffsetToIndex(given, loc.start)));
    if (e.help) problem.help = e.help;
    if (b.policyId !== undefined) problem.policyId = b.policyId;
    out.push(problem);
    for (const r of e.related ?? []) visit(r); // a second parse error in the same file is its own problem
  };
  errors.forEach(visit);
  return out;
}

/**
 * The validator repeats a policy's error once per action it could apply to (`... for Action::"GET"`,
 * `... for Action::"HEAD"`, ...). Report it once, saying how many actions it affects.
 */
function collapsePerAction(problems: PolicyProblem[]): PolicyProblem[] {
  const perAction = / for Action::"(?:[^"\\]|\\.)*"/;
  const groups = new Map<string, PolicyProblem[]>();
  for (const p of problems) {
    const key = JSON.stringify([p.severity, p.file, p.line, p.col, p.policyId, p.help, p.message.replace(perAction, "")]);
    const list = groups.get(key);
    if (list) list.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.values()].map((list) => {
    const first = list[0] as PolicyProblem;
    return list.length === 1 ? first : { ...first, message: first.message.replace(perAction, ` for ${list.length} actions`) };
  });
}

/** File, then position; problems without a position first in their file. Stable for equal keys. */
export function sortProblems(problems: PolicyProblem[]): void {
  problems.sort((a, b) =>
    a.file !== b.file ? (a.file < b.file ? -1 : 1) : (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0),
  );
}

function at(c: Candidate, index: number): { file: string; line: number; col: number } {
  return { file: c.file, ...lineColAt(c.fileText, index) };
}

/** Read a UTF-8 source file (size-capped, BOM dropped, invalid UTF-8 refused); problems are pushed, not thrown. */
export function readSource(file: string, problems: PolicyProblem[]): string | undefined {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) {
      problems.push({ severity: "error", file, message: "not a regular file" });
      return undefined;
    }
    if (stat.size > MAX_SOURCE_BYTES) {
      problems.push({ severity: "error", file, message: `file is ${stat.size} bytes, over the ${MAX_SOURCE_BYTES}-byte limit` });
      return undefined;
    }
    return new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file));
  } catch (err) {
    problems.push({ severity: "error", file, message: `cannot read file: ${errorText(err)}` });
    return undefined;
  }
}

function errorText(err: unknown): string {
  if (err instanceof TypeError && /encoded data was not valid/i.test(err.message)) return "not valid UTF-8";
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : err instanceof Error ? err.message : String(err);
}
