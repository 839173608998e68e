import { z } from "zod";
import type { IssuerPreset } from "./types.js";

/**
 * AWS IAM Identity Center. It issues no token that an API behind API Gateway can verify:
 *
 * - Its OIDC service (CreateToken) implements only what the AWS CLI's sign-in needs; the access token is
 *   for the AWS access portal, and the `idToken` field "is not implemented or supported".
 *   https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/Welcome.html
 *   https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/API_CreateToken.html
 * - Trusted identity propagation (CreateTokenWithIAM) exchanges a token from a *trusted token issuer*
 *   (an external OIDC IdP) for an Identity Center token that AWS managed applications consume; no
 *   issuer or key set is published for third parties to verify it.
 *   https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/API_CreateTokenWithIAM.html
 *   https://docs.aws.amazon.com/singlesignon/latest/userguide/using-apps-with-trusted-token-issuer.html
 *
 * So the preset refuses the entry and says what to do instead.
 */
export const identityCenter: IssuerPreset<unknown> = {
  name: "identity-center",
  tokenUses: ["access", "id"],
  tenant: z.unknown(),
  defaults: () => ({}),
  refusal:
    "IAM Identity Center issues no token an API behind API Gateway can verify (its OIDC service serves the AWS CLI; " +
    "trusted identity propagation tokens are for AWS managed applications). Verify the tokens of the IdP that is " +
    "Identity Center's identity source (preset okta, entra, ...), or put AWS Verified Access with an Identity Center " +
    "trust provider in front of the API",
};
