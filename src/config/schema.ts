import { z } from "zod";
import { verifiedAccessSchema } from "./verified-access.js";
import { avpPolicySourceSchema } from "../policy/verified-permissions/options.js";
import { SUPPORTED_ALGORITHMS } from "../identity/algorithms.js";
import { attributeMap, claimPath, PRESET_NAMES, requiredClaim, SERVICE_MATCHES } from "./issuer-fields.js";
import { refineIssuer } from "./issuer-refine.js";
import { trustProviderSchema } from "../trust-provider/config-schema.js";

/**
 * The one configuration document of the PDP. Validated once at cold start; unknown keys are rejected
 * everywhere (`strictObject`) so a typo never silently disables a check.
 */

const httpUrl = z.url({ protocol: /^https?$/ });
// One list decides (src/identity/algorithms.ts): PS256 & co. are refused here, not at cold start.
const algorithm = z.enum(SUPPORTED_ALGORITHMS, {
  error: (issue) => `algorithm \`${String(issue.input)}\` is not supported by the verifier (supported: ${SUPPORTED_ALGORITHMS.join(", ")})`,
});

/** How a JWT issuer is trusted: shared by user-token issuers and device-posture providers. */
export const jwtTrustSchema = z.strictObject({
  /** Exact `iss` value. */
  issuer: z.string().min(1),
  jwksUri: httpUrl,
  /** Accepted `aud` values; a token must name at least one, and a multi-audience token needs a matching `azp`. */
  audiences: z.array(z.string().min(1)).min(1),
  /** Asymmetric algorithms only: HMAC would let anyone holding the public key mint tokens. */
  algorithms: z.array(algorithm).min(1).default(["RS256"]),
  /** Accepted `typ` header values (compared case-insensitively, `application/` prefix ignored, RFC 8725 §3.11). */
  types: z.array(z.string().min(1)).min(1),
  /**
   * Accept a token without a `typ` header (Cognito, Okta access tokens have none). Off unless a preset or
   * the operator says so; a token that does carry `typ` must still name one of `types`.
   */
  acceptMissingTyp: z.boolean().default(false),
});

export const issuerSchema = jwtTrustSchema.extend({
  /** Short label used in audit records and in `context.identity.issuer`. */
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  /** Which IdP's token shapes this entry follows; presets are expanded before validation (src/identity/presets/). */
  preset: z.enum(PRESET_NAMES).default("generic"),
  /** The preset's tenant values as given (user pool id, Okta domain, Entra tenant id...), kept for `ztpdp config`. */
  tenant: z.record(z.string(), z.unknown()).optional(),
  /** Further exact `iss` values of the same issuer (Google's `accounts.google.com`, Cognito's updated issuer form). */
  issuerAliases: z.array(z.string().min(1)).default([]),
  /** Accepted `typ` header values; may be empty only with `acceptMissingTyp` (an IdP that never sends `typ`). */
  types: z.array(z.string().min(1)).default([]),
  /** Accepted `aud` values. Empty only when the client id is checked instead (Cognito access tokens carry no `aud`). */
  audiences: z.array(z.string().min(1)).default([]),
  /** Audiences that never count as "another audience" (Auth0 adds its own `/userinfo` to access tokens). */
  ignoredAudiences: z.array(z.string().min(1)).default([]),
  /** Where an access token names the client it was issued to (`client_id`, `cid`, `azp`, `appid`); required when set. */
  clientIdClaim: z.string().min(1).optional(),
  /** Accepted client ids (in `clientIdClaim`; for Cognito, `client_id` or the ID token's `aud`). Empty: any client. */
  clientIds: z.array(z.string().min(1)).default([]),
  /** Claims that tell this issuer's access tokens from its other tokens (`typ: Bearer`, `ver: "2.0"`, `tid`). */
  requiredClaims: z.array(requiredClaim).default([]),
  /** Which OIDC token this issuer's callers present (Cognito's `token_use` is checked when present). */
  tokenUse: z.enum(["access", "id"]),
  /** Claim holding group names; `null` when this issuer conveys no groups (Google). */
  groupClaim: claimPath.nullable().default("groups"),
  /** Claims whose presence says the IdP left groups out (Entra `hasgroups`); OIDC `_claim_names` is always honoured. */
  groupOverageClaims: z.array(z.string().min(1)).default([]),
  /** Mirrors a Verified Permissions identity source so local and AVP answers match. */
  principal: z
    .strictObject({
      userEntityType: z.string().default("User"),
      groupEntityType: z.string().default("Group"),
      serviceEntityType: z.string().default("Service"),
      /** AVP prepends `<prefix>|` to user and group entity ids; Cognito uses the user pool id. */
      entityIdPrefix: z.string().min(1).max(100).optional(),
      principalIdClaim: z.string().min(1).default("sub"),
      /** Principal attributes from claims, typed; a claim of another type gets the least-trusted value. */
      attributes: attributeMap,
    })
    .prefault({}),
  /**
   * Machine callers (OAuth client-credentials): a token is a service token when `sub` equals the client id
   * claim (Okta `cid`, Cognito/Entra `client_id`/`azp`). Its principal is `Service::"<prefix|><client id>"`.
   */
  services: z
    .strictObject({
      clientIdClaims: z.array(z.string().min(1)).min(1).default(["client_id", "cid", "azp"]),
      enabled: z.boolean().default(true),
      /** How a machine token is recognised (issuer-fields.ts). */
      match: z.enum(SERVICE_MATCHES).default("sub-is-client-id"),
      attributes: attributeMap,
    })
    .prefault({}),
}).superRefine(refineIssuer, { when: () => true });

