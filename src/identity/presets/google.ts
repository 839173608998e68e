import { z } from "zod";
import type { IssuerPreset } from "./types.js";

/**
 * Google (Google accounts, Workspace, and Google-signed ID tokens of service accounts). Google access
 * tokens are opaque, so an API verifies the ID token (`tokenUse: id`).
 * https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken
 *
 * - Issuer: `https://accounts.google.com`, or `accounts.google.com` without the scheme (both documented).
 * - JWKS: `https://www.googleapis.com/oauth2/v3/certs`. Header: `{ alg: RS256, kid, typ: JWT }`.
 * - ID token: `aud` is the OAuth client id, `azp` the presenter, `sub` the stable account id, `email`,
 *   `email_verified`, and `hd` (the Workspace domain) for Workspace accounts.
 *   https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
 * - Service accounts: an ID token minted for a target audience has `aud` = that audience and
 *   `azp` = `sub` = the service account's unique id.
 *   https://cloud.google.com/docs/authentication/token-types#id
 * - Groups: none in tokens.
 */
const tenant = z
  .strictObject({
    /** Accept only accounts of this Workspace domain (`hd`); service accounts then cannot use this issuer. */
    hostedDomain: z.string().regex(/^[A-Za-z0-9.-]+$/).optional(),
  })
  .default({});

export const google: IssuerPreset<z.infer<typeof tenant>> = {
  name: "google",
  tokenUses: ["id"],
  tenant,
  defaults({ hostedDomain }, { clientIds }) {
    return {
      issuer: "https://accounts.google.com",
      issuerAliases: ["accounts.google.com"],
      jwksUri: "https://www.googleapis.com/oauth2/v3/certs",
      algorithms: ["RS256"],
      types: ["JWT"],
      audiences: clientIds,
      requiredClaims: hostedDomain === undefined ? [] : [{ claim: "hd", oneOf: [hostedDomain] }],
      groupClaim: null,
      principal: { principalIdClaim: "sub" },
      services: { enabled: hostedDomain === undefined, clientIdClaims: ["azp"], match: "sub-is-client-id" },
    };
  },
};
