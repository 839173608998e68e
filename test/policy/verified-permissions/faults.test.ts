import { DeletePolicyStoreCommand, PutSchemaCommand } from "@aws-sdk/client-verifiedpermissions";
import { schemaToJson } from "@cedar-policy/cedar-wasm/nodejs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadedPolicySet } from "../../../src/policy/loader.js";
import type { EngineEvent } from "../../../src/policy/verified-permissions/events.js";
import { qualifySchema } from "../../../src/policy/verified-permissions/namespace.js";
import { decideOnce, startHarness, type Harness } from "../../pdp/harness.js";
import { testClock } from "../../support/clock.js";
import { FIXTURE_POLICIES } from "../../support/fixture-project.js";
import { NS, localAvpWithReferenceSet, mirrorEngine, sdkClient, startLocalAvp, storeWith, type LocalAvp } from "./support.js";

/**
 * Faults of Verified Permissions through the whole PDP (createPdp, the decision pipeline, the audit
 * record): throttling, 5xx, slow answers, a dropped connection, a deleted store, a schema changed under a
 * mirror, a store unreachable at cold start. Every one ends in exactly one recorded decision, and never in
 * an allow the store's policies did not give.
 *
 * The remote engine is built by the composition root from the config (the real factory and SDK client);
 * the mirror is built here with a movable clock, so staleness can be reached without waiting.
 */

// The SDK's default credential chain reads these first (and never reaches instance metadata).
process.env.AWS_ACCESS_KEY_ID = "AKIDLOCALTEST";
process.env.AWS_SECRET_ACCESS_KEY = "local-test-secret";
process.env.AWS_EC2_METADATA_DISABLED = "true";

const POLICIES = FIXTURE_POLICIES;
let avp: LocalAvp;
let set: LoadedPolicySet;

beforeAll(async () => ({ avp, set } = await localAvpWithReferenceSet()));
afterAll(() => avp.close());

interface RemoteSetup {
  timeoutMs?: number;
  attemptTimeoutMs?: number;
  maxAttempts?: number;
  endpoint?: string;
}

async function remotePdp(setup: RemoteSetup = {}): Promise<{ h: Harness; storeId: string }> {
  const storeId = await storeWith(avp, set);
  const h = await startHarness({
    policyDir: POLICIES,
    edit: (doc) => {
      doc.policy = {
        engine: "verified-permissions",
        mode: "remote",
        policyStoreId: storeId,
        region: "eu-west-1",
        endpoint: setup.endpoint ?? avp.url,
        dir: POLICIES,
        // The config's ceilings: generous, as a shared test machine can be slow (the slow-answer case sets tight ones).
        timeoutMs: setup.timeoutMs ?? 5_000,
        attemptTimeoutMs: setup.attemptTimeoutMs ?? 2_500,
        maxAttempts: setup.maxAttempts ?? 3,
        initTimeoutMs: 9_000,
      };
      // The decision's own deadline holds the key fetches and these calls (src/config/budgets.ts).
      doc.limits = { ...(doc.limits as object), decisionTimeoutMs: 25_000 };
    },
  });
  return { h, storeId };
}

const callsOf = (operation: string) => avp.calls.filter((c) => c.operation === operation).length;

