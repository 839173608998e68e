import type { IssuerConfig, JwtTrustConfig } from "../../config/schema.js";

/**
 * The claims an issuer entry expects, for scenario tokens: whatever its preset or fields say must be
 * there (audience, client id claim, `token_use`, required claims, `scp` for Entra user tokens), so a case
 * written against a Cognito, Okta or Entra config passes the same checks as that IdP's real tokens.
 * Scenario `claims` still override any of it.
 */

/** The client id scenario tokens name when the config accepts any client. */
const SCENARIO_CLIENT = "ztpdp-scenario-client";

export function issuerBaseClaims(issuer: IssuerConfig): Record<string, unknown> {
  const client = issuer.clientIds[0] ?? SCENARIO_CLIENT;
  const claims: Record<string, unknown> = { iss: issuer.issuer };
  if (issuer.audiences[0] !== undefined) claims.aud = issuer.audiences[0];
  if (issuer.clientIdClaim !== undefined) claims[issuer.clientIdClaim] = client;
  for (const rule of issuer.requiredClaims) claims[rule.claim] = rule.oneOf[0];
  if (issuer.preset === "cognito") {
    // Cognito: `token_use`, and the app client in `client_id` (access) or `aud` (ID token).
    claims.token_use = issuer.tokenUse;
    if (issuer.tokenUse === "access") claims.client_id = client;
    else claims.aud = client;
  }
  return claims;
}

/** A user token: Entra tells users from apps by `scp`, so user tokens carry one. */
export function userMarkerClaims(issuer: IssuerConfig): Record<string, unknown> {
  return issuer.services.match === "no-scp" ? { scp: "access_as_user" } : {};
}

/** A client-credentials token for `clientId`, shaped the way the issuer's `services.match` recognises it. */
export function serviceTokenClaims(issuer: IssuerConfig, clientId: string): Record<string, unknown> {
  const claims: Record<string, unknown> = { [issuer.services.clientIdClaims[0] as string]: clientId };
  if (issuer.clientIdClaim !== undefined) claims[issuer.clientIdClaim] = clientId;
  switch (issuer.services.match) {
    case "sub-is-client-id":
      return { ...claims, sub: clientId };
    case "sub-is-client-id-at-clients":
      return { ...claims, sub: `${clientId}@clients` };
    case "no-scp":
    case "client-id-present":
      return { ...claims, sub: `service-${clientId}` };
  }
}

/** The `typ` header: the first accepted type, or none for an issuer that sends none. */
export function headerFor(trust: JwtTrustConfig): Record<string, unknown> {
  return trust.types[0] === undefined ? {} : { typ: trust.types[0] };
}
