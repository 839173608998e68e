import type { VerifiedPermissionsClient } from "@aws-sdk/client-verifiedpermissions";
import type { AuthorizationQuery, EngineAnswer, PolicyEngine } from "../engine.js";
import { createLocalCedarEngine, type LocalCedarEngine } from "../local-cedar/local-engine.js";
import type { Budget } from "./call-budget.js";
import { stderrEvents, type EngineEventSink } from "./events.js";
import { storePolicySet } from "./store-policy-set.js";
import { readStore, sameSnapshot, type StoreSnapshot } from "./store-reader.js";

/**
 * The mirror engine: the whole policy store is read at cold start, validated like a policy folder and
 * evaluated in process by the local engine (the same partitioned, pre-parsed evaluator), so a decision
 * costs what a local one costs and makes no call.
 *
 * Freshness:
 * - Every `refreshSeconds` (plus up to 20% jitter, so a fleet of instances spreads its calls) the store is
 *   re-read in the background, fetching only what changed (store-reader.ts). A refresh is also started by
 *   the first decision after it is due: Lambda freezes timers between invocations.
 * - A store that cannot be read, or whose new state does not validate (a schema changed under existing
 *   policies, a policy outside the namespace), leaves the last good set in service, and says so in a log event.
 * - `syncedAt` is when the last successful read started: the set served is known to match the store at that
 *   time. Once it is older than `maxStalenessSeconds`, a decision first waits (within `timeoutMs`) for a
 *   refresh; if there is still no fresh copy it is a failure `policy_store_stale`: an `error`, never an allow.
 * - Before the first successful read (the store unreachable at cold start) every decision is a failure
 *   `engine_unavailable`, and reads are retried with backoff.
 * - Every answer carries the revision of the set that produced it (revision.ts, computed like a folder's).
 */

export interface MirrorEngineOptions {
  client: VerifiedPermissionsClient;
  policyStoreId: string;
  namespace: string;
  /** Per management call. */
  budget: Budget;
  refreshSeconds: number;
  maxStalenessSeconds: number;
  /** Wait for the first read at creation at most this long. */
  initTimeoutMs: number;
  /** How long a decision on a stale set waits for a refresh. */
  decisionTimeoutMs: number;
  events?: EngineEventSink;
  /** Epoch ms; injectable for tests. */
  now?: () => number;
  random?: () => number;
  /** Start the refresh timer (default true; tests drive refreshes by hand). */
  timer?: boolean;
}

export interface MirrorEngine extends PolicyEngine {
  readonly name: "verified-permissions-mirror";
  /** Re-read the store now (one at a time; concurrent callers share it). Never rejects. */
  refresh(): Promise<void>;
  /** The state being served, for logs and tests. */
  readonly status: { revision: string | undefined; syncedAt: number | undefined; lastError: string | undefined; policies: number };
  close(): void;
}

interface Current {
  engine: LocalCedarEngine;
  revision: string;
  snapshot: StoreSnapshot;
  syncedAt: number;
  slot: "a" | "b";
}

let mirrors = 0;

