import { schemaToJsonWithResolvedTypes } from "@cedar-policy/cedar-wasm/nodejs";
import { uidKey } from "./entity-uid.js";

/**
 * The parts of a Cedar schema the fast path needs, compiled once at engine creation:
 * - every action's ancestors (action groups), for the partition index and for the action entity that a
 *   schema-less call must be given explicitly (un-namespaced schemas only);
 * - for the conformance check (request-conformance.ts), the expected types of context and entity
 *   attributes, the allowed parent types, and each action's principal and resource types.
 *
 * Only a subset of Cedar's type system is modelled: Bool, Long, String, Set, Record and `ipaddr`, with no
 * namespaces, tags, enumerated entities, action attributes, or entity-typed values. A schema outside that
 * subset gets `conformance: undefined`, which turns the trimmed fast path off (requests then go through
 * Cedar's own validation, still partitioned).
 */

export type ValueType =
  | { kind: "bool" }
  | { kind: "long" }
  | { kind: "string" }
  | { kind: "ipaddr" }
  | { kind: "set"; element: ValueType }
  | { kind: "record"; attrs: Map<string, { type: ValueType; required: boolean }>; open: boolean };

export interface EntityTypeModel {
  attrs: ValueType & { kind: "record" };
  parentTypes: Set<string>;
}

export interface ActionModel {
  principalTypes: Set<string>;
  resourceTypes: Set<string>;
  context: ValueType & { kind: "record" };
}

export interface ConformanceModel {
  entityTypes: Map<string, EntityTypeModel>;
  /** By action key (`uidKey("Action", id)`); actions without `appliesTo` types are absent (never valid requests). */
  actions: Map<string, ActionModel>;
}

export interface SchemaModel {
  /** Every action (by key) to the keys of its transitive ancestors; undefined: partitioning unsupported. */
  actionAncestors: Map<string, Set<string>> | undefined;
  /** Undefined when the schema uses something outside the modelled subset. */
  conformance: ConformanceModel | undefined;
}

/** From the schema text, or from its resolved JSON computed at build time (saves a parse at cold start). */
export function compileSchemaModel(schema: string | { resolvedSchemaJson: unknown }): SchemaModel {
  let json: Record<string, RawNamespace>;
  if (typeof schema === "string") {
    const resolved = schemaToJsonWithResolvedTypes(schema);
    if (resolved.type === "failure") throw new Error(`cedar refused the schema: ${resolved.errors.map((e) => e.message).join("; ")}`);
    json = resolved.json as Record<string, RawNamespace>;
  } else {
    json = schema.resolvedSchemaJson as Record<string, RawNamespace>;
  }
  const ancestors = actionAncestors(json);
  return { actionAncestors: ancestors, conformance: ancestors ? conformanceModel(json) : undefined };
}

interface RawNamespace {
  commonTypes?: Record<string, RawType>;
  entityTypes?: Record<string, { memberOfTypes?: string[]; shape?: RawType; tags?: unknown; enum?: unknown }>;
  actions?: Record<string, { appliesTo?: { principalTypes?: string[]; resourceTypes?: string[]; context?: RawType }; attributes?: unknown; memberOf?: unknown }>;
}
type RawType = { type: string; element?: RawType; attributes?: Record<string, RawType & { required?: boolean }>; additionalAttributes?: boolean; name?: string };

/**
 * Action ancestors from `memberOf`, closed transitively. Only the un-namespaced case is computed: there an
 * action group is always `Action::"id"` (a `type`, if given, can only be `Action`). Namespaced schemas
 * resolve unqualified references with rules not worth re-deriving here, so they get no hierarchy and the
 * engine evaluates the whole set for them.
 */
