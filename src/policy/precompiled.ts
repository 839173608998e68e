import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { getCedarVersion, schemaToJsonWithResolvedTypes } from "@cedar-policy/cedar-wasm/nodejs";
import type { LoadedPolicySet } from "./loader.js";

/**
 * Policies validated at build time. Strict validation of a policy directory costs hundreds of
 * milliseconds of cold start (Cedar parses each policy several times: split, to JSON, validate). The
 * build runs it once and writes the result next to the policies; at cold start `loadPolicyDir` uses that
 * result only if a digest of the exact sources (schema, every policy file's name and bytes, Cedar's
 * version) still matches. Anything else (an edited file, a new file, another Cedar) falls back to full
 * validation, so the shortcut can never admit a set that would not have loaded.
 */

export const PRECOMPILED_FILE = ".policy-set.compiled.json";
const FORMAT = 1;

interface Stored {
  format: typeof FORMAT;
  digest: string;
  set: Omit<LoadedPolicySet, "schemaFile" | "policies"> & {
    schemaFile: string;
    policies: Array<LoadedPolicySet["policies"][number]>;
  };
}

/** Digest of what a load would read: the schema and the `.cedar` files, in the loader's order. */
export function sourceDigest(dir: string, schemaFile: string): string | undefined {
  try {
    const hash = createHash("sha256");
    hash.update(JSON.stringify([FORMAT, getCedarVersion(), basename(schemaFile)]));
    hash.update(readFileSync(schemaFile));
    const names = readdirSync(dir)
      .filter((name) => name.endsWith(".cedar"))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const bytes = readFileSync(join(dir, name));
      hash.update(`\u0000${name}\u0000${bytes.length}\u0000`);
      hash.update(bytes);
    }
    return hash.digest("hex");
  } catch {
    return undefined;
  }
}

/** Write the build-time result for `dir` (the loaded set must come from `dir` with default options). */
export function writePrecompiled(dir: string, set: LoadedPolicySet): void {
  const digest = sourceDigest(dir, set.schemaFile);
  if (digest === undefined) throw new Error(`cannot digest the policy sources in \`${dir}\``);
  const resolved = schemaToJsonWithResolvedTypes(set.schemaText);
  if (resolved.type === "failure") throw new Error(`cedar refused the schema: ${resolved.errors.map((e) => e.message).join("; ")}`);
  // Paths are stored relative to the directory: the bundle is unpacked somewhere else at run time.
  const stored: Stored = {
    format: FORMAT,
    digest,
    set: {
      ...set,
      schemaFile: basename(set.schemaFile),
      policies: set.policies.map((p) => ({ ...p, file: relative(dir, p.file) })),
      warnings: set.warnings.map((w) => ({ ...w, file: relative(dir, w.file) })),
      precompiled: { resolvedSchemaJson: resolved.json },
    },
  };
  writeFileSync(join(dir, PRECOMPILED_FILE), JSON.stringify(stored));
}

/** The build-time result, if present and still describing exactly the sources in `dir`. */
export function readPrecompiled(dir: string, schemaFile: string): LoadedPolicySet | undefined {
  let stored: Stored;
  try {
    stored = JSON.parse(readFileSync(join(dir, PRECOMPILED_FILE), "utf8")) as Stored;
  } catch {
    return undefined;
  }
  if (stored?.format !== FORMAT || stored.set?.schemaFile !== basename(schemaFile) || !stored.set.precompiled) return undefined;
  if (sourceDigest(dir, schemaFile) !== stored.digest) return undefined;
  return {
    ...stored.set,
    schemaFile,
    policies: stored.set.policies.map((p) => ({ ...p, file: join(dir, p.file) })),
    warnings: stored.set.warnings.map((w) => ({ ...w, file: join(dir, w.file) })),
  };
}
