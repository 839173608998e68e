import { preparsePolicySet, statefulIsAuthorized, type EntityJson, type PolicySet, type TemplateLink } from "@cedar-policy/cedar-wasm/nodejs";
import { validation } from "./errors.js";
import { reqObject, union, type Body } from "./fields.js";
import type { EntityIdentifier, PolicyStore } from "./model.js";

/**
 * Evaluation as Verified Permissions does it, with cedar-wasm: every static policy plus every template-linked
 * policy of the store, named by their policy ids; the request's entities and context parsed WITHOUT the
 * schema (the service uses the schema to validate policies, not requests), with the schema's actions and
 * action groups appended to the entities
 * (https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/getting-started-differences-verifiedpermissions-cedar.html).
 * Entities and context come typed (`entityList`, `contextMap` of AttributeValue unions) or as Cedar JSON
 * strings (`cedarJson`, https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_ContextDefinition.html).
 */

type CedarJson = unknown;

/** The pre-parsed set of a store, re-parsed after every change (one cache entry per store, replaced in place). */
const parsedVersion = new Map<string, number>();

function policySetId(store: PolicyStore): string {
  const id = `local-avp/${store.policyStoreId}`;
  if (parsedVersion.get(id) === store.version) return id;
  const set: Required<Pick<PolicySet, "staticPolicies" | "templates" | "templateLinks">> = { staticPolicies: {}, templates: {}, templateLinks: [] };
  const statics = set.staticPolicies as Record<string, string>;
  const templates = set.templates as Record<string, string>;
  for (const t of store.templates.values()) templates[t.policyTemplateId] = t.statement;
  for (const p of store.policies.values()) {
    if (p.policyType === "STATIC") statics[p.policyId] = p.statement as string;
    else {
      const values: TemplateLink["values"] = {};
      if (p.principal) values["?principal"] = uid(p.principal);
      if (p.resource) values["?resource"] = uid(p.resource);
      (set.templateLinks as TemplateLink[]).push({ templateId: p.policyTemplateId as string, newId: p.policyId, values });
    }
  }
  const answer = preparsePolicySet(id, set);
  if (answer.type === "failure") throw new Error(`local endpoint: stored policies no longer parse: ${answer.errors.map((e) => e.message).join("; ")}`);
  parsedVersion.set(id, store.version);
  return id;
}

export interface AuthzRequest {
  principal: EntityIdentifier;
  action: { actionType: string; actionId: string };
  resource: EntityIdentifier;
  context: Record<string, CedarJson>;
}

export interface AuthzResult {
  decision: "ALLOW" | "DENY";
  determiningPolicies: Array<{ policyId: string }>;
  errors: Array<{ errorDescription: string }>;
}

export function evaluate(store: PolicyStore, request: AuthzRequest, entities: EntityJson[]): AuthzResult {
  const answer = statefulIsAuthorized({
    principal: uid(request.principal),
    action: { type: request.action.actionType, id: request.action.actionId },
    resource: uid(request.resource),
    context: request.context as Record<string, never>,
    entities: [...entities, ...schemaActions(store)],
    preparsedPolicySetId: policySetId(store),
    validateRequest: false,
  });
  if (answer.type === "failure") throw validation(`the request could not be evaluated: ${answer.errors.map((e) => e.message).join("; ")}`);
  const { decision, diagnostics } = answer.response;
  return {
    decision: decision === "allow" ? "ALLOW" : "DENY",
    determiningPolicies: diagnostics.reason.map((policyId) => ({ policyId })),
    // Cedar's own wording for an evaluation error (`AuthorizationError::PolicyEvaluationError`).
    errors: diagnostics.errors.map((e) => ({
      errorDescription: `error while evaluating policy \`${e.policyId}\`: ${e.error.message}${e.error.help ? ` (${e.error.help})` : ""}`,
    })),
  };
}

/** The schema's actions as entities, each with its action groups as parents. */
function schemaActions(store: PolicyStore): EntityJson[] {
  if (!store.schema) return [];
  const json = JSON.parse(store.schema.text) as Record<string, { actions?: Record<string, { memberOf?: Array<{ id: string; type?: string }> }> }>;
  const out: EntityJson[] = [];
  for (const [ns, def] of Object.entries(json)) {
    const actionType = ns ? `${ns}::Action` : "Action";
    for (const [id, action] of Object.entries(def.actions ?? {})) {
      const parents = (action.memberOf ?? []).map((m) => ({ type: m.type ? (m.type.includes("::") ? m.type : ns ? `${ns}::${m.type}` : m.type) : actionType, id: m.id }));
      out.push({ uid: { type: actionType, id }, attrs: {}, parents });
    }
  }
  return out;
}

