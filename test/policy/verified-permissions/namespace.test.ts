import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { schemaToJson } from "@cedar-policy/cedar-wasm/nodejs";
import { loadPolicyDir } from "../../../src/policy/loader.js";
import {
  NamespaceError,
  qualifyPolicyText,
  qualifyQuery,
  qualifySchema,
  unqualifyPolicyText,
  unqualifySchema,
} from "../../../src/policy/verified-permissions/namespace.js";
import { loadGenerated } from "../generated/set.js";
import { employeeReadsWiki } from "../helpers.js";

const set = loadPolicyDir(join(import.meta.dirname, "../../fixtures/project/policies"), { warningsAsErrors: true });

describe("policy text in and out of the store's namespace", () => {
  it("every reference and generated policy round-trips exactly (text, comments, layout)", () => {
    let changed = 0;
    for (const p of [...set.policies, ...loadGenerated(7, 150).policies]) {
      const qualified = qualifyPolicyText(p.text, "ZtPdp");
      if (qualified !== p.text) changed += 1;
      expect(unqualifyPolicyText(qualified, "ZtPdp")).toBe(p.text);
    }
    expect(changed).toBeGreaterThan(140);
  });

  it("rewrites entity literals, `is` types and action groups; leaves strings, comments and annotations alone", () => {
    const text = [
      '@id("Group::\\"x\\"")',
      "// Group::\"in a comment\" stays",
      'permit (principal is User in Group :: "g", action in [Action::"read"], resource)',
      'when { resource.application == "Route::\\"r\\"" && principal in Group::"h" && resource is Route };',
    ].join("\n");
    expect(qualifyPolicyText(text, "Acme::Authz")).toBe(
      [
        '@id("Group::\\"x\\"")',
        "// Group::\"in a comment\" stays",
        'permit (principal is Acme::Authz::User in Acme::Authz::Group :: "g", action in [Acme::Authz::Action::"read"], resource)',
        'when { resource.application == "Route::\\"r\\"" && principal in Acme::Authz::Group::"h" && resource is Acme::Authz::Route };',
      ].join("\n"),
    );
  });

  it("refuses a namespaced type going in, and a type of another namespace coming out", () => {
    expect(() => qualifyPolicyText('permit (principal in Other::Group::"g", action, resource);', "ZtPdp")).toThrow(NamespaceError);
    expect(() => unqualifyPolicyText('permit (principal in Other::Group::"g", action, resource);', "ZtPdp")).toThrow(/not in the store's namespace `ZtPdp`/);
  });
});

describe("schema and requests", () => {
  it("the schema moves into the namespace and back to the same JSON", () => {
    const json = schemaToJson(set.schemaText);
    if (json.type === "failure") throw new Error("schema");
    const plain = json.json as unknown as Record<string, Record<string, unknown>>;
    const qualified = qualifySchema(structuredClone(plain), "ZtPdp");
    expect(Object.keys(qualified)).toEqual(["ZtPdp"]);
    expect(unqualifySchema(qualified, "ZtPdp")).toEqual(plain);
    expect(() => unqualifySchema(qualified, "Other")).toThrow(/exactly the namespace `Other`/);
    expect(() => qualifySchema({ Acme: {} }, "ZtPdp")).toThrow(NamespaceError);
  });

  it("a request has every entity type moved, values untouched except entity references", () => {
    const q = employeeReadsWiki();
    q.context = { ...q.context, approver: { __entity: { type: "User", id: "bob" } } } as typeof q.context;
    const out = qualifyQuery(q, "ZtPdp");
    expect(out.principal).toEqual({ type: "ZtPdp::User", id: "okta|alice" });
    expect(out.action).toEqual({ type: "ZtPdp::Action", id: "GET" });
    expect(out.entities[0]).toMatchObject({ uid: { type: "ZtPdp::User" }, parents: [{ type: "ZtPdp::Group", id: "Employees" }] });
    expect(out.context.approver).toEqual({ __entity: { type: "ZtPdp::User", id: "bob" } });
    expect(out.context.network).toEqual(q.context.network);
  });
});
