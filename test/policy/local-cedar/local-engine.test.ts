import { describe, expect, it } from "vitest";
import type { AuthorizationQuery, CedarValue, EngineAnswer } from "../../../src/policy/engine.js";
import { compilePolicySources, loadPolicyDir, type LoadedPolicySet } from "../../../src/policy/loader.js";
import { MODEL_WARMUP_QUERY, createLocalCedarEngine, toEngineAnswer } from "../../../src/policy/local-cedar/local-engine.js";
import { REFERENCE_DIR, REFERENCE_SCHEMA, buildQuery, employeeReadsWiki, fixture, ip } from "../helpers.js";
import { readFileSync } from "node:fs";

const reference = loadPolicyDir(REFERENCE_DIR);
const engine = createLocalCedarEngine(reference);
const schemaText = readFileSync(REFERENCE_SCHEMA, "utf8");

function policySet(text: string): LoadedPolicySet {
  const result = compilePolicySources({ file: "schema.cedarschema", text: schemaText }, text ? [{ file: "p.cedar", text }] : []);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.policySet;
}

/** Set a value deep in a copy of the query's context. */
function withContext(path: string, value: unknown, query = employeeReadsWiki()): AuthorizationQuery {
  const keys = path.split(".");
  let node = query.context as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[keys.at(-1) as string] = value;
  return query;
}

function expectFailure(answer: EngineAnswer, message: RegExp): void {
  expect(answer.type).toBe("failure");
  expect(answer.errors.map((e) => e.message).join("\n")).toMatch(message);
}

describe("local Cedar engine", () => {
  it("names itself and carries the policy-set revision", () => {
    expect(engine.name).toBe("local-cedar");
    expect(engine.revision).toBe(reference.revision);
    expect(engine.policyIds).toEqual(reference.policies.map((p) => p.id));
  });

  it("warms up at creation with a least-trusted, model-shaped request (denied)", () => {
    expect(engine.warmupAnswer).toEqual({
      type: "success",
      decision: "deny",
      determiningPolicies: ["data-perimeter-restricted"],
      errors: [],
    });
    expect(MODEL_WARMUP_QUERY.context["device"]).toMatchObject({ verified: false, managed: false });
  });

  it("warms up with a schema-less request when the model query does not fit the schema", () => {
    const other = compilePolicySources({ file: "s", text: "entity P; entity R; action a appliesTo { principal: P, resource: R };" }, [
      { file: "p.cedar", text: "permit (principal, action, resource);" },
    ]);
    if (!other.ok) throw new Error("fixture must load");
    const e = createLocalCedarEngine(other.policySet);
    expect(e.warmupAnswer.type).toBe("failure");
    expect(e.isAuthorized({ principal: { type: "P", id: "p" }, action: { type: "Action", id: "a" }, resource: { type: "R", id: "r" }, context: {}, entities: [] })).toMatchObject({ type: "success", decision: "allow" });
  });

  it("denies everything with an empty policy set", () => {
    const empty = createLocalCedarEngine(policySet(""));
    expect(empty.isAuthorized(employeeReadsWiki())).toEqual({ type: "success", decision: "deny", determiningPolicies: [], errors: [] });
  });

  it("reports a forbid that errors at evaluation, which Cedar skips (the answer is still allow)", () => {
    const e = createLocalCedarEngine(loadPolicyDir(fixture("eval-error"), { schemaPath: REFERENCE_SCHEMA }));
    expect(e.isAuthorized(withContext("identity.tokenAgeSeconds", 0))).toEqual({
      type: "success",
      decision: "allow",
      determiningPolicies: ["permit-reads"],
      errors: [],
    });
    // The decision layer must turn this into a deny: errors are never ignored.
    expect(e.isAuthorized(withContext("identity.tokenAgeSeconds", 2))).toEqual({
      type: "success",
      decision: "allow",
      determiningPolicies: ["permit-reads"],
      errors: [
        {
          policyId: "overflowing-forbid",
          message: "integer overflow while attempting to multiply the values `2` and `9223372036854775807`",
        },
      ],
    });
  });

  it("sorts determining policies", () => {
    const e = createLocalCedarEngine(
      policySet('@id("z")\npermit (principal, action, resource);\n@id("a")\npermit (principal, action, resource);\n@id("m")\npermit (principal, action, resource);'),
    );
    expect(e.isAuthorized(employeeReadsWiki())).toMatchObject({ determiningPolicies: ["a", "m", "z"] });
  });

  it("keeps engines apart: a second engine does not replace the first one's cached policies", () => {
    const allowAll = createLocalCedarEngine(policySet("permit (principal, action, resource);"));
    const denyAll = createLocalCedarEngine(policySet("forbid (principal, action, resource);"));
    const again = createLocalCedarEngine(policySet("permit (principal, action, resource);"));
    expect(allowAll.revision).toBe(again.revision);
    expect(allowAll.isAuthorized(employeeReadsWiki())).toMatchObject({ decision: "allow" });
    expect(denyAll.isAuthorized(employeeReadsWiki())).toMatchObject({ decision: "deny" });
    expect(again.isAuthorized(employeeReadsWiki())).toMatchObject({ decision: "allow" });
  });

  it("throws at creation when Cedar refuses the policy set (a start-up failure)", () => {
    const broken: LoadedPolicySet = { ...reference, policies: [{ ...reference.policies[0]!, text: "permit (" }] };
    expect(() => createLocalCedarEngine(broken)).toThrow(/cedar refused the policy set/);
  });
});

