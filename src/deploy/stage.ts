import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { avaPolicySourceNames } from "../ava/preflight.js";
import { BUNDLE_MANIFEST, type BundleManifest } from "../config/bundle-manifest.js";
import { preflight } from "../config/preflight.js";
import { SCHEMA_FILE_NAME } from "../policy/loader.js";
import { PRECOMPILED_FILE } from "../policy/precompiled.js";
import { precompilePolicyDir } from "../policy/precompile-dir.js";

/**
 * Puts one config, and exactly the files it names, into an authorizer bundle folder: the config file
 * byte for byte, the `*.cedar` files and `schema.cedarschema` of its policy folder (what the loader reads,
 * nothing else: no scenario tests, no notes; on Verified Permissions the schema alone), its patch baseline, the build-time validated policy set, and
 * the manifest naming the config. Files keep their project-relative paths, so the config's own relative
 * paths (`../policies`) resolve inside the bundle exactly as in the project.
 *
 * Used by the build (the development config, for `npm start`) and by packaging (the operator's config).
 */

export interface StageOptions {
  /** Project root: the config and every file it names must be inside it. */
  root: string;
  /** The config to ship: absolute, or relative to `root`. */
  config: string;
  /** A bundle folder that holds no staged config yet (dist/<function>, or a packaging copy of it). */
  outDir: string;
  /** Stage the policy folder too (default). The trust provider reads only the config and the baseline. */
  policies?: boolean;
}

/** A config that cannot be shipped: every problem, paths relative to the project root. */
export class BundleError extends Error {
  constructor(
    readonly config: string,
    readonly problems: readonly string[],
  ) {
    super(`cannot bundle \`${config}\`:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "BundleError";
  }
}

export function stageBundle({ root, config, outDir, policies = true }: StageOptions): BundleManifest {
  const configFile = resolve(root, config);
  const shownConfig = inside(root, configFile) ?? configFile;
  const checked = preflight(configFile, root);
  if (!checked.ok) throw new BundleError(shownConfig, checked.problems);

  const named = [
    { what: "the config", path: configFile, files: [configFile] },
    ...(policies
      ? checked.verifiedAccess
        ? // AVA mode: the Verified Access folder instead of policy.dir, which the authorizers then never read.
          [{ what: "verifiedAccess.policyDir", path: checked.policyDir, files: avaPolicySourceNames(checked.policyDir).map((name) => join(checked.policyDir, name)) }]
        : [{ what: "policy.dir", path: checked.policyDir, files: policySourceNames(checked.policyDir, checked.loaded.config.policy.engine).map((name) => join(checked.policyDir, name)) }]
      : []),
    { what: "devicePosture.patchBaselineFile", path: checked.baselineFile, files: [checked.baselineFile] },
  ];
  const problems: string[] = [];
  const files = new Set<string>();
  for (const { what, path, files: paths } of named) {
    // A zip holds the project's own files: a path outside it would have no place (and could be anything).
    if (inside(root, path) === undefined) problems.push(`${shownConfig}: ${what} \`${path}\` is outside the project \`${root}\``);
    else for (const file of paths) files.add(inside(root, file)!);
  }
  if (problems.length > 0) throw new BundleError(shownConfig, problems);

  for (const rel of files) {
    mkdirSync(dirname(join(outDir, rel)), { recursive: true });
    copyFileSync(join(root, rel), join(outDir, rel));
  }
  if (policies && !checked.verifiedAccess) {
    const stagedPolicyDir = join(outDir, inside(root, checked.policyDir)!);
    mkdirSync(stagedPolicyDir, { recursive: true }); // an empty policy folder (everything denies) still exists
    precompilePolicyDir(stagedPolicyDir);
    files.add(relative(outDir, join(stagedPolicyDir, PRECOMPILED_FILE)).split(sep).join("/"));
  }

  const manifest: BundleManifest = {
    format: 1,
    config: shownConfig.split(sep).join("/"),
    configSha256: createHash("sha256").update(readFileSync(configFile)).digest("hex"),
    files: [...files].map((f) => f.split(sep).join("/")).sort(),
  };
  writeFileSync(join(outDir, BUNDLE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * The files of a policy folder a cold start reads: `*.cedar` and the schema for the local engine; only the
 * schema for Verified Permissions (the store holds the policies; requests are checked against the schema
 * before they are sent, src/policy/engine-factory.ts), so no zip carries policies that would not decide.
 */
function policySourceNames(dir: string, engine: string): string[] {
  return readdirSync(dir).filter((name) => name === SCHEMA_FILE_NAME || (engine === "local" && name.endsWith(".cedar"))).sort();
}

/** `file` relative to `root` when it lies inside it. */
function inside(root: string, file: string): string | undefined {
  const rel = relative(root, file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : undefined;
}
