import { z } from "zod";

/**
 * The `verifiedAccess` section of the config: AWS Verified Access (AVA) in the authorizers.
 *
 * - `policyDir` turns on AVA mode: the authorizers evaluate that folder of AVA policies
 *   (`verified-access.yaml` + `*.cedar`) with the context AVA would build, instead of `policy.dir`.
 * - `userContexts` / `deviceContexts` say which `context.<ref>` a verified caller or device fills.
 * - `signedHeader` trusts AVA's `x-amzn-ava-user-context` header as an identity source
 *   (https://docs.aws.amazon.com/verified-access/latest/ug/user-claims-passing.html).
 */

const name = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
const ref = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** `arn:aws:ec2:<region>:<account>:verified-access-instance/vai-<id>` (the header's `signer`). */
export const INSTANCE_ARN = /^arn:aws(?:-cn|-us-gov)?:ec2:([a-z]{2}(?:-gov)?-[a-z]+-\d):\d{12}:verified-access-instance\/vai-[0-9a-z]+$/;

/** AWS's key service: one endpoint per region, the PEM of a key at `/<kid>` (user-claims-passing.html). */
export const DEFAULT_AVA_KEY_URL = "https://public-keys.prod.verified-access.{region}.amazonaws.com";

export const signedHeaderSchema = z.strictObject({
  /** Label of this identity source in audit records and `userContexts` (like `issuers[].name`). */
  name: name.default("verified-access"),
  /** The Verified Access instances whose header is trusted: the header's `signer` must be one of them. */
  instanceArns: z.array(z.string().regex(INSTANCE_ARN, "expected arn:aws:ec2:<region>:<account>:verified-access-instance/vai-...")).min(1),
  /**
   * Accepted header `iss` values: the OIDC trust provider's issuer URL, or for IAM Identity Center the
   * trust provider's ARN (arn:aws:ec2:<region>:<account>:verified-access-trust-provider/vatp-...).
   */
  issuers: z.array(z.string().min(1)).min(1),
  /**
   * Where public keys are fetched: `{region}` is replaced by the region of the signer's instance ARN
   * (never by anything the header says), then `/<kid>` is appended. Only change it for tests on loopback.
   */
  keyUrl: z.string().min(1).default(DEFAULT_AVA_KEY_URL),
  /** For the principal, like an issuer's mapping (`issuers[].principal`). */
  principal: z
    .strictObject({
      userEntityType: z.string().default("User"),
      groupEntityType: z.string().default("Group"),
      entityIdPrefix: z.string().min(1).max(100).optional(),
      /** OIDC claims: `sub` (AWS: "the best way to identify a given user"); IdC claims: `user.user_id`. */
      principalIdClaim: z.string().min(1).default("sub"),
    })
    .prefault({}),
  groupClaim: z.string().min(1).default("groups"),
  /** Most seconds left before `exp` a header may have: AVA signs for 120 s. */
  maxLifetimeSeconds: z.number().int().min(10).max(3600).default(300),
  /** A kid the key service does not know is not asked for again within this many seconds. */
  unknownKidBackoffSeconds: z.number().int().min(0).max(3600).default(30),
});

export const verifiedAccessSchema = z.strictObject({
  /** AVA mode: the folder of Verified Access policies the authorizers evaluate (relative to the config file). */
  policyDir: z.string().min(1).optional(),
  /** `context.<ref>` a verified caller fills, by issuer name; default: the folder's only user trust provider. */
  userContexts: z.record(name, ref).default({}),
  /** `context.<ref>` a verified device token fills, by posture provider name; default: the folder's provider of its format. */
  deviceContexts: z.record(name, ref).default({}),
  signedHeader: signedHeaderSchema.optional(),
});

export type VerifiedAccessConfig = z.infer<typeof verifiedAccessSchema>;
export type SignedHeaderConfig = z.infer<typeof signedHeaderSchema>;

/** The AWS region of an instance ARN (validated by `INSTANCE_ARN`). */
export function regionOfInstanceArn(arn: string): string | undefined {
  return INSTANCE_ARN.exec(arn)?.[1];
}
