import { conflict, notFound, validation } from "./errors.js";
import { DESCRIPTION, RESOURCE_ID, optString, reqObject, reqString, union, type Body } from "./fields.js";
import { newId, newStore, markWritten } from "./model.js";
import { checkSchema, checkStatement, checkTemplateCount } from "./policy-checks.js";
import { iso, page, type Registry } from "./registry.js";

/**
 * Policy stores, the schema and policy templates:
 * CreatePolicyStore, GetPolicyStore, DeletePolicyStore, ListPolicyStores, PutSchema, GetSchema,
 * CreatePolicyTemplate, GetPolicyTemplate, UpdatePolicyTemplate, DeletePolicyTemplate, ListPolicyTemplates.
 */

export function createPolicyStore(reg: Registry, body: Body): unknown {
  return reg.idempotent("CreatePolicyStore", body, () => {
    const settings = reqObject(body, "validationSettings", "");
    const mode = reqString(settings, "mode", "validationSettings");
    if (mode !== "STRICT" && mode !== "OFF") throw validation("validationSettings.mode must be STRICT or OFF", "validationSettings.mode");
    const store = newStore(mode, optString(body, "description", "", DESCRIPTION));
    reg.stores.set(store.policyStoreId, store);
    return { policyStoreId: store.policyStoreId, arn: store.arn, createdDate: iso(store.createdDate), lastUpdatedDate: iso(store.lastUpdatedDate) };
  });
}

export function getPolicyStore(reg: Registry, body: Body): unknown {
  const s = reg.store(body);
  return {
    policyStoreId: s.policyStoreId,
    arn: s.arn,
    validationSettings: { mode: s.validationMode },
    ...(s.description !== undefined ? { description: s.description } : {}),
    createdDate: iso(s.createdDate),
    lastUpdatedDate: iso(s.lastUpdatedDate),
    deletionProtection: "DISABLED",
  };
}

/** Idempotent: deleting a store that does not exist succeeds (https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_DeletePolicyStore.html). */
export function deletePolicyStore(reg: Registry, body: Body): unknown {
  reg.stores.delete(reqString(body, "policyStoreId", "", { min: 1, max: 200 }));
  return {};
}

export function listPolicyStores(reg: Registry, body: Body): unknown {
  const { items, nextToken } = page(body, [...reg.stores.values()], (s) => s.policyStoreId, 10, 50);
  return {
    policyStores: items.map((s) => ({ policyStoreId: s.policyStoreId, arn: s.arn, createdDate: iso(s.createdDate), lastUpdatedDate: iso(s.lastUpdatedDate) })),
    ...(nextToken ? { nextToken } : {}),
  };
}

/** Replaces the schema; existing policies are NOT re-validated (https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_PutSchema.html). */
export function putSchema(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  const [, text] = union(reqObject(body, "definition", ""), "definition", ["cedarJson"]);
  if (typeof text !== "string") throw validation("definition.cedarJson must be a string", "definition.cedarJson");
  const namespaces = checkSchema(text);
  const now = markWritten(store);
  store.schema = { text, namespaces, createdDate: store.schema?.createdDate ?? now, lastUpdatedDate: now };
  return { policyStoreId: store.policyStoreId, namespaces, createdDate: iso(store.schema.createdDate), lastUpdatedDate: iso(now) };
}

export function getSchema(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  if (!store.schema) throw notFound("SCHEMA", store.policyStoreId);
  const s = store.schema;
  return { policyStoreId: store.policyStoreId, schema: s.text, namespaces: s.namespaces, createdDate: iso(s.createdDate), lastUpdatedDate: iso(s.lastUpdatedDate) };
}

export function createPolicyTemplate(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  return reg.idempotent("CreatePolicyTemplate", body, () => {
    checkTemplateCount(store);
    const statement = reqString(body, "statement", "", { min: 1 });
    const description = optString(body, "description", "", DESCRIPTION);
    checkStatement(store, statement, "template", "statement");
    const now = markWritten(store);
    const policyTemplateId = newId("PT");
    store.templates.set(policyTemplateId, { policyTemplateId, statement, ...(description !== undefined ? { description } : {}), createdDate: now, lastUpdatedDate: now });
    return { policyStoreId: store.policyStoreId, policyTemplateId, createdDate: iso(now), lastUpdatedDate: iso(now) };
  });
}

export function getPolicyTemplate(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  const id = reqString(body, "policyTemplateId", "", RESOURCE_ID);
  const t = store.templates.get(id);
  if (!t) throw notFound("POLICY_TEMPLATE", id);
  return {
    policyStoreId: store.policyStoreId,
    policyTemplateId: id,
    ...(t.description !== undefined ? { description: t.description } : {}),
    statement: t.statement,
    createdDate: iso(t.createdDate),
    lastUpdatedDate: iso(t.lastUpdatedDate),
  };
}

/** Linked policies follow their template at once; their own `lastUpdatedDate` does not change. */
export function updatePolicyTemplate(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  const id = reqString(body, "policyTemplateId", "", RESOURCE_ID);
  const t = store.templates.get(id);
  if (!t) throw notFound("POLICY_TEMPLATE", id);
  const statement = reqString(body, "statement", "", { min: 1 });
  const description = optString(body, "description", "", DESCRIPTION);
  checkStatement(store, statement, "template", "statement");
  t.statement = statement;
  if (description !== undefined) t.description = description;
  t.lastUpdatedDate = markWritten(store);
  return { policyStoreId: store.policyStoreId, policyTemplateId: id, createdDate: iso(t.createdDate), lastUpdatedDate: iso(t.lastUpdatedDate) };
}

/** A template with linked policies cannot be deleted; a missing one is a success. */
export function deletePolicyTemplate(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  const id = reqString(body, "policyTemplateId", "", RESOURCE_ID);
  if ([...store.policies.values()].some((p) => p.policyTemplateId === id)) {
    throw conflict("the policy template still has template-linked policies", "POLICY_TEMPLATE", id);
  }
  if (store.templates.delete(id)) {
    markWritten(store);
  }
  return {};
}

export function listPolicyTemplates(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  const { items, nextToken } = page(body, [...store.templates.values()], (t) => t.policyTemplateId, 10, 50);
  return {
    policyTemplates: items.map((t) => ({
      policyStoreId: store.policyStoreId,
      policyTemplateId: t.policyTemplateId,
      ...(t.description !== undefined ? { description: t.description } : {}),
      createdDate: iso(t.createdDate),
      lastUpdatedDate: iso(t.lastUpdatedDate),
    })),
    ...(nextToken ? { nextToken } : {}),
  };
}