describe("cedar-wasm 4.13 behaviour with validateRequest (pinned)", () => {
  it("allows the well-formed baseline request", () => {
    expect(engine.isAuthorized(employeeReadsWiki())).toMatchObject({ type: "success", decision: "allow" });
  });

  it.each<[string, AuthorizationQuery, RegExp]>([
    ["a missing context attribute", (() => { const q = employeeReadsWiki(); delete (q.context["device"] as Record<string, unknown>)["managed"]; return q; })(), /expected the record to have an attribute `managed`/],
    ["an extra context attribute", withContext("device.jailbroken", false), /record attribute `jailbroken` should not exist/],
    ["a Bool given as a string", withContext("device.managed", "true"), /is not valid for `Action::"GET"`/],
    ["an `__entity` where a String is expected in context", withContext("network.host", { __entity: { type: "Group", id: "Admins" } }), /is not valid for `Action::"GET"`/],
    ["an `__extn` where a String is expected in context", withContext("network.host", ip("10.0.0.1")), /is not valid for `Action::"GET"`/],
    ["a decimal where an ipaddr is expected", withContext("network.sourceIp", { __extn: { fn: "decimal", arg: "1.0" } }), /is not valid for `Action::"GET"`/],
    ["an unknown extension function", withContext("network.sourceIp", { __extn: { fn: "evil", arg: "1" } } as unknown as CedarValue), /extension function `evil` does not exist/],
    ["an invalid IP address", withContext("network.sourceIp", ip("not-an-ip")), /invalid IP address: not-an-ip/],
    ["an IPv4-mapped IPv6 address", withContext("network.sourceIp", ip("::ffff:10.1.2.3")), /We do not accept IPv4 embedded in IPv6/],
    ["a mixed-type Set", withContext("identity.amr", ["pwd", 1]), /is not valid for `Action::"GET"`/],
    ["a null", withContext("device.managed", null), /JSON `null`s are not allowed/],
    ["a Long of 2^63", withContext("identity.tokenAgeSeconds", 2 ** 63), /did not match any variant of untagged enum/],
    ["a Long of -(2^63), though it is i64::MIN", withContext("identity.tokenAgeSeconds", -(2 ** 63)), /did not match any variant of untagged enum/],
    ["a fractional Long", withContext("identity.tokenAgeSeconds", 1.5), /did not match any variant of untagged enum/],
    ["NaN (serialized as null)", withContext("identity.tokenAgeSeconds", Number.NaN), /JSON `null`s are not allowed/],
    ["a BigInt (the binding throws; caught)", withContext("identity.tokenAgeSeconds", 5n), /^cedar threw: called `Result::unwrap_throw\(\)` on an `Err` value/],
    ["a lone UTF-16 surrogate (the binding throws; caught)", withContext("network.userAgent", "a\ud800b"), /^cedar threw: unexpected end of hex escape/],
  ])("fails on %s in the context", (_what, query, message) => {
    expectFailure(engine.isAuthorized(query), message);
  });

  it("fails on an `__entity` where an entity attribute expects a String", () => {
    const q = employeeReadsWiki();
    const route = q.entities.find((e) => "type" in e.uid && e.uid.type === "Route")!;
    route.attrs["classification"] = { __entity: { type: "Group", id: "Employees" } };
    expectFailure(engine.isAuthorized(q), /in attribute `classification` on `Route::"\/wiki\/\{page\}"`, type mismatch/);
  });

  it.each<[string, (q: AuthorizationQuery) => void, RegExp]>([
    ["an entity type not in the schema", (q) => q.entities.push({ uid: { type: "Admin", id: "x" }, attrs: {}, parents: [] }), /`Admin` which is not declared in the schema/],
    ["a parent of the wrong type", (q) => q.entities[0]!.parents.push({ type: "Application", id: "wiki" }), /not allowed to have an ancestor of type `Application`/],
    ["a route missing an attribute", (q) => delete q.entities.at(-2)!.attrs["classification"], /to have attribute `classification`/],
    ["the same entity twice with different parents", (q) => q.entities.push({ ...q.entities[0]!, parents: [] }), /duplicate entity entry `User::"okta\|alice"`/],
    ["an Action entity supplied by the caller", (q) => q.entities.push({ uid: { type: "Action", id: "GET" }, attrs: {}, parents: [] }), /definition of action `Action::"GET"` does not match its schema declaration/],
    ["an action that is not in the schema", (q) => (q.action = { type: "Action", id: "TRACE" }), /action `Action::"TRACE"` does not exist/],
    ["an action group as the action", (q) => (q.action = { type: "Action", id: "read" }), /record attribute `identity` should not exist/],
    ["a Group as principal", (q) => (q.principal = { type: "Group", id: "Employees" }), /principal type `Group` is not valid for `Action::"GET"`/],
    ["an Application as resource", (q) => (q.resource = { type: "Application", id: "wiki" }), /resource type `Application` is not valid/],
  ])("fails on %s", (_what, mutate, message) => {
    const q = employeeReadsWiki();
    mutate(q);
    expectFailure(engine.isAuthorized(q), message);
  });

  it("accepts the same entity listed twice when identical", () => {
    const q = employeeReadsWiki();
    q.entities.push(structuredClone(q.entities[0]!));
    expect(engine.isAuthorized(q)).toMatchObject({ type: "success", decision: "allow" });
  });

  it("treats a resource missing from the entities as an evaluation error, not a failure", () => {
    const q = buildQuery({ principal: { type: "User", id: "okta|h", groups: ["HR"] }, action: "GET", route: { id: "/hr/x", application: "hr", classification: "restricted" } });
    q.entities = q.entities.filter((e) => !("type" in e.uid && e.uid.type === "Route"));
    const answer = engine.isAuthorized(q);
    expect(answer).toMatchObject({ type: "success", decision: "deny", determiningPolicies: [] });
    expect(answer.errors).toContainEqual({ policyId: "data-perimeter-restricted", message: 'entity `Route::"/hr/x"` does not exist' });
  });

  it("builds ipaddr from `{__extn: {fn: ip}}`, and from a bare string where the schema says ipaddr", () => {
    const hr = (sourceIp: CedarValue) =>
      buildQuery({
        principal: { type: "User", id: "okta|h", groups: ["HR"] },
        action: "GET",
        route: { id: "/hr/x", application: "hr", classification: "restricted" },
        context: { network: { sourceIp } },
      });
    expect(engine.isAuthorized(hr(ip("10.1.2.3")))).toMatchObject({ decision: "allow", determiningPolicies: ["hr-read"] });
    expect(engine.isAuthorized(hr(ip("192.168.1.1")))).toMatchObject({ decision: "deny", determiningPolicies: ["data-perimeter-restricted"] });
    // Schema-directed parsing: the string becomes ip("10.1.2.3"). The decision layer always sends `__extn`.
    expect(engine.isAuthorized(hr("10.1.2.3"))).toMatchObject({ decision: "allow" });
    expect(engine.isAuthorized(hr({ __extn: { fn: "ip", args: ["10.1.2.3"] } } as unknown as CedarValue))).toMatchObject({ decision: "allow" });
    // A CIDR range is a valid ipaddr: sourceIp must be validated as one address before Cedar.
    expect(engine.isAuthorized(hr(ip("10.0.0.0/8")))).toMatchObject({ decision: "allow" });
  });

  it("passes Longs up to 2^53 exactly; larger JS numbers are already rounded before Cedar", () => {
    const e = createLocalCedarEngine(policySet("permit (principal, action, resource) when { context.identity.tokenAgeSeconds == 9007199254740993 };"));
    expect(2 ** 53 + 1).toBe(2 ** 53);
    expect(e.isAuthorized(withContext("identity.tokenAgeSeconds", 2 ** 53 + 1))).toMatchObject({ decision: "deny" });
    expect(e.isAuthorized(withContext("identity.tokenAgeSeconds", 2 ** 62))).toMatchObject({ type: "success" });
  });

  it("never throws, even for input outside the contract", () => {
    const bad = [null, {}, { ...employeeReadsWiki(), entities: null }, { ...employeeReadsWiki(), context: "x" }];
    for (const q of bad) {
      const answer: EngineAnswer = engine.isAuthorized(q as unknown as AuthorizationQuery);
      expect(answer.type).toBe("failure");
    }
  });

  it("caps error messages (Cedar echoes the whole context)", () => {
    const answer = engine.isAuthorized(withContext("network.userAgent", 7));
    expect(answer.type).toBe("failure");
    const long = engine.isAuthorized(withContext("device.managed", "x".repeat(5000)));
    expect(long.errors[0]!.message.length).toBeLessThanOrEqual(1001);
  });
});

describe("toEngineAnswer", () => {
  it("turns an unexpected decision into a failure", () => {
    const answer = toEngineAnswer({
      type: "success",
      response: { decision: "maybe" as "allow", diagnostics: { reason: [], errors: [] } },
      warnings: [],
    });
    expect(answer).toEqual({ type: "failure", errors: [{ message: "unexpected cedar decision `maybe`" }] });
  });

  it("keeps Cedar's help text in failure messages", () => {
    const answer = engine.isAuthorized({ ...employeeReadsWiki(), principal: { type: "Group", id: "Employees" } });
    expect(answer.errors[0]?.message).toBe(
      'principal type `Group` is not valid for `Action::"GET"` (valid principal types for `Action::"GET"`: `Service`, `User`)',
    );
  });
});
