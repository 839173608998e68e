import { validation } from "./errors.js";
import { ENTITY_PART, optArray, reqObject, reqString, type Body } from "./fields.js";
import { evaluate, readContext, readEntities, type AuthzRequest } from "./evaluate.js";
import type { Registry } from "./registry.js";

/**
 * IsAuthorized and BatchIsAuthorized
 * (https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_IsAuthorized.html,
 * https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_BatchIsAuthorized.html).
 *
 * Limits reproduced: a batch holds 1..30 requests that all share the principal or all share the resource,
 * and names at most 100 distinct principals and 100 distinct resources. Not reproduced: the service accepts
 * a request without principal, action or resource (an unknown value); this endpoint requires all three.
 */

export function isAuthorized(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  const request = readRequest(body, "");
  return evaluate(store, request, readEntities(body));
}

export function batchIsAuthorized(reg: Registry, body: Body): unknown {
  const store = reg.store(body);
  const raw = optArray(body, "requests", "", 1, 30);
  if (!raw) throw validation("requests is required", "requests");
  const requests = raw.map((r, i) => {
    if (r === null || typeof r !== "object") throw validation(`requests[${i}] must be a structure`, `requests[${i}]`);
    return { raw: r as Body, parsed: readRequest(r as Body, `requests[${i}]`) };
  });
  const key = (e: { entityType: string; entityId: string }) => `${e.entityType}\u0000${e.entityId}`;
  const principals = new Set(requests.map((r) => key(r.parsed.principal)));
  const resources = new Set(requests.map((r) => key(r.parsed.resource)));
  if (principals.size > 1 && resources.size > 1) {
    throw validation("the requests of a batch must all have the same principal or all have the same resource", "requests");
  }
  if (principals.size > 100 || resources.size > 100) throw validation("a batch can name at most 100 principals and 100 resources", "requests");
  const entities = readEntities(body);
  return { results: requests.map(({ raw: r, parsed }) => ({ request: r, ...evaluate(store, parsed, entities) })) };
}

function readRequest(body: Body, path: string): AuthzRequest {
  const p = reqObject(body, "principal", path);
  const a = reqObject(body, "action", path);
  const r = reqObject(body, "resource", path);
  const at = (k: string) => (path ? `${path}.${k}` : k);
  return {
    principal: { entityType: reqString(p, "entityType", at("principal"), ENTITY_PART), entityId: reqString(p, "entityId", at("principal"), ENTITY_PART) },
    action: { actionType: reqString(a, "actionType", at("action"), ENTITY_PART), actionId: reqString(a, "actionId", at("action"), ENTITY_PART) },
    resource: { entityType: reqString(r, "entityType", at("resource"), ENTITY_PART), entityId: reqString(r, "entityId", at("resource"), ENTITY_PART) },
    context: readContext(body, path),
  };
}
