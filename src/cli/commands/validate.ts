import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { schemaToJson } from "@cedar-policy/cedar-wasm/nodejs";
import { principalAttributeProblems } from "../../identity/attribute-schema-check.js";
import { readPolicyDir, SCHEMA_FILE_NAME } from "../../policy/loader.js";
import { formatProblem, type PolicyProblem } from "../../policy/problems.js";
import { COMMON_OPTIONS, parseCommandArgs } from "../args.js";
import { EXIT_FAILED, EXIT_OK, UsageError } from "../errors.js";
import { printer, type CliIo } from "../io.js";
import { lintPolicySet } from "../lint/lint.js";
import { absolutePath, optionalConfig, policyDir, shownPath } from "../project.js";

export const VALIDATE_HELP = `usage: ztpdp validate [dir] [--schema FILE] [--warnings-as-errors] [--json] [--config FILE]

Parse every .cedar file in the policy folder (default: the config's policy.dir, else policies/) and
validate it strictly against schema.cedarschema. Problems print as file:line:col: message, with Cedar's
help text. Also warns on patterns that fail open or surprise: a forbid that can fail to evaluate, a
policy without @id, a permit with an unconstrained scope and no condition.

  --schema FILE          schema to validate against (default: <dir>/schema.cedarschema)
  --warnings-as-errors   exit 1 on warnings too (use in CI)
  --json                 print {ok, policies, problems} as JSON
  --config FILE          project config (default: $ZTPDP_CONFIG, else config/pdp.yaml)

exit: 0 valid, 1 errors (or warnings with --warnings-as-errors), 2 usage`;

export function validateCommand(argv: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs(
    "validate",
    argv,
    { ...COMMON_OPTIONS, "warnings-as-errors": { type: "boolean" }, json: { type: "boolean" }, schema: { type: "string" }, config: { type: "string" } },
    1,
  );
  // The config only matters for the default folder: an explicit folder does not need a (valid) config.
  const config = positionals[0] === undefined || values.config !== undefined ? optionalConfig(io, "validate", values.config) : undefined;
  const dir = policyDir(io, "validate", positionals[0], config);
  const schemaPath = values.schema === undefined ? undefined : absolutePath(io, values.schema);
  if (schemaPath !== undefined && !existsSync(schemaPath)) throw new UsageError(`schema file \`${values.schema}\` does not exist`, "validate");
  const result = readPolicyDir(dir, schemaPath === undefined ? {} : { schemaPath });

  let problems: PolicyProblem[];
  let policyCount = 0;
  if (result.ok) {
    const schema = schemaToJson(result.policySet.schemaText);
    problems = [...result.policySet.warnings, ...lintPolicySet(result.policySet, schema.type === "success" ? schema.json : undefined)];

    policyCount = result.policySet.policies.length;
  } else {
    problems = result.problems;
  }
  // With a config, the schema must declare exactly the principal attributes the issuers map from claims
  // (checked even when policies fail to validate: a policy reading an undeclared attribute is the usual sign).
  const schemaFile = result.ok ? result.policySet.schemaFile : (schemaPath ?? join(dir, SCHEMA_FILE_NAME));
  if (config && existsSync(schemaFile)) {
    const source = result.ok ? result.policySet : { schemaText: readFileSync(schemaFile, "utf8") };
    const found = principalAttributeProblems(config.config.issuers, source);
    problems.push(...found.map((message) => ({ severity: "error" as const, file: schemaFile, message })));
  }
  problems = problems.map((p) => ({ ...p, file: shownPath(io, p.file) })).sort(byLocation);

  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const failed = errors > 0 || (warnings > 0 && values["warnings-as-errors"] === true);
  const out = printer(io.stdout);
  if (values.json) {
    out.line(JSON.stringify({ ok: !failed, dir: shownPath(io, dir), policies: result.ok ? policyCount : null, errors, warnings, problems }, null, 2));
    return failed ? EXIT_FAILED : EXIT_OK;
  }
  for (const p of problems) out.line(formatProblem(p));
  const counts = [plural(errors, "error"), plural(warnings, "warning")].join(", ");
  out.line(
    result.ok
      ? `${shownPath(io, dir)}: ${plural(policyCount, "policy", "policies")} valid against ${shownPath(io, result.policySet.schemaFile)} (${counts})`
      : `${shownPath(io, dir)}: policy set refused (${counts})`,
  );
  return failed ? EXIT_FAILED : EXIT_OK;
}

function byLocation(a: PolicyProblem, b: PolicyProblem): number {
  return a.file !== b.file ? (a.file < b.file ? -1 : 1) : (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