function actionAncestors(json: Record<string, RawNamespace>): Map<string, Set<string>> | undefined {
  const namespaces = Object.keys(json);
  if (namespaces.length !== 1 || namespaces[0] !== "") return undefined;
  const direct = new Map<string, string[]>();
  for (const [id, def] of Object.entries((json[""] as RawNamespace).actions ?? {})) {
    const parents: string[] = [];
    for (const m of (def.memberOf ?? []) as Array<{ id?: unknown; type?: unknown }>) {
      if (typeof m.id !== "string" || (m.type !== undefined && m.type !== "Action")) return undefined;
      parents.push(uidKey("Action", m.id));
    }
    direct.set(uidKey("Action", id), parents);
  }
  const out = new Map<string, Set<string>>();
  for (const key of direct.keys()) {
    const seen = new Set<string>();
    const stack = [...(direct.get(key) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(direct.get(next) ?? []));
    }
    out.set(key, seen);
  }
  return out;
}

class Unsupported extends Error {}

function conformanceModel(json: Record<string, RawNamespace>): ConformanceModel | undefined {
  const namespaces = Object.keys(json);
  if (namespaces.length !== 1 || namespaces[0] !== "") return undefined;
  const ns = json[""] as RawNamespace;
  const common = ns.commonTypes ?? {};
  const entityNames = new Set(Object.keys(ns.entityTypes ?? {}));
  try {
    const entityTypes = new Map<string, EntityTypeModel>();
    for (const [name, def] of Object.entries(ns.entityTypes ?? {})) {
      if (def.tags !== undefined || def.enum !== undefined) return undefined;
      const attrs = def.shape ? valueType(def.shape, common, entityNames, 0) : emptyRecord();
      if (attrs.kind !== "record") return undefined;
      entityTypes.set(name, { attrs, parentTypes: new Set(def.memberOfTypes ?? []) });
    }
    const actions = new Map<string, ActionModel>();
    for (const [id, def] of Object.entries(ns.actions ?? {})) {
      if (def.attributes !== undefined) return undefined;
      const principalTypes = new Set(def.appliesTo?.principalTypes ?? []);
      const resourceTypes = new Set(def.appliesTo?.resourceTypes ?? []);
      if (principalTypes.size === 0 || resourceTypes.size === 0) continue;
      const context = def.appliesTo?.context ? valueType(def.appliesTo.context, common, entityNames, 0) : emptyRecord();
      if (context.kind !== "record") return undefined;
      actions.set(uidKey("Action", id), { principalTypes, resourceTypes, context });
    }
    return { entityTypes, actions };
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

function emptyRecord(): ValueType & { kind: "record" } {
  return { kind: "record", attrs: new Map(), open: false };
}

function valueType(t: RawType, common: Record<string, RawType>, entityNames: Set<string>, depth: number): ValueType {
  if (depth > 32) throw new Unsupported();
  switch (t.type) {
    case "Bool":
    case "Boolean":
      return { kind: "bool" };
    case "Long":
      return { kind: "long" };
    case "String":
      return { kind: "string" };
    case "ipaddr":
      return { kind: "ipaddr" };
    case "Set":
      if (!t.element) throw new Unsupported();
      return { kind: "set", element: valueType(t.element, common, entityNames, depth + 1) };
    case "Record": {
      const attrs = new Map<string, { type: ValueType; required: boolean }>();
      for (const [name, a] of Object.entries(t.attributes ?? {})) {
        // `__entity` / `__extn` keys are escapes in Cedar's JSON value format, never plain attributes.
        if (name.startsWith("__")) throw new Unsupported();
        attrs.set(name, { type: valueType(a, common, entityNames, depth + 1), required: a.required !== false });
      }
      return { kind: "record", attrs, open: t.additionalAttributes === true };
    }
    case "Extension":
      if (t.name === "ipaddr") return { kind: "ipaddr" };
      throw new Unsupported();
    default: {
      // A common type by name (resolved JSON keeps the name); entities and other extensions are not modelled.
      const named = Object.hasOwn(common, t.type) && !entityNames.has(t.type) ? common[t.type] : undefined;
      if (!named) throw new Unsupported();
      return valueType(named, common, entityNames, depth + 1);
    }
  }
}
