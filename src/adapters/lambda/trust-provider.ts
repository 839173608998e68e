import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { bundledConfigPath } from "../../config/bundle-manifest.js";
import { loadConfig } from "../../config/load.js";
import { createTrustProvider } from "../../trust-provider/provider.js";
import type { Route } from "../../trust-provider/route.js";
import { BAD_REQUEST, httpProxyEvent, toHttpRequest, toProxyResult, type HttpProxyEvent, type HttpProxyResult } from "../apigateway/http-proxy.js";
import type { Parsed } from "../apigateway/authorizer.js";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { metrics, wrap } from "./middleware.js";

const NOT_CONFIGURED: HttpProxyResult = {
  statusCode: 404,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ error: "not_found", error_description: "no Verified Access trust provider is configured" }),
};

/**
 * Lambda wiring of the Verified Access trust provider: the config next to the bundle (or ZTPDP_CONFIG),
 * the provider built once per cold start for this function's routes, and the same middy/Powertools chain
 * as the authorizers. The event is parsed with `safeParse`: an event that does not parse is a 400. A
 * config without a `trustProvider` section deploys these functions inert (404), not failing.
 */
export async function trustProviderHandler(entryUrl: string, routes: readonly Route[]) {
  const config = loadConfig(process.env.ZTPDP_CONFIG || bundledConfigPath(dirname(fileURLToPath(entryUrl))));
  const provider = config.config.trustProvider ? await createTrustProvider({ config, routes }) : undefined;
  return wrap(httpProxyEvent, async (parsed: Parsed<HttpProxyEvent>): Promise<HttpProxyResult> => {
    if (!provider) return NOT_CONFIGURED;
    const request = parsed.success ? toHttpRequest(parsed.data) : undefined;
    if (!request) return BAD_REQUEST;
    const started = performance.now();
    const response = await provider.handle(request);
    // Every invocation records a metric (Powertools warns about an empty flush otherwise): requests,
    // server faults (5xx: state table or IdP down) and latency, per function.
    metrics.addMetric("TrustProviderRequests", MetricUnit.Count, 1);
    metrics.addMetric("TrustProviderFaults", MetricUnit.Count, response.status >= 500 ? 1 : 0);
    metrics.addMetric("TrustProviderLatency", MetricUnit.Milliseconds, performance.now() - started);
    return toProxyResult(response);
  });
}
