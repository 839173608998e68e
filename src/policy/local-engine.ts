import { randomUUID } from "node:crypto";
import {
  preparsePolicySet,
  preparseSchema,
  statefulIsAuthorized,
  type AuthorizationAnswer,
  type DetailedError,
} from "@cedar-policy/cedar-wasm/nodejs";
import type { AuthorizationQuery, EngineAnswer, EngineError, PolicyEngine } from "./engine.js";
import type { LoadedPolicySet } from "./loader.js";
import { LEAST_TRUSTED_POSTURE } from "../posture/types.js";

/**
 * The in-process Cedar engine: policies and schema are parsed once (at cold start) into cedar-wasm's
 * thread-local cache, then every query is one `statefulIsAuthorized` call with request validation on.
 *
 * cedar-wasm facts this relies on (measured on 4.13, pinned in test/policy/local-engine.test.ts):
 * - `preparsePolicySet`/`preparseSchema` with an id already in the cache silently REPLACE that entry, and
 *   there is no way to evict one. Ids are therefore unique per engine instance (revision + counter +
 *   random, the random part covering two bundled copies of this module sharing one wasm instance).
 *   Each engine keeps its parsed set for the life of the process: create engines at start-up only.
 * - With `validateRequest: true` and the schema, a context or entity that does not match the schema is a
 *   `failure` (not a deny): wrong types, missing or extra attributes, `{"__entity": ...}` or `{"__extn":
 *   ...}` where a String is expected, undeclared entity types, wrong parent types.
 * - A policy that errors while evaluating is skipped and the answer is still `success`, with the error in
 *   `diagnostics.errors`: a `forbid` that errors does not forbid. The decision layer treats any error as deny.
 * - Some inputs make the wasm binding throw instead of answering (a BigInt, a string with a lone UTF-16
 *   surrogate): caught here and answered as `failure`.
 */

export interface LocalCedarEngineOptions {
  /**
   * The query run once at creation, so the first real request does not pay for the wasm paths' first
   * use. Defaults to `MODEL_WARMUP_QUERY`.
   */
  warmupQuery?: AuthorizationQuery;
}

export interface LocalCedarEngine extends PolicyEngine {
  readonly name: "local-cedar";
  /** The stable ids of the loaded policies, in load order. */
  readonly policyIds: readonly string[];
  /** What the warm-up query answered (kept for start-up logs). */
  readonly warmupAnswer: EngineAnswer;
  /** Synchronous: the local engine does no I/O. Never throws. */
  isAuthorized(query: AuthorizationQuery): EngineAnswer;
}

/** Longest error message passed on; Cedar echoes the whole context in some messages. */
const MAX_MESSAGE_CHARS = 1_000;

let instanceCounter = 0;

/**
 * Build the engine. Throws if cedar-wasm refuses the policy set or schema: that is a start-up failure
 * (they were validated by the loader, so this means a bug or a hand-built `LoadedPolicySet`).
 */
export function createLocalCedarEngine(loaded: LoadedPolicySet, options: LocalCedarEngineOptions = {}): LocalCedarEngine {
  instanceCounter += 1;
  const cacheId = `${loaded.revision}/${instanceCounter}/${randomUUID()}`;

  const staticPolicies: Record<string, string> = {};
  for (const p of loaded.policies) {
    if (Object.hasOwn(staticPolicies, p.id)) throw new Error(`duplicate policy id \`${p.id}\``);
    staticPolicies[p.id] = p.text;
  }
  const pset = preparsePolicySet(cacheId, { staticPolicies });
  if (pset.type === "failure") {
    throw new Error(`cedar refused the policy set: ${pset.errors.map(describe).join("; ")}`);
  }
  const schema = preparseSchema(cacheId, loaded.schemaText);
  if (schema.type === "failure") {
    throw new Error(`cedar refused the schema: ${schema.errors.map(describe).join("; ")}`);
  }

  const evaluate = (query: AuthorizationQuery, withSchema: boolean): EngineAnswer => {
    let answer: AuthorizationAnswer;
    try {
      answer = statefulIsAuthorized({
        principal: query.principal,
        action: query.action,
        resource: query.resource,
        context: query.context,
        entities: query.entities,
        preparsedPolicySetId: cacheId,
        ...(withSchema ? { preparsedSchemaName: cacheId, validateRequest: true } : { validateRequest: false }),
      });
    } catch (err) {
      return { type: "failure", errors: [{ message: cap(`cedar threw: ${err instanceof Error ? err.message : String(err)}`) }] };
    }
    return toEngineAnswer(answer);
  };

  // Warm-up: the model-shaped least-trusted query (or the caller's), validated like a real request. If it
  // does not fit the schema (a different model, in tests), evaluate a schema-less one so the evaluator is
  // still warm; start-up logs get the first answer either way.
  const warmupAnswer = evaluate(options.warmupQuery ?? MODEL_WARMUP_QUERY, true);
  if (warmupAnswer.type === "failure") evaluate(SCHEMALESS_WARMUP_QUERY, false);

  return {
    name: "local-cedar",
    revision: loaded.revision,
    policyIds: Object.freeze(loaded.policies.map((p) => p.id)),
    warmupAnswer,
    isAuthorized: (query) => evaluate(query, true),
  };
}

/** Map cedar-wasm's answer to the engine contract; anything unexpected is a failure, never an allow. */
export function toEngineAnswer(answer: AuthorizationAnswer): EngineAnswer {
  try {
    if (answer.type === "failure") {
      const errors = answer.errors.map((e) => ({ message: describe(e) }));
      return { type: "failure", errors: errors.length > 0 ? errors : [{ message: "cedar failed without an error" }] };
    }
    const { decision, diagnostics } = answer.response;
    if (decision !== "allow" && decision !== "deny") {
      return { type: "failure", errors: [{ message: cap(`unexpected cedar decision \`${String(decision)}\``) }] };
    }
    const errors: EngineError[] = diagnostics.errors.map((e) => ({ policyId: e.policyId, message: describe(e.error) }));
    // Cedar's reason order is not specified: sort so audit records are reproducible.
    return { type: "success", decision, determiningPolicies: [...diagnostics.reason].sort(), errors };
  } catch (err) {
    return { type: "failure", errors: [{ message: cap(`malformed cedar answer: ${String(err)}`) }] };
  }
}

function describe(e: DetailedError): string {
  return cap(e.help ? `${e.message} (${e.help})` : e.message);
}

function cap(message: string): string {
  return message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS)}…`;
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
