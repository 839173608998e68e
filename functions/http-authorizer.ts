// HTTP API (payload format 2.0) authorizer with simple responses.
import { decideHttpApi } from "../src/adapters/apigateway/authorizer.js";
import { httpApiAuthorizerEvent } from "../src/adapters/apigateway/events.js";
import { coldStartPdp, wrap } from "../src/adapters/lambda/handler.js";

const pdp = await coldStartPdp(import.meta.url);

export const handler = await wrap(httpApiAuthorizerEvent, (parsed) => decideHttpApi(pdp, parsed));
