import { readdirSync } from "node:fs";
import type { LoadedConfig } from "../config/load.js";
import { formatProblem } from "../policy/problems.js";
import { avaMappingProblems } from "./compose.js";
import { readAvaPolicyDir } from "./loader.js";
import { MANIFEST_FILE_NAME } from "./manifest.js";

/**
 * AVA mode's part of the preflight (src/config/preflight.ts): in AVA mode (`verifiedAccess.policyDir`) the
 * authorizers read the Verified Access folder instead of `policy.dir`, so that folder is what is checked,
 * as a cold start would (loader rules and the config's context mappings), and what is staged into a bundle.
 * Undefined when the config is not in AVA mode.
 */
export function avaPreflight(loaded: LoadedConfig, shown: (path: string) => string): { dir: string; problems: string[] } | undefined {
  const relativeDir = loaded.config.verifiedAccess?.policyDir;
  if (relativeDir === undefined) return undefined;
  const dir = loaded.resolvePath(relativeDir);
  const read = readAvaPolicyDir(dir);
  if (!read.ok) {
    return { dir, problems: read.problems.filter((p) => p.severity === "error").map((p) => formatProblem({ ...p, file: shown(p.file) })) };
  }
  return { dir, problems: avaMappingProblems(loaded, read.set.manifest).map((p) => `${shown(loaded.file)}: ${p}`) };
}

/** The files of a Verified Access folder its loader reads: `*.cedar` and `verified-access.yaml` (no scenarios). */
export function avaPolicySourceNames(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith(".cedar") || name === MANIFEST_FILE_NAME).sort();
}