function uid(e: EntityIdentifier): { type: string; id: string } {
  return { type: e.entityType, id: e.entityId };
}

// ----------------------------------------------------------------------------------------- request shapes

/** `context`: `{contextMap}` or `{cedarJson}`; absent means empty. */
export function readContext(body: Body, path: string): Record<string, CedarJson> {
  const ctx = body.context;
  if (ctx === undefined || ctx === null) return {};
  const [kind, value] = union(reqObject(body, "context", path), `${path ? `${path}.` : ""}context`, ["contextMap", "cedarJson"]);
  if (kind === "cedarJson") {
    const parsed = parseJson(value, "context.cedarJson");
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw validation("context.cedarJson must be a JSON object", "context.cedarJson");
    return parsed as Record<string, CedarJson>;
  }
  return attributeMap(value, "context.contextMap");
}

/** `entities`: `{entityList}` or `{cedarJson}`; absent means none. */
export function readEntities(body: Body): EntityJson[] {
  if (body.entities === undefined || body.entities === null) return [];
  const [kind, value] = union(reqObject(body, "entities", ""), "entities", ["entityList", "cedarJson"]);
  if (kind === "cedarJson") {
    const parsed = parseJson(value, "entities.cedarJson");
    if (!Array.isArray(parsed)) throw validation("entities.cedarJson must be a JSON list of entities", "entities.cedarJson");
    return parsed as EntityJson[];
  }
  if (!Array.isArray(value)) throw validation("entities.entityList must be a list", "entities.entityList");
  return value.map((item, i) => {
    const at = `entities.entityList[${i}]`;
    const e = item as Body;
    const identifier = e.identifier as Body | undefined;
    if (!identifier || typeof identifier.entityType !== "string" || typeof identifier.entityId !== "string") throw validation(`${at}.identifier is required`, at);
    const parents = Array.isArray(e.parents) ? (e.parents as Body[]).map((p) => ({ type: String(p.entityType), id: String(p.entityId) })) : [];
    return {
      uid: { type: identifier.entityType, id: identifier.entityId },
      attrs: e.attributes ? (attributeMap(e.attributes, `${at}.attributes`) as EntityJson["attrs"]) : {},
      parents,
      ...(e.tags ? { tags: attributeMap(e.tags, `${at}.tags`) as EntityJson["attrs"] } : {}),
    };
  });
}

function parseJson(value: unknown, path: string): unknown {
  if (typeof value !== "string") throw validation(`${path} must be a string`, path);
  try {
    return JSON.parse(value);
  } catch {
    throw validation(`${path} is not valid JSON`, path);
  }
}

function attributeMap(value: unknown, path: string): Record<string, CedarJson> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw validation(`${path} must be a map`, path);
  return Object.fromEntries(Object.entries(value as Body).map(([k, v]) => [k, attributeValue(v, `${path}.${k}`)]));
}

/** https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_AttributeValue.html */
function attributeValue(v: unknown, path: string): CedarJson {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw validation(`${path} must be an AttributeValue`, path);
  const [kind, x] = union(v as Body, path, ["boolean", "long", "string", "entityIdentifier", "set", "record", "ipaddr", "decimal", "datetime", "duration"]);
  switch (kind) {
    case "boolean":
    case "long":
    case "string":
      return x;
    case "entityIdentifier": {
      const e = x as Body;
      return { __entity: { type: String(e.entityType), id: String(e.entityId) } };
    }
    case "set":
      if (!Array.isArray(x)) throw validation(`${path}.set must be a list`, path);
      return x.map((m, i) => attributeValue(m, `${path}.set[${i}]`));
    case "record":
      return attributeMap(x, `${path}.record`);
    default:
      // ipaddr, decimal, datetime, duration: strings given to the extension constructor of the same name.
      return { __extn: { fn: kind === "ipaddr" ? "ip" : kind, arg: x } };
  }
}
