// REST API (v1) REQUEST authorizer: Authorization + X-Device-Token headers, route template, source IP.
import { decideRestRequest } from "../src/adapters/apigateway/authorizer.js";
import { restRequestAuthorizerEvent } from "../src/adapters/apigateway/events.js";
import { coldStartPdp, wrap } from "../src/adapters/lambda/handler.js";

// Outside the handler so it runs once per cold start: config, policies, JWKS prefetch, warm-up decision.
const pdp = await coldStartPdp(import.meta.url);
const routeTemplates = pdp.config.config.routes.map((r) => r.path);

export const handler = await wrap(restRequestAuthorizerEvent, (parsed) => decideRestRequest(pdp, parsed, routeTemplates));
