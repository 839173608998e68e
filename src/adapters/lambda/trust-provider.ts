import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../config/load.js";
import { createTrustProvider, type RouteName } from "../../trust-provider/provider.js";
import { BAD_REQUEST, httpProxyEvent, toHttpRequest, toProxyResult, type HttpProxyEvent, type HttpProxyResult } from "../apigateway/http-proxy.js";
import type { Parsed } from "../apigateway/authorizer.js";
import { wrap } from "./handler.js";

/**
 * Lambda wiring of the Verified Access trust provider: the config next to the bundle (or ZTPDP_CONFIG),
 * the provider built once per cold start for this function's routes, and the same middy/Powertools chain
 * as the authorizers. The event is parsed with `safeParse`: an event that does not parse is a 400.
 */
export async function trustProviderHandler(entryUrl: string, routes: readonly RouteName[]) {
  const bundled = join(dirname(fileURLToPath(entryUrl)), "config", "pdp.yaml");
  const provider = await createTrustProvider({ config: loadConfig(process.env.ZTPDP_CONFIG || bundled), routes });
  return wrap(httpProxyEvent, async (parsed: Parsed<HttpProxyEvent>): Promise<HttpProxyResult> => {
    const request = parsed.success ? toHttpRequest(parsed.data) : undefined;
    if (!request) return BAD_REQUEST;
    return toProxyResult(await provider.handle(request));
  });
}
