import { schemaToJsonWithResolvedTypes } from "@cedar-policy/cedar-wasm/nodejs";
import type { AttributeType } from "../config/issuer-fields.js";
import type { IssuerConfig } from "../config/schema.js";
import type { LoadedPolicySet } from "../policy/loader.js";

/** What the check needs of a policy set: its schema (text, or the build-time resolved JSON). */
export type SchemaSource = Pick<LoadedPolicySet, "schemaText" | "precompiled">;
import { buildAttributeCatalog } from "./principal-attributes.js";

/**
 * The Cedar schema and the issuers' claim → attribute mappings must agree, like a Verified Permissions
 * identity source and its policy store schema: every attribute the config fills in is declared on the
 * principal's entity type with the same type (else Cedar refuses the entity, and every request denies),
 * and every attribute the schema declares on a principal type is filled by some issuer (else a policy
 * reading it validates and never matches). Checked at cold start and by the CLI; returns the problems
 * (about the schema file, `policySet.schemaFile`).
 */
export function principalAttributeProblems(issuers: readonly IssuerConfig[], policySet: SchemaSource): string[] {
  const { catalog, problems } = buildAttributeCatalog(issuers);
  if (problems.length > 0) return problems;
  const declared = schemaAttributes(policySet);
  if (declared === undefined) return ["the schema could not be read to check principal attributes"];
  const out: string[] = [];
  const principalTypes = new Set(issuers.flatMap((i) => [i.principal.userEntityType, i.principal.serviceEntityType]));
  for (const entityType of principalTypes) {
    const mapped = catalog.get(entityType) ?? new Map<string, AttributeType>();
    const inSchema = declared.get(entityType);
    for (const [name, type] of mapped) {
      const schemaType = inSchema?.get(name);
      if (schemaType === undefined) {
        out.push(`the config maps a claim to \`${entityType}.${name}\` (${type}); declare it: \`entity ${entityType} ... { ${name}: ${type} }\``);
      } else if (schemaType !== type) {
        out.push(`\`${entityType}.${name}\` is ${schemaType} in the schema but ${type} in the config`);
      }
    }
    for (const [name, schemaType] of inSchema ?? []) {
      if (!mapped.has(name)) {
        out.push(
          `\`${entityType}.${name}\` (${schemaType}) is declared but no issuer maps a claim to it ` +
            `(principal.attributes / services.attributes in the config): a policy reading it could never match`,
        );
      }
    }
  }
  return out;
}

/** Entity type → attribute → type as the config spells types (`Bool`, `Set<String>`); other types as Cedar names them. */
function schemaAttributes(policySet: SchemaSource): Map<string, Map<string, string>> | undefined {
  let json: unknown = policySet.precompiled?.resolvedSchemaJson;
  if (json === undefined) {
    const resolved = schemaToJsonWithResolvedTypes(policySet.schemaText);
    if (resolved.type !== "success") return undefined;
    json = resolved.json;
  }
  const out = new Map<string, Map<string, string>>();
  for (const [namespace, def] of Object.entries(json as Record<string, RawNamespace>)) {
    for (const [name, entity] of Object.entries(def.entityTypes ?? {})) {
      const attrs = new Map<string, string>();
      for (const [attr, type] of Object.entries(entity.shape?.attributes ?? {})) attrs.set(attr, typeName(type));
      out.set(namespace === "" ? name : `${namespace}::${name}`, attrs);
    }
  }
  return out;
}

interface RawType {
  type: string;
  element?: RawType;
  name?: string;
  attributes?: Record<string, RawType>;
}
interface RawNamespace {
  entityTypes?: Record<string, { shape?: { attributes?: Record<string, RawType> } }>;
}

function typeName(t: RawType): string {
  if (t.type === "Boolean") return "Bool";
  if (t.type === "Set") return `Set<${t.element ? typeName(t.element) : "?"}>`;
  if (t.type === "Extension" || t.type === "Entity" || t.type === "EntityOrCommon") return t.name ?? t.type;
  return t.type;
}
