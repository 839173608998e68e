// HTTP API (payload format 2.0) authorizer with simple responses.
import { authorizeHttpApi } from "../src/adapters/apigateway/authorizer.js";
import { coldStartPdp, wrap } from "../src/adapters/lambda/handler.js";

const pdp = await coldStartPdp(import.meta.url);

export const handler = await wrap((event: unknown) => authorizeHttpApi(pdp, event));
