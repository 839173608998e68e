import type { IssuerConfig } from "../config/schema.js";

/**
 * Whether a verified token is a client-credentials (machine) token, by the issuer's `services.match` rule.
 * `clientId` is the first valid string among `services.clientIdClaims` (undefined when none).
 *
 * - sub-is-client-id: RFC 9068 §2.2 ("sub" is the client id when no resource owner is involved); Cognito
 *   (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html),
 *   Okta `cid`, Google service-account ID tokens (`azp` = `sub`).
 * - sub-is-client-id-at-clients: Auth0 puts `<client id>@clients` in `sub`
 *   (https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles).
 * - no-scp: Entra ID puts `scp` only in user tokens; app-only tokens carry `roles`
 *   (https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference).
 * - client-id-present: Keycloak's service-account mapper adds `client_id` to service-account tokens only.
 */
export function isServiceToken(payload: Record<string, unknown>, issuer: IssuerConfig, clientId: string | undefined, sub: string): boolean {
  if (!issuer.services.enabled || clientId === undefined) return false;
  switch (issuer.services.match) {
    case "sub-is-client-id":
      return sub === clientId;
    case "sub-is-client-id-at-clients":
      return sub === `${clientId}@clients`;
    case "no-scp":
      return payload.scp === undefined;
    case "client-id-present":
      return true;
  }
}
