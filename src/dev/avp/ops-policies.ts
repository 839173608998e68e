import { policyToJson, templateToJson } from "@cedar-policy/cedar-wasm/nodejs";
import { canonicalJson } from "../../policy/revision.js";
import { conflict, notFound, validation } from "./errors.js";
import {
  DESCRIPTION,
  RESOURCE_ID,
  optArray,
  optEntityIdentifier,
  optObject,
  optString,
  reqObject,
  reqString,
  union,
  POLICY_STORE_ID,
  type Body,
} from "./fields.js";
import { newId, markWritten, type PolicyStore, type StoredPolicy } from "./model.js";
import { checkStatement, strictValidate } from "./policy-checks.js";
import { iso, page, type Registry } from "./registry.js";

/**
 * CreatePolicy, GetPolicy, UpdatePolicy, DeletePolicy, ListPolicies, BatchGetPolicy
 * (https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_Operations.html).
 */

const POLICY_NAME = { min: 1, max: 132, pattern: /^name\/[\w-]+$/ };

export function createPolicy(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  return reg.idempotent("CreatePolicy", body, () => {
    const name = optString(body, "name", "", POLICY_NAME);
    if (name !== undefined && [...store.policies.values()].some((p) => p.name === name)) {
      throw conflict(`a policy named \`${name}\` already exists`, "POLICY", name);
    }
    const [kind, def] = union(reqObject(body, "definition", ""), "definition", ["static", "templateLinked"]);
    const d = def as Body;
    let policy: Omit<StoredPolicy, "createdDate" | "lastUpdatedDate">;
    const policyId = newId("SP");
    if (kind === "static") {
      const statement = reqString(d, "statement", "definition.static", { min: 1 });
      const description = optString(d, "description", "definition.static", DESCRIPTION);
      const checked = checkStatement(store, statement, "static", "definition.static.statement");
      policy = { policyId, policyType: "STATIC", statement, ...(description !== undefined ? { description } : {}), effect: checked.effect, ...pick(checked) };
    } else {
      const templateId = reqString(d, "policyTemplateId", "definition.templateLinked", RESOURCE_ID);
      const template = store.templates.get(templateId);
      if (!template) throw notFound("POLICY_TEMPLATE", templateId);
      const principal = optEntityIdentifier(d, "principal", "definition.templateLinked");
      const resource = optEntityIdentifier(d, "resource", "definition.templateLinked");
      const json = templateToJson(template.statement);
      if (json.type === "failure") throw new Error("stored template does not parse");
      const slots = new Set(JSON.stringify(json.json).match(/\?(principal|resource)/g) ?? []);
      if (slots.has("?principal") !== (principal !== undefined) || slots.has("?resource") !== (resource !== undefined)) {
        throw validation("the principal and resource must be given exactly for the template's slots", "definition.templateLinked");
      }
      if (store.validationMode === "STRICT") {
        const values: Record<string, { type: string; id: string }> = {};
        if (principal) values["?principal"] = { type: principal.entityType, id: principal.entityId };
        if (resource) values["?resource"] = { type: resource.entityType, id: resource.entityId };
        strictValidate(store, { templates: { t: template.statement }, templateLinks: [{ templateId: "t", newId: "p", values }] }, "definition.templateLinked");
      }
      policy = {
        policyId,
        policyType: "TEMPLATE_LINKED",
        policyTemplateId: templateId,
        ...(principal ? { principal } : {}),
        ...(resource ? { resource } : {}),
        effect: json.json.effect === "permit" ? "Permit" : "Forbid",
      };
    }
    const now = markWritten(store);
    const stored: StoredPolicy = { ...policy, ...(name !== undefined ? { name } : {}), createdDate: now, lastUpdatedDate: now };
    store.policies.set(policyId, stored);
    return summary(store, stored);
  });
}

export function getPolicy(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  const policy = findPolicy(store, body);
  return { ...summary(store, policy), definition: detail(policy) };
}

export function updatePolicy(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  const policy = findPolicy(store, body);
  const [, def] = union(reqObject(body, "definition", ""), "definition", ["static"]);
  const d = def as Body;
  if (policy.policyType !== "STATIC") throw validation("a template-linked policy cannot be updated; update its template", "definition");
  const statement = reqString(d, "statement", "definition.static", { min: 1 });
  const description = optString(d, "description", "definition.static", DESCRIPTION);
  const checked = checkStatement(store, statement, "static", "definition.static.statement");
  // Only the action and the conditions can change; effect, principal and resource need a new policy
  // (https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_UpdateStaticPolicyDefinition.html).
  const old = policyToJson(policy.statement as string);
  if (old.type === "success") {
    if (old.json.effect !== checked.json.effect) throw validation("UpdatePolicy cannot change the policy's effect", "definition.static.statement");
    if (canonicalJson(old.json.principal) !== canonicalJson(checked.json.principal)) throw validation("UpdatePolicy cannot change the policy's principal", "definition.static.statement");
    if (canonicalJson(old.json.resource) !== canonicalJson(checked.json.resource)) throw validation("UpdatePolicy cannot change the policy's resource", "definition.static.statement");
  }
  policy.statement = statement;
  if (description !== undefined) policy.description = description;
  else delete policy.description;
  policy.lastUpdatedDate = markWritten(store);
  return summary(store, policy);
}

