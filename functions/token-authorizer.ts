// REST API (v1) TOKEN authorizer, for APIs that forward only the bearer token. No device posture, no
// source IP: policies needing them deny. The route is matched from the method ARN against the catalog.
import { decideRestToken } from "../src/adapters/apigateway/authorizer.js";
import { restTokenAuthorizerEvent } from "../src/adapters/apigateway/events.js";
import { coldStartPdp, wrap } from "../src/adapters/lambda/handler.js";

const pdp = await coldStartPdp(import.meta.url);
const routeTemplates = pdp.config.config.routes.map((r) => r.path);

export const handler = await wrap(restTokenAuthorizerEvent, (parsed) => decideRestToken(pdp, parsed, routeTemplates));
