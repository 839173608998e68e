import {
  checkParseSchema,
  policySetTextToParts,
  policyToJson,
  templateToJson,
  validate,
  type PolicyJson,
  type PolicySet,
  type SchemaJson,
} from "@cedar-policy/cedar-wasm/nodejs";
import { quotaExceeded, validation } from "./errors.js";
import type { EntityIdentifier, PolicyStore } from "./model.js";

/**
 * The service's rules for what it stores, as documented:
 * - a policy statement is at most 10,000 bytes, a schema at most 100,000 bytes
 *   (https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/quotas.html);
 * - one static policy per CreatePolicy, one template per CreatePolicyTemplate (a statement with slots is a template);
 * - a template constrains both principal and resource, and a schema has exactly one namespace, not empty and
 *   not `aws`, `amazon` or `cedar`
 *   (https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/getting-started-differences-verifiedpermissions-cedar.html);
 * - in STRICT mode every new or updated policy and template validates against the schema, and there must be
 *   one (https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_ValidationSettings.html).
 * The exact wording of the service's messages is not published; these name the same problems.
 */

export const MAX_POLICY_BYTES = 10_000;
export const MAX_SCHEMA_BYTES = 100_000;
export const MAX_TEMPLATES = 40;

export interface CheckedStatement {
  json: PolicyJson;
  effect: "Permit" | "Forbid";
  principal?: EntityIdentifier;
  resource?: EntityIdentifier;
}

export function checkStatement(store: PolicyStore, statement: string, kind: "static" | "template", path: string): CheckedStatement {
  const bytes = Buffer.byteLength(statement, "utf8");
  if (bytes > MAX_POLICY_BYTES) throw validation(`the policy is ${bytes} bytes; a policy can be at most ${MAX_POLICY_BYTES} bytes`, path);
  const parts = policySetTextToParts(statement);
  if (parts.type === "failure") throw validation(`the policy does not parse: ${parts.errors.map((e) => e.message).join("; ")}`, path);
  const statics = parts.policies.length;
  const templates = parts.policy_templates.length;
  if (kind === "static" && !(statics === 1 && templates === 0)) {
    throw validation(templates > 0 ? "a static policy cannot have slots (`?principal`, `?resource`): create a policy template" : "the statement must hold exactly one policy", path);
  }
  if (kind === "template" && !(templates === 1 && statics === 0)) throw validation("the statement must hold exactly one policy template (with a slot)", path);
  const json = kind === "static" ? policyToJson(statement) : templateToJson(statement);
  if (json.type === "failure") throw validation(`the policy does not parse: ${json.errors.map((e) => e.message).join("; ")}`, path);
  if (kind === "template" && (json.json.principal.op === "All" || json.json.resource.op === "All")) {
    throw validation("a policy template must constrain both principal and resource", path);
  }
  if (store.validationMode === "STRICT") {
    const set: PolicySet = kind === "static" ? { staticPolicies: { policy0: statement } } : { templates: { template0: statement } };
    strictValidate(store, set, path);
  }
  return { json: json.json, effect: json.json.effect === "permit" ? "Permit" : "Forbid", ...scopeEntities(json.json) };
}

/** STRICT mode: the whole set must validate against the store's schema. */
export function strictValidate(store: PolicyStore, policies: PolicySet, path: string): void {
  if (!store.schema) throw validation("No schema present - automatically failing all validation. Put a schema or turn validation OFF", path);
  const answer = validate({ schema: JSON.parse(store.schema.text) as SchemaJson<string>, policies, validationSettings: { mode: "strict" } });
  if (answer.type === "failure") throw validation(`validation failed: ${answer.errors.map((e) => e.message).join("; ")}`, path);
  if (answer.validationErrors.length > 0) {
    throw validation(`the policy failed validation against the schema: ${answer.validationErrors.map((e) => e.error.message).join("; ")}`, path);
  }
}

/** The entity a scope names with `==` or `in` (what ListPolicies shows as the policy's principal/resource). */
function scopeEntities(json: PolicyJson): { principal?: EntityIdentifier; resource?: EntityIdentifier } {
  const one = (c: PolicyJson["principal"]): EntityIdentifier | undefined => {
    const entity = (c as { entity?: { type?: string; id?: string; __entity?: { type: string; id: string } } }).entity;
    const uid = entity?.__entity ?? entity;
    return uid?.type !== undefined && uid.id !== undefined ? { entityType: uid.type, entityId: uid.id } : undefined;
  };
  const principal = one(json.principal);
  const resource = one(json.resource);
  return { ...(principal ? { principal } : {}), ...(resource ? { resource } : {}) };
}

export function checkTemplateCount(store: PolicyStore): void {
  if (store.templates.size >= MAX_TEMPLATES) {
    throw quotaExceeded(`a policy store holds at most ${MAX_TEMPLATES} policy templates`, "POLICY_TEMPLATE", store.policyStoreId);
  }
}

/** PutSchema: JSON, size, one allowed namespace, and Cedar must accept it. Returns the namespaces. */
export function checkSchema(cedarJson: string): string[] {
  const bytes = Buffer.byteLength(cedarJson, "utf8");
  if (bytes > MAX_SCHEMA_BYTES) throw validation(`the schema is ${bytes} bytes; a schema can be at most ${MAX_SCHEMA_BYTES} bytes`, "definition.cedarJson");
  let json: unknown;
  try {
    json = JSON.parse(cedarJson);
  } catch {
    throw validation("the schema is not valid JSON", "definition.cedarJson");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw validation("the schema must be a JSON object of namespaces", "definition.cedarJson");
  const namespaces = Object.keys(json);
  if (namespaces.length !== 1) throw validation(`a schema must declare exactly one namespace, not ${namespaces.length}`, "definition.cedarJson");
  const ns = namespaces[0] as string;
  if (ns === "") throw validation("a namespace cannot be an empty string", "definition.cedarJson");
  if (["aws", "amazon", "cedar"].includes(ns.split("::")[0]!.toLowerCase())) throw validation(`the namespace \`${ns}\` is reserved`, "definition.cedarJson");
  const parsed = checkParseSchema(json as SchemaJson<string>);
  if (parsed.type === "failure") throw validation(`the schema is not valid: ${parsed.errors.map((e) => e.message).join("; ")}`, "definition.cedarJson");
  return namespaces;
}
