// AWS Verified Access OIDC trust provider: the token endpoint (authorization-code and refresh-token grants).
import { trustProviderHandler } from "../src/adapters/lambda/trust-provider.js";
import { tokenRoute } from "../src/trust-provider/token-endpoint.js";

// Outside the handler so it runs once per cold start: config, signing keys, state table client.
export const handler = await trustProviderHandler(import.meta.url, [tokenRoute]);
