import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { loadConfig } from "../../config/load.js";
import type { Decision } from "../../decision/types.js";
import { createPdp, type Pdp } from "../../pdp.js";
import { logger, metrics } from "./middleware.js";

export { logger, metrics, wrap } from "./middleware.js";

/**
 * Shared wiring for the Lambda entry points in functions/: the PDP is built once per cold start (top-level
 * await in the entry), each invocation is wrapped with the Powertools logger and metrics through middy, and
 * the X-Ray tracer is loaded only when ZTPDP_TRACING=true so it costs nothing at cold start otherwise.
 */

/**
 * Config shipped next to the bundle (dist/<fn>/config/pdp.yaml) unless ZTPDP_CONFIG names another.
 * The returned PDP records metrics and the correlation id for every decision.
 */
export async function coldStartPdp(entryUrl: string): Promise<Pdp> {
  const bundled = join(dirname(fileURLToPath(entryUrl)), "config", "pdp.yaml");
  const pdp = await createPdp({ config: loadConfig(process.env.ZTPDP_CONFIG || bundled) });
  return {
    ...pdp,
    async decide(request) {
      const started = performance.now();
      const decision = await pdp.decide(request);
      observeDecision(decision, performance.now() - started);
      return decision;
    },
  };
}

const OUTCOME_METRIC: Record<Decision["outcome"], string> = {
  allow: "Allow",
  deny: "Deny",
  unauthenticated: "Unauthenticated",
  error: "Error",
};

/** Called by adapters after every decision: correlation id for the rest of the invocation's logs, plus metrics. */
export function observeDecision(decision: Decision, latencyMs: number): void {
  logger.setCorrelationId(decision.decisionId);
  metrics.addMetric(OUTCOME_METRIC[decision.outcome], MetricUnit.Count, 1);
  metrics.addMetric("DecisionLatency", MetricUnit.Milliseconds, latencyMs);
}
