import { randomUUID } from "node:crypto";
import { preparsePolicySet, preparseSchema, type DetailedError, type PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import { callCedar } from "../cedar-answer.js";
import type { AuthorizationQuery, EngineAnswer, PolicyEngine } from "../engine.js";
import type { LoadedPolicySet } from "../loader.js";
import { conditionReads } from "./condition-reads.js";
import { uidKey } from "../entity-uid.js";
import { namedEntityKeys } from "./named-entities.js";
import { createPartitionedEvaluator, parsePolicyJson, type PartitionStats } from "./partitioned-evaluator.js";
import { scopeOf } from "./policy-scope.js";
import { compileSchemaModel } from "../schema-model.js";
import { LEAST_TRUSTED_POSTURE } from "../../posture/types.js";

export { toEngineAnswer } from "../cedar-answer.js";

/**
 * The in-process Cedar engine: policies and schema are parsed once (at cold start) into cedar-wasm's
 * thread-local cache, then every query is one `statefulIsAuthorized` call.
 *
 * By default each query is evaluated on its partition: only the policies whose scope can match it, and,
 * when the request passes a JS check of the schema, with context and entities cut to what those policies
 * read (partitioned-evaluator.ts). Answers are the same as evaluating the whole set with request
 * validation, which is what `partitioning: false` does (the reference the differential test compares with).
 *
 * cedar-wasm facts this relies on (measured on 4.13, pinned in test/policy/local-engine.test.ts):
 * - `preparsePolicySet`/`preparseSchema` with an id already in the cache silently REPLACE that entry, and
 *   there is no way to evict one. Ids are therefore unique per engine instance (revision + counter +
 *   random, the random part covering two bundled copies of this module sharing one wasm instance).
 *   Each engine keeps its whole set for the life of the process: create engines at start-up only.
 *   Partitions live in a bounded pool of ids that are reused (partition-cache.ts).
 * - With `validateRequest: true` and the schema, a context or entity that does not match the schema is a
 *   `failure` (not a deny): wrong types, missing or extra attributes, `{"__entity": ...}` or `{"__extn":
 *   ...}` where a String is expected, undeclared entity types, wrong parent types.
 * - A policy that errors while evaluating is skipped and the answer is still `success`, with the error in
 *   `diagnostics.errors`: a `forbid` that errors does not forbid. The decision layer treats any error as deny.
 * - Some inputs make the wasm binding throw instead of answering (a BigInt, a string with a lone UTF-16
 *   surrogate): caught and answered as `failure`.
 */

export interface LocalCedarEngineOptions {
  /**
   * The query run once at creation, so the first real request does not pay for the wasm paths' first
   * use. Defaults to `MODEL_WARMUP_QUERY`.
   */
  warmupQuery?: AuthorizationQuery;
  /** Evaluate each query on its partition (default true). False: the whole set, always validated. */
  partitioning?: boolean;
  /** Most pre-parsed partitions kept (LRU, default 512). */
  maxPartitions?: number;
  /**
   * Prefix of this engine's entries in cedar-wasm's cache (default: unique per instance). An engine that
   * replaces another one (the Verified Permissions mirror after a refresh) passes a prefix it reuses, so
   * the new sets overwrite the retired engine's instead of piling up (cedar-wasm has no eviction).
   */
  cacheId?: string;
}

export interface LocalCedarEngine extends PolicyEngine {
  readonly name: "local-cedar";
  /** The stable ids of the loaded policies, in load order. */
  readonly policyIds: readonly string[];
  /** What the warm-up query answered (kept for start-up logs). */
  readonly warmupAnswer: EngineAnswer;
  /** How queries were answered since creation (undefined without partitioning). */
  readonly partitionStats: PartitionStats | undefined;
  /** Synchronous: the local engine does no I/O. Never throws. */
  isAuthorized(query: AuthorizationQuery): EngineAnswer;
  namesEntity(type: string, id: string): boolean;
}

const DEFAULT_MAX_PARTITIONS = 512;

let instanceCounter = 0;

/**
 * Build the engine. Throws if cedar-wasm refuses the policy set or schema: that is a start-up failure
 * (they were validated by the loader, so this means a bug or a hand-built `LoadedPolicySet`). A set
 * validated at build time (`loaded.precompiled`) was already accepted by Cedar; its whole-set parse waits
 * for the first request that needs it.
 */
export function createLocalCedarEngine(loaded: LoadedPolicySet, options: LocalCedarEngineOptions = {}): LocalCedarEngine {
  instanceCounter += 1;
  const cacheId = options.cacheId ?? `${loaded.revision}/${instanceCounter}/${randomUUID()}`;

  // The whole set and the schema serve only the validated paths (a request the JS check refuses, an
  // undeclared action, `partitioning: false`). A build-time validated set defers them to first use:
  // Cedar accepted both at build time, and parsing them is a large part of a cold start. Any other set
  // is parsed here, so a set Cedar refuses still fails at start-up.
  const wholeSet = once(() => {
    const staticPolicies: Record<string, string | PolicyJson> = {};
    for (const p of loaded.policies) {
      if (Object.hasOwn(staticPolicies, p.id)) throw new Error(`duplicate policy id \`${p.id}\``);
      staticPolicies[p.id] = p.text;
    }
    const pset = preparsePolicySet(cacheId, { staticPolicies });
    if (pset.type === "failure") {
      throw new Error(`cedar refused the policy set: ${pset.errors.map(describeError).join("; ")}`);
    }
    const schema = preparseSchema(cacheId, loaded.schemaText);
    if (schema.type === "failure") {
      throw new Error(`cedar refused the schema: ${schema.errors.map(describeError).join("; ")}`);
    }
    return cacheId;
  });
  if (!loaded.precompiled || options.partitioning === false) wholeSet();

  const whole = (query: AuthorizationQuery, withSchema: boolean): EngineAnswer => {
    let id: string;
    try {
      id = wholeSet();
    } catch (err) {
      return { type: "failure", errors: [{ message: err instanceof Error ? err.message : String(err) }] };
    }
    return callCedar(id, query, withSchema ? id : undefined);
  };

  const partitioned =
    options.partitioning === false
      ? undefined
      : createPartitionedEvaluator({
          cacheId,
          wholeSet,
          policies: loaded.policies,
          schema: compileSchemaModel(loaded.precompiled ?? loaded.schemaText),
          maxPartitions: options.maxPartitions ?? DEFAULT_MAX_PARTITIONS,
        });

  const isAuthorized = (query: AuthorizationQuery): EngineAnswer => {
    if (!partitioned) return whole(query, true);
    try {
      return partitioned.evaluate(query);
    } catch {
      // A partition Cedar refused to pre-parse (not expected: its policies parsed as a whole set).
      return whole(query, true);
    }
  };

  // Warm-up: the model-shaped least-trusted query (or the caller's), validated like a real request. If it
  // does not fit the schema (a different model, in tests), evaluate a schema-less one so the evaluator is
  // still warm; start-up logs get the first answer either way.
  const warmupAnswer = isAuthorized(options.warmupQuery ?? MODEL_WARMUP_QUERY);
  if (warmupAnswer.type === "failure") whole(SCHEMALESS_WARMUP_QUERY, false);

  // With partitioning the evaluator already walked every policy; otherwise walk them on first use.
  const named = once(
    () => partitioned?.namedEntities ?? (() => {
      const jsons = loaded.policies.map((p) => p.json ?? parsePolicyJson(p));
      return namedEntityKeys(jsons.map(scopeOf), jsons.map(conditionReads));
    })(),
  );

  return {
    name: "local-cedar",
    revision: loaded.revision,
    namesEntity: (type, id) => named().has(uidKey(type, id)),
    policyIds: Object.freeze(loaded.policies.map((p) => p.id)),
    warmupAnswer,
    partitionStats: partitioned?.stats,
    isAuthorized,
  };
}

/** A thunk run at most once; a throw is remembered and rethrown. */
function once<T>(make: () => T): () => T {
  let done: { value: T } | { error: unknown } | undefined;
  return () => {
    done ??= (() => {
      try {
        return { value: make() };
      } catch (error) {
        return { error };
      }
    })();
    if ("error" in done) throw done.error;
    return done.value;
  };
}

function describeError(e: DetailedError): string {
  return e.help ? `${e.message} (${e.help})` : e.message;
}

/**
 * A request in the decision model's shape with every value least-trusted: it parses entities and context
 * against the schema and evaluates every policy, like a real request, and can only be denied.
 */
export const MODEL_WARMUP_QUERY: AuthorizationQuery = {
  principal: { type: "User", id: "warmup" },
  action: { type: "Action", id: "GET" },
  resource: { type: "Route", id: "/__warmup" },
  context: {
    identity: { issuer: "", tokenUse: "access", mfa: false, amr: [], tokenAgeSeconds: 0 },
    device: { ...LEAST_TRUSTED_POSTURE, os: { ...LEAST_TRUSTED_POSTURE.os } },
    network: {
      sourceIp: { __extn: { fn: "ip", arg: "0.0.0.0" } },
      sourceIpKnown: false,
      vpceId: "",
      host: "",
      userAgent: "",
    },
    request: { method: "GET", route: "/__warmup" },
  },
  entities: [
    { uid: { type: "User", id: "warmup" }, attrs: {}, parents: [] },
    { uid: { type: "Route", id: "/__warmup" }, attrs: { classification: "restricted", application: "__warmup" }, parents: [] },
  ],
};

const SCHEMALESS_WARMUP_QUERY: AuthorizationQuery = {
  principal: { type: "User", id: "warmup" },
  action: { type: "Action", id: "GET" },
  resource: { type: "Route", id: "/__warmup" },
  context: {},
  entities: [],
};
