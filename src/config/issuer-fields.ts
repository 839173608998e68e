import { z } from "zod";

/**
 * The parts of an issuer entry that describe where a given IdP puts things in its tokens: the fields an
 * issuer preset (src/identity/presets/) fills in and an operator may override. Kept apart from schema.ts
 * so the shared schema only wires them in.
 */

export const PRESET_NAMES = ["generic", "cognito", "okta", "entra", "auth0", "keycloak", "google", "identity-center"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** A top-level claim name taken verbatim (`cognito:groups`, `https://example.com/roles`), or a path into nested objects (`[realm_access, roles]`). */
export const claimPath = z.union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).min(1).max(8)]);
export type ClaimPath = z.infer<typeof claimPath>;

/**
 * A claim that must hold one of the given values, e.g. Keycloak's payload `typ: Bearer`, Entra's
 * `ver: "2.0"` and `tid`, Google's `hd`. `code` is the audit reason when it does not: `token_use_invalid`
 * for claims that tell token kinds apart, `token_claims_invalid` otherwise (a tenant, a domain).
 */
export const requiredClaim = z.strictObject({
  claim: z.string().min(1).max(256),
  oneOf: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
  code: z.enum(["token_use_invalid", "token_claims_invalid"]).default("token_claims_invalid"),
});
export type RequiredClaim = z.infer<typeof requiredClaim>;

/** Cedar attribute types a claim can be mapped to (the subset a claim can carry without conversion). */
export const ATTRIBUTE_TYPES = ["String", "Bool", "Long", "Set<String>"] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

const attributeName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "an attribute name is a Cedar identifier (letters, digits, `_`)");
const attributeSpec = z.union([
  z.enum(ATTRIBUTE_TYPES),
  z.strictObject({ claim: z.string().min(1).max(256), type: z.enum(ATTRIBUTE_TYPES) }),
]);

/**
 * Principal attributes from claims, like a Verified Permissions identity source: `department: String`
 * reads the claim `department`; `{ claim: "custom:dept", type: String }` reads another claim. Always
 * normalised to the long form, so `ztpdp config` shows exactly which claim feeds which attribute.
 */
export const attributeMap = z
  .record(attributeName, attributeSpec)
  .default({})
  .transform((rec) =>
    Object.fromEntries(
      Object.entries(rec).map(([name, spec]) => [name, typeof spec === "string" ? { claim: name, type: spec } : spec]),
    ) as Record<string, { claim: string; type: AttributeType }>,
  );
export type AttributeMap = z.infer<typeof attributeMap>;

/**
 * How a client-credentials (machine) token is told apart from a user token:
 * - `sub-is-client-id`: `sub` equals the client id (RFC 9068 §2.2; Cognito, Okta, Google service accounts)
 * - `sub-is-client-id-at-clients`: `sub` is `<client id>@clients` (Auth0)
 * - `no-scp`: the token has no `scp` claim (Entra: `scp` is only in user tokens, app tokens carry `roles`)
 * - `client-id-present`: the client id claim is present at all (Keycloak adds `client_id` to service-account tokens only)
 */
export const SERVICE_MATCHES = ["sub-is-client-id", "sub-is-client-id-at-clients", "no-scp", "client-id-present"] as const;
export type ServiceMatch = (typeof SERVICE_MATCHES)[number];
