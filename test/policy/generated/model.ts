import type { AuthorizationQuery, CedarValue, EntityJson } from "../../../src/policy/engine.js";
import type { Rng } from "./prng.js";

/**
 * A schema richer than the reference one, for the differential test: nested groups, nested applications,
 * an action-group hierarchy two levels deep, an action that applies to two resource types, entity
 * attributes on users, and a context with every modelled type (plus an optional attribute).
 */
export const DIFF_SCHEMA = `
entity Group in [Group];
entity User in [Group] { dept: String, level: Long };
entity Service in [Group];
entity Application in [Application];
entity Route in [Application] { classification: String, application: String };
type Ctx = {
  flag: Bool,
  n: Long,
  s: String,
  tags: Set<String>,
  ip: ipaddr,
  nested: { a: Bool, b: Long },
  opt?: String,
};
action "any";
action "read", "write" in ["any"];
action "GET", "HEAD" in ["read"] appliesTo { principal: [User, Service], resource: [Route], context: Ctx };
action "POST", "DELETE" in ["write"] appliesTo { principal: [User, Service], resource: [Route], context: Ctx };
action "ADMIN" appliesTo { principal: [User], resource: [Route, Application], context: Ctx };
`;

const GROUPS = 12;
const USERS = 10;
const APPS = 8;
const ROUTES = 10;
const g = (i: number) => `Group::"g${i}"`;
const u = (i: number) => `User::"u${i}"`;
const app = (i: number) => `Application::"a${i}"`;

// ----------------------------------------------------------------------------------------------- policies

function principalScope(r: Rng): string {
  switch (r.int(8)) {
    case 0:
    case 1:
      return "principal";
    case 2:
      return `principal == ${u(r.int(USERS))}`;
    case 3:
    case 4:
      return `principal in ${g(r.int(GROUPS))}`;
    case 5:
      return "principal is User";
    case 6:
      return `principal is User in ${g(r.int(GROUPS))}`;
    default:
      return `principal == Service::"s${r.int(3)}"`;
  }
}

function actionScope(r: Rng): string {
  switch (r.int(7)) {
    case 0:
      return "action";
    case 1:
      return `action == Action::"${r.pick(["GET", "HEAD", "POST", "DELETE", "ADMIN"])}"`;
    case 2:
    case 3:
      return `action in Action::"${r.pick(["read", "write", "any"])}"`;
    case 4:
      return `action in [Action::"read", Action::"${r.pick(["POST", "ADMIN", "DELETE"])}"]`;
    case 5:
      return `action == Action::"ADMIN"`;
    default:
      return `action in [Action::"GET", Action::"HEAD"]`;
  }
}

function resourceScope(r: Rng): string {
  switch (r.int(7)) {
    case 0:
    case 1:
      return "resource";
    case 2:
      return `resource == Route::"r${r.int(ROUTES)}"`;
    case 3:
    case 4:
      return `resource in ${app(r.int(APPS))}`;
    case 5:
      return "resource is Route";
    default:
      return `resource is Route in ${app(r.int(APPS))}`;
  }
}

/** Condition atoms; each is valid under strict validation for any principal/resource type the scope allows. */
function atom(r: Rng): string {
  switch (r.int(22)) {
    case 0:
      return "context.flag";
    case 1:
      return `context.n > ${r.int(4)}`;
    case 2:
      return `context.s == "${r.pick(["x", "y", "z"])}"`;
    case 3:
      return `context.tags.contains("${r.pick(["t1", "t2", "t3"])}")`;
    case 4:
      return `context.ip.isInRange(ip("${r.pick(["10.0.0.0/8", "192.168.0.0/16", "::1/128"])}"))`;
    case 5:
      return "context.nested.a";
    case 6:
      return `context.nested.b == ${r.int(3)}`;
    case 7:
      return `context has opt && context.opt == "${r.pick(["o1", "o2"])}"`;
    case 8:
      return `principal in ${g(r.int(GROUPS))}`;
    case 9:
      return `resource in ${app(r.int(APPS))}`;
    case 10:
      return `action in Action::"${r.pick(["read", "write"])}"`;
    case 11:
      return `principal has dept && principal.dept == "${r.pick(["eng", "ops"])}"`;
    case 12:
      return `principal is User && principal.level >= ${r.int(4)}`;
    case 13:
      // Errors at evaluation when n >= 2 (i64 overflow): exercises identical error reporting.
      return `context.n * 9223372036854775807 > 0`;
    case 14:
      return `(if context.flag then ${g(r.int(GROUPS))} else ${g(r.int(GROUPS))}) in ${g(r.int(GROUPS))}`;
    case 15:
      return `${g(r.int(GROUPS))} in ${g(r.int(GROUPS))}`;
    case 16:
      return `resource is Route && resource.classification == "${r.pick(["public", "restricted"])}"`;
    case 17:
      // A non-literal membership target: needs the whole entity graph.
      return `principal in (if context.flag then ${g(r.int(GROUPS))} else ${g(r.int(GROUPS))})`;
    case 18:
      return `context.nested == { a: true, b: ${r.int(3)} }`;
    case 19:
      // Attribute of an entity chosen at run time: the walk cannot name it.
      return `principal is User && (if context.flag then principal else principal).level > 1`;
    case 20:
      return `${u(r.int(USERS))} in ${g(r.int(GROUPS))}`;
    default:
      return `Action::"GET" in Action::"${r.pick(["read", "any", "write"])}"`;
  }
}

