import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { parseConfig, type LoadedConfig } from "../../src/config/load.js";
import { freeLoopbackPort, startDevIssuers, type DevIssuers } from "../../src/dev/issuers.js";
import { ephemeralDevKeys, type DevKeys } from "../../src/dev/keys.js";
import { FIXTURE_CONFIG, FIXTURE_POLICIES } from "./fixture-project.js";

export const ROOT = resolve(import.meta.dirname, "../..");
const BUNDLED_ISSUER_ORIGIN = "http://127.0.0.1:8471";

/**
 * The test project's config/pdp.yaml (test/fixtures/project) rewritten for tests: the development issuers on a free loopback port,
 * file paths absolute (the file lives in a temp dir), plus optional edits of the parsed document.
 */
export function writeLocalConfig(origin: string, edit?: (doc: Record<string, unknown>) => void): { path: string; loaded: LoadedConfig; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ztpdp-config-"));
  const path = join(dir, "pdp.yaml");
  const doc = parse(readFileSync(FIXTURE_CONFIG, "utf8").replaceAll(BUNDLED_ISSUER_ORIGIN, origin)) as {
    policy: { dir: string };
    devicePosture: { patchBaselineFile: string };
  };
  doc.policy.dir = FIXTURE_POLICIES;
  doc.devicePosture.patchBaselineFile = join(FIXTURE_POLICIES, "patch-baseline.yaml");
  edit?.(doc as unknown as Record<string, unknown>);
  writeFileSync(path, stringify(doc));
  return { path, loaded: parseConfig(readFileSync(path, "utf8"), path), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface LocalIssuers {
  keys: DevKeys;
  configPath: string;
  loaded: LoadedConfig;
  issuer: string;
  audience: string;
  providerIssuer(name: string): string;
  close(): Promise<void>;
}

/** Dev IdP + MDM on a free loopback port with keys made for this run, and the config that trusts them. */
export async function startLocalIssuers(edit?: (doc: Record<string, unknown>) => void): Promise<LocalIssuers> {
  const port = await freeLoopbackPort();
  const { path, loaded, cleanup } = writeLocalConfig(`http://127.0.0.1:${port}`, edit);
  const keys = ephemeralDevKeys();
  const server: DevIssuers = await startDevIssuers({ config: loaded.config, keys, port });
  const { config } = loaded;
  return {
    keys,
    configPath: path,
    loaded,
    issuer: config.issuers[0]!.issuer,
    audience: config.issuers[0]!.audiences[0]!,
    providerIssuer: (name) => config.devicePosture.providers.find((p) => p.name === name)!.issuer,
    async close() {
      await server.close();
      cleanup();
    },
  };
}
