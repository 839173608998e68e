import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Context } from "aws-lambda";
import type { Parsed } from "../apigateway/authorizer.js";

/**
 * The middy/Powertools chain every Lambda entry point shares (authorizers and the Verified Access trust
 * provider): logger, metrics, fault logging, the event parser with `safeParse`, and the X-Ray tracer only
 * when ZTPDP_TRACING=true. Kept apart from the PDP's composition (handler.ts) so a function that does not
 * decide does not bundle the policy engine.
 */

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? "ztpdp";
export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "ZtPdp", serviceName });

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
 * "Unauthorized" message for a 401 and any other error as a 5xx. The reason goes under `fault`: `message`
 * is the Powertools logger's own key (the log line's text) and would overwrite it.
 */
const logFaults: MiddlewareObj = {
  onError: async (request) => {
    const err = request.error;
    if (err && err.message !== "Unauthorized") logger.error("authorizer fault", { fault: { name: err.name, reason: err.message } });
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
  /** Entry-specific middlewares, run after fault logging and before the parser (e.g. the authorizers' record-once). */
  extra: readonly MiddlewareObj[] = [],
) {
  const tracer = await tracerMiddleware();
  let chain = middy(handler as (event: unknown, context: Context) => Promise<R>)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(logFaults);
  for (const m of extra) chain = chain.use(m);
  chain = chain.use(parser({ schema, safeParse: true }) as MiddlewareObj);
  return tracer ? chain.use(tracer) : chain;
}
