import { z } from "zod";
import type { IssuerPreset } from "./types.js";

/**
 * Auth0. The API's access token profile decides the access token's shape.
 * https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles
 *
 * - Issuer: `https://<domain>/` (with the trailing slash; a custom domain when one is used);
 *   JWKS `https://<domain>/.well-known/jwks.json`.
 *   https://auth0.com/docs/secure/tokens/json-web-tokens/json-web-key-sets
 * - Access token, Auth0 profile (the default): `typ: JWT`, client id in `azp`; RFC 9068 profile:
 *   `typ: at+jwt`, client id in `client_id`. `aud` is the API identifier, plus
 *   `https://<domain>/userinfo` when `openid` was requested (the only two-audience case).
 * - Client credentials: `sub` is `<client id>@clients` (`gty: client-credentials`).
 * - ID token: `typ: JWT`, `aud` the client id.
 *   https://auth0.com/docs/secure/tokens/id-tokens/id-token-structure
 * - Groups: none by default; roles come from an Action as a namespaced custom claim
 *   (set `groupClaim: https://<your namespace>/roles`).
 *   https://auth0.com/docs/secure/tokens/json-web-tokens/create-custom-claims
 */
const tenant = z.strictObject({
  domain: z.string().regex(/^[A-Za-z0-9.-]+(?::\d+)?$/, "a host name such as `acme.eu.auth0.com`, without `https://`"),
  tokenProfile: z.enum(["auth0", "rfc9068"]).default("auth0"),
});

export const auth0: IssuerPreset<z.infer<typeof tenant>> = {
  name: "auth0",
  tokenUses: ["access", "id"],
  tenant,
  defaults({ domain, tokenProfile }, { tokenUse, clientIds }) {
    const common = {
      issuer: `https://${domain}/`,
      jwksUri: `https://${domain}/.well-known/jwks.json`,
      algorithms: ["RS256"],
      groupClaim: null,
      principal: { principalIdClaim: "sub" },
    };
    if (tokenUse === "id") return { ...common, types: ["JWT"], audiences: clientIds, services: { enabled: false } };
    const clientClaim = tokenProfile === "rfc9068" ? "client_id" : "azp";
    return {
      ...common,
      types: [tokenProfile === "rfc9068" ? "at+jwt" : "JWT"],
      ignoredAudiences: [`https://${domain}/userinfo`],
      clientIdClaim: clientClaim,
      services: { clientIdClaims: [clientClaim], match: "sub-is-client-id-at-clients" },
    };
  },
};