describe("remote engine faults (built from the config)", () => {
  it("control: an allow from the store, recorded with the stable policy id and the store's revision", async () => {
    const { h, storeId } = await remotePdp();
    const { record } = await decideOnce(h, h.request());
    expect(record).toMatchObject({ outcome: "allow", determiningPolicies: ["wiki-employees-read"], engine: "verified-permissions", policyRevision: `avp:${storeId}` });
    await h.close();
  });

  it("throttled twice, then answered: retried within the budget → allow", async () => {
    const { h } = await remotePdp();
    const before = callsOf("IsAuthorized");
    avp.faults.add({ kind: "throttle", operations: ["IsAuthorized"], count: 2 });
    const { record } = await decideOnce(h, h.request());
    expect(record.outcome).toBe("allow");
    expect(callsOf("IsAuthorized") - before).toBe(3);
    avp.faults.clear();
    await h.close();
  });

  it.each([
    ["throttled on every attempt", { kind: "throttle" as const }, /ThrottlingException.*Rate exceeded/],
    ["a 500 on every attempt", { kind: "internal" as const }, /InternalServerException/],
    ["a 503 on every attempt", { kind: "unavailable" as const }, /HTTP 503/],
    ["the connection dropped on every attempt", { kind: "drop" as const }, /IsAuthorized failed \(3 attempts\)/],
  ])("%s → error (deny), engine_unavailable, after maxAttempts calls", async (_what, fault, message) => {
    const { h } = await remotePdp({ maxAttempts: 3 });
    const before = callsOf("IsAuthorized");
    avp.faults.add({ ...fault, operations: ["IsAuthorized"] });
    const { decision, record } = await decideOnce(h, h.request());
    avp.faults.clear();
    expect(decision).toMatchObject({ outcome: "error", effect: "deny", determiningPolicies: [] });
    expect(record.errors).toEqual([{ code: "engine_unavailable", message: expect.stringMatching(message) }]);
    expect(callsOf("IsAuthorized") - before).toBe(3);
    await h.close();
  });

  it("a slow answer: each attempt aborted, the decision gives up within its budget → error", async () => {
    const { h } = await remotePdp({ timeoutMs: 1_000, attemptTimeoutMs: 300, maxAttempts: 5 });
    avp.faults.add({ kind: "latency", ms: 15_000, operations: ["IsAuthorized"] });
    const started = performance.now();
    const { record } = await decideOnce(h, h.request());
    const elapsed = performance.now() - started;
    avp.faults.clear();
    expect(record.outcome).toBe("error");
    expect(record.errors[0]).toMatchObject({ code: "engine_unavailable", message: expect.stringContaining("no answer within the attempt's time budget") });
    // Not a speed check: the answer would have taken 15 s; the decision did not wait for it.
    expect(elapsed).toBeLessThan(10_000);
    await h.close();
  });

  it("the store deleted: ResourceNotFoundException is not retried → error", async () => {
    const { h, storeId } = await remotePdp();
    await sdkClient(avp).send(new DeletePolicyStoreCommand({ policyStoreId: storeId }));
    const before = callsOf("IsAuthorized");
    const { record } = await decideOnce(h, h.request());
    expect(record.outcome).toBe("error");
    expect(record.errors[0]).toMatchObject({ code: "engine_unavailable", message: expect.stringContaining("ResourceNotFoundException") });
    expect(callsOf("IsAuthorized") - before).toBe(1);
    await h.close();
  });

  it("the endpoint unreachable at cold start: the PDP starts, and every decision is an error", async () => {
    const closed = await startLocalAvp();
    const url = closed.url;
    await closed.close();
    const { h } = await remotePdp({ endpoint: url, timeoutMs: 2_000, attemptTimeoutMs: 500 });
    const { record } = await decideOnce(h, h.request());
    expect(record).toMatchObject({ outcome: "error", effect: "deny", errors: [{ code: "engine_unavailable" }] });
    await h.close();
  });
});

