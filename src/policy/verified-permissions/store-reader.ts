import {
  BatchGetPolicyCommand,
  GetPolicyTemplateCommand,
  GetSchemaCommand,
  ListPoliciesCommand,
  ListPolicyTemplatesCommand,
  type EntityIdentifier,
  type VerifiedPermissionsClient,
} from "@aws-sdk/client-verifiedpermissions";
import { callWithBudget, type Budget } from "./call-budget.js";

/**
 * Reading a whole policy store, and re-reading only what changed. What a refresh costs (management calls,
 * each with a quota of about 10 per second per store, https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/quotas.html):
 * - ListPolicies: one call per 50 policies (the largest page, https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_ListPolicies.html);
 *   list items carry each policy's `lastUpdatedDate` and description but not its statement;
 * - BatchGetPolicy: one call per 100 new or changed static policies (none when nothing changed);
 * - ListPolicyTemplates + GetPolicyTemplate per changed template: only when the store has template-linked
 *   policies (a template's edit does not touch its linked policies' dates, so templates are compared too);
 * - GetSchema: one call (the schema has no cheaper change marker).
 * This is the change detection of awslabs/avp-local-agent (list, compare dates, fetch created/updated only).
 */

export interface StorePolicy {
  policyId: string;
  policyType: "STATIC" | "TEMPLATE_LINKED";
  /** ms since epoch. */
  lastUpdated: number;
  description?: string;
  statement?: string;
  templateId?: string;
  principal?: EntityIdentifier;
  resource?: EntityIdentifier;
}

export interface StoreTemplate {
  templateId: string;
  lastUpdated: number;
  statement: string;
}

export interface StoreSnapshot {
  policyStoreId: string;
  /** Undefined when the store has no schema yet. */
  schema: { text: string; lastUpdated: number } | undefined;
  policies: ReadonlyMap<string, StorePolicy>;
  templates: ReadonlyMap<string, StoreTemplate>;
}

export class StoreReadError extends Error {
  override readonly name = "StoreReadError";
  constructor(
    message: string,
    /** The store, or its schema, does not exist (not a transient fault). */
    readonly notFound: boolean,
  ) {
    super(message);
  }
}

export interface ReadOptions {
  client: VerifiedPermissionsClient;
  policyStoreId: string;
  /** Per call. */
  budget: Budget;
  /** The whole read must end by this time (performance.now() ms). */
  deadline: number;
}

/** Calls made by the last read, by operation (tests and logs check the quota math with it). */
export type CallCounts = Record<string, number>;

/** Reads the store; with `previous`, statements are fetched only for policies and templates that changed since. */
export async function readStore(o: ReadOptions, previous?: StoreSnapshot): Promise<{ snapshot: StoreSnapshot; calls: CallCounts }> {
  const calls: CallCounts = {};
  const budgeted = budgetedCall(o.budget, o.deadline);
  const call: Call = (operation, run) => {
    calls[operation] = (calls[operation] ?? 0) + 1;
    return budgeted(operation, run);
  };
  const { client, policyStoreId } = o;

  const listed = await listPolicies(client, policyStoreId, call);
  const policies = new Map<string, StorePolicy>();
  const toFetch: string[] = [];
  for (const item of listed) {
    const before = previous?.policies.get(item.policyId);
    if (before && before.lastUpdated === item.lastUpdated && before.policyType === item.policyType) policies.set(item.policyId, before);
    else {
      policies.set(item.policyId, item);
      if (item.policyType === "STATIC") toFetch.push(item.policyId);
    }
  }
  for (let i = 0; i < toFetch.length; i += 100) {
    const ids = toFetch.slice(i, i + 100);
    const out = await call("BatchGetPolicy", (abortSignal) =>
      client.send(new BatchGetPolicyCommand({ requests: ids.map((policyId) => ({ policyStoreId, policyId })) }), { abortSignal }),
    );
    for (const e of out.errors ?? []) {
      if (e.code === "POLICY_STORE_NOT_FOUND") throw new StoreReadError(`BatchGetPolicy: the policy store \`${policyStoreId}\` was not found`, true);
      policies.delete(String(e.policyId)); // deleted since it was listed: the next refresh agrees
    }
    for (const r of out.results ?? []) {
      const p = policies.get(String(r.policyId));
      const statement = r.definition && "static" in r.definition ? r.definition.static?.statement : undefined;
      if (p && statement !== undefined) policies.set(p.policyId, { ...p, statement, lastUpdated: r.lastUpdatedDate?.getTime() ?? p.lastUpdated });
    }
  }

  const templates = new Map<string, StoreTemplate>();
  if ([...policies.values()].some((p) => p.policyType === "TEMPLATE_LINKED")) {
    for (const t of await listTemplates(client, policyStoreId, call)) {
      const before = previous?.templates.get(t.templateId);
      if (before && before.lastUpdated === t.lastUpdated) templates.set(t.templateId, before);
      else {
        const got = await call("GetPolicyTemplate", (abortSignal) =>
          client.send(new GetPolicyTemplateCommand({ policyStoreId, policyTemplateId: t.templateId }), { abortSignal }),
        );
        templates.set(t.templateId, { templateId: t.templateId, lastUpdated: got.lastUpdatedDate?.getTime() ?? t.lastUpdated, statement: String(got.statement) });
      }
    }
  }

  let schema: StoreSnapshot["schema"];
  try {
    const out = await call("GetSchema", (abortSignal) => client.send(new GetSchemaCommand({ policyStoreId }), { abortSignal }));
    schema = { text: String(out.schema), lastUpdated: out.lastUpdatedDate?.getTime() ?? 0 };
  } catch (err) {
    // The store exists (ListPolicies answered): a missing resource here is the schema.
    if (!(err instanceof StoreReadError && err.notFound)) throw err;
  }

  return { snapshot: { policyStoreId, schema, policies, templates }, calls };
}

