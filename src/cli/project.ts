import { existsSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { ConfigError, loadConfig, type LoadedConfig, CONFIG_PATH_ENV } from "../config/load.js";
import { loadBaseline, PatchBaselineError, type PatchBaseline } from "../posture/baseline.js";
import { InputError, UsageError } from "./errors.js";
import type { CliIo } from "./io.js";

/**
 * Where a command's inputs come from. The config is the project's own (`--config`, else $ZTPDP_CONFIG,
 * else `config/pdp.yaml` under the working directory), never the copy bundled next to the CLI: policy
 * authors test their repository, not the package.
 */
export const DEFAULT_CONFIG = "config/pdp.yaml";
export const DEFAULT_POLICY_DIR = "policies";

export function absolutePath(io: CliIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/** How a path is shown: relative to the working directory when inside it, so `file:line:col` is clickable. */
export function shownPath(io: CliIo, path: string): string {
  const rel = relative(io.cwd, path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

function configCandidate(io: CliIo, flag: string | undefined): { path: string; explicit: boolean } {
  if (flag !== undefined) return { path: absolutePath(io, flag), explicit: true };
  const fromEnv = io.env[CONFIG_PATH_ENV];
  if (fromEnv) return { path: absolutePath(io, fromEnv), explicit: true };
  return { path: absolutePath(io, DEFAULT_CONFIG), explicit: false };
}

/** The project config, required (test, explain). */
export function requireConfig(io: CliIo, command: string, flag: string | undefined): LoadedConfig {
  const { path, explicit } = configCandidate(io, flag);
  if (!existsSync(path)) {
    throw new UsageError(
      explicit
        ? `config file \`${shownPath(io, path)}\` does not exist`
        : `no config file at \`${DEFAULT_CONFIG}\`: run from the project root or pass \`--config FILE\``,
      command,
    );
  }
  return readConfig(io, path);
}

/** The project config if there is one (validate and fmt only need it for the default policy folder). */
export function optionalConfig(io: CliIo, command: string, flag: string | undefined): LoadedConfig | undefined {
  const { path, explicit } = configCandidate(io, flag);
  if (!existsSync(path)) {
    if (explicit) throw new UsageError(`config file \`${shownPath(io, path)}\` does not exist`, command);
    return undefined;
  }
  return readConfig(io, path);
}

function readConfig(io: CliIo, path: string): LoadedConfig {
  try {
    return loadConfig(path);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new InputError(`invalid config \`${shownPath(io, err.file)}\``, err.problems.map((p) => `  - ${p}`));
    }
    throw err;
  }
}

/** The policy folder: the positional argument, else the config's `policy.dir`, else `policies/`. */
export function policyDir(io: CliIo, command: string, positional: string | undefined, config: LoadedConfig | undefined): string {
  const dir =
    positional !== undefined
      ? absolutePath(io, positional)
      : config
        ? config.resolvePath(config.config.policy.dir)
        : absolutePath(io, DEFAULT_POLICY_DIR);
  requireDirectory(io, command, dir, "policy folder");
  return dir;
}

export function requireDirectory(io: CliIo, command: string, dir: string, what: string): void {
  if (!existsSync(dir)) throw new UsageError(`${what} \`${shownPath(io, dir)}\` does not exist`, command);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${what} \`${shownPath(io, dir)}\` is not a folder`, command);
}

/** The patch baseline the config names; a bad one stops the command with the baseline's own problems. */
export function readBaseline(io: CliIo, config: LoadedConfig): PatchBaseline {
  try {
    return loadBaseline(config.resolvePath(config.config.devicePosture.patchBaselineFile));
  } catch (err) {
    if (err instanceof PatchBaselineError) {
      throw new InputError(`invalid patch baseline \`${shownPath(io, err.fileName)}\``, err.problems.map((p) => `  - ${p}`));
    }
    throw err;
  }
}
