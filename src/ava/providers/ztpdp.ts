import type { PdpConfig } from "../../config/schema.js";
import type { VerifiedIdentity } from "../../identity/types.js";
import type { PostureRecord } from "../../posture/types.js";
import { trustProviderSchema } from "../../trust-provider/config-schema.js";
import { buildClaims, type UserinfoClaims } from "../../trust-provider/claims.js";

/**
 * The claims this project's Verified Access trust provider returns from userinfo (src/trust-provider),
 * and so what AVA puts under `context.<ref>` for it: built by the trust provider's own `buildClaims`,
 * with its group and size bounds, so a scenario, the authorizer in AVA mode and a real sign-in give
 * Verified Access the same record.
 */

export type { UserinfoClaims as ZtpdpClaims, DeviceClaims as ZtpdpDeviceClaims } from "../../trust-provider/claims.js";

export interface ZtpdpClaimsInput {
  /** The signed-in user; only `subject`, `email` (unset when unverified), `mfa` and `issuerName` are read. */
  identity: Pick<VerifiedIdentity, "subject" | "email" | "mfa" | "issuerName">;
  /** As the IdP sent them (no entity id prefix). */
  groups: readonly string[];
  emailVerified: boolean;
  posture: PostureRecord;
  untrustedReason: string | undefined;
}

/** The trust provider's claim bounds from the config, or its defaults when the config serves no trust provider. */
export function ztpdpClaimBounds(config: PdpConfig | undefined): { maxGroups: number; maxBytes: number } {
  return config?.trustProvider?.claims ?? trustProviderSchema.shape.claims.parse(undefined);
}

/** The userinfo claims, or undefined when they cannot fit AVA's claim quota (the trust provider refuses that sign-in). */
export function ztpdpClaims(input: ZtpdpClaimsInput, bounds: { maxGroups: number; maxBytes: number }): UserinfoClaims | undefined {
  const built = buildClaims({
    // buildClaims reads only these four fields of the identity.
    identity: input.identity as VerifiedIdentity,
    groups: [...input.groups],
    emailVerified: input.emailVerified,
    posture: input.posture,
    untrustedReason: input.untrustedReason,
    ...bounds,
  });
  return built.ok ? built.claims : undefined;
}
