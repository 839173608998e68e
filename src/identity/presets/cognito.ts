import { z } from "zod";
import type { IssuerPreset } from "./types.js";

/**
 * Amazon Cognito user pools.
 *
 * - Issuer: `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` (ORIGINAL) or
 *   `https://issuer-cognito-idp.<region>.amazonaws.com/<userPoolId>` (UPDATED); the region is the prefix of
 *   the pool id. https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_IssuerConfigurationType.html
 * - JWKS: `<issuer>/.well-known/jwks.json`.
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
 * - Header: `{ kid, alg: RS256 }`, no `typ`, for access and ID tokens alike.
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
 * - Access token: no `aud`; the app client id is in `client_id`; `token_use: "access"`; groups in
 *   `cognito:groups`; `sub` the user (for a client-credentials token, `sub` is the client id).
 * - ID token: `aud` is the app client id; `token_use: "id"`.
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
 * - `token_use` and the client id are checked by aws-jwt-verify's `CognitoJwtVerifier`
 *   (src/identity/cognito-signature.ts), not re-implemented here.
 * - Principal: `User::"<userPoolId>|<sub>"`, as a Verified Permissions Cognito identity source names it.
 *   https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/identity-sources.html
 */
const USER_POOL_ID = /^(?<region>(?:eusc-[a-z]{2}|[a-z]{2})-(?:gov-)?[a-z]+-\d)_[A-Za-z0-9]+$/;

const tenant = z.strictObject({
  userPoolId: z.string().regex(USER_POOL_ID, "a user pool id looks like `eu-west-1_AbC123def`"),
  /** Which issuer form the pool uses (its IssuerConfiguration); both are accepted either way. */
  issuerFormat: z.enum(["original", "updated"]).default("original"),
});

export const cognito: IssuerPreset<z.infer<typeof tenant>> = {
  name: "cognito",
  tokenUses: ["access", "id"],
  tenant,
  defaults({ userPoolId, issuerFormat }, { tokenUse }) {
    const region = USER_POOL_ID.exec(userPoolId)?.groups?.region as string;
    const original = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
    const updated = `https://issuer-cognito-idp.${region}.amazonaws.com/${userPoolId}`;
    const [issuer, alias] = issuerFormat === "updated" ? [updated, original] : [original, updated];
    return {
      issuer,
      issuerAliases: [alias],
      jwksUri: `${issuer}/.well-known/jwks.json`,
      algorithms: ["RS256"],
      types: [],
      acceptMissingTyp: true,
      audiences: [],
      groupClaim: "cognito:groups",
      principal: { entityIdPrefix: userPoolId, principalIdClaim: "sub" },
      services: { enabled: tokenUse === "access", clientIdClaims: ["client_id"], match: "sub-is-client-id" },
    };
  },
  fixed: {
    issuer: "follows from tenant.userPoolId (aws-jwt-verify's Cognito verifier checks it)",
    issuerAliases: "follows from tenant.userPoolId",
  },
};
