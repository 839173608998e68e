import { execFile } from "node:child_process";
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT, REPO_ROOT, STACK_FRAME, tempProject } from "./helpers.js";

/**
 * The built bin (`dist/cli/ztpdp.mjs`, what `npx ztpdp` runs), spawned as a real process: the esbuild
 * bundle must find its Cedar wasm, read the project from the working directory, and exit with the
 * documented codes. `npm test` builds before running vitest; run `node scripts/build.mjs` otherwise.
 */
const BUILT = join(REPO_ROOT, "dist/cli");
const exec = promisify(execFile);
/** A private copy of the bin and its wasm, taken once: a build running meanwhile empties dist/ first. */
let BIN = "";

async function ztpdp(args: string[], cwd = PROJECT, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("the built ztpdp bin", () => {
  beforeAll(() => {
    if (!existsSync(join(BUILT, "ztpdp.mjs"))) throw new Error(`${BUILT}/ztpdp.mjs is missing: run \`node scripts/build.mjs\` first (npm test does)`);
    const copy = join(tempProject(), "bin");
    cpSync(BUILT, copy, { recursive: true });
    BIN = join(copy, "ztpdp.mjs");
  });

  it("prints the project version (npx ztpdp --version)", async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    expect(await ztpdp(["--version"])).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^ztpdp ${version.replaceAll(".", "\\.")} \\(cedar `)), stderr: "" });
  });

  it("validates the reference policies", async () => {
    expect(await ztpdp(["validate", "--warnings-as-errors"])).toMatchObject({ code: 0, stdout: expect.stringContaining("7 policies valid") });
  });

  it("runs the reference scenarios with full coverage", async () => {
    const r = await ztpdp(["test", "--require-coverage"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed \(\d+ cases in 5 files; 7\/7 policies covered\)/m);
  });

  it("loads its wasm from next to the bundle, whatever the working directory", async () => {
    const dir = tempProject({}, { withReferenceScenarios: true });
    const r = await ztpdp(["explain", "--service", "order-service", "--method", "POST", "--route", "/payments/charges", "--json"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ decision: "allow", determining: [{ id: "payments-order-service", file: "policies/payments.cedar" }] });
  });

  it("exits 2 on usage errors with one line and no stack trace", async () => {
    const r = await ztpdp(["test", "--no-such-flag"]);
    expect(r).toMatchObject({ code: 2, stdout: "", stderr: "ztpdp test: unknown flag `--no-such-flag` (see `ztpdp test --help`)\n" });
    const missing = await ztpdp(["fmt", "--check", "missing.cedar"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).not.toMatch(STACK_FRAME);
  });

  it("parses scenario files on its helper thread with the same results and positions", async () => {
    const dir = tempProject(
      {
        "policies/tests/mixed.yaml": [
          "knownGroups: [Contractors]",
          "cases:",
          "  - name: passes",
          "    service: order-service",
          "    request: { method: POST, route: /payments/charges }",
          "    expect: allow",
          "  - name: fails",
          "    user: { id: carl, groups: [Contractors] }",
          '    request: { method: GET, route: "/wiki/{page}" }',
          "    expect: allow",
          "  - name: invalid",
          "    user: { id: carl, groups: [Contractors] }",
          "    request: { method: GET, route: /wikki }",
          "    expect: allow",
          "",
        ].join("\n"),
      },
      { withReferenceScenarios: true },
    );
    const [threaded, inline] = await Promise.all([
      ztpdp(["test", "--json"], dir, { ZTPDP_PARSE_THREAD: "1" }),
      ztpdp(["test", "--json"], dir, { ZTPDP_PARSE_THREAD: "0" }),
    ]);
    const strip = (out: string) => {
      const report = JSON.parse(out) as { summary: Record<string, unknown>; cases: unknown[] };
      delete report.summary.seconds;
      return report;
    };
    expect(strip(threaded.stdout)).toEqual(strip(inline.stdout));
    const cases = strip(threaded.stdout).cases as Array<{ name: string; line: number; status: string; problems?: Array<{ line: number; col: number }> }>;
    expect(cases.filter((c) => ["fails", "invalid"].includes(c.name))).toEqual([
      expect.objectContaining({ name: "fails", line: 7, status: "fail" }),
      // A problem inside a case needs a position the thread did not send: found by re-parsing the file.
      expect.objectContaining({ name: "invalid", line: 11, status: "invalid", problems: [expect.objectContaining({ line: 13, col: 36 })] }),
    ]);
  });

  it("exits 1 on a failing scenario", async () => {
    const dir = tempProject({
      "policies/tests/wrong.yaml": 'cases:\n  - name: wrong on purpose\n    service: order-service\n    request: { method: GET, route: "/wiki" }\n    expect: allow\n',
    });
    const r = await ztpdp(["test"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("  ✗ wrong on purpose");
  });
});
