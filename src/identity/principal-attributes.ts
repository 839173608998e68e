import type { AttributeMap, AttributeType } from "../config/issuer-fields.js";
import type { IssuerConfig, LimitsConfig } from "../config/schema.js";
import type { CedarValue } from "../policy/engine.js";

/**
 * Principal attributes from claims, the way a Verified Permissions identity source maps token claims to
 * principal attributes (https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/identity-sources.html),
 * with the least-trusted rule of the rest of the decision model: every declared attribute is always present,
 * and an absent claim, or a claim of the wrong type, gets the least-trusted value of its type. So a policy
 * never needs `has`, and a wrong-typed claim never makes a condition true that the IdP did not assert.
 */

/** Least-trusted value per type: the empty string, false, 0, the empty set. */
export function leastTrusted(type: AttributeType): CedarValue {
  switch (type) {
    case "String":
      return "";
    case "Bool":
      return false;
    case "Long":
      return 0;
    case "Set<String>":
      return [];
  }
}

/** Entity type → attribute → type, over every issuer (one Cedar schema serves them all). */
export type AttributeCatalog = Map<string, Map<string, AttributeType>>;

export function buildAttributeCatalog(issuers: readonly IssuerConfig[]): { catalog: AttributeCatalog; problems: string[] } {
  const catalog: AttributeCatalog = new Map();
  const problems: string[] = [];
  const add = (entityType: string, map: AttributeMap, where: string) => {
    let attrs = catalog.get(entityType);
    if (!attrs) catalog.set(entityType, (attrs = new Map()));
    for (const [name, { type }] of Object.entries(map)) {
      const known = attrs.get(name);
      if (known !== undefined && known !== type) {
        problems.push(`${where}.${name}: \`${entityType}.${name}\` is ${type} here but ${known} for another issuer (one schema serves every issuer)`);
      }
      attrs.set(name, known ?? type);
    }
  };
  issuers.forEach((issuer, i) => {
    add(issuer.principal.userEntityType, issuer.principal.attributes, `issuers.${i}.principal.attributes`);
    add(issuer.principal.serviceEntityType, issuer.services.attributes, `issuers.${i}.services.attributes`);
  });
  return { catalog, problems };
}

/**
 * The attributes of one principal: every attribute its entity type has in the catalog, from this issuer's
 * mapping where it maps one, least-trusted otherwise. `untrusted` names those whose claim had the wrong type.
 */
export function readPrincipalAttributes(
  payload: Record<string, unknown>,
  mapping: AttributeMap,
  declared: ReadonlyMap<string, AttributeType> | undefined,
  limits: LimitsConfig,
): { attributes: Record<string, CedarValue>; untrusted: string[] } {
  const attributes: Record<string, CedarValue> = {};
  const untrusted: string[] = [];
  for (const [name, type] of declared ?? []) {
    attributes[name] = leastTrusted(type);
    const spec = Object.hasOwn(mapping, name) ? mapping[name] : undefined;
    if (spec === undefined || !Object.hasOwn(payload, spec.claim)) continue;
    const value = typed(payload[spec.claim], type, limits);
    if (value === undefined) untrusted.push(name);
    else attributes[name] = value;
  }
  return { attributes, untrusted };
}

/** The claim as a Cedar value of `type`, or undefined when it is not one (never coerced: `"true"` is not a Bool). */
function typed(value: unknown, type: AttributeType, limits: LimitsConfig): CedarValue | undefined {
  const max = limits.maxClaimStringLength;
  switch (type) {
    case "String":
      return typeof value === "string" && value.length <= max ? value.toWellFormed() : undefined;
    case "Bool":
      return typeof value === "boolean" ? value : undefined;
    case "Long":
      // Cedar Longs are i64; JS numbers are exact to 2^53, so only safe integers pass.
      return Number.isSafeInteger(value) ? (value as number) : undefined;
    case "Set<String>":
      if (!Array.isArray(value) || value.length > limits.maxGroups) return undefined;
      if (!value.every((v) => typeof v === "string" && v.length <= max)) return undefined;
      return [...new Set((value as string[]).map((v) => v.toWellFormed()))];
  }
}
