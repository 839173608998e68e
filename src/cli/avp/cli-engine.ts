import type { LoadedConfig } from "../../config/load.js";
import type { PolicyEngine } from "../../policy/engine.js";
import type { LoadedPolicySet } from "../../policy/loader.js";
import { createMirrorEngine } from "../../policy/verified-permissions/mirror-engine.js";
import { createRemoteEngine } from "../../policy/verified-permissions/remote-engine.js";
import { createRequestCheck } from "../../policy/verified-permissions/request-check.js";
import { InputError, UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { localStoreWith, storeTarget, type StoreFlags, type StoreTarget } from "./store-target.js";

export const ENGINES = ["local", "avp-remote", "avp-mirror"] as const;
export type EngineChoice = (typeof ENGINES)[number];

/** Calls from the CLI may wait longer than an authorizer's: a busy machine or a remote region. */
const CLI_DECISION_BUDGET = { timeoutMs: 15_000, attemptTimeoutMs: 5_000, maxAttempts: 3 };

/**
 * The engine `ztpdp test --engine` decides with. `local`: undefined (the harness's default). `avp-remote`
 * and `avp-mirror`: the store named by the flags or the config; without one, a store on a local endpoint
 * filled from the policy folder, so the same scenarios check that the policies decide the same way in
 * Verified Permissions. `close` stops what was started.
 */
export async function cliEngine(
  io: CliIo,
  choice: string | undefined,
  flags: StoreFlags,
  config: LoadedConfig,
  set: LoadedPolicySet,
): Promise<{ engine?: PolicyEngine; label: string; close(): Promise<void> }> {
  if (choice === undefined || choice === "local") return { label: "local", close: async () => undefined };
  if (!(ENGINES as readonly string[]).includes(choice)) throw new UsageError(`unknown engine \`${choice}\` (engines: ${ENGINES.join(", ")})`, "test");
  let target: StoreTarget | undefined = storeTarget(io, "test", flags, config);
  let stop = async () => undefined as void;
  if (!target) {
    const fromConfig = config.config.policy.engine === "verified-permissions" ? config.config.policy.namespace : undefined;
    const local = await localStoreWith(set, flags.namespace ?? fromConfig ?? "ZtPdp");
    target = local.target;
    stop = () => local.avp.close();
  }
  try {
    const common = { client: target.client, policyStoreId: target.policyStoreId, namespace: target.namespace, budget: CLI_DECISION_BUDGET, initTimeoutMs: 30_000, events: () => undefined };
    if (choice === "avp-remote") {
      const engine = await createRemoteEngine({ ...common, check: createRequestCheck(set.schemaText, set.precompiled) });
      return { engine, label: `avp-remote: ${target.label}`, close: stop };
    }
    const engine = await createMirrorEngine({ ...common, refreshSeconds: 3600, maxStalenessSeconds: 86_400, decisionTimeoutMs: 15_000, timer: false });
    if (engine.status.revision === undefined) throw new InputError(`cannot mirror the policy store ${target.label}: ${engine.status.lastError ?? "not read"}`);
    return { engine, label: `avp-mirror: ${target.label} (revision ${engine.status.revision})`, close: stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
