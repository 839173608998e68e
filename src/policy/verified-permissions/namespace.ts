import { policyToJson, type PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import type { AuthorizationQuery, CedarValue, EntityJson } from "../engine.js";
import { canonicalJson } from "../revision.js";

/**
 * The decision model is un-namespaced (`User`, `Group`, `Route`, `Action::"GET"`), but Verified
 * Permissions refuses a schema whose namespace is empty ("Verified Permissions doesn't allow you to create a
 * namespace that's an empty string", https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/getting-started-differences-verifiedpermissions-cedar.html).
 * So the store holds the same model under one namespace (`ZtPdp::User`) and everything that crosses the
 * boundary is translated: policy text (push, pull, mirror), the schema, each request (remote engine) and
 * the names in Verified Permissions' error messages. The mapping `T` ↔ `NS::T` is a bijection on entity
 * types, so evaluation is unchanged; every policy translation is checked against Cedar's JSON form.
 */

export class NamespaceError extends Error {
  override readonly name = "NamespaceError";
}

// ----------------------------------------------------------------------------------------- policy text

/** `permit (principal in Group::"a", ...)` → `permit (principal in NS::Group::"a", ...)`; comments and layout kept. */
export function qualifyPolicyText(text: string, ns: string): string {
  return translatePolicy(text, (type) => {
    if (type.includes("::")) throw new NamespaceError(`entity type \`${type}\` is already namespaced; the decision model has no namespace`);
    return `${ns}::${type}`;
  });
}

/** The inverse of `qualifyPolicyText`: every entity type must be in `ns`. */
export function unqualifyPolicyText(text: string, ns: string): string {
  return translatePolicy(text, (type) => unqualifyType(type, ns));
}

export function unqualifyType(type: string, ns: string): string {
  const prefix = `${ns}::`;
  const rest = type.startsWith(prefix) ? type.slice(prefix.length) : undefined;
  if (rest === undefined || rest.length === 0 || rest.includes("::")) {
    throw new NamespaceError(`entity type \`${type}\` is not in the store's namespace \`${ns}\``);
  }
  return rest;
}

/**
 * Rewrites the entity type paths of one policy's text, then proves the rewrite complete: Cedar's JSON of
 * the result must equal Cedar's JSON of the original with every entity type mapped.
 */
function translatePolicy(text: string, map: (type: string) => string): string {
  const out = rewriteEntityTypes(text, map);
  const before = policyToJson(text);
  const after = policyToJson(out);
  if (before.type === "failure") throw new NamespaceError(`not a Cedar policy: ${before.errors.map((e) => e.message).join("; ")}`);
  if (after.type === "failure" || canonicalJson(mapPolicyTypes(before.json, map)) !== canonicalJson(after.json)) {
    throw new NamespaceError("could not translate the entity types of this policy");
  }
  return out;
}

/**
 * A minimal Cedar lexer: entity types occur in policy text only as the path of an entity literal
 * (`Path::"id"`) or as the path after `is`. Strings and `//` comments (Cedar's only comments) are skipped.
 */
export function rewriteEntityTypes(text: string, map: (type: string) => string): string {
  let out = "";
  let copied = 0;
  let i = 0;
  let afterIs = false;
  const skipTrivia = (at: number): number => {
    let j = at;
    for (;;) {
      while (j < text.length && /\s/u.test(text[j] as string)) j++;
      if (text.startsWith("//", j)) {
        const nl = text.indexOf("\n", j);
        j = nl === -1 ? text.length : nl + 1;
      } else return j;
    }
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (text.startsWith("//", i)) {
      i = skipTrivia(i);
      continue;
    }
    if (ch === '"') {
      i = skipString(text, i);
      afterIs = false;
      continue;
    }
    if (!/[A-Za-z_]/.test(ch)) {
      if (!/\s/u.test(ch)) afterIs = false;
      i++;
      continue;
    }
    // An identifier, possibly the start of a path `A::B::C`.
    const start = i;
    const segments = [readIdent(text, i)];
    i += segments[0]!.length;
    let end = i;
    let literal = false;
    for (;;) {
      const j = skipTrivia(i);
      if (!text.startsWith("::", j)) break;
      const k = skipTrivia(j + 2);
      if (text[k] === '"') {
        literal = true;
        break;
      }
      if (!/[A-Za-z_]/.test(text[k] ?? "")) break;
      const ident = readIdent(text, k);
      segments.push(ident);
      i = end = k + ident.length;
    }
    if (literal || afterIs) {
      out += text.slice(copied, start) + map(segments.join("::"));
      copied = end;
    }
    afterIs = segments.length === 1 && segments[0] === "is";
  }
  return out + text.slice(copied);
}

function readIdent(text: string, at: number): string {
  return /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at, at + 256))?.[0] ?? "";
}

