import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { run } from "../../src/cli/run.js";
import { PROJECT, runCli, STACK_FRAME } from "./helpers.js";

describe("ztpdp (dispatch)", () => {
  it("prints usage and exits 2 without a command", async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^usage: ztpdp <command> \[flags\]/);
  });

  it("prints help on --help and on `<command> --help`, exit 0", async () => {
    expect(await runCli(["--help"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: ztpdp <command>/) });
    for (const command of ["validate", "fmt", "test", "explain"]) {
      expect(await runCli([command, "--help"])).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^usage: ztpdp ${command} `)) });
    }
  });

  it("prints the project version from package.json on --version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const r = await runCli(["--version"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(new RegExp(`^ztpdp ${version.replaceAll(".", "\\.")} \\(cedar \\d+\\.\\d+\\.\\d+\\)\n$`));
  });

  it("exits 2 on an unknown command", async () => {
    const r = await runCli(["tset"]);
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toBe("ztpdp: unknown command `tset` (commands: validate, fmt, test, explain, config, push, pull; see `ztpdp --help`)\n");
  });

  it("turns an unexpected exception into one line and exit 1, never a stack trace", async () => {
    let stderr = "";
    const io: CliIo = {
      stdout: () => {
        throw new TypeError("terminal went away");
      },
      stderr: (t) => void (stderr += t),
      cwd: PROJECT,
      env: {},
    };
    expect(await run(["validate"], io)).toBe(1);
    expect(stderr).toBe("ztpdp validate: internal error: terminal went away\n");
    expect(stderr).not.toMatch(STACK_FRAME);
  });
});
