import type { LoadedConfig } from "../config/load.js";
import type { PolicyEngine } from "./engine.js";
import { loadPolicyDir } from "./loader.js";
import { createLocalCedarEngine } from "./local-engine.js";
import type { AvpEngineOptions } from "./verified-permissions/factory.js";

/**
 * The engine the config's `policy` section names, side by side behind the one engine interface:
 * `local` (the policy folder, evaluated in process) or `verified-permissions` (`mode: remote`, one
 * IsAuthorized per decision; `mode: mirror`, the store copied and evaluated in process).
 */
export async function createConfiguredEngine(loaded: LoadedConfig, options: AvpEngineOptions = {}): Promise<PolicyEngine> {
  const source = loaded.config.policy;
  const dir = loaded.resolvePath(source.dir);
  if (source.engine === "local") return createLocalCedarEngine(loadPolicyDir(dir));
  // Loaded only for this engine: a local-engine cold start never evaluates the AWS SDK.
  const { createAvpEngine } = await import("./verified-permissions/factory.js");
  return createAvpEngine(source, dir, options);
}