/** A resource-attribute test, put first in a clause (the shape resource-guard.ts recognises) or not. */
function guardAtom(r: Rng): string {
  const value = r.pick(["public", "internal", "restricted"]);
  return r.chance(0.5) ? `resource.classification ${r.chance(0.8) ? "==" : "!="} "${value}"` : `"${value}" == resource.classification`;
}

function conditions(r: Rng): string {
  const clauses: string[] = [];
  const n = r.int(3);
  for (let i = 0; i < n; i += 1) {
    const atoms = Array.from({ length: 1 + r.int(3) }, () => atom(r));
    if (r.chance(0.3)) atoms.unshift(guardAtom(r));
    clauses.push(`${r.chance(0.75) ? "when" : "unless"} { ${atoms.join(r.chance(0.7) ? " && " : " || ")} }`);
  }
  return clauses.join(" ");
}

export function generatePolicies(r: Rng, count: number): Array<{ id: string; text: string }> {
  const out: Array<{ id: string; text: string }> = [];
  for (let i = 0; i < count; i += 1) {
    const effect = r.chance(0.9) ? "permit" : "forbid";
    out.push({ id: `p${i}`, text: `@id("p${i}")\n${effect} (${principalScope(r)}, ${actionScope(r)}, ${resourceScope(r)}) ${conditions(r)};` });
  }
  return out;
}

// ----------------------------------------------------------------------------------------------- requests

const uid = (type: string, id: string) => ({ type, id });

/** A random DAG over groups (parents have larger indices) and over applications. */
function hierarchy(r: Rng, size: number, prefix: string, type: string): EntityJson[] {
  return Array.from({ length: size }, (_, i) => {
    const parents = [];
    for (let j = i + 1; j < size; j += 1) if (r.chance(0.12)) parents.push(uid(type, `${prefix}${j}`));
    return { uid: uid(type, `${prefix}${i}`), attrs: {}, parents };
  });
}

function context(r: Rng): Record<string, CedarValue> {
  const ctx: Record<string, CedarValue> = {
    flag: r.chance(0.5),
    n: r.int(4),
    s: r.pick(["x", "y", "z"]),
    tags: ["t1", "t2", "t3"].filter(() => r.chance(0.4)),
    ip: { __extn: { fn: "ip", arg: r.pick(["10.1.2.3", "192.168.4.5", "::1", "8.8.8.8", "2001:db8::7"]) } },
    nested: { a: r.chance(0.5), b: r.int(3) },
  };
  if (r.chance(0.4)) ctx.opt = r.pick(["o1", "o2"]);
  return ctx;
}

/** Requests off the canonical path: each takes the validated path, and most are Cedar failures. */
function perturb(r: Rng, q: AuthorizationQuery): void {
  switch (r.int(9)) {
    case 0:
      q.context.ip = { __extn: { fn: "ip", arg: "10.0.0.0/8" } }; // valid ipaddr, not canonical for the check
      return;
    case 1:
      delete q.context.flag;
      return;
    case 2:
      q.context.extra = 1;
      return;
    case 3:
      q.context.n = "1";
      return;
    case 4:
      q.action = uid("Action", r.pick(["read", "TRACE", "any"]));
      return;
    case 5:
      q.entities.push({ uid: uid("Action", "GET"), attrs: {}, parents: [] });
      return;
    case 6:
      q.principal = uid("Group", "g1");
      return;
    case 7:
      q.context.s = "a\ud800b"; // lone surrogate: the binding throws
      return;
    default:
      q.context.ip = "10.1.2.3"; // a bare string where the schema says ipaddr
  }
}

export function generateRequest(r: Rng): AuthorizationQuery {
  const groups = hierarchy(r, GROUPS, "g", "Group");
  const apps = hierarchy(r, APPS, "a", "Application");
  const isService = r.chance(0.2);
  const principal = isService ? uid("Service", `s${r.int(3)}`) : uid("User", `u${r.int(USERS)}`);
  const memberOf = groups.filter(() => r.chance(0.2)).map((e) => e.uid);
  const principalEntity: EntityJson = {
    uid: principal,
    attrs: isService ? {} : { dept: r.pick(["eng", "ops", "hr"]), level: r.int(5) },
    parents: memberOf,
  };
  const action = r.pick(["GET", "HEAD", "POST", "DELETE", "ADMIN"]);
  const onApp = action === "ADMIN" && r.chance(0.3);
  const routeApp = r.int(APPS);
  const resource = onApp ? uid("Application", `a${r.int(APPS)}`) : uid("Route", `r${r.int(ROUTES)}`);
  const routeEntity: EntityJson = {
    uid: resource,
    attrs: { classification: r.pick(["public", "internal", "restricted"]), application: `a${routeApp}` },
    parents: [uid("Application", `a${routeApp}`)],
  };
  const entities: EntityJson[] = [...groups, ...apps];
  if (!r.chance(0.08)) entities.push(principalEntity); // sometimes the principal is unknown to the store
  if (!onApp) entities.push(routeEntity);
  const q: AuthorizationQuery = { principal, action: uid("Action", action), resource, context: context(r), entities };
  if (r.chance(0.12)) perturb(r, q);
  return q;
}