export const postureFormat = z.enum(["jamf", "crowdstrike", "jumpcloud", "generic"]);

export const postureProviderSchema = jwtTrustSchema.extend({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  format: postureFormat,
  /**
   * Device posture is only trusted for the user it was issued for: the device token's `deviceClaim`
   * must equal the user token's `userClaim` (for example both `email`, or device `user_sub` = user `sub`).
   */
  binding: z.strictObject({
    deviceClaim: z.string().min(1),
    userClaim: z.string().min(1),
    /**
     * Names of the user-token issuers whose `userClaim` the device claim refers to: a device token binds
     * to the issuer and the user, never to a same-named user of another IdP. Required with several issuers.
     */
    issuers: z.array(z.string().min(1)).min(1).optional(),
  }),
});

export const routeSchema = z.strictObject({
  /** API Gateway resource template, e.g. `/wiki/{page}` (HTTP APIs: the path part of the routeKey). */
  path: z.string().regex(/^\/[A-Za-z0-9._~\-/{}+]*$/),
  application: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  classification: z.enum(["public", "internal", "confidential", "restricted"]),
});

export const limitsSchema = z
  .strictObject({
    maxTokenBytes: z.number().int().min(512).max(65536).default(8192),
    clockSkewSeconds: z.number().int().min(0).max(300).default(60),
    maxTokenLifetimeSeconds: z.number().int().min(60).max(7 * 86400).default(86400),
    maxGroups: z.number().int().min(1).max(1000).default(200),
    maxClaimStringLength: z.number().int().min(16).max(4096).default(512),
    /**
     * The most one decision may take, key fetches included (ms). Past it the decision is an `error`,
     * answered and recorded before the function's own timeout. Must hold a user-key and a device-key
     * fetch (`jwks.timeoutMs` each) plus evaluation: config load refuses budgets that cannot fit.
     */
    decisionTimeoutMs: z.number().int().min(500).max(25000).default(4000),
  })
  .prefault({});

export const jwksSchema = z
  .strictObject({
    /** Keys are refetched at least this often, so a key removed upstream stops verifying. */
    ttlSeconds: z.number().int().min(1).max(86400).default(300),
    /** If a refresh fails, the last good key set keeps working for at most this long past its TTL. */
    staleIfErrorSeconds: z.number().int().min(0).max(86400).default(3600),
    timeoutMs: z.number().int().min(100).max(10000).default(1500),
    maxResponseBytes: z.number().int().min(1024).max(1048576).default(65536),
    /** After a refetch for an unknown `kid`, wait this long before refetching again. */
    unknownKidBackoffSeconds: z.number().int().min(0).max(3600).default(30),
  })
  .prefault({});

export const policySourceSchema = z.discriminatedUnion("engine", [
  z.strictObject({
    engine: z.literal("local"),
    /** Folder with `*.cedar` and `schema.cedarschema`, relative to the config file. */
    dir: z.string().min(1).default("../policies"),
  }),
  avpPolicySourceSchema,
]);

export const configSchema = z.strictObject({
  version: z.literal(1),
  issuers: z.array(issuerSchema).min(1),
  devicePosture: z
    .strictObject({
      maxAgeSeconds: z.number().int().min(1).max(30 * 86400).default(3600),
      providers: z.array(postureProviderSchema).default([]),
      /** Minimum OS version per platform, relative to the config file. */
      patchBaselineFile: z.string().min(1).default("../policies/patch-baseline.yaml"),
    })
    .prefault({}),
  routes: z.array(routeSchema).default([]),
  policy: policySourceSchema.default({ engine: "local", dir: "../policies" }),
  limits: limitsSchema,
  jwks: jwksSchema,
  /** AWS Verified Access OIDC trust provider (src/trust-provider); absent = not served. */
  trustProvider: trustProviderSchema.optional(),
  /** AWS Verified Access: AVA-mode policies and the signed AVA header as an identity source (verified-access.ts). */
  verifiedAccess: verifiedAccessSchema.optional(),
  development: z
    .strictObject({
      /** Allow `http://` JWKS URIs, and only on loopback hosts. Never set this in production. */
      allowInsecureLoopbackJwks: z.boolean().default(false),
    })
    .prefault({}),
});

export type PdpConfig = z.infer<typeof configSchema>;
export type IssuerConfig = z.infer<typeof issuerSchema>;
export type JwtTrustConfig = z.infer<typeof jwtTrustSchema>;
export type PostureProviderConfig = z.infer<typeof postureProviderSchema>;
export type PostureFormat = z.infer<typeof postureFormat>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type LimitsConfig = z.infer<typeof limitsSchema>;
export type JwksConfig = z.infer<typeof jwksSchema>;
export type PolicySourceConfig = z.infer<typeof policySourceSchema>;
