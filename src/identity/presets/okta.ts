import { z } from "zod";
import type { IssuerPreset } from "./types.js";

/**
 * Okta, custom authorization server (the only kind whose access tokens an API may validate: org
 * authorization server access tokens are for Okta itself).
 * https://developer.okta.com/docs/guides/validate-access-tokens/nodejs/main/
 *
 * - Issuer: `https://<domain>/oauth2/<authorizationServerId>`; JWKS: `<issuer>/v1/keys`.
 *   https://developer.okta.com/docs/concepts/auth-servers/
 * - Header: `{ kid, alg: RS256 }`, no `typ`, for access and ID tokens.
 * - Access token: `aud` is the authorization server's audience (`api://default` for the `default`
 *   server), the client id is in `cid`, the user id in `uid` (`sub` is the login, which can change),
 *   scopes in `scp`, `ver: 1`; a client-credentials token has `sub` = `cid` and no `uid`.
 * - ID token: `aud` is the client id, `sub` the user id; no `cid`.
 *   https://developer.okta.com/docs/api/openapi/okta-oauth/guides/overview/
 * - Groups: a `groups` claim added to the authorization server (a groups filter).
 *   https://developer.okta.com/docs/guides/customize-tokens-groups-claim/main/
 */
const tenant = z.strictObject({
  /** The Okta org or custom URL domain that appears in `iss`, e.g. `acme.okta.com`. */
  domain: z.string().regex(/^[A-Za-z0-9.-]+(?::\d+)?$/, "a host name such as `acme.okta.com`, without `https://`"),
  authorizationServerId: z.string().regex(/^[A-Za-z0-9_-]+$/).default("default"),
});

export const okta: IssuerPreset<z.infer<typeof tenant>> = {
  name: "okta",
  tokenUses: ["access", "id"],
  tenant,
  defaults({ domain, authorizationServerId }, { tokenUse, clientIds }) {
    const issuer = `https://${domain}/oauth2/${authorizationServerId}`;
    const common = {
      issuer,
      jwksUri: `${issuer}/v1/keys`,
      algorithms: ["RS256"],
      types: [],
      acceptMissingTyp: true,
      groupClaim: "groups",
    };
    if (tokenUse === "id") {
      return { ...common, audiences: clientIds, principal: { principalIdClaim: "sub" }, services: { enabled: false } };
    }
    return {
      ...common,
      ...(authorizationServerId === "default" ? { audiences: ["api://default"] } : {}),
      clientIdClaim: "cid",
      principal: { principalIdClaim: "uid" },
      services: { clientIdClaims: ["cid"], match: "sub-is-client-id" },
    };
  },
};
