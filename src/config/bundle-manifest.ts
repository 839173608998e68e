import { readFileSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";

/**
 * Every authorizer bundle (a folder under dist/, the same folder inside its zip) carries one config and the
 * files it names, at their project-relative paths, plus this manifest naming the config. Written by
 * src/deploy/stage.ts at build and packaging time; read at cold start when ZTPDP_CONFIG is not set.
 */

export const BUNDLE_MANIFEST = "ztpdp-bundle.json";

export interface BundleManifest {
  format: 1;
  /** The config inside the bundle, relative to the bundle folder (also its path in the project). */
  config: string;
  /** sha256 (hex) of the config file's bytes, so an operator can tell which config a zip carries. */
  configSha256: string;
  /** Every file staged with the config, relative to the bundle folder. */
  files: string[];
}

/** Absolute path of the config a bundle folder carries; throws a plain message when there is none. */
export function bundledConfigPath(bundleDir: string): string {
  let manifest: Partial<BundleManifest>;
  try {
    manifest = JSON.parse(readFileSync(join(bundleDir, BUNDLE_MANIFEST), "utf8")) as Partial<BundleManifest>;
  } catch (err) {
    throw new Error(`this bundle carries no config (${BUNDLE_MANIFEST}: ${(err as NodeJS.ErrnoException).code ?? String(err)}): build with \`npm run build\`, package with \`--param config=FILE\`, or set ZTPDP_CONFIG`);
  }
  const config = manifest.config;
  if (manifest.format !== 1 || typeof config !== "string" || isAbsolute(config) || normalize(config).startsWith("..")) {
    throw new Error(`${BUNDLE_MANIFEST}: unreadable manifest (format ${String(manifest.format)})`);
  }
  return join(bundleDir, config);
}
