// AWS Verified Access OIDC trust provider: the token endpoint: authorization-code and refresh-token grants.
import { trustProviderHandler } from "../src/adapters/lambda/trust-provider.js";

// Outside the handler so it runs once per cold start: config, keys, state table client, verifiers.
export const handler = await trustProviderHandler(import.meta.url, ["token"]);
