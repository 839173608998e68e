import { createAvaEngine } from "../../ava/engine.js";
import { lintAvaPolicySet } from "../../ava/lint.js";
import { isAvaFolder, MANIFEST_FILE_NAME } from "../../ava/manifest.js";
import { readAvaPolicyDir, type AvaPolicySet } from "../../ava/loader.js";
import type { LoadedConfig } from "../../config/load.js";
import { formatProblem, type PolicyProblem } from "../../policy/problems.js";
import { EXIT_FAILED, EXIT_OK, InputError } from "../errors.js";
import { printer, type CliIo } from "../io.js";
import { readBaseline, shownPath } from "../project.js";
import { coverageOf, renderTestJson, renderTestText } from "../report/test-report.js";
import { plural } from "../commands/validate.js";
import type { AvaResolveContext } from "./case.js";
import { loadAvaSuite, runAvaSuite } from "./suite.js";

/**
 * `ztpdp validate | test | explain` on a Verified Access folder (one with `verified-access.yaml`). The
 * commands keep their flags and output; what differs is the model: no schema and no entities, the
 * context AVA builds, and AVA's rules (loader.ts) and missing-key lint (lint.ts) instead of Cedar's
 * schema validation.
 */

export { isAvaFolder };

export function avaValidate(io: CliIo, dir: string, opts: { json: boolean; warningsAsErrors: boolean }): number {
  const result = readAvaPolicyDir(dir);
  let problems: PolicyProblem[] = result.ok ? [...result.set.warnings, ...lintAvaPolicySet(result.set)] : result.problems;
  problems = problems.map((p) => ({ ...p, file: shownPath(io, p.file) }));
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const failed = errors > 0 || (warnings > 0 && opts.warningsAsErrors);
  const out = printer(io.stdout);
  const count = result.ok ? result.set.policies.length : null;
  if (opts.json) {
    out.line(JSON.stringify({ ok: !failed, dir: shownPath(io, dir), mode: "verified-access", policies: count, errors, warnings, problems }, null, 2));
    return failed ? EXIT_FAILED : EXIT_OK;
  }
  for (const p of problems) out.line(formatProblem(p));
  const counts = `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
  out.line(
    result.ok
      ? `${shownPath(io, dir)}: ${plural(result.set.policies.length, "Verified Access policy", "Verified Access policies")} valid for the trust providers in ${MANIFEST_FILE_NAME} (${counts})`
      : `${shownPath(io, dir)}: policy set refused (${counts})`,
  );
  return failed ? EXIT_FAILED : EXIT_OK;
}

/** The folder's policies, or the command stops with their problems (as `test`/`explain` do for the project's). */
export function requireAvaPolicySet(io: CliIo, dir: string): AvaPolicySet {
  const result = readAvaPolicyDir(dir);
  if (!result.ok) {
    throw new InputError(
      `the Verified Access policies in \`${shownPath(io, dir)}\` do not validate (see \`ztpdp validate\`)`,
      result.problems.map((p) => formatProblem({ ...p, file: shownPath(io, p.file) })),
    );
  }
  return result.set;
}

export function avaResolveContext(io: CliIo, set: AvaPolicySet, config: LoadedConfig | undefined, nowSeconds: number): AvaResolveContext {
  const limits = config?.config.limits ?? { maxClaimStringLength: 512, maxGroups: 200 };
  return {
    manifest: set.manifest,
    policyIds: new Set(set.policies.map((p) => p.id)),
    nowSeconds,
    limits,
    ...(config ? { project: { config: config.config, baseline: readBaseline(io, config) } } : {}),
  };
}

export function avaTest(
  io: CliIo,
  dir: string,
  files: string[],
  config: LoadedConfig | undefined,
  opts: { json: boolean; filter?: string; requireCoverage: boolean; started: number },
): number {
  const set = requireAvaPolicySet(io, dir);
  const engine = createAvaEngine(set);
  const shown = (f: string) => shownPath(io, f);
  const suite = loadAvaSuite(files, shown, avaResolveContext(io, set, config, Math.floor(Date.now() / 1000)));
  let entries = suite.entries;
  if (opts.filter !== undefined) {
    const needle = opts.filter.toLowerCase();
    entries = entries.filter((e) => e.name.toLowerCase().includes(needle));
    if (entries.length === 0) throw new InputError(`no case name contains \`${opts.filter}\``);
  }
  if (entries.length === 0) throw new InputError("the scenario files hold no cases");
  const results = runAvaSuite(entries, engine);
  const coverage = coverageOf(set.policies, results, shown);
  const report = { results, coverage, files: [...new Set(results.map((r) => r.file))], seconds: (performance.now() - opts.started) / 1000 };
  const failed = results.some((r) => r.status !== "pass") || (opts.requireCoverage && coverage.some((c) => c.cases === 0));
  const out = printer(io.stdout);
  if (opts.json) out.line(JSON.stringify(renderTestJson(report, failed), null, 2));
  else renderTestText(report, out, opts.requireCoverage);
  return failed ? EXIT_FAILED : EXIT_OK;
}
