import type { PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import { readPolicySources, sortProblems, splitFile, uniqueIds, type Candidate, type LoadedPolicy } from "../policy/loader.js";
import { PolicyLoadError, type PolicyProblem } from "../policy/problems.js";
import { computeRevision } from "../policy/revision.js";
import { walkExpr } from "../cli/lint/policy-ast.js";
import { readManifest, type AvaManifest } from "./manifest.js";

/**
 * Loads a Verified Access policy folder: `verified-access.yaml` (the trust providers) and `*.cedar`
 * files, named and split exactly like the project's own policies (same `@id` rules, same positions),
 * but with AVA's rules instead of a schema: AVA checks only the syntax
 * (https://docs.aws.amazon.com/verified-access/latest/ug/auth-policies-policy-eval.html), keeps the scope
 * undefined and reads only `context`
 * (https://docs.aws.amazon.com/verified-access/latest/ug/auth-policies-policy-statement-struct.html).
 * A constrained scope or a read of `principal`, `action` or `resource` can never mean anything there,
 * so it is an error here. What the policies read from `context` is checked by the lint (lint.ts).
 */

export interface AvaPolicySet {
  dir: string;
  manifest: AvaManifest;
  /** In file order, then position; the same ids the project's loader would give. */
  policies: readonly (LoadedPolicy & { json: PolicyJson })[];
  /** Over the manifest and the policies' Cedar JSON (revision.ts). */
  revision: string;
  warnings: readonly PolicyProblem[];
}

export type AvaLoadResult = { ok: true; set: AvaPolicySet } | { ok: false; problems: PolicyProblem[] };

export function readAvaPolicyDir(dir: string): AvaLoadResult {
  const problems: PolicyProblem[] = [];
  const manifest = readManifest(dir);
  if (!manifest.ok) problems.push(...manifest.problems.map((message) => ({ severity: "error" as const, file: manifest.file, message })));
  const candidates = readPolicySources(dir, problems).flatMap((source) => splitFile(source, problems));
  const { unique } = uniqueIds(candidates, problems);
  for (const c of unique) problems.push(...avaRuleProblems(c));
  if (candidates.length === 0 && !problems.some((p) => p.severity === "error")) {
    problems.push({ severity: "warning", file: dir, message: "the policy set is empty: every request will be denied (AVA blocks a group with no policy)" });
  }
  sortProblems(problems);
  if (!manifest.ok || problems.some((p) => p.severity === "error")) return { ok: false, problems };
  const policies = unique.map((c) => ({ id: c.id, idSource: c.idSource, file: c.file, line: c.line, col: c.col, text: c.chunk.text, effect: c.effect, json: c.json }));
  const providers = manifest.manifest.providers.map((p) => [p.ref, p.type]);
  return { ok: true, set: { dir, manifest: manifest.manifest, policies, revision: computeRevision({ verifiedAccess: providers }, unique), warnings: problems } };
}

/** Like `readAvaPolicyDir`, throwing `PolicyLoadError` (cold start of the authorizer). */
export function loadAvaPolicyDir(dir: string): AvaPolicySet {
  const result = readAvaPolicyDir(dir);
  if (!result.ok) throw new PolicyLoadError(result.problems);
  return result.set;
}

const SCOPE_HELP = "AVA evaluates policies with no principal, action or resource: write `permit(principal, action, resource) when { context... }`";

function avaRuleProblems(c: Candidate): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  const error = (message: string, help = SCOPE_HELP) =>
    out.push({ severity: "error", file: c.file, line: c.line, col: c.col, policyId: c.id, message, help });
  for (const part of ["principal", "action", "resource"] as const) {
    if (c.json[part].op !== "All") error(`policy \`${c.id}\` constrains its ${part}: Verified Access policies keep the scope undefined, so this policy would never apply`);
  }
  const vars = new Set<string>();
  let entity = false;
  for (const clause of c.json.conditions) {
    walkExpr(clause.body, (e, op) => {
      if (op === "Var" && e.Var !== "context") vars.add(String(e.Var));
      if (op === "Value" && JSON.stringify(e.Value).includes('"__entity"')) entity = true;
    });
  }
  for (const v of [...vars].sort()) error(`policy \`${c.id}\` reads \`${v}\`: Verified Access policies read only \`context\``);
  if (entity) error(`policy \`${c.id}\` names an entity: Verified Access has no entities, only \`context\``);
  return out;
}
