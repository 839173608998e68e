import { policyToJson } from "@cedar-policy/cedar-wasm/nodejs";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conditionReads } from "../../../src/policy/local-cedar/condition-reads.js";
import { uidKey } from "../../../src/policy/entity-uid.js";
import { PartitionCache } from "../../../src/policy/local-cedar/partition-cache.js";
import { PartitionIndex } from "../../../src/policy/local-cedar/partition-index.js";
import { scopeOf } from "../../../src/policy/local-cedar/policy-scope.js";
import { conforms } from "../../../src/policy/request-conformance.js";
import { guardFails, resourceGuardOf, resourceStringAttrs } from "../../../src/policy/local-cedar/resource-guard.js";
import { contextSelector, selectContext } from "../../../src/policy/local-cedar/request-trim.js";
import { compileSchemaModel } from "../../../src/policy/schema-model.js";
import { REFERENCE_SCHEMA, employeeReadsWiki, ip } from "../helpers.js";

const json = (text: string) => {
  const r = policyToJson(text);
  if (r.type === "failure") throw new Error(r.errors[0]?.message);
  return r.json;
};
const model = compileSchemaModel(readFileSync(REFERENCE_SCHEMA, "utf8"));

describe("condition reads", () => {
  it("names the context paths, dereferenced variables and entity literals", () => {
    const reads = conditionReads(
      json('permit (principal, action, resource) when { context.device.os.patched && resource.classification == "x" && principal in Group::"HR" } unless { context has network };'),
    );
    expect(reads.context).toEqual([["device", "os", "patched"], ["network"]]);
    expect([...reads.derefs]).toEqual(["resource"]);
    expect([...reads.literals]).toEqual([uidKey("Group", "HR")]);
    expect(reads.needsAllEntities).toBe(false);
  });

  it("falls back to everything for a bare context or a non-literal membership target", () => {
    expect(conditionReads(json("permit (principal, action, resource) when { context == {} };")).context).toBe("all");
    expect(conditionReads(json("permit (principal, action, resource) when { principal in resource };")).needsAllEntities).toBe(true);
  });
});

describe("context selection", () => {
  it("keeps read paths whole and keeps a record whole where a read key is missing", () => {
    const ctx = { a: { b: 1, c: 2 }, d: { e: 3 }, f: 4 };
    expect(selectContext(ctx, contextSelector([["a", "b"], ["f"]]))).toEqual({ a: { b: 1 }, f: 4 });
    expect(selectContext(ctx, contextSelector([["d", "missing"]]))).toEqual({ d: { e: 3 } });
    expect(selectContext(ctx, contextSelector("all"))).toBe(ctx);
  });
});

describe("the partition index", () => {
  const policies = [
    'permit (principal in Group::"Employees", action in Action::"read", resource in Application::"wiki");',
    'permit (principal, action == Action::"POST", resource);',
    "forbid (principal, action, resource);",
    'permit (principal is User in Group::"HR", action, resource is Route in Application::"hr");',
  ].map((t) => scopeOf(json(t)));
  const index = new PartitionIndex(policies, model.actionAncestors!);

  it("selects policies by action group, group membership and resource ancestry", () => {
    expect(index.relevant(employeeReadsWiki())).toEqual([0, 2]);
    const q = employeeReadsWiki();
    q.action = { type: "Action", id: "POST" };
    expect(index.relevant(q)).toEqual([1, 2]);
  });

  it("answers undefined (use the whole set) for an action the schema does not declare", () => {
    const q = employeeReadsWiki();
    q.action = { type: "Action", id: "TRACE" };
    expect(index.relevant(q)).toBeUndefined();
  });
});

describe("request conformance (the JS stand-in for Cedar's request validation)", () => {
  it("accepts the model's canonical request", () => {
    expect(conforms(model.conformance!, employeeReadsWiki())).toBeDefined();
  });

  it.each<[string, (q: ReturnType<typeof employeeReadsWiki>) => void]>([
    ["a CIDR where an address is expected", (q) => ((q.context.network as Record<string, unknown>).sourceIp = ip("10.0.0.0/8"))],
    ["IPv4 embedded in IPv6", (q) => ((q.context.network as Record<string, unknown>).sourceIp = ip("::ffff:10.1.2.3"))],
    ["an extra context attribute", (q) => ((q.context.device as Record<string, unknown>).jailbroken = false)],
    ["a Long beyond 2^53", (q) => ((q.context.identity as Record<string, unknown>).tokenAgeSeconds = 2 ** 62)],
    ["a lone surrogate", (q) => ((q.context.network as Record<string, unknown>).userAgent = "a\ud800")],
    ["an Action entity", (q) => q.entities.push({ uid: { type: "Action", id: "GET" }, attrs: {}, parents: [] })],
    ["a duplicate entity", (q) => q.entities.push(structuredClone(q.entities[0]!))],
    ["a parent of the wrong type", (q) => q.entities[0]!.parents.push({ type: "Application", id: "wiki" })],
  ])("refuses %s (it takes Cedar's validated path)", (_what, mutate) => {
    const q = employeeReadsWiki();
    mutate(q);
    expect(conforms(model.conformance!, q)).toBeUndefined();
  });
});

describe("the partition cache", () => {
  it("is bounded and hands an evicted partition's slot to the next one", () => {
    const cache = new PartitionCache<{ slot: number }>(2);
    const a = cache.add("a", (slot) => ({ slot }));
    cache.add("b", (slot) => ({ slot }));
    cache.get("a");
    const c = cache.add("c", (slot) => ({ slot }));
    expect(cache.size).toBe(2);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(a);
    expect(c.slot).toBe(1); // b's slot
  });
});

describe("resource guards", () => {
  it("recognise a leading resource-attribute comparison, and only that", () => {
    expect(resourceGuardOf(json('forbid (principal, action, resource) when { resource.classification == "restricted" } unless { context.flag };'))).toEqual({
      attr: "classification",
      literal: "restricted",
      negated: false,
    });
    expect(resourceGuardOf(json('permit (principal, action, resource) when { "x" != resource.app && context.a };'))).toEqual({ attr: "app", literal: "x", negated: true });
    expect(resourceGuardOf(json('permit (principal, action, resource) when { context.a && resource.app == "x" };'))).toBeUndefined();
    expect(resourceGuardOf(json('permit (principal, action, resource) unless { resource.app == "x" };'))).toBeUndefined();
    expect(resourceGuardOf(json('permit (principal, action, resource) when { principal.app == "x" };'))).toBeUndefined();
  });

  it("drop a policy only when the resource's string attribute makes the test false", () => {
    const attrs = new Map([["classification", "internal"]]);
    expect(guardFails({ attr: "classification", literal: "restricted", negated: false }, attrs)).toBe(true);
    expect(guardFails({ attr: "classification", literal: "internal", negated: false }, attrs)).toBe(false);
    expect(guardFails({ attr: "classification", literal: "internal", negated: true }, attrs)).toBe(true);
    expect(guardFails({ attr: "missing", literal: "x", negated: false }, attrs)).toBe(false); // Cedar would error: keep
  });

  it("read the resource's attributes only when the request is unambiguous", () => {
    const q = employeeReadsWiki();
    expect(resourceStringAttrs(q.resource, q.entities)?.get("classification")).toBe("internal");
    q.entities.push(structuredClone(q.entities.find((e) => (e.uid as { type: string }).type === "Route")!));
    expect(resourceStringAttrs(q.resource, q.entities)).toBeUndefined();
  });
});
