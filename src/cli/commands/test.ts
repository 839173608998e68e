import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { COMMON_OPTIONS, parseCommandArgs } from "../args.js";
import { EXIT_FAILED, EXIT_OK, InputError, UsageError } from "../errors.js";
import { createHarness, startKeyGeneration } from "../harness/harness.js";
import { printer, type CliIo } from "../io.js";
import { namedEntities, requirePolicySet } from "../policy-context.js";
import { absolutePath, optionalConfig, policyDir, readBaseline, requireConfig, shownPath } from "../project.js";
import { avaTest, isAvaFolder } from "../ava/commands.js";
import { coverageOf, renderTestJson, renderTestText } from "../report/test-report.js";
import { cliEngine } from "../avp/cli-engine.js";
import { STORE_HELP, STORE_OPTIONS } from "../avp/store-target.js";
import { runSuite } from "../scenario/run.js";
import { readSourceDocs } from "../scenario/parse-worker.js";
import { findScenarioFiles, loadSuite } from "../scenario/suite.js";

export const TEST_HELP = `usage: ztpdp test [dir] [--scenarios PATH]... [--filter TEXT] [--require-coverage] [--json] [--config FILE] [--engine ENGINE]

Run the policy scenario files (YAML or JSON, and Cedar's \`cedar run-tests\` JSON) in <dir>/tests
through the production decision core: the real config (routes, issuers, claim mapping, posture
providers, patch baseline) with tokens signed by a key pair generated for this run. For a Verified
Access folder (verified-access.yaml), the cases describe what AVA receives and are evaluated on the
context AVA builds (the config is optional, used for this project's trust provider).

  dir                 policy folder (default: the config's policy.dir)
  --scenarios PATH    scenario file or folder instead of <dir>/tests (repeatable)
  --filter TEXT       run only the cases whose name contains TEXT
  --require-coverage  fail when a policy determined no decision in any case
  --json              print the results as JSON
  --config FILE       project config (default: $ZTPDP_CONFIG, else config/pdp.yaml)
  --engine ENGINE     local (default), avp-remote (one IsAuthorized per case) or avp-mirror (the store
                      copied, evaluated in process): on the store the flags below or the config name,
                      else on a local Verified Permissions endpoint holding the folder's policies
${STORE_HELP}

exit: 0 all passed, 1 a case failed or is invalid (or coverage is incomplete with
--require-coverage), 2 usage`;

