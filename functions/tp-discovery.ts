// AWS Verified Access OIDC trust provider: OpenID Provider metadata and the JWKS of the ID-token signing keys.
import { trustProviderHandler } from "../src/adapters/lambda/trust-provider.js";
import { discoveryRoute, jwksRoute } from "../src/trust-provider/discovery.js";

// Outside the handler so it runs once per cold start: config and keys (no state table, no IdP).
export const handler = await trustProviderHandler(import.meta.url, [discoveryRoute, jwksRoute]);
