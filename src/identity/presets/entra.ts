import { z } from "zod";
import type { IssuerPreset } from "./types.js";

/**
 * Microsoft Entra ID (single tenant). The token version is the API's `accessTokenAcceptedVersion`.
 * https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
 * https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
 *
 * - Issuer: v2.0 `https://login.microsoftonline.com/<tenantId>/v2.0`, v1.0 `https://sts.windows.net/<tenantId>/`;
 *   JWKS `https://login.microsoftonline.com/<tenantId>/discovery/v2.0/keys` (v1.0: `/discovery/keys`).
 *   https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-tokens
 * - Header: `typ` is always `JWT` (ID tokens too), `alg` RS256, `kid`.
 * - Access token: `aud` is the API's client id (v2.0) or App ID URI / client id (v1.0); the calling client
 *   in `azp` (v2.0) or `appid` (v1.0), which ID tokens do not have; `ver` "2.0" / "1.0"; `tid` the tenant;
 *   `oid` the user's or service principal's object id, the same in every app (`sub` is pairwise per app).
 * - Client credentials: no `scp` (it is "only included for user tokens"); app permissions in `roles`.
 * - Groups: `groups` holds group object ids; past 200 groups (6 in the implicit flow) the claim is
 *   replaced by `_claim_names`/`_claim_sources` (or `hasgroups: true`): groups overage.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const tenant = z.strictObject({
  tenantId: z.string().regex(GUID, "the directory (tenant) id, a lowercase GUID"),
  tokenVersion: z.union([z.literal(2), z.literal(1)]).default(2),
});

export const entra: IssuerPreset<z.infer<typeof tenant>> = {
  name: "entra",
  tokenUses: ["access", "id"],
  tenant,
  defaults({ tenantId, tokenVersion }, { tokenUse, clientIds }) {
    const v2 = tokenVersion === 2;
    const clientClaim = v2 ? "azp" : "appid";
    const common = {
      issuer: v2 ? `https://login.microsoftonline.com/${tenantId}/v2.0` : `https://sts.windows.net/${tenantId}/`,
      jwksUri: `https://login.microsoftonline.com/${tenantId}/discovery/${v2 ? "v2.0/keys" : "keys"}`,
      algorithms: ["RS256"],
      types: ["JWT"],
      requiredClaims: [
        { claim: "ver", oneOf: [v2 ? "2.0" : "1.0"], code: "token_use_invalid" },
        { claim: "tid", oneOf: [tenantId] },
      ],
      groupClaim: "groups",
      groupOverageClaims: ["hasgroups"],
    };
    if (tokenUse === "id") {
      return { ...common, audiences: clientIds, principal: { principalIdClaim: "oid" }, services: { enabled: false } };
    }
    return {
      ...common,
      clientIdClaim: clientClaim,
      principal: { principalIdClaim: "oid" },
      services: { clientIdClaims: [clientClaim], match: "no-scp" },
    };
  },
};
