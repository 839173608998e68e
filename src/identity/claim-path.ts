import type { ClaimPath } from "../config/issuer-fields.js";

/**
 * A claim by name, or by path into nested objects. A string is one claim name taken verbatim, because real
 * claim names contain dots and colons (`https://example.com/roles`, `cognito:groups`); nesting is spelled
 * as an array (`[realm_access, roles]`, Keycloak). Only own properties of plain objects are followed.
 */
export function readClaim(payload: Record<string, unknown>, path: ClaimPath): unknown {
  const steps = typeof path === "string" ? [path] : path;
  let value: unknown = payload;
  for (const step of steps) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** How a claim path is named in messages and audit records: `groups`, `realm_access.roles`. */
export function claimPathName(path: ClaimPath): string {
  return typeof path === "string" ? path : path.join(".");
}
