// AWS Verified Access OIDC trust provider: the UserInfo endpoint: the claims AVA puts under context.<policy reference name>.
import { trustProviderHandler } from "../src/adapters/lambda/trust-provider.js";

// Outside the handler so it runs once per cold start: config, keys, state table client, verifiers.
export const handler = await trustProviderHandler(import.meta.url, ["userinfo"]);
