import { policyToJson, preparsePolicySet, type PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import { callCedar } from "../cedar-answer.js";
import { conditionReads, emptyReads, mergeReads, type ConditionReads } from "./condition-reads.js";
import type { AuthorizationQuery, EngineAnswer } from "../engine.js";
import type { LoadedPolicy } from "../loader.js";
import { PartitionCache } from "./partition-cache.js";
import { PartitionIndex, parentGraph, type ParentGraph } from "./partition-index.js";
import { namedEntityKeys } from "./named-entities.js";
import { scopeOf, withoutScope, type PolicyScope } from "./policy-scope.js";
import { conforms } from "../request-conformance.js";
import { resourceGuardOf } from "./resource-guard.js";
import { contextSelector, selectContext, trimEntities, type TrimPlan } from "./request-trim.js";
import type { SchemaModel } from "../schema-model.js";

/**
 * Evaluates each request against only the policies whose scope can match it (partition-index.ts).
 *
 * Two paths, both exact:
 * - trimmed (the fast path): the request passes the JS conformance check, so Cedar is called without the
 *   schema, on the partition's policies with their scopes removed, with context and entities cut down to
 *   what those policies' conditions read (request-trim.ts). An empty partition is a deny without a call.
 * - scoped: anything else (a request the check refuses, a schema outside the modelled subset) goes to Cedar
 *   with the schema and request validation, on the partition's policies as written. If the index cannot
 *   answer (an undeclared action), on the whole set.
 *
 * Partitions are keyed by the relevant policies' positions and pre-parsed on first use, in a bounded LRU.
 */

export interface PartitionedEvaluatorOptions {
  /** Prefix for pre-parsed set ids; unique per engine instance. */
  cacheId: string;
  /**
   * Pre-parses (on first call) the whole set and the schema, and returns the id of both: the schema
   * serves the scoped path, the set the fallback. May throw if Cedar refuses them.
   */
  wholeSet: () => string;
  policies: readonly LoadedPolicy[];
  schema: SchemaModel;
  maxPartitions: number;
}

export interface PartitionStats {
  trimmed: number;
  scoped: number;
  whole: number;
  partitionsBuilt: number;
}

interface Partition {
  slot: number;
  positions: number[];
  scopedId?: string;
  trimmed?: { id: string | undefined; plan: TrimPlan };
}

export interface PartitionedEvaluator {
  evaluate(query: AuthorizationQuery): EngineAnswer;
  readonly stats: PartitionStats;
  /** `uidKey`s of the entities the policies name (named-entities.ts). */
  readonly namedEntities: ReadonlySet<string>;
}

export function createPartitionedEvaluator(opts: PartitionedEvaluatorOptions): PartitionedEvaluator {
  const jsons: PolicyJson[] = opts.policies.map((p) => p.json ?? parsePolicyJson(p));
  const scopes: PolicyScope[] = jsons.map(scopeOf);
  const reads: ConditionReads[] = jsons.map(conditionReads);
  const actionAncestors = opts.schema.actionAncestors ?? new Map<string, Set<string>>();
  // Without a known action hierarchy every action is "undeclared" to the index: the whole set is used.
  const index = new PartitionIndex(scopes, actionAncestors, jsons.map(resourceGuardOf));
  const conformance = opts.schema.conformance;
  // Removing scopes is only exact if the index decided every scope exactly (no template slots).
  const canTrim = conformance !== undefined && scopes.every((s) => s.principal.kind !== "slot" && s.resource.kind !== "slot");
  const cache = new PartitionCache<Partition>(opts.maxPartitions);
  const stats: PartitionStats = { trimmed: 0, scoped: 0, whole: 0, partitionsBuilt: 0 };
  const emptySetId = `${opts.cacheId}/empty`;
  preparseOrThrow(emptySetId, {});
  const validated = (setId: string, query: AuthorizationQuery) => callCedar(setId, query, opts.wholeSet());

  function partitionFor(positions: number[]): Partition {
    const key = positions.join(",");
    const known = cache.get(key);
    if (known) return known;
    stats.partitionsBuilt += 1;
    return cache.add(key, (slot) => ({ slot, positions }));
  }

  function scopedId(partition: Partition): string {
    if (partition.scopedId !== undefined) return partition.scopedId;
    if (partition.positions.length === 0) return (partition.scopedId = emptySetId);
    const id = `${opts.cacheId}/s${partition.slot}`;
    const set: Record<string, string> = {};
    for (const p of partition.positions) {
      const policy = opts.policies[p] as LoadedPolicy;
      set[policy.id] = policy.text;
    }
    preparseOrThrow(id, set);
    return (partition.scopedId = id);
  }

  function trimmed(partition: Partition): NonNullable<Partition["trimmed"]> {
    if (partition.trimmed !== undefined) return partition.trimmed;
    const union = emptyReads();
    const set: Record<string, PolicyJson> = {};
    for (const p of partition.positions) {
      mergeReads(union, reads[p] as ConditionReads);
      set[(opts.policies[p] as LoadedPolicy).id] = withoutScope(jsons[p] as PolicyJson);
    }
    let id: string | undefined;
    if (partition.positions.length > 0) {
      id = `${opts.cacheId}/t${partition.slot}`;
      preparseOrThrow(id, set);
    }
    return (partition.trimmed = { id, plan: { reads: union, selector: contextSelector(union.context) } });
  }

  return {
    stats,
    namedEntities: namedEntityKeys(scopes, reads),
    evaluate(query) {
      const graph = parentGraph(query?.entities);
      const positions = index.relevant(query, graph);
      if (positions === undefined) {
        stats.whole += 1;
        return validated(opts.wholeSet(), query);
      }
      const partition = partitionFor(positions);
      if (canTrim && conforms(conformance, query)) {
        stats.trimmed += 1;
        const t = trimmed(partition);
        // No policy can apply: Cedar would answer exactly this for a valid request.
        if (t.id === undefined) return { type: "success", decision: "deny", determiningPolicies: [], errors: [] };
        // `graph` is defined here: the index answered, which needs it.
        return callCedar(t.id, {
          principal: query.principal,
          action: query.action,
          resource: query.resource,
          context: selectContext(query.context, t.plan.selector),
          entities: trimEntities(query, t.plan, graph as ParentGraph, actionAncestors),
        });
      }
      stats.scoped += 1;
      return validated(scopedId(partition), query);
    },
  };
}

export function parsePolicyJson(policy: LoadedPolicy): PolicyJson {
  const json = policyToJson(policy.text);
  if (json.type === "failure") throw new Error(`cedar refused policy \`${policy.id}\`: ${json.errors.map((e) => e.message).join("; ")}`);
  return json.json;
}

function preparseOrThrow(id: string, staticPolicies: Record<string, string | PolicyJson>): void {
  const answer = preparsePolicySet(id, { staticPolicies });
  if (answer.type === "failure") throw new Error(`cedar refused a policy partition: ${answer.errors.map((e) => e.message).join("; ")}`);
}