export async function createMirrorEngine(o: MirrorEngineOptions): Promise<MirrorEngine> {
  const events = o.events ?? stderrEvents;
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const cachePrefix = `avp-mirror/${o.policyStoreId}/${++mirrors}`;
  const id = o.policyStoreId;
  let current: Current | undefined;
  /** The last snapshot read, valid or not: the next read fetches only what changed since. */
  let lastSnapshot: StoreSnapshot | undefined;
  let lastError: string | undefined;
  let inflight: Promise<void> | undefined;
  let failures = 0;
  let retryAt = 0;
  let timer: NodeJS.Timeout | undefined;

  const refresh = (): Promise<void> => {
    inflight ??= (async () => {
      const startedAt = now();
      try {
        const { snapshot, calls } = await readStore({ client: o.client, policyStoreId: id, budget: o.budget, deadline: performance.now() + o.initTimeoutMs }, lastSnapshot);
        lastSnapshot = snapshot;
        // Compared with the set in service, not the last read: a refused state must not confirm the old set.
        if (current && sameSnapshot(current.snapshot, snapshot)) {
          current.syncedAt = startedAt;
          lastError = undefined;
          failures = 0;
          events({ level: "info", event: "mirror_unchanged", message: "the store is unchanged", policyStoreId: id, revision: current.revision, calls });
          return;
        }
        const set = storePolicySet(snapshot, o.namespace);
        if (!set.ok) {
          throw Object.assign(new Error(`the store's state is refused: ${set.problems.slice(0, 5).join("; ")}`), { refused: set.problems });
        }
        // Alternate between two cache prefixes: the new set never overwrites the one still in service.
        const slot = current?.slot === "a" ? "b" : "a";
        const engine = createLocalCedarEngine(set.policySet, { cacheId: `${cachePrefix}/${slot}` });
        current = { engine, revision: set.policySet.revision, snapshot, syncedAt: startedAt, slot };
        lastError = undefined;
        failures = 0;
        events({ level: "info", event: "mirror_loaded", message: `${set.policySet.policies.length} policies loaded`, policyStoreId: id, revision: current.revision, calls });
      } catch (err) {
        failures += 1;
        // Back off from 1 s up to the refresh interval, so an unreachable store is not hammered by decisions.
        retryAt = now() + Math.min(o.refreshSeconds * 1000, 1000 * 2 ** (failures - 1)) * (0.5 + random() / 2);
        lastError = (err as Error)?.message ?? String(err);
        const refused = (err as { refused?: string[] }).refused;
        events({
          level: refused ? "error" : "warn",
          event: refused ? "mirror_store_refused" : "mirror_refresh_failed",
          message: lastError,
          policyStoreId: id,
          serving: current?.revision ?? null,
        });
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };

  const schedule = () => {
    if (o.timer === false) return;
    timer = setTimeout(
      () => {
        void refresh().finally(schedule);
      },
      o.refreshSeconds * 1000 * (1 + random() * 0.2),
    );
    timer.unref();
  };

  await within(refresh(), o.initTimeoutMs);
  schedule();

  const revisionOf = () => current?.revision ?? `avp-mirror:${id}:not-loaded`;

  async function isAuthorized(query: AuthorizationQuery): Promise<EngineAnswer> {
    if (current === undefined) {
      if (now() >= retryAt) void refresh();
      return {
        type: "failure",
        code: "engine_unavailable",
        errors: [{ message: `the policy store \`${id}\` has not been read yet${lastError ? `: ${lastError}` : ""}` }],
        revision: revisionOf(),
      };
    }
    const age = now() - current.syncedAt;
    if (age > o.maxStalenessSeconds * 1000) {
      if (now() >= retryAt || inflight) await within(refresh(), o.decisionTimeoutMs);
      const fresh = now() - current.syncedAt <= o.maxStalenessSeconds * 1000;
      if (!fresh) {
        return {
          type: "failure",
          code: "policy_store_stale",
          errors: [{ message: `the copy of policy store \`${id}\` was last confirmed ${Math.round((now() - current.syncedAt) / 1000)} s ago (bound: ${o.maxStalenessSeconds} s)${lastError ? `: ${lastError}` : ""}` }],
          revision: current.revision,
        };
      }
    } else if (age > o.refreshSeconds * 1000 && now() >= retryAt) {
      void refresh();
    }
    const serving = current;
    return { ...serving.engine.isAuthorized(query), revision: serving.revision };
  }

  return {
    name: "verified-permissions-mirror",
    get revision() {
      return revisionOf();
    },
    get status() {
      return { revision: current?.revision, syncedAt: current?.syncedAt, lastError, policies: current?.engine.policyIds.length ?? 0 };
    },
    isAuthorized,
    // Asked by the audit record of a decision just made: the set in service named (or did not name) the group.
    namesEntity: (type, entityId) => current?.engine.namesEntity(type, entityId) ?? false,
    refresh,
    close() {
      if (timer) clearTimeout(timer);
    },
  };
}

/** Waits for `p` at most `ms` (it goes on in the background after that). */
async function within(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
