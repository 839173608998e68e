import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { FIXTURE_PROJECT } from "../support/fixture-project.js";
import { ROOT } from "../support/local-config.js";

/**
 * A throw-away copy of the project for `serverless package`: the real serverless.yml, plugin and
 * CloudFormation files, the built dist/ and node_modules (linked), and the test project's config and
 * policies instead of the repository's. Each copy has its own `.serverless/`, so packaging tests run in
 * parallel without sharing the framework's temporary folder.
 */
export interface PackagingProject {
  root: string;
  write(path: string, text: string): void;
  /** `serverless <args>` in the copy; resolves with the output whatever the exit code. */
  serverless(args: string[]): Promise<{ code: number; output: string }>;
  cleanup(): void;
}

export function packagingProject(): PackagingProject {
  const root = mkdtempSync(join(tmpdir(), "ztpdp-project-"));
  for (const entry of ["serverless.yml", "package.json", "deploy", "scripts/authorizer-cache.cjs", "config/examples/production.yaml"]) {
    cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  }
  cpSync(join(FIXTURE_PROJECT, "config/pdp.yaml"), join(root, "config/pdp.yaml"));
  cpSync(join(FIXTURE_PROJECT, "policies"), join(root, "policies"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  symlinkSync(join(ROOT, "dist"), join(root, "dist"), "dir");
  return {
    root,
    write(path, text) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    },
    async serverless(args) {
      const cli = join(ROOT, "node_modules/serverless/bin/serverless.js");
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
          cwd: root,
          env: { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: "false", SLS_TELEMETRY_DISABLED: "1", ZTPDP_CONFIG: "" },
          timeout: 120_000,
        });
        return { code: 0, output: stdout + stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === "number" ? e.code : -1, output: (e.stdout ?? "") + (e.stderr ?? "") };
      }
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The packaged CloudFormation template's resources and outputs. */
export function readTemplate(outDir: string): { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Condition?: string }>; Outputs: Record<string, { Value: unknown; Export?: { Name: unknown } }>; Conditions?: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(outDir, "cloudformation-template-update-stack.json"), "utf8"));
}
