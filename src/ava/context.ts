import type { CedarValue } from "../policy/engine.js";
import { conform } from "./conform.js";
import { withDeviceDefaults } from "./providers/devices.js";
import { HTTP_REQUEST_SHAPE, PROVIDER_SHAPES, type ProviderType } from "./shapes.js";

/**
 * Builds the context AVA evaluates: `context.http_request` plus one record per trust provider present,
 * under its policy reference name. Shared by `ztpdp test`/`explain` (from a scenario) and the authorizer
 * in AVA mode (from verified tokens), so both evaluate exactly the same shapes.
 */

/** `context.http_request`, field for field (trust-data-default-context.html). */
export interface AvaHttpRequest {
  http_method: string;
  hostname: string;
  path: string;
  query: string;
  x_forwarded_for: string;
  port: number;
  user_agent: string;
  client_ip: string;
}

/** One trust provider's data, in its AVA shape before the conformance check. */
export interface AvaProviderData {
  ref: string;
  type: ProviderType;
  claims: Record<string, unknown>;
  /** Device providers: how old the device data is (filled-in `iat`). */
  ageSeconds?: number;
}

export interface AvaContextInput {
  request: AvaHttpRequest;
  /** The user trust provider of this request (at most one: one per Verified Access instance). */
  user?: AvaProviderData;
  /** Device trust providers whose data came with the request (any number, possibly none). */
  devices: readonly AvaProviderData[];
}

export interface AvaContextIssue {
  /** `user`, `device[0]` or `request`. */
  part: string;
  path: string;
  message: string;
}

export interface AvaContextOptions {
  nowSeconds: number;
  maxString: number;
  maxItems: number;
}

export function buildAvaContext(input: AvaContextInput, opts: AvaContextOptions): { context: Record<string, CedarValue>; issues: AvaContextIssue[] } {
  const issues: AvaContextIssue[] = [];
  const reporter = (part: string) => (path: string, message: string) => issues.push({ part, path, message });
  const base = { maxString: opts.maxString, maxItems: opts.maxItems };
  const context: Record<string, CedarValue> = {
    http_request: conform(HTTP_REQUEST_SHAPE, input.request, { ...base, report: reporter("request") }) ?? {},
  };
  const add = (data: AvaProviderData, part: string, claims: Record<string, unknown>) => {
    if (Object.hasOwn(context, data.ref)) {
      issues.push({ part, path: "provider", message: `trust provider \`${data.ref}\` is given twice` });
      return;
    }
    const value = conform(PROVIDER_SHAPES[data.type], claims, { ...base, report: reporter(part), enumPrefix: data.type });
    if (value !== undefined) context[data.ref] = value;
  };
  if (input.user) add(input.user, "user", input.user.claims);
  input.devices.forEach((d, i) => add(d, `device[${i}]`, withDeviceDefaults(d.type, d.claims, opts.nowSeconds, d.ageSeconds)));
  return { context, issues };
}

export interface IdcUser {
  userId: string;
  userName: string;
  email: string;
  emailVerified: boolean;
  /** IdC group ids (UUIDs), with their display names when known. */
  groups: ReadonlyArray<{ id: string; name: string }>;
}

/** IAM Identity Center's context: `groups` is keyed by group id, so policies test it with `has` (trust-data-iam.html). */
export function idcClaims(u: IdcUser): Record<string, unknown> {
  const groups: Record<string, unknown> = {};
  for (const g of u.groups) groups[g.id] = { group_name: g.name };
  return { user: { user_id: u.userId, user_name: u.userName, email: { address: u.email, verified: u.emailVerified } }, groups };
}

/** The request fields AVA always provides; what the caller does not know keeps an empty or default value. */
export function httpRequestOf(r: Partial<AvaHttpRequest>): AvaHttpRequest {
  return {
    http_method: r.http_method ?? "",
    hostname: r.hostname ?? "",
    path: r.path ?? "",
    query: r.query ?? "",
    x_forwarded_for: r.x_forwarded_for ?? "",
    port: r.port ?? 443,
    user_agent: r.user_agent ?? "",
    client_ip: r.client_ip ?? "",
  };
}
