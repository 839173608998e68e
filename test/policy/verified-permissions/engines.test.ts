import { CreatePolicyCommand, CreatePolicyTemplateCommand } from "@aws-sdk/client-verifiedpermissions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPush } from "../../../src/cli/avp/push-apply.js";
import { planPush } from "../../../src/cli/avp/push-plan.js";
import { compilePolicySources, readPolicyDir, type LoadedPolicySet } from "../../../src/policy/loader.js";
import { createLocalCedarEngine } from "../../../src/policy/local-cedar/local-engine.js";
import type { EngineEvent } from "../../../src/policy/verified-permissions/events.js";
import { testClock } from "../../support/clock.js";
import { FIXTURE_POLICIES } from "../../support/fixture-project.js";
import { buildQuery, employeeReadsWiki } from "../helpers.js";
import { currentSnapshot, localAvpWithReferenceSet, mirrorEngine, remoteEngine, sdkClient, storeWith, type LocalAvp } from "./support.js";

/** What the remote and mirror engines do beyond agreeing with the local one (differential.test.ts). */

const POLICIES = FIXTURE_POLICIES;
let avp: LocalAvp;
let set: LoadedPolicySet;

beforeAll(async () => ({ avp, set } = await localAvpWithReferenceSet()));
afterAll(() => avp.close());

const count = (operation: string) => avp.count(operation);

describe("remote engine", () => {
  it("refuses what the local engine refuses, with the local engine's failure, and makes no call", async () => {
    const store = await storeWith(avp, set);
    const remote = await remoteEngine(avp, store, set);
    const local = createLocalCedarEngine(set);
    const bad = employeeReadsWiki();
    bad.context = { ...bad.context, extra: true };
    const before = count("IsAuthorized");
    const answer = await remote.isAuthorized(structuredClone(bad));
    expect(answer.type).toBe("failure");
    const { revision: _r, ...rest } = answer;
    expect(rest).toEqual(local.isAuthorized(structuredClone(bad)));
    expect(count("IsAuthorized")).toBe(before);
  });

  it("sends values Cedar types from the schema in explicit form (an ipaddr as a bare string): the local answer", async () => {
    const store = await storeWith(avp, set);
    const remote = await remoteEngine(avp, store, set);
    const local = createLocalCedarEngine(set);
    // HR records from the corporate range: the data perimeter reads context.network.sourceIp with isInRange.
    const q = buildQuery({
      principal: { type: "User", id: "hana", groups: ["HR"] },
      action: "GET",
      route: { id: "/hr/records/{employeeId}", application: "hr", classification: "restricted" },
    });
    (q.context.network as Record<string, unknown>).sourceIp = "10.1.2.3";
    const expected = local.isAuthorized(structuredClone(q));
    expect(expected).toMatchObject({ type: "success", decision: "allow" });
    const { revision: _r, ...answer } = await remote.isAuthorized(structuredClone(q));
    expect(answer).toEqual(expected);
  });

  it("names a policy created after cold start by its Verified Permissions id until it can be mapped", async () => {
    const store = await storeWith(avp, set);
    const remote = await remoteEngine(avp, store, set);
    const created = await sdkClient(avp).send(
      new CreatePolicyCommand({ policyStoreId: store, definition: { static: { statement: 'forbid (principal == ZtPdp::User::"okta|alice", action, resource);' } } }),
    );
    const answer = await remote.isAuthorized(employeeReadsWiki());
    expect(answer).toMatchObject({ type: "success", decision: "deny", determiningPolicies: [created.policyId] });
  });
  it("names a policy `ztpdp push` published after cold start in the first decision it determines, once the last id sweep is a minute old", async () => {
    const store = await storeWith(avp, set);
    let clock = 0;
    const remote = await remoteEngine(avp, store, set, undefined, [], () => clock);
    const blocked = compilePolicySources({ file: "schema.cedarschema", text: set.schemaText }, [
      ...set.policies.map((p) => ({ file: `${p.id}.cedar`, text: p.text })),
      { file: "freeze.cedar", text: '@id("change-freeze")\nforbid (principal, action, resource);' },
    ]);
    if (!blocked.ok) throw new Error(JSON.stringify(blocked.problems));
    const plan = planPush(blocked.policySet, "ZtPdp", await currentSnapshot(avp, store));
    if (!plan.ok) throw new Error(plan.problems.join());
    await applyPush(sdkClient(avp), store, plan.plan.changes);
    clock = 61_000;
    const answer = await remote.isAuthorized(employeeReadsWiki());
    expect(answer).toMatchObject({ type: "success", decision: "deny", determiningPolicies: ["change-freeze"] });
  });
});

