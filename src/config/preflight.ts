import { isAbsolute, relative } from "node:path";
import { readPolicyDir, type LoadedPolicySet } from "../policy/loader.js";
import { formatProblem } from "../policy/problems.js";
import { loadBaseline, PatchBaselineError } from "../posture/baseline.js";
import { ConfigError, loadConfig, type LoadedConfig } from "./load.js";

/**
 * Everything a cold start would load from disk, checked ahead of time: the config, the policy folder it
 * names (strict validation, as at cold start) and the patch baseline. Used where a bad project must stop
 * before anything runs: `npm start`, the build and packaging. Every problem is collected, not just the
 * first, and paths are shown relative to `shownFrom` (the project root) so they read like `ztpdp validate`:
 * `policies/wiki.cedar:12:3: …`.
 */

export type Preflight =
  | { ok: true; loaded: LoadedConfig; policySet: LoadedPolicySet; policyDir: string; baselineFile: string }
  | { ok: false; problems: string[] };

export function preflight(configFile: string, shownFrom: string = process.cwd()): Preflight {
  const shown = (p: string) => shownPath(shownFrom, p);
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(configFile);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { ok: false, problems: err.problems.map((p) => `${shown(err.file)}: ${p}`) };
  }
  const problems: string[] = [];
  const policyDir = loaded.resolvePath(loaded.config.policy.dir);
  const baselineFile = loaded.resolvePath(loaded.config.devicePosture.patchBaselineFile);
  // readPolicyDir never takes the precompiled shortcut: this is the check the shortcut relies on.
  const policies = readPolicyDir(policyDir);
  if (!policies.ok) {
    for (const p of policies.problems) if (p.severity === "error") problems.push(formatProblem({ ...p, file: shown(p.file) }));
  }
  try {
    loadBaseline(baselineFile);
  } catch (err) {
    if (!(err instanceof PatchBaselineError)) throw err;
    problems.push(...err.problems.map((p) => `${shown(baselineFile)}: ${p}`));
  }
  if (!policies.ok || problems.length > 0) return { ok: false, problems };
  return { ok: true, loaded, policySet: policies.policySet, policyDir, baselineFile };
}

/** `policies/wiki.cedar` for a file under `from`, the absolute path otherwise. */
export function shownPath(from: string, path: string): string {
  const rel = relative(from, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}
