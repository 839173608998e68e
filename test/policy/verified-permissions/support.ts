import { CreatePolicyStoreCommand, VerifiedPermissionsClient } from "@aws-sdk/client-verifiedpermissions";
import { applyPush } from "../../../src/cli/avp/push-apply.js";
import { planPush } from "../../../src/cli/avp/push-plan.js";
import { startLocalAvp, type LocalAvp } from "../../../src/dev/avp/server.js";
import { loadPolicyDir, type LoadedPolicySet } from "../../../src/policy/loader.js";
import type { Budget } from "../../../src/policy/verified-permissions/call-budget.js";
import type { EngineEvent } from "../../../src/policy/verified-permissions/events.js";
import { createMirrorEngine, type MirrorEngineOptions } from "../../../src/policy/verified-permissions/mirror-engine.js";
import { createRemoteEngine } from "../../../src/policy/verified-permissions/remote-engine.js";
import { createRequestCheck } from "../../../src/policy/verified-permissions/request-check.js";
import { readStore } from "../../../src/policy/verified-permissions/store-reader.js";
import { FIXTURE_POLICIES } from "../../support/fixture-project.js";

export const NS = "ZtPdp";

/** A local endpoint and the test project's reference policies, for a file's `beforeAll` (close the endpoint after). */
export async function localAvpWithReferenceSet(): Promise<{ avp: LocalAvp; set: LoadedPolicySet }> {
  return { avp: await startLocalAvp(), set: loadPolicyDir(FIXTURE_POLICIES, { warningsAsErrors: true }) };
}
/**
 * For tests of answers, not of time: a shared 2-core machine under load can hold one loopback call for
 * seconds. The fault tests pass tight budgets of their own.
 */
export const TEST_BUDGET: Budget = { timeoutMs: 120_000, attemptTimeoutMs: 60_000, maxAttempts: 3 };

/** The real SDK client against a local endpoint (SDK retries off: the engines retry themselves). */
export function sdkClient(avp: LocalAvp): VerifiedPermissionsClient {
  return new VerifiedPermissionsClient({
    region: "eu-west-1",
    endpoint: avp.url,
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" },
    maxAttempts: 1,
  });
}

/** A new STRICT store holding `set`, filled through `ztpdp push`'s own plan and writes. */
export async function storeWith(avp: LocalAvp, set: LoadedPolicySet): Promise<string> {
  const client = sdkClient(avp);
  const { policyStoreId } = await client.send(new CreatePolicyStoreCommand({ validationSettings: { mode: "STRICT" } }));
  const plan = planPush(set, NS, undefined);
  if (!plan.ok) throw new Error(`cannot push: ${plan.problems.join("; ")}`);
  const applied = await applyPush(client, String(policyStoreId), plan.plan.changes);
  if (applied.failed) throw new Error(`push failed: ${applied.failed.message}`);
  return String(policyStoreId);
}

export async function currentSnapshot(avp: LocalAvp, policyStoreId: string) {
  return (await readStore({ client: sdkClient(avp), policyStoreId, budget: TEST_BUDGET, deadline: performance.now() + 30_000 })).snapshot;
}

export function remoteEngine(avp: LocalAvp, policyStoreId: string, set: LoadedPolicySet, budget: Budget = TEST_BUDGET, events: EngineEvent[] = [], now?: () => number) {
  return createRemoteEngine({
    ...(now ? { now } : {}),
    client: sdkClient(avp),
    policyStoreId,
    namespace: NS,
    budget,
    initTimeoutMs: 10_000,
    check: createRequestCheck(set.schemaText),
    events: (e) => events.push(e),
  });
}

export function mirrorEngine(avp: LocalAvp, policyStoreId: string, extra: Partial<MirrorEngineOptions> = {}, events: EngineEvent[] = []) {
  return createMirrorEngine({
    client: sdkClient(avp),
    policyStoreId,
    namespace: NS,
    budget: TEST_BUDGET,
    refreshSeconds: 60,
    maxStalenessSeconds: 600,
    initTimeoutMs: 10_000,
    decisionTimeoutMs: 2_000,
    timer: false,
    events: (e) => events.push(e),
    ...extra,
  });
}

export { startLocalAvp, type LocalAvp };
