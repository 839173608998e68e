// AWS Verified Access OIDC trust provider: OpenID Provider metadata and the JWKS of the ID-token signing keys.
import { trustProviderHandler } from "../src/adapters/lambda/trust-provider.js";

// Outside the handler so it runs once per cold start: config, keys, state table client, verifiers.
export const handler = await trustProviderHandler(import.meta.url, ["discovery", "jwks"]);