export async function testCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const started = performance.now();
  const { values, positionals } = parseCommandArgs(
    "test",
    argv,
    {
      ...COMMON_OPTIONS,
      scenarios: { type: "string", multiple: true },
      filter: { type: "string" },
      "require-coverage": { type: "boolean" },
      json: { type: "boolean" },
      config: { type: "string" },
      engine: { type: "string" },
      ...STORE_OPTIONS,
    },
    1,
  );
  const timing = phaseTimer(io);
  const avaDir = positionals[0] === undefined ? undefined : absolutePath(io, positionals[0]);
  if (avaDir !== undefined && isAvaFolder(avaDir)) {
    // A Verified Access folder needs the project config only for this project's trust provider (posture).
    const config = optionalConfig(io, "test", values.config);
    const opts = { json: values.json === true, requireCoverage: values["require-coverage"] === true, started, ...(values.filter !== undefined ? { filter: values.filter } : {}) };
    return avaTest(io, avaDir, scenarioFiles(io, avaDir, values.scenarios), config, opts);
  }
  const config = requireConfig(io, "test", values.config);
  const dir = policyDir(io, "test", positionals[0], config);
  const keys = startKeyGeneration(config);
  keys.catch(() => undefined); // awaited below; a failure must not surface as an unhandled rejection first
  const scenarioPaths = scenarioFiles(io, dir, values.scenarios);
  // Parsing starts first (on a worker for big suites) and overlaps loading the policies.
  // ZTPDP_PARSE_THREAD: `0` never starts the helper thread, `1` always does (measurements, tests).
  const thread = io.env.ZTPDP_PARSE_THREAD;
  const parsing = readSourceDocs(scenarioPaths, (f) => shownPath(io, f), thread === "0" ? undefined : io.workerEntry, thread === "1" ? 0 : undefined);
  const policySet = requirePolicySet(io, dir);
  const baseline = readBaseline(io, config);
  const nowMs = Date.now();
  const named = namedEntities(policySet);
  const chosen = await cliEngine(io, values.engine, values, config, policySet);
  try {
    if (chosen.engine) io.stderr(`ztpdp test: engine ${chosen.label}\n`);
    return await runCases();
  } finally {
    await chosen.close();
  }

  async function runCases(): Promise<number> {
    // Built before waiting for the parse, so engine set-up overlaps it too.
    const harness = createHarness({ config, policySet, baseline, nowMs, keys: await keys, ...(chosen.engine ? { engine: chosen.engine } : {}) });
    timing("config, policies, keys and harness");

    const suite = loadSuite(scenarioPaths, await parsing, {
      config: config.config,
      baseline,
      namedEntities: named,
      policyIds: new Set(policySet.policies.map((p) => p.id)),
      nowSeconds: Math.floor(nowMs / 1000),
    });
    if (values.filter !== undefined) {
      const needle = values.filter.toLowerCase();
      suite.entries = suite.entries.filter((e) => e.name.toLowerCase().includes(needle));
      if (suite.entries.length === 0) throw new InputError(`no case name contains \`${values.filter}\``);
    }
    if (suite.entries.length === 0) throw new InputError("the scenario files hold no cases");
    timing("scenario files");

    harness.addRoutes(suite.entries.flatMap((e) => (e.kind === "scenario" && e.case.input.request.adHocRoute ? [e.case.input.request.adHocRoute] : [])));
    const results = await runSuite(suite, harness);
    timing("cases");

    const coverage = coverageOf(policySet.policies, results, (f) => shownPath(io, f));
    const files = [...new Set(results.map((r) => r.file))];
    const report = { results, coverage, files, seconds: (performance.now() - started) / 1000 };
    const failed = results.some((r) => r.status !== "pass") || (values["require-coverage"] === true && coverage.some((c) => c.cases === 0));
    const out = printer(io.stdout);
    if (values.json) out.line(JSON.stringify(renderTestJson(report, failed), null, 2));
    else renderTestText(report, out, values["require-coverage"] === true);
    return failed ? EXIT_FAILED : EXIT_OK;
  }
}

/** `ZTPDP_TIMING=1`: where a run's time goes, per phase, on stderr. */
function phaseTimer(io: CliIo): (phase: string) => void {
  if (io.env.ZTPDP_TIMING !== "1") return () => undefined;
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    io.stderr(`ztpdp test: ${phase}: ${Math.round(now - last)} ms\n`);
    last = now;
  };
}

function scenarioFiles(io: CliIo, dir: string, scenarios: string[] | undefined): string[] {
  if (!scenarios || scenarios.length === 0) {
    const tests = join(dir, "tests");
    if (!existsSync(tests)) {
      throw new UsageError(`no scenario folder \`${shownPath(io, tests)}\`: create it, or pass \`--scenarios PATH\``, "test");
    }
    return nonEmpty(io, findScenarioFiles(tests), tests);
  }
  return scenarios.flatMap((s) => {
    const path = absolutePath(io, s);
    if (!existsSync(path)) throw new UsageError(`scenario file or folder \`${s}\` does not exist`, "test");
    return statSync(path).isDirectory() ? nonEmpty(io, findScenarioFiles(path), path) : [path];
  });
}

function nonEmpty(io: CliIo, files: string[], dir: string): string[] {
  // An empty suite must not pass: that is how a renamed folder silently turns CI green.
  if (files.length === 0) throw new InputError(`no scenario files (.yaml, .yml, .json) in \`${shownPath(io, dir)}\``);
  return files;
}
