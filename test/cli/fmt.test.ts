import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { comments, formattingProblem } from "../../src/cli/fmt-safety.js";
import { runCli, tempProject } from "./helpers.js";

const UNFORMATTED = [
  "// Employees read the docs.",
  '@id("docs-read")',
  'permit(principal in Group::"Employees",action in Action::"read",resource in Application::"docs") when {',
  "   // managed only",
  "   context.device.managed",
  "};",
  "",
].join("\n");

/** What Cedar 4.13's formatter makes of it (and of its own output: formatting is idempotent). */
const FORMATTED = [
  "// Employees read the docs.",
  '@id("docs-read")',
  "permit (",
  '  principal in Group::"Employees",',
  '  action in Action::"read",',
  '  resource in Application::"docs"',
  ")",
  "when",
  "{",
  "  // managed only",
  "  context.device.managed",
  "};",
  "",
].join("\n");

describe("ztpdp fmt", () => {
  it("--check lists the files that differ, changes nothing and exits 1", async () => {
    const dir = tempProject({ "docs.cedar": UNFORMATTED, "ok.cedar": FORMATTED });
    const r = await runCli(["fmt", "--check", "docs.cedar", "ok.cedar"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("docs.cedar: not formatted\n1 of 2 files not formatted (run `ztpdp fmt` to fix)\n");
    expect(readFileSync(join(dir, "docs.cedar"), "utf8")).toBe(UNFORMATTED);
  });

  it("rewrites with Cedar's formatter, keeping comments; then --check passes", async () => {
    const dir = tempProject({ "docs.cedar": UNFORMATTED });
    const r = await runCli(["fmt", "docs.cedar"], { cwd: dir });
    expect(r).toMatchObject({ code: 0, stdout: "formatted docs.cedar\n1 of 1 file reformatted\n" });
    expect(readFileSync(join(dir, "docs.cedar"), "utf8")).toBe(FORMATTED);
    expect(await runCli(["fmt", "--check", "docs.cedar"], { cwd: dir })).toMatchObject({ code: 0, stdout: "1 file formatted\n" });
  });

  it("formats every .cedar file of the config's policy folder by default, without changing a policy", async () => {
    const dir = tempProject({ "policies/docs.cedar": UNFORMATTED }, { withReferenceScenarios: true });
    const before = await runCli(["fmt", "--check"], { cwd: dir });
    expect(before.code).toBe(1);
    expect(before.stdout).toContain("policies/docs.cedar: not formatted");
    expect((await runCli(["fmt"], { cwd: dir })).code).toBe(0);
    expect(await runCli(["fmt", "--check"], { cwd: dir })).toMatchObject({ code: 0, stdout: "6 files formatted\n" });
    // The policies mean the same: they validate, and every reference scenario still passes.
    expect((await runCli(["validate"], { cwd: dir })).code).toBe(0);
    expect((await runCli(["test"], { cwd: dir })).code).toBe(0);
  });

  it("reports a syntax error as file:line:col and leaves the file alone", async () => {
    const broken = 'permit (principal, action, resource)\nwhen { context.device.managed && };\n';
    const dir = tempProject({ "broken.cedar": broken });
    const r = await runCli(["fmt", "broken.cedar"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^broken\.cedar:2:34: unexpected token `}`/m);
    expect(readFileSync(join(dir, "broken.cedar"), "utf8")).toBe(broken);
  });

  it("exits 2 for a missing file or a file that is not .cedar", async () => {
    const dir = tempProject({ "notes.txt": "hello" });
    expect(await runCli(["fmt", "missing.cedar"], { cwd: dir })).toMatchObject({ code: 2, stderr: "ztpdp fmt: `missing.cedar` does not exist (see `ztpdp fmt --help`)\n" });
    expect(await runCli(["fmt", "notes.txt"], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringContaining("`notes.txt` is not a .cedar file") });
    expect(await runCli(["fmt", "--write"], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown flag `--write`") });
  });
});

describe("fmt safety checks", () => {
  it("accept a formatting that only moves whitespace", () => {
    expect(formattingProblem(UNFORMATTED, FORMATTED)).toBeUndefined();
  });

  it("refuse a change of meaning, including an annotation", () => {
    expect(formattingProblem(UNFORMATTED, FORMATTED.replace("context.device.managed", "context.device.compliant"))).toMatch(/would not mean the same/);
    expect(formattingProblem(UNFORMATTED, FORMATTED.replace('@id("docs-read")', '@id("docs-reed")'))).toMatch(/would not mean the same/);
  });

  it("refuse a dropped or reordered comment", () => {
    expect(formattingProblem(UNFORMATTED, FORMATTED.replace("  // managed only\n", ""))).toMatch(/drop or reorder a comment/);
  });

  it("do not mistake // inside a string for a comment", () => {
    expect(comments('permit (principal, action, resource) when { context.network.host == "a//b" }; // real')).toEqual(["real"]);
  });

});
