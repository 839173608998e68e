import type { AuthorizationQuery, CedarValue, EntityJson } from "../engine.js";
import type { ConditionReads } from "./condition-reads.js";
import { uidKey } from "../entity-uid.js";
import { ancestors, type ParentGraph } from "./partition-index.js";

/**
 * Cuts a conforming request (request-conformance.ts) down to what a partition's conditions can observe
 * (condition-reads.ts). Converting context and entities into wasm is most of the cost of a Cedar call,
 * and a typical partition reads a handful of context attributes and one entity attribute.
 *
 * Exactness, case by case:
 * - Context: each read path is kept whole from the point it ends. If a path runs into a record lacking
 *   the next key, that record is kept whole, because Cedar's "does not have the attribute" error lists
 *   the record's available attributes.
 * - Scopes: the partition's policies are evaluated with their scopes removed, which the partition key
 *   guarantees to be true (every request mapping to a partition satisfies every scope in it).
 * - Entities: an entity is observable only through attribute/tag reads (then it is passed with all its
 *   attributes) and through `in` against entity literals (then it is passed with its ancestors restricted
 *   to those literals, which keeps every `x in Literal` answer). A missing entity and an entity with no
 *   attributes, tags or relevant parents answer `has`, `in` and `==` alike.
 * - The action entity: a schema-less call has no action hierarchy, so the action (and any action literal)
 *   is passed with its schema ancestors, restricted the same way.
 */

/** `true`: keep the whole value here. */
export type ContextSelector = true | Map<string, ContextSelector>;

export function contextSelector(paths: string[][] | "all"): ContextSelector {
  if (paths === "all") return true;
  const root = new Map<string, ContextSelector>();
  for (const path of paths) {
    if (path.length === 0) return true;
    let node: Map<string, ContextSelector> = root;
    for (let i = 0; i < path.length; i += 1) {
      const key = path[i] as string;
      const last = i === path.length - 1;
      const existing = node.get(key);
      if (existing === true) break;
      if (last) {
        node.set(key, true);
        break;
      }
      if (existing === undefined) {
        const child = new Map<string, ContextSelector>();
        node.set(key, child);
        node = child;
      } else {
        node = existing;
      }
    }
  }
  return root;
}

export function selectContext(value: CedarValue, selector: ContextSelector): CedarValue {
  if (selector === true) return value;
  if (typeof value !== "object" || value === null || Array.isArray(value) || "__extn" in value) return value;
  const record = value as Record<string, CedarValue>;
  const out: Record<string, CedarValue> = {};
  for (const [key, sub] of selector) {
    if (!Object.hasOwn(record, key)) return value;
    out[key] = selectContext(record[key] as CedarValue, sub);
  }
  return out;
}

export interface TrimPlan {
  reads: ConditionReads;
  selector: ContextSelector;
}

export function trimEntities(
  q: AuthorizationQuery,
  plan: TrimPlan,
  graph: ParentGraph,
  actionAncestors: ReadonlyMap<string, ReadonlySet<string>>,
): EntityJson[] {
  const { reads } = plan;
  if (reads.needsAllEntities) return withActionEntities(q, actionAncestors);

  const literals = reads.literals;
  const byKey = new Map<string, EntityJson>();
  for (const e of q.entities) {
    const uid = e.uid as { type: string; id: string };
    byKey.set(uidKey(uid.type, uid.id), e);
  }
  const out: EntityJson[] = [];
  const done = new Set<string>();
  const restrictedParents = (key: string, known: ReadonlySet<string>) =>
    [...known].filter((a) => literals.has(a)).map(keyToUid);

  const add = (key: string, withAttrs: boolean, always: boolean) => {
    if (done.has(key)) return;
    done.add(key);
    const action = actionAncestors.get(key);
    if (action) {
      const parents = restrictedParents(key, action);
      if (always || parents.length > 0) out.push({ uid: keyToUid(key), attrs: {}, parents });
      return;
    }
    const entity = byKey.get(key);
    if (!entity) return; // not in the store: nothing to pass, Cedar sees the same absence
    const parents = restrictedParents(key, ancestors(key, graph));
    if (withAttrs || parents.length > 0) out.push({ uid: entity.uid, attrs: withAttrs ? entity.attrs : {}, parents });
  };

  const p = uidKey(q.principal.type, q.principal.id);
  const r = uidKey(q.resource.type, q.resource.id);
  const a = uidKey(q.action.type, q.action.id);
  // Literals first: a literal that is also the principal or resource needs its attributes.
  for (const l of literals) add(l, true, true);
  add(p, reads.derefs.has("principal"), false);
  add(r, reads.derefs.has("resource"), false);
  add(a, false, reads.derefs.has("action"));
  return out;
}

/** Everything, plus what the schema would have added: every action entity with its groups. */
function withActionEntities(q: AuthorizationQuery, actionAncestors: ReadonlyMap<string, ReadonlySet<string>>): EntityJson[] {
  const out = [...q.entities];
  for (const [key, known] of actionAncestors) out.push({ uid: keyToUid(key), attrs: {}, parents: [...known].map(keyToUid) });
  return out;
}

function keyToUid(key: string): { type: string; id: string } {
  const at = key.indexOf('"');
  return { type: key.slice(0, at), id: key.slice(at + 1) };
}