function skipString(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i + 1;
}

// ----------------------------------------------------------------------------------------- policy JSON

/** Cedar's JSON form of a policy with every entity type mapped (scope, literals, `is`). */
export function mapPolicyTypes(json: PolicyJson, map: (type: string) => string): PolicyJson {
  const uid = (u: unknown): unknown => {
    const o = u as { __entity?: { type: string; id: string }; type?: string; id?: string };
    if (o.__entity) return { __entity: { ...o.__entity, type: map(o.__entity.type) } };
    return { ...o, type: map(o.type as string) };
  };
  const scope = (c: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...c };
    if (c.entity !== undefined) out.entity = uid(c.entity);
    if (Array.isArray(c.entities)) out.entities = c.entities.map(uid);
    if (typeof c.entity_type === "string") out.entity_type = map(c.entity_type);
    if (c.in !== undefined) out.in = scope(c.in as Record<string, unknown>);
    return out;
  };
  const value = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(value);
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    if (o.__entity !== undefined) return uid(o);
    if (o.__extn !== undefined) return o;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, value(x)]));
  };
  const expr = (e: unknown): unknown => {
    if (Array.isArray(e)) return e.map(expr);
    if (e === null || typeof e !== "object") return e;
    const entries = Object.entries(e as Record<string, unknown>);
    // Every expression node is an object with one key: the operator.
    if (entries.length !== 1) return Object.fromEntries(entries.map(([k, x]) => [k, expr(x)]));
    const [op, body] = entries[0] as [string, unknown];
    switch (op) {
      case "Value":
        return { Value: value(body) };
      case "Var":
      case "Slot":
        return e;
      case "Record":
        return { Record: Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, x]) => [k, expr(x)])) };
      case "is": {
        const b = body as { left: unknown; entity_type: string; in?: unknown };
        return { is: { ...b, left: expr(b.left), entity_type: map(b.entity_type), ...(b.in !== undefined ? { in: expr(b.in) } : {}) } };
      }
      case "like": {
        const b = body as { left: unknown; pattern: unknown };
        return { like: { ...b, left: expr(b.left) } };
      }
      case ".":
      case "has": {
        const b = body as { left: unknown };
        return { [op]: { ...b, left: expr(b.left) } };
      }
      default:
        // Binary/unary operators ({left,right} / {arg}), if-then-else, Set and extension calls ([args]).
        if (Array.isArray(body)) return { [op]: body.map(expr) };
        return { [op]: Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, x]) => [k, expr(x)])) };
    }
  };
  return {
    ...json,
    principal: scope(json.principal as Record<string, unknown>) as PolicyJson["principal"],
    action: scope(json.action as Record<string, unknown>) as PolicyJson["action"],
    resource: scope(json.resource as Record<string, unknown>) as PolicyJson["resource"],
    conditions: json.conditions.map((c) => ({ ...c, body: expr(c.body) })) as PolicyJson["conditions"],
  };
}

// ----------------------------------------------------------------------------------------- schema JSON

type SchemaJsonDoc = Record<string, Record<string, unknown>>;

/** `{"": def}` → `{"NS": def}`. Names inside a namespace resolve to it, so `def` moves as is. */
export function qualifySchema(schema: SchemaJsonDoc, ns: string): SchemaJsonDoc {
  const names = Object.keys(schema);
  if (names.length !== 1 || names[0] !== "") throw new NamespaceError("the schema must have no namespace (the decision model is un-namespaced)");
  const def = schema[""] as Record<string, unknown>;
  walkSchemaTypes(def, (t) => {
    if (t.includes("::") && !t.startsWith("__cedar::")) throw new NamespaceError(`schema type \`${t}\` names another namespace`);
    return t;
  });
  return { [ns]: def };
}

