/**
 * The shapes of AWS Verified Access (AVA) trust data, as data: what each trust provider puts under
 * `context.<policy reference name>` and what AVA always puts under `context.http_request`. One
 * description serves three readers: the missing-key lint (which keys are always there), the scenario
 * reader (which claims a case may give, and their types) and the context builders (which verified claims
 * may reach Cedar, and as what type).
 *
 * Sources (the field lists and types are AWS's published data specifications):
 * - http_request: https://docs.aws.amazon.com/verified-access/latest/ug/trust-data-default-context.html
 * - IAM Identity Center: https://docs.aws.amazon.com/verified-access/latest/ug/trust-data-iam.html
 * - OIDC: https://docs.aws.amazon.com/verified-access/latest/ug/user-trust.html (the UserInfo claims, flat;
 *   `sub` is always returned by UserInfo: OpenID Connect Core 1.0 §5.3.2)
 * - Jamf, CrowdStrike, JumpCloud:
 *   https://docs.aws.amazon.com/verified-access/latest/ug/trust-data-third-party-trust.html
 * - this project's trust provider (issue 13): src/ava/providers/ztpdp.ts
 *
 * "Always" means: present whenever the record holding it is present. AWS lists each provider's fields
 * as its data specification and its own examples read them guarded only by the provider's presence
 * (`context has "jamf" && context.jamf.risk ...`, auth-policies-policy-eval-short-circ.html), so every
 * documented field of a provider is "always"; what may be missing is a device provider's whole record
 * (no browser extension or agent on the device), any OIDC claim but `sub`, and the keys of IdC's `groups`.
 */

import type { DeviceClaims, UserinfoClaims } from "../trust-provider/claims.js";

export type Shape =
  | { t: "string" }
  | { t: "long" }
  | { t: "bool" }
  | { t: "set"; of: Shape }
  /** Named fields; `open` records (OIDC claims) also hold other keys, none of them guaranteed. */
  | { t: "record"; fields: Readonly<Record<string, Field>>; open?: boolean }
  /** Keys chosen by the data (IdC group ids): no key is ever guaranteed. */
  | { t: "map"; of: Shape };

export interface Field {
  shape: Shape;
  always: boolean;
}

export const STRING: Shape = { t: "string" };
export const LONG: Shape = { t: "long" };
export const BOOL: Shape = { t: "bool" };
export const STRING_SET: Shape = { t: "set", of: STRING };

export function record(fields: Record<string, Shape | Field>, open = false): Shape {
  const out: Record<string, Field> = {};
  for (const [name, f] of Object.entries(fields)) out[name] = "shape" in f ? f : { shape: f, always: true };
  return { t: "record", fields: out, ...(open ? { open: true } : {}) };
}

export function optional(shape: Shape): Field {
  return { shape, always: false };
}

/** `context.http_request`: always present, every field always present (trust-data-default-context.html). */
export const HTTP_REQUEST_SHAPE = record({
  http_method: STRING,
  hostname: STRING,
  path: STRING,
  query: STRING,
  x_forwarded_for: STRING,
  port: LONG,
  user_agent: STRING,
  client_ip: STRING,
});

/** The types of trust provider a folder can declare, with AVA's trust provider type names. */
export const PROVIDER_TYPES = ["iam-identity-center", "oidc", "ztpdp", "jamf", "crowdstrike", "jumpcloud"] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** User trust providers authenticate the user (one per Verified Access instance); the rest are device providers. */
export const USER_PROVIDER_TYPES: ReadonlySet<ProviderType> = new Set(["iam-identity-center", "oidc", "ztpdp"]);
export const DEVICE_PROVIDER_TYPES: ReadonlySet<ProviderType> = new Set(["jamf", "crowdstrike", "jumpcloud"]);

const IDC_SHAPE = record({
  user: record({
    user_id: STRING,
    user_name: STRING,
    email: record({ address: STRING, verified: BOOL }),
  }),
  groups: { t: "map", of: record({ group_name: STRING }) },
});

