import { z } from "zod";
import type { IssuerPreset } from "./types.js";

/**
 * Keycloak (17 and later, no `/auth` context path unless the server sets one).
 * https://www.keycloak.org/docs/latest/securing_apps/#_oidc
 *
 * - Issuer: `<baseUrl>/realms/<realm>`; JWKS: `<issuer>/protocol/openid-connect/certs`.
 * - Header: `typ: JWT` for access and ID tokens (`at+jwt` when the client enables the RFC 9068 header type).
 * - The kind of token is in the payload `typ` claim: `Bearer` (access), `ID`, `Refresh`.
 * - Access token: `azp` is the client; `aud` names the API only with an audience mapper (and lists
 *   Keycloak's own `account` client when the user has account roles; that one never counts as a second audience).
 *   https://www.keycloak.org/docs/latest/server_admin/#audience-support
 * - Roles: realm roles in `realm_access.roles` (client roles in `resource_access.<client>.roles`,
 *   groups with a group membership mapper).
 * - Service accounts (client credentials): `sub` is the service-account user's id; the `client_id` claim
 *   is added by the service-account mapper, and only to those tokens.
 *   https://www.keycloak.org/docs/latest/server_admin/#_service_accounts
 */
const tenant = z.strictObject({
  /** Where Keycloak is served, e.g. `https://sso.example.com` (or `https://host/auth` for a legacy context path). */
  baseUrl: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, "")),
  realm: z.string().regex(/^[A-Za-z0-9._-]+$/),
});

export const keycloak: IssuerPreset<z.infer<typeof tenant>> = {
  name: "keycloak",
  tokenUses: ["access", "id"],
  tenant,
  defaults({ baseUrl, realm }, { tokenUse, clientIds }) {
    const issuer = `${baseUrl}/realms/${realm}`;
    const common = {
      issuer,
      jwksUri: `${issuer}/protocol/openid-connect/certs`,
      algorithms: ["RS256"],
      groupClaim: ["realm_access", "roles"],
      principal: { principalIdClaim: "sub" },
    };
    if (tokenUse === "id") {
      return { ...common, types: ["JWT"], audiences: clientIds, requiredClaims: [{ claim: "typ", oneOf: ["ID"], code: "token_use_invalid" }], services: { enabled: false } };
    }
    return {
      ...common,
      types: ["JWT", "at+jwt"],
      requiredClaims: [{ claim: "typ", oneOf: ["Bearer"], code: "token_use_invalid" }],
      // Keycloak adds its own account-console client `account` to `aud` when the user has account roles.
      ignoredAudiences: ["account"],
      clientIdClaim: "azp",
      services: { clientIdClaims: ["client_id"], match: "client-id-present" },
    };
  },
};
