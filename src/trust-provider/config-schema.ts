import { z } from "zod";

/**
 * The `trustProvider` section of the PDP config: this project as an OpenID Connect provider for AWS
 * Verified Access (AVA). Imported by src/config/schema.ts; absent = no trust provider. Unknown keys are
 * rejected like everywhere else in the config.
 */

const httpUrl = z.url({ protocol: /^https?$/ });
const hexSha256 = z.string().regex(/^[0-9a-f]{64}$/, "expected the lowercase hex sha256 of the client secret");

/** A relying party: in practice one Verified Access trust provider (its client id, secret and redirect URIs). */
export const trustProviderClientSchema = z.strictObject({
  clientId: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/),
  /**
   * sha256 (hex) of the client secret: the config never holds the secret itself. The secret must be
   * high-entropy (generate it: `openssl rand -base64 32`), which is what makes an unsalted hash adequate.
   */
  clientSecretSha256: hexSha256,
  /** Exact redirect URIs (RFC 9700 §4.1.3: exact string matching). AVA: `https://<app domain>/oauth2/idpresponse`. */
  redirectUris: z.array(httpUrl).min(1),
});

export const trustProviderSchema = z.strictObject({
  /**
   * Our issuer identifier: the base URL the endpoints are served under (the HTTP API's URL or its custom
   * domain), without a trailing slash. `ZTPDP_TP_ISSUER` overrides it at run time.
   */
  issuer: httpUrl,
  clients: z.array(trustProviderClientSchema).min(1),
  upstream: z.strictObject({
    /** Name of an entry of `issuers`: its URL, keys, algorithms, group claim and preset apply. */
    issuer: z.string().min(1),
    /** Our client at the corporate IdP; its ID tokens carry this audience. */
    clientId: z.string().min(1),
    /** Environment variable holding our client secret at the corporate IdP (never the config). */
    clientSecretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).default("ZTPDP_TP_UPSTREAM_CLIENT_SECRET"),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).min(1).default(["openid", "email", "profile"]),
    /** How we authenticate to the corporate IdP's token endpoint. */
    tokenEndpointAuthMethod: z.enum(["client_secret_basic", "client_secret_post"]).default("client_secret_basic"),
    /** Accepted `typ` headers of the upstream ID token (RFC 8725 §3.11): most IdPs send `JWT`. */
    idTokenTypes: z.array(z.string().min(1)).min(1).default(["JWT"]),
  }),
  /** Where the ID-token signing keys come from. The first key signs; every key is published in the JWKS. */
  signing: z
    .discriminatedUnion("source", [
      z.strictObject({
        source: z.literal("env"),
        /** Environment variable holding a JWKS of private keys (e.g. resolved from Secrets Manager at deploy). */
        env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).default("ZTPDP_TP_SIGNING_KEYS"),
      }),
    ])
    .default({ source: "env", env: "ZTPDP_TP_SIGNING_KEYS" }),
  lifetimes: z
    .strictObject({
      /** Authorization codes (RFC 6749 §4.1.2: "a maximum lifetime of 10 minutes is RECOMMENDED"). */
      codeSeconds: z.number().int().min(10).max(600).default(60),
      /** A login in progress at the corporate IdP. */
      loginSeconds: z.number().int().min(60).max(1800).default(600),
      /** Access and ID tokens; also capped by the posture's remaining freshness. */
      accessTokenSeconds: z.number().int().min(60).max(86400).default(900),
      /** Refresh tokens (rotated at every use); also capped by the posture's remaining freshness. */
      refreshTokenSeconds: z.number().int().min(60).max(7 * 86400).default(28800),
    })
    .prefault({}),
  claims: z
    .strictObject({
      /** At most this many groups in userinfo; more sets `groups_truncated: true`. */
      maxGroups: z.number().int().min(0).max(1000).default(100),
      /** Userinfo JSON budget in bytes; AVA's limit for OIDC claims is 11 KB (fixed quota). */
      maxBytes: z.number().int().min(1024).max(11264).default(10240),
    })
    .prefault({}),
  /** Refuse the login (access_denied to AVA) unless a verified device token came with it. */
  requireDevice: z.boolean().default(false),
  store: z
    .strictObject({
      /** DynamoDB table (`ZTPDP_TP_TABLE` overrides); key `pk` (S), TTL attribute `expiresAt`. */
      tableName: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/).default("zt-pdp-trust-provider"),
      /** A DynamoDB-compatible endpoint (local development; `ZTPDP_TP_DYNAMODB_ENDPOINT` overrides). */
      endpoint: httpUrl.optional(),
      region: z.string().min(1).optional(),
    })
    .prefault({}),
});

export type TrustProviderConfig = z.infer<typeof trustProviderSchema>;
export type TrustProviderClient = z.infer<typeof trustProviderClientSchema>;
