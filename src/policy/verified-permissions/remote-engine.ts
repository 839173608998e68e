import { IsAuthorizedCommand, type VerifiedPermissionsClient } from "@aws-sdk/client-verifiedpermissions";
import type { AuthorizationQuery, EngineAnswer, PolicyEngine } from "../engine.js";
import { callWithBudget, type Budget } from "./call-budget.js";
import { stderrEvents, type EngineEventSink } from "./events.js";
import { engineAnswer, isAuthorizedInput } from "./is-authorized.js";
import { stableIdFromDescription } from "./policy-ids.js";
import type { RequestCheck } from "./request-check.js";
import { budgetedCall, listPolicies } from "./store-reader.js";

/**
 * The remote engine: each decision is one IsAuthorized call on the policy store, with the same principal,
 * action, resource, context and entities the local engine gets.
 *
 * - The request is first checked locally (request-check.ts): what the local engine refuses is refused here
 *   too, without a call.
 * - The call has the decision's whole budget (`timeoutMs`): throttling, 5xx and network faults are retried
 *   with jitter inside it, each attempt aborted at `attemptTimeoutMs`. When the budget is spent the answer
 *   is a failure (`engine_unavailable`): the decision is an `error`, a deny, never an allow.
 * - Determining policies come back as Verified Permissions policy ids. They are mapped to stable ids with
 *   one ListPolicies sweep at cold start (descriptions hold the `@id`, policy-ids.ts), repeated at most once
 *   a minute when an answer names a policy created since (within what is left of that decision's budget).
 *   An id that cannot be mapped is recorded as is.
 * - Revision: `avp:<policyStoreId>`. The service does not say which state of the store answered.
 */

export interface RemoteEngineOptions {
  client: VerifiedPermissionsClient;
  policyStoreId: string;
  namespace: string;
  budget: Budget;
  /** Time for the cold-start id sweep. */
  initTimeoutMs: number;
  check: RequestCheck;
  events?: EngineEventSink;
  /** Monotonic ms (injectable for tests). */
  now?: () => number;
}

export interface RemoteEngine extends PolicyEngine {
  readonly name: "verified-permissions";
  /** Verified Permissions policy id → stable id, as last read. */
  readonly stableIds: ReadonlyMap<string, string>;
}

const ID_SWEEP_INTERVAL_MS = 60_000;

export async function createRemoteEngine(o: RemoteEngineOptions): Promise<RemoteEngine> {
  const events = o.events ?? stderrEvents;
  const revision = `avp:${o.policyStoreId}`;
  const now = o.now ?? (() => performance.now());
  let stableIds = new Map<string, string>();
  let lastSweep = -Infinity;
  let sweeping: Promise<void> | undefined;

  const sweep = (timeoutMs: number): Promise<void> => {
    sweeping ??= (async () => {
      lastSweep = now();
      try {
        const call = budgetedCall(o.budget, performance.now() + timeoutMs);
        const policies = await listPolicies(o.client, o.policyStoreId, call);
        const ids = new Map<string, string>();
        for (const p of policies) ids.set(p.policyId, stableIdFromDescription(p.description) ?? p.policyId);
        stableIds = ids;
        events({ level: "info", event: "remote_ids_loaded", message: `${ids.size} policies named`, policyStoreId: o.policyStoreId });
      } catch (err) {
        events({ level: "warn", event: "remote_ids_failed", message: `policy ids not mapped: ${String((err as Error).message)}`, policyStoreId: o.policyStoreId });
      } finally {
        sweeping = undefined;
      }
    })();
    return sweeping;
  };
  await sweep(o.initTimeoutMs);

  async function isAuthorized(query: AuthorizationQuery): Promise<EngineAnswer> {
    const started = now();
    try {
      const checked = o.check(query);
      if ("refused" in checked) return { ...checked.refused, revision };
      const input = isAuthorizedInput(checked.send, o.policyStoreId, o.namespace);
      const result = await callWithBudget((abortSignal) => o.client.send(new IsAuthorizedCommand(input), { abortSignal }), o.budget);
      if (!result.ok) {
        // A request Verified Permissions refuses as invalid is the request's fault (like a local refusal);
        // anything else is the service's: throttled, down, too slow, the store gone.
        const code = result.name === "ValidationException" ? "engine_failure" : "engine_unavailable";
        const message = `Verified Permissions IsAuthorized failed (${result.attempts} attempt${result.attempts === 1 ? "" : "s"}): ${result.message}`;
        return { type: "failure", code, errors: [{ message }], revision };
      }
      const unknown = (result.value.determiningPolicies ?? []).some((p) => !stableIds.has(String(p.policyId)));
      if (unknown && now() - lastSweep > ID_SWEEP_INTERVAL_MS) {
        // A policy published since the last sweep (e.g. by `ztpdp push`): name it in this decision's record
        // if the rest of the budget allows; otherwise it is recorded by its AVP id and named from then on.
        const left = o.budget.timeoutMs - (now() - started);
        if (left >= 25) await sweep(left);
        else void sweep(o.initTimeoutMs);
      }
      return { ...engineAnswer(result.value, stableIds, o.namespace), revision };
    } catch (err) {
      return { type: "failure", code: "engine_unavailable", errors: [{ message: `Verified Permissions call failed: ${(err as Error)?.message ?? String(err)}` }], revision };
    }
  }

  return {
    name: "verified-permissions",
    revision,
    get stableIds() {
      return stableIds;
    },
    isAuthorized,
  };
}