/** Idempotent: a policy that does not exist is a success (https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_DeletePolicy.html). */
export function deletePolicy(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  const id = reqString(body, "policyId", "", RESOURCE_ID);
  if (store.policies.delete(id)) {
    markWritten(store);
  }
  return {};
}

/** Items carry the description but never the statement: that needs GetPolicy or BatchGetPolicy. */
export function listPolicies(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  const filter = optObject(body, "filter", "");
  let items = [...store.policies.values()];
  if (filter) {
    const type = optString(filter, "policyType", "filter");
    const templateId = optString(filter, "policyTemplateId", "filter");
    if (type) items = items.filter((p) => p.policyType === type);
    if (templateId) items = items.filter((p) => p.policyTemplateId === templateId);
  }
  const { items: out, nextToken } = page(body, items, (p) => p.policyId, 10, 50);
  return {
    policies: out.map((p) => ({
      ...summary(store, p),
      definition: p.policyType === "STATIC" ? { static: { ...(p.description !== undefined ? { description: p.description } : {}) } } : { templateLinked: linked(p) },
    })),
    ...(nextToken ? { nextToken } : {}),
  };
}

/** 1..100 requests; found policies in request order, the others as errors (https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_BatchGetPolicy.html). */
export function batchGetPolicy(reg: Registry, body: Body): unknown {
  const requests = optArray(body, "requests", "", 1, 100);
  if (!requests) throw validation("requests is required", "requests");
  const results: unknown[] = [];
  const errors: unknown[] = [];
  requests.forEach((r, i) => {
    const item = r as Body;
    const policyStoreId = reqString(item, "policyStoreId", `requests[${i}]`, POLICY_STORE_ID);
    const policyId = reqString(item, "policyId", `requests[${i}]`, RESOURCE_ID);
    const store = reg.stores.get(policyStoreId);
    const policy = store?.policies.get(policyId);
    if (!store) errors.push({ code: "POLICY_STORE_NOT_FOUND", policyStoreId, policyId, message: `policy store ${policyStoreId} not found` });
    else if (!policy) errors.push({ code: "POLICY_NOT_FOUND", policyStoreId, policyId, message: `policy ${policyId} not found` });
    else {
      const s = summary(store, policy);
      results.push({ policyStoreId, policyId, policyType: policy.policyType, definition: detail(policy), createdDate: s.createdDate, lastUpdatedDate: s.lastUpdatedDate });
    }
  });
  return { results, errors };
}

function findPolicy(store: PolicyStore, body: Body): StoredPolicy {
  const id = reqString(body, "policyId", "", RESOURCE_ID);
  const policy = store.policies.get(id) ?? [...store.policies.values()].find((p) => p.name === id);
  if (!policy) throw notFound("POLICY", id);
  return policy;
}

function pick(c: { principal?: StoredPolicy["principal"]; resource?: StoredPolicy["resource"] }): Pick<StoredPolicy, "principal" | "resource"> {
  return { ...(c.principal ? { principal: c.principal } : {}), ...(c.resource ? { resource: c.resource } : {}) };
}

function linked(p: StoredPolicy): Body {
  return { policyTemplateId: p.policyTemplateId, ...(p.principal ? { principal: p.principal } : {}), ...(p.resource ? { resource: p.resource } : {}) };
}

function detail(p: StoredPolicy): Body {
  return p.policyType === "STATIC"
    ? { static: { statement: p.statement, ...(p.description !== undefined ? { description: p.description } : {}) } }
    : { templateLinked: linked(p) };
}

function summary(store: PolicyStore, p: StoredPolicy) {
  return {
    policyStoreId: store.policyStoreId,
    policyId: p.policyId,
    policyType: p.policyType,
    ...(p.principal ? { principal: p.principal } : {}),
    ...(p.resource ? { resource: p.resource } : {}),
    effect: p.effect,
    ...(p.name !== undefined ? { name: p.name } : {}),
    createdDate: iso(p.createdDate),
    lastUpdatedDate: iso(p.lastUpdatedDate),
  };
}
