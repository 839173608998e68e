import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { POLICY_FIXTURES, PROJECT, REPO_ROOT, runCli, STACK_FRAME, tempProject } from "./helpers.js";

const REFERENCE_SCHEMA = join(PROJECT, "policies/schema.cedarschema");

describe("ztpdp validate", () => {
  it("accepts the reference policies, reading the folder from the config", async () => {
    const r = await runCli(["validate"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toBe("policies: 7 policies valid against policies/schema.cedarschema (0 errors, 0 warnings)\n");
  });

  it("reports a syntax error as file:line:col (characters, not bytes) and exits 1", async () => {
    const r = await runCli(["validate", join(POLICY_FIXTURES, "syntax-error"), "--schema", REFERENCE_SCHEMA], { cwd: POLICY_FIXTURES });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("syntax-error/broken.cedar:11:41: unexpected token `}`");
    expect(r.stdout).toContain("syntax-error/second.cedar:1:65: unexpected end of input");
    expect(r.stdout).toMatch(/policy set refused \(2 errors, 0 warnings\)/);
  });

  it("reports a policy that fails schema validation with Cedar's help text and exits 1", async () => {
    const r = await runCli(["validate", "validation-error", "--schema", REFERENCE_SCHEMA], { cwd: POLICY_FIXTURES });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "validation-error/attrs.cedar:10:25: for policy `unknown-attribute`, attribute `device.nope` in context for 3 actions not found\n    help: did you mean `os`?",
    );
    expect(r.stdout).toContain("validation-error/action.cedar:1:30: for policy `action.cedar#0`, unrecognized action `Action::\"raed\"`\n    help: did you mean `Action::\"read\"`?");
  });

  it("points a schema error into the schema file", async () => {
    const r = await runCli(["validate", "bad-schema"], { cwd: POLICY_FIXTURES });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^bad-schema\/schema\.cedarschema:5:\d+: /m);
  });

  it("refuses duplicate policy ids, naming both places", async () => {
    const r = await runCli(["validate", "duplicate-ids", "--schema", REFERENCE_SCHEMA], { cwd: POLICY_FIXTURES });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("duplicate-ids/two.cedar:4:1: duplicate policy id `same`: also used by the policy at");
  });

  it("refuses an optional attribute read without `has` (Cedar's strict validator), with its help", async () => {
    const dir = tempProject({
      "p/schema.cedarschema": 'entity User { department?: String }; entity Doc; action "view" appliesTo { principal: [User], resource: [Doc] };',
      "p/optional.cedar": '@id("needs-has")\nforbid (principal, action, resource)\nwhen { principal.department == "sales" };\n',
    });
    const r = await runCli(["validate", "p"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("p/optional.cedar:3:8: for policy `needs-has`, unable to guarantee safety of access to optional attribute `department`");
    expect(r.stdout).toContain("help: try testing for the attribute's presence with `e has department && ..`");
  });

  describe("fail-open and surprise warnings", () => {
    const lintProject = () =>
      tempProject({
        "policies/extra.cedar": [
          "// no @id: named by position",
          'permit (principal in Group::"Employees", action in Action::"read", resource in Application::"docs")',
          "when { context.device.managed };",
          "",
          '@id("open-permit")',
          'permit (principal, action in Action::"read", resource in Application::"docs");',
          "",
          '@id("entity-read-forbid")',
          "forbid (principal, action, resource)",
          'when { Route::"/wiki".classification == "restricted" };',
          "",
          '@id("guarded-forbid")',
          "forbid (principal, action, resource)",
          'when { Route::"/wiki" has classification && Route::"/wiki".classification == "restricted" };',
          "",
          '@id("overflow-forbid")',
          "forbid (principal, action, resource)",
          "when { context.identity.tokenAgeSeconds * 1000000 > 3600 };",
          "",
        ].join("\n"),
      });

    it("warns without failing, then fails with --warnings-as-errors", async () => {
      const dir = lintProject();
      const r = await runCli(["validate"], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("policies/extra.cedar:2:1: warning: policy has no `@id`: it is named `extra.cedar#0` by its position");
      expect(r.stdout).toContain(
        "policies/extra.cedar:5:1: warning: permit `open-permit` has no condition and an unconstrained scope: it allows every principal",
      );
      expect(r.stdout).toContain(
        'policies/extra.cedar:8:1: warning: forbid `entity-read-forbid` can fail to evaluate (reads `classification` of `Route::"/wiki"`, an entity the request may not include)',
      );
      expect(r.stdout).toContain("policies/extra.cedar:16:1: warning: forbid `overflow-forbid` can fail to evaluate (arithmetic `*` can overflow)");
      expect(r.stdout).not.toContain("guarded-forbid");
      expect(r.stdout).toMatch(/12 policies valid .* \(0 errors, 4 warnings\)/);

      const strict = await runCli(["validate", "--warnings-as-errors"], { cwd: dir });
      expect(strict.code).toBe(1);
    });

    it("prints problems as JSON with --json", async () => {
      const r = await runCli(["validate", "--json"], { cwd: lintProject() });
      const json = JSON.parse(r.stdout) as { ok: boolean; warnings: number; problems: Array<{ policyId?: string; line?: number }> };
      expect(json.ok).toBe(true);
      expect(json.warnings).toBe(4);
      expect(json.problems.map((p) => p.policyId)).toEqual(["extra.cedar#0", "open-permit", "entity-read-forbid", "overflow-forbid"]);
    });
  });

  describe("bad input", () => {
    it("exits 2 on an unknown flag, without a stack trace", async () => {
      const r = await runCli(["validate", "--strict"]);
      expect(r).toMatchObject({ code: 2, stdout: "" });
      expect(r.stderr).toBe("ztpdp validate: unknown flag `--strict` (see `ztpdp validate --help`)\n");
    });

    it("exits 2 on a missing folder or schema file", async () => {
      expect(await runCli(["validate", "no-such-dir"])).toMatchObject({ code: 2, stderr: expect.stringContaining("policy folder `no-such-dir` does not exist") });
      expect(await runCli(["validate", "--schema", "nope.cedarschema"])).toMatchObject({ code: 2, stderr: expect.stringContaining("schema file `nope.cedarschema` does not exist") });
      expect(await runCli(["validate", "--config", "nope.yaml"])).toMatchObject({ code: 2, stderr: expect.stringContaining("config file `nope.yaml` does not exist") });
    });

    it("exits 2 on a second folder argument", async () => {
      const r = await runCli(["validate", "policies", "policies"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("too many arguments");
      expect(r.stderr).not.toMatch(STACK_FRAME);
    });

    it("reports an invalid config as a problem of the config file (exit 1)", async () => {
      const dir = tempProject({ "config/pdp.yaml": "version: 2\nissuers: []\n" });
      const r = await runCli(["validate"], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("ztpdp validate: invalid config `config/pdp.yaml`");
      expect(r.stderr).toContain("  - version:");
    });
  });
});