describe("mirror engine", () => {
  it("a refresh of an unchanged store costs ListPolicies (one per 50 policies) and GetSchema, nothing else", async () => {
    const big = compilePolicySources({ file: "schema.cedarschema", text: set.schemaText }, [
      { file: "many.cedar", text: Array.from({ length: 120 }, (_, i) => `@id("p${i}")\npermit (principal == User::"u${i}", action in Action::"read", resource);`).join("\n") },
    ]);
    if (!big.ok) throw new Error(JSON.stringify(big.problems));
    const store = await storeWith(avp, big.policySet);
    const before = { list: count("ListPolicies"), batch: count("BatchGetPolicy"), schema: count("GetSchema") };
    const mirror = await mirrorEngine(avp, store);
    // Cold start: 3 pages of 50, 2 batches of 100 statements, the schema.
    expect([count("ListPolicies") - before.list, count("BatchGetPolicy") - before.batch, count("GetSchema") - before.schema]).toEqual([3, 2, 1]);
    const all = avp.calls.length;
    await mirror.refresh();
    expect(avp.calls.slice(all).map((c) => c.operation)).toEqual(["ListPolicies", "ListPolicies", "ListPolicies", "GetSchema"]);
    expect(mirror.revision).toBe(big.policySet.revision);
  });

  it("fetches only changed policies, and every answer names the store state that produced it", async () => {
    const store = await storeWith(avp, set);
    const events: EngineEvent[] = [];
    const mirror = await mirrorEngine(avp, store, {}, events);
    expect((await mirror.isAuthorized(employeeReadsWiki())).revision).toBe(set.revision);
    // Publish an edit of one policy's condition (UpdatePolicy), as `ztpdp push` does.
    const edited = compilePolicySources(
      { file: "schema.cedarschema", text: set.schemaText },
      set.policies.map((p) => ({ file: `${p.id}.cedar`, text: p.id === "status-read" ? p.text.replace("};", " && context.identity.mfa };") : p.text })),
    );
    if (!edited.ok) throw new Error(JSON.stringify(edited.problems));
    const plan = planPush(edited.policySet, "ZtPdp", await currentSnapshot(avp, store));
    if (!plan.ok) throw new Error(plan.problems.join());
    expect(plan.plan.changes.map((c) => c.kind)).toEqual(["update"]);
    await applyPush(sdkClient(avp), store, plan.plan.changes);
    const batches = count("BatchGetPolicy");
    await mirror.refresh();
    expect(count("BatchGetPolicy") - batches).toBe(1);
    expect(events.at(-1)).toMatchObject({ event: "mirror_loaded", revision: edited.policySet.revision, calls: { ListPolicies: 1, BatchGetPolicy: 1, GetSchema: 1 } });
    expect((await mirror.isAuthorized(employeeReadsWiki())).revision).toBe(edited.policySet.revision);
    expect(edited.policySet.revision).not.toBe(set.revision);
  });

  it("a decision after the refresh interval starts a background refresh (Lambda freezes timers between invocations)", async () => {
    const store = await storeWith(avp, set);
    const clock = testClock();
    const mirror = await mirrorEngine(avp, store, { now: clock.now, refreshSeconds: 60 });
    const lists = count("ListPolicies");
    expect((await mirror.isAuthorized(employeeReadsWiki())).type).toBe("success");
    expect(count("ListPolicies")).toBe(lists);
    clock.advanceSeconds(61);
    expect((await mirror.isAuthorized(employeeReadsWiki())).type).toBe("success"); // answered at once, from the current set
    await mirror.refresh(); // joins the refresh the decision started
    expect(count("ListPolicies")).toBe(lists + 1);
  });

  it("names the entities the set in service names (the audit record keeps those groups in full), as the local engine does", async () => {
    const store = await storeWith(avp, set);
    const mirror = await mirrorEngine(avp, store);
    const local = createLocalCedarEngine(set);
    for (const group of ["HR", "Employees", "Editors", "Contractors"]) {
      expect([group, mirror.namesEntity!("Group", group)]).toEqual([group, local.namesEntity("Group", group)]);
    }
    expect(mirror.namesEntity!("Group", "HR")).toBe(true);
    expect(mirror.namesEntity!("Group", "Contractors")).toBe(false);
    // A policy published later naming another group: named once the copy has it.
    await sdkClient(avp).send(
      new CreatePolicyCommand({ policyStoreId: store, definition: { static: { statement: 'forbid (principal in ZtPdp::Group::"Contractors", action, resource);' } } }),
    );
    await mirror.refresh();
    expect(mirror.namesEntity!("Group", "Contractors")).toBe(true);
  });

  it("mirrors template-linked policies as the static policies they evaluate as; the remote engine agrees", async () => {
    const store = await storeWith(avp, set);
    const client = sdkClient(avp);
    const template = await client.send(
      new CreatePolicyTemplateCommand({ policyStoreId: store, statement: 'permit (principal == ?principal, action in ZtPdp::Action::"read", resource in ?resource) when { context.identity.mfa };' }),
    );
    const linked = await client.send(
      new CreatePolicyCommand({
        policyStoreId: store,
        definition: { templateLinked: { policyTemplateId: template.policyTemplateId, principal: { entityType: "ZtPdp::User", entityId: "okta|zoe" }, resource: { entityType: "ZtPdp::Application", entityId: "wiki" } } },
      }),
    );
    const mirror = await mirrorEngine(avp, store);
    const remote = await remoteEngine(avp, store, set);
    const q = buildQuery({ principal: { type: "User", id: "okta|zoe" }, action: "GET", route: { id: "/wiki/{page}", application: "wiki", classification: "internal" }, posture: "least-trusted" });
    const m = await mirror.isAuthorized(structuredClone(q));
    const r = await remote.isAuthorized(structuredClone(q));
    expect(m).toMatchObject({ type: "success", decision: "allow", determiningPolicies: [linked.policyId] });
    const { revision: _a, ...mm } = m;
    const { revision: _b, ...rr } = r;
    expect(rr).toEqual(mm);
    expect(readPolicyDir(POLICIES).ok).toBe(true);
  });
});
