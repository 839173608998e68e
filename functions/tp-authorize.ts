// AWS Verified Access OIDC trust provider: the authorization endpoint and the corporate IdP's callback (sign-in with device posture).
import { trustProviderHandler } from "../src/adapters/lambda/trust-provider.js";
import { authorizeRoute } from "../src/trust-provider/authorize.js";
import { callbackRoute } from "../src/trust-provider/callback.js";

// Outside the handler so it runs once per cold start: config, state table client, IdP broker, verifiers (JWKS prefetch).
export const handler = await trustProviderHandler(import.meta.url, [authorizeRoute, callbackRoute]);
