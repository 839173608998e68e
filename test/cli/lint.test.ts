import { policyToJson, schemaToJson, type PolicyJson, type SchemaJson } from "@cedar-policy/cedar-wasm/nodejs";
import { describe, expect, it } from "vitest";
import { entityValuedAttributes, lintPolicy } from "../../src/cli/lint/lint.js";
import type { LoadedPolicy } from "../../src/policy/loader.js";

const SCHEMA = `
entity Team { lead: User };
entity User in [Team] { manager?: User, level: Long, team: Team, address: String };
entity Doc { owner: User, tags: Set<String> };
action "view" appliesTo { principal: [User], resource: [Doc], context: { requester: User, ticket: { assignee: User } } };
`;

function schema(): SchemaJson<string> {
  const s = schemaToJson(SCHEMA);
  if (s.type !== "success") throw new Error(JSON.stringify(s.errors));
  return s.json;
}

function lint(text: string, id = "p"): string[] {
  const json = policyToJson(text);
  if (json.type !== "success") throw new Error(JSON.stringify(json.errors));
  const policy: LoadedPolicy = { id, idSource: "annotation", file: "x.cedar", line: 1, col: 1, text, effect: (json.json as PolicyJson).effect };
  return lintPolicy(policy, json.json, entityValuedAttributes(schema())).map((p) => p.message);
}

describe("policy lints", () => {
  it("know which attributes hold entity references, in entity shapes and in the context", () => {
    expect([...entityValuedAttributes(schema())].sort()).toEqual(["assignee", "lead", "manager", "owner", "requester", "team"]);
  });

  it("flag a forbid reading through an entity reference, unless guarded by `has`", () => {
    expect(lint("forbid (principal, action, resource) when { resource.owner.level > 3 };")).toEqual([
      expect.stringContaining("reads `level` through the entity reference `owner`"),
    ]);
    expect(lint("forbid (principal, action, resource) when { resource.owner has level && resource.owner.level > 3 };")).toEqual([]);
    expect(lint("forbid (principal, action, resource) when { if resource.owner has level then resource.owner.level > 3 else false };")).toEqual([]);
    // The guard must dominate the read: on the other side of `||` it does not.
    expect(lint("forbid (principal, action, resource) when { resource.owner has level || resource.owner.level > 3 };")).toHaveLength(1);
  });

  it("accept a nested `has` path as a guard for every step", () => {
    expect(lint("forbid (principal, action, resource) when { context.ticket.assignee has level && context.ticket.assignee.level > 1 };")).toEqual([]);
  });

  it("flag computed extension constructors and arithmetic, but not literals or permits", () => {
    expect(lint('forbid (principal, action, resource) when { ip("10.0.0.1").isLoopback() };')).toEqual([]);
    expect(lint("forbid (principal, action, resource) when { ip(principal.address).isLoopback() };")).toEqual([
      expect.stringContaining("`ip()` of a computed value can fail to parse"),
    ]);
    expect(lint("forbid (principal, action, resource) when { principal.level - 1 > 3 };")).toEqual([expect.stringContaining("arithmetic `-` can overflow")]);
    expect(lint("permit (principal, action, resource) when { resource.owner.level * 2 > 3 };")).toEqual([]);
  });

  it("flag unconstrained permits and forbids only without a condition", () => {
    expect(lint("permit (principal, action, resource);")).toEqual([expect.stringContaining("allows every principal on every resource")]);
    expect(lint('permit (principal is User, action, resource in Doc::"a");')).toEqual([expect.stringContaining("allows every principal")]);
    expect(lint('permit (principal == User::"a", action, resource);')).toEqual([expect.stringContaining("allows every resource")]);
    expect(lint("permit (principal, action, resource) when { principal.level > 3 };")).toEqual([]);
    expect(lint("forbid (principal, action, resource);")).toEqual([expect.stringContaining("it denies every request")]);
  });
});