describe("mirror engine faults (movable clock)", () => {
  async function mirrorPdp(options: { faultsAtStart?: boolean } = {}) {
    const storeId = await storeWith(avp, set);
    const clock = testClock();
    const events: EngineEvent[] = [];
    if (options.faultsAtStart) avp.faults.add({ kind: "unavailable" });
    const mirror = await mirrorEngine(avp, storeId, { now: clock.now, refreshSeconds: 60, maxStalenessSeconds: 300, budget: { timeoutMs: 2_000, attemptTimeoutMs: 1_000, maxAttempts: 2 } }, events);
    const h = await startHarness({ policyDir: POLICIES, engine: mirror });
    return { h, mirror, clock, events, storeId };
  }

  it("control: an allow evaluated in process, recorded with the folder's revision", async () => {
    const { h, mirror } = await mirrorPdp();
    const before = avp.calls.length;
    const { record } = await decideOnce(h, h.request());
    expect(record).toMatchObject({ outcome: "allow", determiningPolicies: ["wiki-employees-read"], engine: "verified-permissions-mirror", policyRevision: set.revision });
    expect(avp.calls.length).toBe(before); // no call per decision
    mirror.close();
    await h.close();
  });

  it("the store unreachable at cold start: errors until the store can be read, then decisions", async () => {
    const { h, mirror, clock, events } = await mirrorPdp({ faultsAtStart: true });
    const { record } = await decideOnce(h, h.request());
    expect(record).toMatchObject({ outcome: "error", effect: "deny", errors: [{ code: "engine_unavailable", message: expect.stringContaining("has not been read yet") }] });
    expect(record.policyRevision).toMatch(/:not-loaded$/);
    expect(events.some((e) => e.event === "mirror_refresh_failed")).toBe(true);
    avp.faults.clear();
    clock.advanceSeconds(120); // past the retry backoff
    await mirror.refresh();
    expect((await decideOnce(h, h.request())).record).toMatchObject({ outcome: "allow", policyRevision: set.revision });
    mirror.close();
    await h.close();
  });

  it("the store deleted under a mirror: the last good set serves until the staleness bound, then policy_store_stale", async () => {
    const { h, mirror, clock, events, storeId } = await mirrorPdp();
    await sdkClient(avp).send(new DeletePolicyStoreCommand({ policyStoreId: storeId }));
    clock.advanceSeconds(90); // a refresh is due, and fails
    await mirror.refresh();
    expect(events.at(-1)).toMatchObject({ event: "mirror_refresh_failed", serving: set.revision });
    expect((await decideOnce(h, h.request())).record).toMatchObject({ outcome: "allow", policyRevision: set.revision });
    clock.advanceSeconds(300); // past maxStalenessSeconds since the last confirmed read
    const { record } = await decideOnce(h, h.request());
    expect(record).toMatchObject({ outcome: "error", effect: "deny", determiningPolicies: [], policyRevision: set.revision });
    expect(record.errors).toEqual([{ code: "policy_store_stale", message: expect.stringMatching(/last confirmed \d+ s ago \(bound: 300 s\)/) }]);
    mirror.close();
    await h.close();
  });

  it("the schema changed under a mirror (policies no longer valid): the new state is refused, the old set ages out", async () => {
    const { h, mirror, clock, events, storeId } = await mirrorPdp();
    // PutSchema does not re-validate stored policies: drop `Group`, which the wiki policies name.
    const json = schemaToJson(set.schemaText);
    if (json.type === "failure") throw new Error("schema");
    const schema = qualifySchema(json.json as unknown as Record<string, Record<string, unknown>>, NS) as { ZtPdp: { entityTypes: Record<string, { memberOfTypes?: string[] }> } };
    delete schema.ZtPdp.entityTypes["Group"];
    for (const t of Object.values(schema.ZtPdp.entityTypes)) if (t.memberOfTypes) t.memberOfTypes = t.memberOfTypes.filter((m) => m !== "Group");
    await sdkClient(avp).send(new PutSchemaCommand({ policyStoreId: storeId, definition: { cedarJson: JSON.stringify(schema) } }));
    clock.advanceSeconds(90);
    await mirror.refresh();
    expect(events.at(-1)).toMatchObject({ event: "mirror_store_refused", level: "error", serving: set.revision });
    expect(String(events.at(-1)?.message)).toContain("Group");
    // Still the last good set, named by its revision.
    expect((await decideOnce(h, h.request())).record).toMatchObject({ outcome: "allow", policyRevision: set.revision });
    clock.advanceSeconds(300);
    const { record } = await decideOnce(h, h.request());
    expect(record).toMatchObject({ outcome: "error", errors: [{ code: "policy_store_stale" }] });
    mirror.close();
    await h.close();
  });

  it("throttled management calls during a refresh are retried; the refresh still confirms the set", async () => {
    const { h, mirror, clock, events } = await mirrorPdp();
    avp.faults.add({ kind: "throttle", operations: ["ListPolicies"], count: 1 }).add({ kind: "throttle", operations: ["GetSchema"], count: 1 });
    clock.advanceSeconds(90);
    await mirror.refresh();
    avp.faults.clear();
    expect(events.at(-1)).toMatchObject({ event: "mirror_unchanged" });
    clock.advanceSeconds(250); // 340 s after start, 250 s after the confirmed refresh: within the bound
    expect((await decideOnce(h, h.request())).record.outcome).toBe("allow");
    mirror.close();
    await h.close();
  });
});
