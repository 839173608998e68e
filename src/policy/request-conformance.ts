import type { AuthorizationQuery } from "./engine.js";
import { uidKey } from "./entity-uid.js";
import type { ActionModel, ConformanceModel, ValueType } from "./schema-model.js";

/**
 * A strict, conservative stand-in for Cedar's request validation (`validateRequest: true` with the schema),
 * run in JS so the Cedar call itself can go without the schema (schema-directed parsing roughly doubles
 * the cost of converting context and entities).
 *
 * Contract: `conforms(q)` true implies that Cedar, given the schema, would accept the request and parse
 * every value exactly as it parses it without the schema. It may say false for requests Cedar accepts
 * (those simply take the validated slow path), never the reverse. So only canonical forms pass:
 * - uids as plain `{type, id}`; no `{__entity}` wrappers, no Action entities, no duplicate uids;
 * - Longs as safe integers (a larger number is first rounded by JS, Cedar may refuse it);
 * - `ipaddr` only as `{__extn: {fn: "ip", arg}}` with a plain IPv4 dotted quad or plain IPv6 address
 *   (no CIDR, no zone, no embedded IPv4), which Cedar always accepts;
 * - strings well-formed UTF-16 (a lone surrogate makes the wasm binding throw);
 * - records with exactly the declared attributes (every required one, no undeclared one).
 */
export function conforms(model: ConformanceModel, q: AuthorizationQuery): ActionModel | undefined {
  if (!isPlainUid(q.principal) || !isPlainUid(q.action) || !isPlainUid(q.resource)) return undefined;
  const action = model.actions.get(uidKey(q.action.type, q.action.id));
  if (!action || q.action.type !== "Action") return undefined;
  if (!action.principalTypes.has(q.principal.type) || !action.resourceTypes.has(q.resource.type)) return undefined;
  if (!isWellFormed(q.principal.id) || !isWellFormed(q.resource.id) || !isWellFormed(q.action.id)) return undefined;
  if (!valueConforms(q.context, action.context)) return undefined;
  if (!Array.isArray(q.entities)) return undefined;
  const seen = new Set<string>();
  for (const e of q.entities) {
    if (!isPlainObject(e) || !hasOnlyKeys(e, ENTITY_KEYS) || !isPlainUid(e.uid) || !Array.isArray(e.parents)) return undefined;
    const type = model.entityTypes.get(e.uid.type);
    if (!type || !isWellFormed(e.uid.id)) return undefined;
    const key = uidKey(e.uid.type, e.uid.id);
    if (seen.has(key)) return undefined;
    seen.add(key);
    if (!valueConforms(e.attrs, type.attrs)) return undefined;
    for (const p of e.parents) {
      if (!isPlainUid(p) || !type.parentTypes.has(p.type) || !isWellFormed(p.id)) return undefined;
    }
  }
  return action;
}

const ENTITY_KEYS = new Set(["uid", "attrs", "parents"]);
const UID_KEYS = new Set(["type", "id"]);
const EXTN_KEYS = new Set(["__extn"]);
const IP_CALL_KEYS = new Set(["fn", "arg"]);

function isPlainUid(v: unknown): v is { type: string; id: string } {
  return isPlainObject(v) && hasOnlyKeys(v, UID_KEYS) && typeof v.type === "string" && typeof v.id === "string";
}

function valueConforms(v: unknown, t: ValueType): boolean {
  switch (t.kind) {
    case "bool":
      return typeof v === "boolean";
    case "long":
      return typeof v === "number" && Number.isSafeInteger(v);
    case "string":
      return typeof v === "string" && isWellFormed(v);
    case "ipaddr":
      return isCanonicalIpCall(v);
    case "set":
      return Array.isArray(v) && v.every((x) => valueConforms(x, t.element));
    case "record": {
      if (!isPlainObject(v)) return false;
      let present = 0;
      for (const [name, attr] of t.attrs) {
        if (!Object.hasOwn(v, name)) {
          if (attr.required) return false;
          continue;
        }
        present += 1;
        if (!valueConforms(v[name], attr.type)) return false;
      }
      // Undeclared attributes are refused even for open records: Cedar would need the schema to type them.
      return Object.keys(v).length === present;
    }
  }
}

const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_CHARS = /^[0-9A-Fa-f:]{2,39}$/;

function isCanonicalIpCall(v: unknown): boolean {
  if (!isPlainObject(v) || !hasOnlyKeys(v, EXTN_KEYS)) return false;
  const call = v.__extn;
  if (!isPlainObject(call) || !hasOnlyKeys(call, IP_CALL_KEYS) || call.fn !== "ip" || typeof call.arg !== "string") return false;
  return IPV4.test(call.arg) || isPlainIpv6(call.arg);
}

/** RFC 4291 §2.2 forms 1 and 2 only (hex groups, at most one `::`), no embedded IPv4, no zone. */
function isPlainIpv6(s: string): boolean {
  if (!IPV6_CHARS.test(s)) return false;
  const halves = s.split("::");
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const all = halves.flatMap(groups);
  if (!all.every((g) => g.length >= 1 && g.length <= 4)) return false;
  return halves.length === 2 ? all.length <= 7 : all.length === 8;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function hasOnlyKeys(v: Record<string, unknown>, allowed: Set<string>): boolean {
  let n = 0;
  for (const k in v) {
    if (!allowed.has(k)) return false;
    n += 1;
  }
  return n === allowed.size;
}

function isWellFormed(s: string): boolean {
  return s.isWellFormed();
}
