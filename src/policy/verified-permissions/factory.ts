import type { VerifiedPermissionsClient } from "@aws-sdk/client-verifiedpermissions";
import { createAvpClient, type AvpClientOptions } from "./client.js";
import type { EngineEventSink } from "./events.js";
import { createMirrorEngine, type MirrorEngine } from "./mirror-engine.js";
import type { AvpPolicySource } from "./options.js";
import { createRemoteEngine, type RemoteEngine } from "./remote-engine.js";
import { createRequestCheck } from "./request-check.js";

export interface AvpEngineOptions {
  /** A client to use instead of one built from the config (tests, the CLI). */
  client?: VerifiedPermissionsClient;
  credentials?: AvpClientOptions["credentials"];
  events?: EngineEventSink;
  /** Mirror: start the background refresh timer (default true). */
  timer?: boolean;
}

/**
 * The Verified Permissions engine a config asks for, built once per cold start with one SDK client.
 * `schema` is the request contract (`<dir>/schema.cedarschema`): the remote engine checks requests against it.
 */
export async function createAvpEngine(
  source: AvpPolicySource,
  schema: { schemaText: string; precompiled?: { resolvedSchemaJson: unknown } | undefined },
  options: AvpEngineOptions = {},
): Promise<RemoteEngine | MirrorEngine> {
  if (source.mode === "mirror" && source.maxStalenessSeconds <= source.refreshSeconds) {
    throw new Error(`policy.maxStalenessSeconds (${source.maxStalenessSeconds}) must be longer than policy.refreshSeconds (${source.refreshSeconds})`);
  }
  const client =
    options.client ?? createAvpClient({ region: source.region, endpoint: source.endpoint, ...(options.credentials ? { credentials: options.credentials } : {}) });
  const budget = { timeoutMs: source.timeoutMs, attemptTimeoutMs: source.attemptTimeoutMs, maxAttempts: source.maxAttempts };
  const common = { client, policyStoreId: source.policyStoreId, namespace: source.namespace, budget, initTimeoutMs: source.initTimeoutMs, ...(options.events ? { events: options.events } : {}) };
  if (source.mode === "mirror") {
    return createMirrorEngine({
      ...common,
      refreshSeconds: source.refreshSeconds,
      maxStalenessSeconds: source.maxStalenessSeconds,
      decisionTimeoutMs: source.timeoutMs,
      ...(options.timer !== undefined ? { timer: options.timer } : {}),
    });
  }
  // The request contract: the schema the decision model's queries are built for (see request-check.ts).
  return createRemoteEngine({ ...common, check: createRequestCheck(schema.schemaText, schema.precompiled) });
}