/** `{"NS": def}` → `{"": def}`, with `NS::` removed from every type reference inside `def`. */
export function unqualifySchema(schema: SchemaJsonDoc, ns: string): SchemaJsonDoc {
  const names = Object.keys(schema);
  if (names.length !== 1 || names[0] !== ns) {
    throw new NamespaceError(`the store's schema must have exactly the namespace \`${ns}\`, not ${names.map((n) => `\`${n}\``).join(", ") || "none"}`);
  }
  const def = structuredClone(schema[ns]) as Record<string, unknown>;
  walkSchemaTypes(def, (t) => (t.startsWith("__cedar::") ? t : t.includes("::") ? unqualifyType(t, ns) : t));
  return { "": def };
}

const BUILTIN_TYPES = new Set(["String", "Long", "Bool", "Boolean", "Set", "Record", "Entity", "EntityOrCommon", "Extension"]);

/** Applies `map` to every type reference of one namespace definition, in place. */
function walkSchemaTypes(def: Record<string, unknown>, map: (type: string) => string): void {
  const type = (t: Record<string, unknown> | undefined): void => {
    if (!t || typeof t !== "object") return;
    if (typeof t.type === "string" && !BUILTIN_TYPES.has(t.type)) t.type = map(t.type);
    if ((t.type === "Entity" || t.type === "EntityOrCommon") && typeof t.name === "string") t.name = map(t.name);
    if (t.element) type(t.element as Record<string, unknown>);
    for (const a of Object.values((t.attributes ?? {}) as Record<string, Record<string, unknown>>)) type(a);
  };
  const list = (l: unknown): unknown => (Array.isArray(l) ? l.map((x) => (typeof x === "string" ? map(x) : x)) : l);
  for (const t of Object.values((def.commonTypes ?? {}) as Record<string, Record<string, unknown>>)) type(t);
  for (const e of Object.values((def.entityTypes ?? {}) as Record<string, Record<string, unknown>>)) {
    if (e.memberOfTypes) e.memberOfTypes = list(e.memberOfTypes);
    type(e.shape as Record<string, unknown> | undefined);
    type(e.tags as Record<string, unknown> | undefined);
  }
  for (const a of Object.values((def.actions ?? {}) as Record<string, Record<string, unknown>>)) {
    const applies = a.appliesTo as Record<string, unknown> | undefined;
    if (applies) {
      applies.principalTypes = list(applies.principalTypes);
      applies.resourceTypes = list(applies.resourceTypes);
      type(applies.context as Record<string, unknown> | undefined);
    }
    for (const m of (a.memberOf ?? []) as Array<Record<string, unknown>>) if (typeof m.type === "string") m.type = map(m.type);
  }
}

// ----------------------------------------------------------------------------------------- requests

/** A query of the decision model, with every entity type moved into `ns` (what the remote engine sends). */
export function qualifyQuery(q: AuthorizationQuery, ns: string): AuthorizationQuery {
  const t = (type: string) => `${ns}::${type}`;
  const uid = (u: { type: string; id: string }) => ({ type: t(u.type), id: u.id });
  return {
    principal: uid(q.principal),
    action: uid(q.action),
    resource: uid(q.resource),
    context: qualifyValue(q.context, t) as Record<string, CedarValue>,
    entities: q.entities.map(
      (e): EntityJson => ({
        ...e,
        uid: uid(e.uid as { type: string; id: string }),
        attrs: qualifyValue(e.attrs as CedarValue, t) as EntityJson["attrs"],
        parents: e.parents.map((p) => uid(p as { type: string; id: string })),
      }),
    ),
  };
}

/** Entity references inside values are `{"__entity": {type, id}}` in Cedar's JSON (no schema is used). */
function qualifyValue(v: CedarValue, t: (type: string) => string): CedarValue {
  if (Array.isArray(v)) return v.map((x) => qualifyValue(x, t));
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if ("__extn" in o) return v;
  if ("__entity" in o) {
    const e = o.__entity as { type: string; id: string };
    return { __entity: { type: t(e.type), id: e.id } } as unknown as CedarValue;
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, qualifyValue(x as CedarValue, t)])) as CedarValue;
}

/** Verified Permissions' messages name the namespaced types; the audit record uses the model's names. */
export function unqualifyMessage(message: string, ns: string): string {
  return message.split(`${ns}::`).join("");
}
