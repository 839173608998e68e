import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PackageRefused, planPackage } from "../../src/deploy/plan.js";
import { BundleError, stageBundle } from "../../src/deploy/stage.js";
import { FIXTURE_PROJECT } from "../support/fixture-project.js";
import { ROOT } from "../support/local-config.js";

// Which config packaging ships (src/deploy/plan.ts) and what staging refuses (src/deploy/stage.ts), on a
// copy of the test project with the committed production example.

const root = mkdtempSync(join(tmpdir(), "ztpdp-plan-"));
cpSync(join(FIXTURE_PROJECT, "config"), join(root, "config"), { recursive: true });
cpSync(join(FIXTURE_PROJECT, "policies"), join(root, "policies"), { recursive: true });
cpSync(join(ROOT, "config/examples/production.yaml"), join(root, "config/examples/production.yaml"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const plan = (command: string, stage: string, configParam = "") => planPackage({ root, command, stage, configParam });

describe("planPackage", () => {
  it("packages the development config only for `package` on the dev stage, and says so", () => {
    expect(plan("package", "dev")).toMatchObject({ config: join(root, "config/pdp.yaml"), development: true, notice: expect.stringContaining("for inspection only") });
  });

  it.each([
    ["deploy", "dev"],
    ["deploy", "prod"],
    ["deploy function", "prod"],
    ["package", "prod"],
    ["package", "staging"],
  ])("refuses `%s --stage %s` without a named config", (command, stage) => {
    expect(() => plan(command, stage)).toThrow(PackageRefused);
    expect(() => plan(command, stage)).toThrow(`\`serverless ${command} --stage ${stage}\` needs the config to ship: add \`--param config=FILE\``);
  });

  it("refuses a development config for any deploy or deployed stage", () => {
    expect(() => plan("deploy", "dev", "config/pdp.yaml")).toThrow("`config/pdp.yaml` is a development config (development.allowInsecureLoopbackJwks is set)");
    expect(() => plan("package", "prod", "config/pdp.yaml")).toThrow(PackageRefused);
  });

  it("accepts a production config for every stage and command", () => {
    expect(plan("deploy", "prod", "config/examples/production.yaml")).toEqual({ config: join(root, "config/examples/production.yaml"), development: false });
  });
});

describe("stageBundle", () => {
  it("refuses a config that names files outside the project", () => {
    const outside = mkdtempSync(join(tmpdir(), "ztpdp-outside-"));
    cpSync(join(root, "policies"), join(outside, "policies"), { recursive: true });
    writeFileSync(
      join(root, "config/examples/outside.yaml"),
      readFileSync(join(root, "config/examples/production.yaml"), "utf8").replace("dir: ../../policies", `dir: ${join(outside, "policies")}`),
    );
    try {
      stageBundle({ root, config: "config/examples/outside.yaml", outDir: mkdtempSync(join(tmpdir(), "ztpdp-out-")) });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(BundleError);
          expect((err as BundleError).problems).toEqual([`config/examples/outside.yaml: policy.dir \`${join(outside, "policies")}\` is outside the project \`${root}\``]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("lists every problem of the config and what it names, as file:line:col", () => {
    writeFileSync(join(root, "policies/zz-broken.cedar"), '@id("broken")\npermit (principal, action, resource) when { context.nope };\n');
    try {
      expect(() => stageBundle({ root, config: "config/examples/production.yaml", outDir: mkdtempSync(join(tmpdir(), "ztpdp-out-")) })).toThrow(
        /cannot bundle `config\/examples\/production\.yaml`:\n {2}policies\/zz-broken\.cedar:2:\d+: for policy `broken`, attribute `nope`/,
      );
    } finally {
      rmSync(join(root, "policies/zz-broken.cedar"));
    }
  });
});