const OIDC_SHAPE = record(
  {
    sub: STRING,
    email: optional(STRING),
    email_verified: optional(BOOL),
    groups: optional(STRING_SET),
    name: optional(STRING),
    preferred_username: optional(STRING),
    given_name: optional(STRING),
    family_name: optional(STRING),
    // Providers created on or after 2025-02-24 add the ID token's claims here (user-trust.html).
    additional_user_context: optional({ t: "record", fields: {}, open: true }),
  },
  true,
);

/** This project's trust provider (src/trust-provider/claims.ts): every key always present; `satisfies` keeps the two in step. */
const ZTPDP_FIELDS = {
  sub: STRING,
  email: STRING,
  email_verified: BOOL,
  groups: STRING_SET,
  groups_truncated: BOOL,
  mfa: BOOL,
  idp: STRING,
  device: record({
    verified: BOOL,
    managed: BOOL,
    compliant: BOOL,
    patched: BOOL,
    os: STRING,
    os_version: STRING,
    os_major: LONG,
    os_minor: LONG,
    os_patch: LONG,
    disk_encrypted: BOOL,
    edr_score: LONG,
    risk: STRING,
    provider: STRING,
    observed_at: LONG,
    untrusted_reason: STRING,
  } satisfies Record<keyof DeviceClaims, Shape>),
  risk: STRING,
} satisfies Record<keyof UserinfoClaims, Shape>;
const ZTPDP_SHAPE = record({
  ...ZTPDP_FIELDS,
  // AVA adds the ID token's claims for trust providers created from 2025-02-24 (user-trust.html).
  additional_user_context: optional({ t: "record", fields: {}, open: true }),
});

const JAMF_SHAPE = record({ iss: STRING, sub: STRING, iat: LONG, exp: LONG, groups: STRING_SET, risk: STRING, osv: STRING });

const CROWDSTRIKE_SHAPE = record({
  assessment: record({ overall: LONG, os: LONG, sensor_config: LONG, version: STRING }),
  cid: STRING,
  exp: LONG,
  iat: LONG,
  jwk_url: STRING,
  platform: STRING,
  serial_number: STRING,
  sub: STRING,
  typ: STRING,
});

const JUMPCLOUD_SHAPE = record({
  device: record({ is_managed: BOOL }),
  exp: LONG,
  durt_id: STRING,
  iat: LONG,
  iss: STRING,
  org_id: STRING,
  sub: STRING,
  system: STRING,
});

export const PROVIDER_SHAPES: Readonly<Record<ProviderType, Shape>> = {
  "iam-identity-center": IDC_SHAPE,
  oidc: OIDC_SHAPE,
  ztpdp: ZTPDP_SHAPE,
  jamf: JAMF_SHAPE,
  crowdstrike: CROWDSTRIKE_SHAPE,
  jumpcloud: JUMPCLOUD_SHAPE,
};

/** Closed value sets AWS documents, checked in scenario files (a typo such as `"Low"` never matches). */
export const ENUMS: Readonly<Record<string, readonly string[]>> = {
  "jamf.risk": ["HIGH", "MEDIUM", "LOW", "SECURE", "NOT_APPLICABLE"],
  "crowdstrike.platform": ["Windows 10", "Windows 11", "macOS"],
  "crowdstrike.typ": ["crowdstrike-zta+jwt"],
};

/** The field a record shape declares for `name`, if any. */
export function fieldOf(shape: Shape, name: string): Field | undefined {
  if (shape.t === "record") return Object.hasOwn(shape.fields, name) ? shape.fields[name] : undefined;
  return undefined;
}

export function describeShape(shape: Shape): string {
  switch (shape.t) {
    case "set":
      return `a list of ${describeShape(shape.of)}s`;
    case "record":
      return "a mapping";
    case "map":
      return "a mapping of ids";
    case "long":
      return "a whole number";
    case "bool":
      return "true or false";
    default:
      return "a string";
  }
}
