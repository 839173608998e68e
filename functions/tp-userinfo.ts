// AWS Verified Access OIDC trust provider: the UserInfo endpoint (the claims AVA puts under context.<policy reference name>).
import { trustProviderHandler } from "../src/adapters/lambda/trust-provider.js";
import { userinfoRoute } from "../src/trust-provider/userinfo.js";

// Outside the handler so it runs once per cold start: config and the state table client.
export const handler = await trustProviderHandler(import.meta.url, [userinfoRoute]);
