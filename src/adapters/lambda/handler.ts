import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { bundledConfigPath } from "../../config/bundle-manifest.js";
import { loadConfig } from "../../config/load.js";
import type { MiddlewareObj } from "@middy/core";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Context } from "aws-lambda";
import type { AuditRecord } from "../../audit/record.js";
import type { Outcome } from "../../decision/types.js";
import type { Parsed } from "../apigateway/authorizer.js";
import { createPdp, type Pdp } from "../../pdp.js";
import { refuseDevelopmentConfigInLambda } from "./environment.js";
import { logger, metrics, wrap as wrapEntry } from "./middleware.js";

export { logger, metrics } from "./middleware.js";

/**
 * Shared wiring for the Lambda entry points in functions/: the PDP is built once per cold start (top-level
 * await in the entry), each invocation is wrapped with the Powertools logger and metrics through middy, and
 * the X-Ray tracer is loaded only when ZTPDP_TRACING=true so it costs nothing at cold start otherwise.
 */

/**
 * The config the bundle carries (named by its ztpdp-bundle.json: the development config after `npm run
 * build`, the operator's in a packaged zip) unless ZTPDP_CONFIG names another.
 * Metrics and the correlation id come from each audit record as it is written, so they count exactly
 * what the record says the gateway got.
 */
export async function coldStartPdp(entryUrl: string): Promise<Pdp> {
  const loaded = loadConfig(process.env.ZTPDP_CONFIG || bundledConfigPath(dirname(fileURLToPath(entryUrl))));
  refuseDevelopmentConfigInLambda(loaded);
  for (const warning of loaded.warnings) logger.warn("config warning", { warning });
  const configured = loaded.config.limits.decisionTimeoutMs;
  const pdp = await createPdp({ config: loaded, observe: observeRecord, deadlineMs: () => invocationDeadline(configured) });
  current.pdp = pdp;
  return pdp;
}

/** Kept after a decision's deadline for the answer, the audit record and the metrics flush. */
export const RESPONSE_MARGIN_MS = 250;

/**
 * A decision never outlives the invocation: its deadline is the configured budget, or what the
 * invocation has left minus a margin, whichever is shorter, so a slow IdP ends in a recorded `error`
 * instead of a Lambda timeout that leaves no audit record.
 */
function invocationDeadline(configured: number): number {
  // serverless-offline starts the invocation's clock before it loads the function, so its first request
  // pays the cold start out of the remaining time; Lambda runs the init phase outside the function timeout
  // (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html). Offline keeps its own timeout.
  if (process.env.IS_OFFLINE === "true") return configured;
  const remaining = current.context?.getRemainingTimeInMillis?.();
  if (typeof remaining !== "number" || !Number.isFinite(remaining)) return configured;
  return Math.max(0, Math.min(configured, remaining - RESPONSE_MARGIN_MS));
}

const OUTCOME_METRIC: Record<Outcome, string> = {
  allow: "Allow",
  deny: "Deny",
  unauthenticated: "Unauthenticated",
  error: "Error",
};

/** Per-invocation state (Lambda runs one invocation at a time per instance). */
const current: { pdp?: Pdp; context?: Context; recorded: number } = { recorded: 0 };

/** Every audit record written: correlation id for the rest of the invocation's logs, plus metrics. */
export function observeRecord(record: AuditRecord): void {
  current.recorded += 1;
  logger.setCorrelationId(record.decisionId);
  metrics.addMetric(OUTCOME_METRIC[record.outcome], MetricUnit.Count, 1);
  metrics.addMetric("DecisionLatency", MetricUnit.Milliseconds, record.latencyUs / 1000);
}

/**
 * Exactly one audit record per invocation: the adapter records every decision it makes, and if an
 * invocation fails before any decision was recorded (a fault in the wiring itself), this records it as
 * an `error` so no invocation is missing from the audit trail.
 */
const recordOnce: MiddlewareObj = {
  before: async (request) => {
    current.recorded = 0;
    current.context = request.context;
  },
  onError: async (request) => {
    if (current.recorded === 0 && current.pdp) current.pdp.recordUndecided(request.error, request.context?.awsRequestId);
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
  return wrapEntry(schema, handler, [recordOnce]);
}
