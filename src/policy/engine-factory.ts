import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadedConfig } from "../config/load.js";
import type { PolicyEngine } from "./engine.js";
import { loadPolicyDir, SCHEMA_FILE_NAME, type LoadedPolicySet } from "./loader.js";
import { createLocalCedarEngine } from "./local-cedar/local-engine.js";
import { readPrecompiled } from "./precompiled.js";
import type { AvpEngineOptions } from "./verified-permissions/factory.js";

/**
 * The engine the config's `policy` section names, side by side behind the one engine interface:
 * `local` (the policy folder, evaluated in process) or `verified-permissions` (`mode: remote`, one
 * IsAuthorized per decision; `mode: mirror`, the store copied and evaluated in process).
 *
 * Two steps, so the composition root can check the schema (principal attributes) before anything starts:
 * `schema` is the folder's (local), or `<dir>/schema.cedarschema`, the contract the decision model's
 * requests are built and checked against (Verified Permissions: `ztpdp push` publishes the same file).
 */
export interface EngineSource {
  schema: Pick<LoadedPolicySet, "schemaText" | "precompiled">;
  schemaFile: string;
  create(): Promise<PolicyEngine>;
}

export function configuredEngineSource(loaded: LoadedConfig, options: AvpEngineOptions = {}): EngineSource {
  const source = loaded.config.policy;
  const dir = loaded.resolvePath(source.dir);
  if (source.engine === "local") {
    const set = loadPolicyDir(dir);
    return { schema: set, schemaFile: set.schemaFile, create: async () => createLocalCedarEngine(set) };
  }
  const schemaFile = join(dir, SCHEMA_FILE_NAME);
  const schemaText = readFileSync(schemaFile, "utf8");
  const precompiled = readPrecompiled(dir, schemaFile)?.precompiled;
  const schema = { schemaText, ...(precompiled ? { precompiled } : {}) };
  return {
    schema,
    schemaFile,
    create: async () => {
      // Loaded only for this engine: a local-engine cold start never evaluates the AWS SDK.
      const { createAvpEngine } = await import("./verified-permissions/factory.js");
      return createAvpEngine(source, schema, options);
    },
  };
}

/** Both steps at once (tools and tests that need no schema check). */
export function createConfiguredEngine(loaded: LoadedConfig, options: AvpEngineOptions = {}): Promise<PolicyEngine> {
  return configuredEngineSource(loaded, options).create();
}
