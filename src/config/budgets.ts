import type { PdpConfig } from "./schema.js";

/**
 * Time budget of one decision. In the worst case a request waits for one user-key fetch and then one
 * device-key fetch (the JWKS cache makes at most one attempt per verification, each bounded by
 * `jwks.timeoutMs`), then evaluates. All of it must fit in `limits.decisionTimeoutMs`, which in turn must
 * fit in the function's timeout (the Lambda wiring also caps it by the time the invocation has left).
 */

/** Kept for evaluation and for writing the answer, the audit record and the metrics. */
export const EVALUATION_RESERVE_MS = 250;

export function budgetProblems(config: PdpConfig): string[] {
  const fetches = 2 * config.jwks.timeoutMs;
  const needed = fetches + EVALUATION_RESERVE_MS;
  if (needed <= config.limits.decisionTimeoutMs) return [];
  return [
    `jwks.timeoutMs: a user-key and a device-key fetch (2 × ${config.jwks.timeoutMs} ms) plus ${EVALUATION_RESERVE_MS} ms for ` +
      `evaluation need ${needed} ms, more than limits.decisionTimeoutMs (${config.limits.decisionTimeoutMs} ms): lower jwks.timeoutMs ` +
      `or raise limits.decisionTimeoutMs (and the function timeout with it)`,
  ];
}
