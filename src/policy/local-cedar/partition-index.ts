import type { AuthorizationQuery } from "../engine.js";
import { asUid, uidKey } from "../entity-uid.js";
import type { EntityScope, PolicyScope } from "./policy-scope.js";
import { guardFails, resourceStringAttrs, type ResourceGuard } from "./resource-guard.js";

/**
 * Which policies can apply to a request, found without evaluating any of them.
 *
 * A policy is relevant iff its scope matches: `principal`/`resource` unconstrained, `== E` (the request's
 * entity is E), `in E` (E is the entity or one of its ancestors in the request's entity graph), `is T`,
 * `is T in E`; `action` unconstrained, `== A`, or `in [A...]` (the request's action or one of its action
 * groups, as the schema defines them). Irrelevant policies are inert (see policy-scope.ts), so evaluating
 * only the relevant ones gives the same decision, determining policies and errors.
 *
 * Built once per engine: per concrete action, a two-level map from principal-scope key to resource-scope
 * key to policy positions. A lookup costs a few map probes per ancestor of the principal and resource.
 * Policies whose conditions start with a resource-attribute test that is false for the request's resource
 * are left out too (resource-guard.ts).
 */
export class PartitionIndex {
  /** Action key → principal key → resource key → policy positions (ascending). */
  private readonly byAction = new Map<string, Map<string, Map<string, number[]>>>();

  constructor(
    scopes: readonly PolicyScope[],
    actionAncestors: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly guards: ReadonlyArray<ResourceGuard | undefined> = [],
  ) {
    for (const [action, ancestors] of actionAncestors) {
      const byPrincipal = new Map<string, Map<string, number[]>>();
      for (const [position, scope] of scopes.entries()) {
        if (!actionMatches(scope.action, action, ancestors)) continue;
        const pk = scopeKey(scope.principal);
        const rk = scopeKey(scope.resource);
        let byResource = byPrincipal.get(pk);
        if (!byResource) byPrincipal.set(pk, (byResource = new Map()));
        const list = byResource.get(rk);
        if (list) list.push(position);
        else byResource.set(rk, [position]);
      }
      this.byAction.set(action, byPrincipal);
    }
  }

  /**
   * Positions of the relevant policies, ascending; undefined when the request is outside what the index
   * can answer exactly (an action the schema does not declare, an entity list it cannot read), in which
   * case the caller must use the whole set. `graph`: the request's parent graph, if the caller has it.
   */
  relevant(q: AuthorizationQuery, graph: ParentGraph | undefined = parentGraph(q?.entities)): number[] | undefined {
    const principal = asUid(q?.principal);
    const action = asUid(q?.action);
    const resource = asUid(q?.resource);
    if (!principal || !action || !resource || !graph) return undefined;
    const byPrincipal = this.byAction.get(uidKey(action.type, action.id));
    if (!byPrincipal) return undefined;

    const resourceKeys = requestKeys(resource, graph);
    let attrs: ReadonlyMap<string, string> | undefined | null = null; // null: not looked up yet
    const out: number[] = [];
    for (const pk of requestKeys(principal, graph)) {
      const byResource = byPrincipal.get(pk);
      if (!byResource) continue;
      for (const rk of resourceKeys) {
        const list = byResource.get(rk);
        if (!list) continue;
        for (const p of list) {
          const guard = this.guards[p];
          if (guard !== undefined) {
            if (attrs === null) attrs = resourceStringAttrs(resource, q.entities);
            if (attrs !== undefined && guardFails(guard, attrs)) continue;
          }
          out.push(p);
        }
      }
    }
    return out.sort((a, b) => a - b);
  }
}

function actionMatches(scope: PolicyScope["action"], action: string, ancestors: ReadonlySet<string>): boolean {
  if (scope.kind === "any") return true;
  return scope.keys.some((k) => k === action || (!scope.exact && ancestors.has(k)));
}

/** The one index key a policy's principal or resource scope files under. */
function scopeKey(scope: EntityScope): string {
  switch (scope.kind) {
    case "any":
    case "slot": // templates are refused by the loader; if one ever arrives it is relevant everywhere
      return "*";
    case "eq":
      return `=${scope.key}`;
    case "in":
      return `<${scope.key}`;
    case "is":
      return `:${scope.type}`;
    case "isIn":
      return `:${scope.type}<${scope.key}`;
  }
}

/** Every index key a request entity matches: itself, its type, and each of its ancestors. */
function requestKeys(uid: { type: string; id: string }, graph: ParentGraph): Set<string> {
  const self = uidKey(uid.type, uid.id);
  const keys = new Set<string>(["*", `=${self}`, `:${uid.type}`, `<${self}`, `:${uid.type}<${self}`]);
  for (const a of ancestors(self, graph)) {
    keys.add(`<${a}`);
    keys.add(`:${uid.type}<${a}`);
  }
  return keys;
}

/** Entity key → its direct parents' keys, merged over duplicate entries (Cedar refuses differing ones anyway). */
export type ParentGraph = Map<string, string[]>;

export function parentGraph(entities: unknown): ParentGraph | undefined {
  if (!Array.isArray(entities)) return undefined;
  const graph: ParentGraph = new Map();
  for (const e of entities as unknown[]) {
    if (typeof e !== "object" || e === null) return undefined;
    const uid = asUid((e as { uid?: unknown }).uid);
    const parents = (e as { parents?: unknown }).parents;
    if (!uid || !Array.isArray(parents)) return undefined;
    const keys: string[] = [];
    for (const p of parents) {
      const parent = asUid(p);
      if (!parent) return undefined;
      keys.push(uidKey(parent.type, parent.id));
    }
    const key = uidKey(uid.type, uid.id);
    const known = graph.get(key);
    graph.set(key, known ? [...known, ...keys] : keys);
  }
  return graph;
}

/** Transitive ancestors, as Cedar's transitive closure of the entity store computes them (cycles tolerated). */
export function ancestors(key: string, graph: ParentGraph): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.get(key) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    for (const p of graph.get(next) ?? []) stack.push(p);
  }
  return seen;
}
