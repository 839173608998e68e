import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { run } from "../../src/cli/run.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const POLICY_FIXTURES = join(REPO_ROOT, "test/policy/fixtures");
/** The project the CLI tests run in: the tests' own config and reference policies (test/fixtures/project). */
export const PROJECT = join(REPO_ROOT, "test/fixtures/project");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, as `ztpdp <argv>` from `cwd`, with a captured terminal. */
export async function runCli(argv: string[], opts: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    cwd: opts.cwd ?? PROJECT,
    env: opts.env ?? {},
    ...(opts.stdin !== undefined ? { readStdin: () => opts.stdin as string } : {}),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/**
 * A throw-away copy of the test project's config and policies, plus the given files (paths relative to the
 * project root), so tests can break things without touching the repository. `policies/tests` starts
 * empty unless `withReferenceScenarios`.
 */
export function tempProject(files: Record<string, string> = {}, opts: { withReferenceScenarios?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), "ztpdp-cli-"));
  temps.push(root);
  cpSync(join(PROJECT, "config"), join(root, "config"), { recursive: true });
  mkdirSync(join(root, "policies/tests"), { recursive: true });
  for (const name of readdirSync(join(PROJECT, "policies"))) {
    if (name === "tests" && !opts.withReferenceScenarios) continue;
    cpSync(join(PROJECT, "policies", name), join(root, "policies", name), { recursive: true });
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** Output must never contain a JavaScript stack trace. */
export const STACK_FRAME = /^\s+at .+[:(]\d+/m;

/** 1-based line of a policy's `@id` in a reference policy file (of the test project), so tests follow `ztpdp fmt`. */
export function idLine(file: string, id: string): number {
  const lines = readFileSync(join(PROJECT, file), "utf8").split("\n");
  const index = lines.findIndex((l) => l.startsWith(`@id("${id}")`));
  if (index < 0) throw new Error(`${file} has no @id("${id}")`);
  return index + 1;
}
