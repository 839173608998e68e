import { execFile } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STACK_FRAME } from "../cli/helpers.js";
import { FIXTURE_PROJECT } from "../support/fixture-project.js";
import { ROOT } from "../support/local-config.js";

// `npm run build` (scripts/build.mjs) in a copy of the project whose policies have an error: the problem
// is reported like `ztpdp validate` (policies/<file>:line:col, no stack trace) and the CLI is left built.

const run = promisify(execFile);
let project: string;
let build: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "ztpdp-build-"));
  for (const entry of ["package.json", "scripts", "src", "functions"]) cpSync(join(ROOT, entry), join(project, entry), { recursive: true });
  cpSync(join(FIXTURE_PROJECT, "config"), join(project, "config"), { recursive: true });
  cpSync(join(FIXTURE_PROJECT, "policies"), join(project, "policies"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
  appendFileSync(join(project, "policies/wiki.cedar"), '\n@id("typo")\npermit (principal, action, resource) when { context.devise.verified };\n');
  try {
    const { stdout, stderr } = await run(process.execPath, ["scripts/build.mjs"], { cwd: project, encoding: "utf8" });
    build = { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    build = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}, 180_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("npm run build with a policy error", () => {
  it("fails, naming policies/<file>:line:col like ztpdp validate, without a stack trace", () => {
    expect(build.code).toBe(1);
    expect(build.stderr).toMatch(/^ {2}policies\/wiki\.cedar:\d+:\d+: for policy `typo`, attribute `devise` in context .* not found$/m);
    expect(build.stderr).not.toMatch(STACK_FRAME);
    expect(build.stderr).not.toContain("dist/");
  });

  it("leaves the CLI built, so `npx ztpdp validate` shows the same problem", async () => {
    expect(existsSync(join(project, "dist/cli/ztpdp.mjs"))).toBe(true);
    const validate = await run(process.execPath, ["dist/cli/ztpdp.mjs", "validate"], { cwd: project, encoding: "utf8" }).catch((e: { code: number; stdout: string }) => e);
    expect(validate).toMatchObject({ code: 1 });
    expect((validate as { stdout: string }).stdout).toMatch(/^policies\/wiki\.cedar:\d+:\d+: for policy `typo`/m);
  });
});