/** Same store state: schema text, and every policy and template with the same date and content. */
export function sameSnapshot(a: StoreSnapshot, b: StoreSnapshot): boolean {
  if (a.schema?.text !== b.schema?.text || a.policies.size !== b.policies.size || a.templates.size !== b.templates.size) return false;
  for (const [id, p] of b.policies) {
    const q = a.policies.get(id);
    if (!q || q.lastUpdated !== p.lastUpdated || q.statement !== p.statement || q.description !== p.description) return false;
  }
  for (const [id, t] of b.templates) {
    const u = a.templates.get(id);
    if (!u || u.lastUpdated !== t.lastUpdated || u.statement !== t.statement) return false;
  }
  return true;
}

type Call = <T>(operation: string, run: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** Every policy of the store, following `nextToken` after every page. */
export async function listPolicies(client: VerifiedPermissionsClient, policyStoreId: string, call: Call): Promise<StorePolicy[]> {
  const out: StorePolicy[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call("ListPolicies", (abortSignal) => client.send(new ListPoliciesCommand({ policyStoreId, maxResults: 50, nextToken }), { abortSignal }));
    for (const p of page.policies ?? []) {
      const def = p.definition;
      const linked = def && "templateLinked" in def ? def.templateLinked : undefined;
      const description = def && "static" in def ? def.static?.description : undefined;
      out.push({
        policyId: String(p.policyId),
        policyType: p.policyType === "TEMPLATE_LINKED" ? "TEMPLATE_LINKED" : "STATIC",
        lastUpdated: p.lastUpdatedDate?.getTime() ?? 0,
        ...(description !== undefined ? { description } : {}),
        ...(linked
          ? {
              templateId: String(linked.policyTemplateId),
              ...(linked.principal ? { principal: linked.principal } : {}),
              ...(linked.resource ? { resource: linked.resource } : {}),
            }
          : {}),
      });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

async function listTemplates(client: VerifiedPermissionsClient, policyStoreId: string, call: Call): Promise<Array<{ templateId: string; lastUpdated: number }>> {
  const out: Array<{ templateId: string; lastUpdated: number }> = [];
  let nextToken: string | undefined;
  do {
    const page = await call("ListPolicyTemplates", (abortSignal) =>
      client.send(new ListPolicyTemplatesCommand({ policyStoreId, maxResults: 50, nextToken }), { abortSignal }),
    );
    for (const t of page.policyTemplates ?? []) out.push({ templateId: String(t.policyTemplateId), lastUpdated: t.lastUpdatedDate?.getTime() ?? 0 });
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** A `call` for `listPolicies` outside `readStore` (the remote engine's id map). */
export function budgetedCall(budget: Budget, deadline: number): Call {
  return async (operation, run) => {
    const remaining = deadline - performance.now();
    if (remaining < 25) throw new StoreReadError(`${operation}: out of time`, false);
    const result = await callWithBudget(run, { ...budget, timeoutMs: Math.min(budget.timeoutMs, remaining) });
    if (result.ok) return result.value;
    throw new StoreReadError(`${operation}: ${result.message}`, result.name === "ResourceNotFoundException");
  };
}
