import { policyToJson, schemaToJson, validate, type SchemaJson } from "@cedar-policy/cedar-wasm/nodejs";
import type { LoadedPolicySet } from "../../policy/loader.js";
import { canonicalJson } from "../../policy/revision.js";
import { qualifyPolicyText, qualifySchema } from "../../policy/verified-permissions/namespace.js";
import { describeStableId, stableIdOf } from "../../policy/verified-permissions/policy-ids.js";
import type { StoreSnapshot } from "../../policy/verified-permissions/store-reader.js";

/**
 * What `ztpdp push` must do to make a store match a policy folder, computed before any write.
 *
 * Matching is by stable id (the `@id`, kept in the store policy's description, policy-ids.ts). A policy
 * whose statement or description differs is updated in place when only its action or conditions changed;
 * UpdatePolicy cannot change the effect, principal or resource, so those are replaced (create, then
 * delete), https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_UpdateStaticPolicyDefinition.html.
 * Store policies no folder policy matches (template-linked ones included) are deleted. Templates are left
 * alone: the folder format has none, and a template without linked policies decides nothing.
 *
 * Refused before any write, like the service would refuse them: a statement over 10,000 bytes (after the
 * namespace is added) and a policy that does not validate strictly against the schema being pushed.
 */

export const MAX_STATEMENT_BYTES = 10_000;

export interface PlannedPolicy {
  id: string;
  effect: "permit" | "forbid";
  statement: string;
  description: string;
}

export type Change =
  | { kind: "schema"; cedarJson: string; namespace: string }
  | { kind: "create"; policy: PlannedPolicy }
  | { kind: "update"; policy: PlannedPolicy; policyId: string }
  | { kind: "replace"; policy: PlannedPolicy; policyId: string; why: string }
  | { kind: "delete"; id: string; policyId: string; effect: "permit" | "forbid" | "unknown" };

export interface PushPlan {
  changes: Change[];
  unchanged: string[];
}

export type PlanResult = { ok: true; plan: PushPlan } | { ok: false; problems: string[] };

export function planPush(local: LoadedPolicySet, ns: string, store: StoreSnapshot | undefined): PlanResult {
  const problems: string[] = [];
  let schemaJson: Record<string, Record<string, unknown>> | undefined;
  try {
    const json = schemaToJson(local.schemaText);
    if (json.type === "failure") throw new Error(json.errors.map((e) => e.message).join("; "));
    schemaJson = qualifySchema(json.json as unknown as Record<string, Record<string, unknown>>, ns);
  } catch (err) {
    problems.push(`${local.schemaFile}: ${(err as Error).message}`);
  }

  const planned: PlannedPolicy[] = [];
  for (const p of local.policies) {
    try {
      const statement = qualifyPolicyText(p.text, ns);
      const bytes = Buffer.byteLength(statement, "utf8");
      if (bytes > MAX_STATEMENT_BYTES) throw new Error(`the policy is ${bytes} bytes in the store's namespace; Verified Permissions accepts at most ${MAX_STATEMENT_BYTES}`);
      planned.push({ id: p.id, effect: p.effect, statement, description: describeStableId(p.id) });
    } catch (err) {
      problems.push(`${p.file}:${p.line}:${p.col}: policy \`${p.id}\`: ${(err as Error).message}`);
    }
  }
  if (schemaJson && planned.length > 0) {
    // What STRICT validation in the store will say: the namespaced statements against the namespaced schema.
    const answer = validate({
      schema: schemaJson as unknown as SchemaJson<string>,
      policies: { staticPolicies: Object.fromEntries(planned.map((p) => [p.id, p.statement])) },
      validationSettings: { mode: "strict" },
    });
    if (answer.type === "failure") problems.push(...answer.errors.map((e) => `validation: ${e.message}`));
    else problems.push(...answer.validationErrors.map((e) => `policy \`${e.policyId}\` does not validate against the schema in the store's namespace: ${e.error.message}`));
  }
  if (problems.length > 0 || !schemaJson) return { ok: false, problems };

  const changes: Change[] = [];
  const unchanged: string[] = [];
  const cedarJson = JSON.stringify(schemaJson);
  if (!store?.schema || canonicalJson(safeParse(store.schema.text)) !== canonicalJson(schemaJson)) changes.push({ kind: "schema", cedarJson, namespace: ns });

  const byId = new Map<string, { policyId: string; statement?: string; description?: string; linked: boolean }>();
  const extra: Change[] = [];
  for (const p of [...(store?.policies.values() ?? [])].sort((a, b) => (a.policyId < b.policyId ? -1 : 1))) {
    const id = p.policyType === "STATIC" ? stableIdOf(p.policyId, p.description, p.statement) : p.policyId;
    if (byId.has(id)) extra.push({ kind: "delete", id, policyId: p.policyId, effect: effectOf(p.statement) });
    else byId.set(id, { policyId: p.policyId, ...(p.statement !== undefined ? { statement: p.statement } : {}), ...(p.description !== undefined ? { description: p.description } : {}), linked: p.policyType !== "STATIC" });
  }
  for (const policy of planned) {
    const existing = byId.get(policy.id);
    byId.delete(policy.id);
    if (!existing) changes.push({ kind: "create", policy });
    else if (existing.linked || existing.statement === undefined) changes.push({ kind: "replace", policy, policyId: existing.policyId, why: "a template-linked policy" });
    else if (existing.statement === policy.statement && existing.description === policy.description) unchanged.push(policy.id);
    else {
      const why = headChange(existing.statement, policy.statement);
      changes.push(why ? { kind: "replace", policy, policyId: existing.policyId, why } : { kind: "update", policy, policyId: existing.policyId });
    }
  }
  for (const [id, rest] of byId) extra.push({ kind: "delete", id, policyId: rest.policyId, effect: rest.linked ? "unknown" : effectOf(rest.statement) });
  changes.push(...extra);
  return { ok: true, plan: { changes: order(changes), unchanged } };
}

/** What UpdatePolicy cannot change, if the new statement changes it. */
function headChange(before: string, after: string): string | undefined {
  const a = policyToJson(before);
  const b = policyToJson(after);
  if (a.type === "failure" || b.type === "failure") return "the stored statement does not parse";
  if (a.json.effect !== b.json.effect) return `effect ${a.json.effect} → ${b.json.effect}`;
  if (canonicalJson(a.json.principal) !== canonicalJson(b.json.principal)) return "principal scope changed";
  if (canonicalJson(a.json.resource) !== canonicalJson(b.json.resource)) return "resource scope changed";
  return undefined;
}

function effectOf(statement: string | undefined): "permit" | "forbid" | "unknown" {
  if (statement === undefined) return "unknown";
  const json = policyToJson(statement);
  return json.type === "success" ? json.json.effect : "unknown";
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Write order, safest first: the schema (new policies validate against it), new forbids, new permits,
 * in-place updates, replacements, removed permits, removed forbids last: while a push is under way a
 * request meets at least the restrictions of both the old and the new set wherever that can be arranged.
 */
function order(changes: Change[]): Change[] {
  const rank = (c: Change): number => {
    switch (c.kind) {
      case "schema":
        return 0;
      case "create":
        return c.policy.effect === "forbid" ? 1 : 2;
      case "update":
        return 3;
      case "replace":
        return 4;
      case "delete":
        return c.effect === "forbid" ? 6 : 5;
    }
  };
  return [...changes].sort((a, b) => rank(a) - rank(b));
}
