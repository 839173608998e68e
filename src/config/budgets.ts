import type { PdpConfig } from "./schema.js";

/**
 * Time budget of one decision. In the worst case a request waits for one user-key fetch and then one
 * device-key fetch (the JWKS cache makes at most one attempt per verification, each bounded by
 * `jwks.timeoutMs`), then evaluates (on Verified Permissions, within `policy.timeoutMs`). All of it must fit in `limits.decisionTimeoutMs`, which in turn must
 * fit in the function's timeout (the Lambda wiring also caps it by the time the invocation has left).
 */

/** Kept for evaluation and for writing the answer, the audit record and the metrics. */
export const EVALUATION_RESERVE_MS = 250;

export function budgetProblems(config: PdpConfig): string[] {
  const fetches = 2 * config.jwks.timeoutMs;
  // Verified Permissions: one decision's calls (remote), or a stale mirror's wait for a refresh, share
  // `policy.timeoutMs` (src/policy/verified-permissions/options.ts), after the key fetches.
  const engineMs = config.policy.engine === "verified-permissions" ? config.policy.timeoutMs : 0;
  const needed = fetches + engineMs + EVALUATION_RESERVE_MS;
  if (needed <= config.limits.decisionTimeoutMs) return [];
  const engine = engineMs > 0 ? `, Verified Permissions calls (policy.timeoutMs: ${engineMs} ms)` : "";
  return [
    `${engineMs > 0 ? "jwks.timeoutMs, policy.timeoutMs" : "jwks.timeoutMs"}: a user-key and a device-key fetch (2 × ${config.jwks.timeoutMs} ms)${engine} plus ${EVALUATION_RESERVE_MS} ms for ` +
      `evaluation need ${needed} ms, more than limits.decisionTimeoutMs (${config.limits.decisionTimeoutMs} ms): lower ${engineMs > 0 ? "them" : "jwks.timeoutMs"} ` +
      `or raise limits.decisionTimeoutMs (and the function timeout with it)`,
  ];
}
