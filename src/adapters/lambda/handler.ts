import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Context } from "aws-lambda";
import { bundledConfigPath } from "../../config/bundle-manifest.js";
import { loadConfig } from "../../config/load.js";
import type { Decision } from "../../decision/types.js";
import type { Parsed } from "../apigateway/authorizer.js";
import { createPdp, type Pdp } from "../../pdp.js";

/**
 * Shared wiring for the Lambda entry points in functions/: the PDP is built once per cold start (top-level
 * await in the entry), each invocation is wrapped with the Powertools logger and metrics through middy, and
 * the X-Ray tracer is loaded only when ZTPDP_TRACING=true so it costs nothing at cold start otherwise.
 */

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? "ztpdp";
export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "ZtPdp", serviceName });

/**
 * The config the bundle carries (named by its ztpdp-bundle.json: the development config after `npm run
 * build`, the operator's in a packaged zip) unless ZTPDP_CONFIG names another.
 * The returned PDP records metrics and the correlation id for every decision.
 */
export async function coldStartPdp(entryUrl: string): Promise<Pdp> {
  const configFile = process.env.ZTPDP_CONFIG || bundledConfigPath(dirname(fileURLToPath(entryUrl)));
  const pdp = await createPdp({ config: loadConfig(configFile) });
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

async function tracerMiddleware(): Promise<MiddlewareObj | undefined> {
  if (process.env.ZTPDP_TRACING !== "true") return undefined;
  const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
    import("@aws-lambda-powertools/tracer"),
    import("@aws-lambda-powertools/tracer/middleware"),
  ]);
  return captureLambdaHandler(new Tracer({ serviceName }), { captureResponse: false });
}

/**
 * Logs faults without the event (which holds tokens) and rethrows, so API Gateway still sees the exact
 * "Unauthorized" message for a 401 and any other error as a 5xx.
 */
const logFaults: MiddlewareObj = {
  onError: async (request) => {
    const err = request.error;
    if (err && err.message !== "Unauthorized") logger.error("authorizer fault", { error: err.name, message: err.message });
  },
};

/**
 * The entry point's handler gets the event already parsed by the Powertools parser with `safeParse`, so an
 * event that does not match the schema reaches the adapter as `{ success: false }` and is still decided
 * (and audited) rather than thrown as a 500.
 */
export async function wrap<S extends StandardSchemaV1, R>(
  schema: S,
  handler: (parsed: Parsed<StandardSchemaV1.InferOutput<S>>, context: Context) => Promise<R>,
) {
  const tracer = await tracerMiddleware();
  const chain = middy(handler as (event: unknown, context: Context) => Promise<R>)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(logFaults)
    .use(parser({ schema, safeParse: true }) as MiddlewareObj);
  return tracer ? chain.use(tracer) : chain;
}
