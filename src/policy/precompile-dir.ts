import { loadPolicyDir } from "./loader.js";
import { writePrecompiled } from "./precompiled.js";

/**
 * Build step (scripts/build.mjs): strictly validate a bundled policy directory and store the result beside
 * it. Throws `PolicyLoadError` if the set does not load, so a bad policy fails the build, not a cold start.
 */
export function precompilePolicyDir(dir: string): void {
  // warningsAsErrors: false keeps the runtime's own rule; `true` would also skip any stale precompiled file.
  writePrecompiled(dir, loadPolicyDir(dir, { warningsAsErrors: false, schemaPath: `${dir}/schema.cedarschema` }));
}
