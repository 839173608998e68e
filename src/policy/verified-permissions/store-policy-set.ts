import { policyToJson, schemaToJson, schemaToText, templateToJson, validate, type PolicyJson, type SchemaJson } from "@cedar-policy/cedar-wasm/nodejs";
import type { LoadedPolicy, LoadedPolicySet } from "../loader.js";
import { canonicalJson, computeRevision } from "../revision.js";
import { NamespaceError, unqualifyPolicyText, unqualifySchema } from "./namespace.js";
import { STABLE_ID, stableIdOf } from "./policy-ids.js";
import type { StorePolicy, StoreSnapshot } from "./store-reader.js";

/**
 * A store snapshot as a policy set of the decision model, validated exactly like a policy folder: the
 * schema and every policy translated out of the store's namespace, template-linked policies instantiated
 * (a linked policy evaluates as its template with the slots filled), every policy named by its stable id,
 * the whole set strictly validated against the schema. One problem refuses the whole snapshot.
 *
 * The revision is computed like a folder's (revision.ts), so a store filled by `ztpdp push` from a folder
 * has the folder's revision: an audit record's `policyRevision` says which store state decided, and it can
 * be compared with `ztpdp validate`'s output for the folder.
 */

export type StoreSetResult = { ok: true; policySet: LoadedPolicySet } | { ok: false; problems: string[] };

export function storePolicySet(snapshot: StoreSnapshot, ns: string): StoreSetResult {
  const problems: string[] = [];
  const where = (p: StorePolicy) => `avp:${snapshot.policyStoreId}/${p.policyId}`;

  let schemaText: string | undefined;
  let schemaJson: unknown;
  try {
    if (!snapshot.schema) throw new Error("the store has no schema: its policies cannot be validated");
    const unqualified = unqualifySchema(JSON.parse(snapshot.schema.text) as Record<string, Record<string, unknown>>, ns);
    // The engine gets Cedar's schema syntax; the revision hashes the JSON as stored (what `ztpdp push`
    // computed from the folder's schema), so a pushed folder and its store share one revision.
    const text = schemaToText(unqualified as unknown as SchemaJson<string>);
    if (text.type === "failure") throw new Error(text.errors.map((e) => e.message).join("; "));
    const check = schemaToJson(text.text);
    if (check.type === "failure") throw new Error(check.errors.map((e) => e.message).join("; "));
    schemaText = text.text;
    schemaJson = unqualified;
  } catch (err) {
    problems.push(`schema: ${err instanceof Error ? err.message : String(err)}`);
  }

  const policies: LoadedPolicy[] = [];
  const seen = new Map<string, string>();
  for (const p of [...snapshot.policies.values()].sort((a, b) => (a.policyId < b.policyId ? -1 : 1))) {
    try {
      const text = p.policyType === "STATIC" ? unqualifyPolicyText(String(p.statement), ns) : linkedPolicyText(p, snapshot, ns);
      const json = policyToJson(text);
      if (json.type === "failure") throw new Error(json.errors.map((e) => e.message).join("; "));
      const id = p.policyType === "STATIC" ? stableIdOf(p.policyId, p.description, p.statement) : p.policyId;
      if (!STABLE_ID.test(id)) throw new Error(`policy id \`${id}\` is not a valid stable id`);
      const other = seen.get(id);
      if (other) throw new Error(`duplicate policy id \`${id}\`: also used by ${other}`);
      seen.set(id, where(p));
      policies.push({ id, idSource: "annotation", file: where(p), line: 1, col: 1, text, effect: json.json.effect, json: json.json });
    } catch (err) {
      problems.push(`${where(p)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  if (schemaText !== undefined && policies.length > 0) {
    const answer = validate({
      schema: schemaText,
      policies: { staticPolicies: Object.fromEntries(policies.map((p) => [p.id, p.text])) },
      validationSettings: { mode: "strict" },
    });
    if (answer.type === "failure") problems.push(...answer.errors.map((e) => `validation: ${e.message}`));
    else problems.push(...answer.validationErrors.map((e) => `${e.policyId}: ${e.error.message}`));
  }
  if (problems.length > 0 || schemaText === undefined) return { ok: false, problems };
  return {
    ok: true,
    policySet: {
      policies,
      schemaFile: `avp:${snapshot.policyStoreId}/schema`,
      schemaText,
      revision: computeRevision(schemaJson, policies as Array<{ id: string; json: unknown }>),
      warnings: [],
    },
  };
}

/**
 * A template-linked policy as the static policy it evaluates as: the template's text with each slot
 * replaced by the linked entity, checked against Cedar's JSON form of the template with the same slots filled.
 */
export function linkedPolicyText(p: StorePolicy, snapshot: StoreSnapshot, ns: string): string {
  const template = snapshot.templates.get(String(p.templateId));
  if (!template) throw new Error(`its template \`${p.templateId}\` is not in the store`);
  const values: Record<string, { type: string; id: string }> = {};
  if (p.principal) values["?principal"] = { type: String(p.principal.entityType), id: String(p.principal.entityId) };
  if (p.resource) values["?resource"] = { type: String(p.resource.entityType), id: String(p.resource.entityId) };
  const text = fillSlots(template.statement, values);
  const expected = templateToJson(template.statement);
  const actual = policyToJson(text);
  if (expected.type === "failure" || actual.type === "failure") throw new Error("its template does not parse");
  if (canonicalJson(fillJsonSlots(expected.json, values)) !== canonicalJson(actual.json)) throw new Error("could not instantiate its template");
  try {
    return unqualifyPolicyText(text, ns);
  } catch (err) {
    if (err instanceof NamespaceError) throw err;
    throw new Error("could not translate its template");
  }
}

/** Replaces `?principal` / `?resource` tokens outside strings and comments. */
function fillSlots(text: string, values: Record<string, { type: string; id: string }>): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|\/\/[^\n]*|\?(principal|resource)\b/g, (token, slot: string | undefined) => {
    if (!slot) return token;
    const v = values[`?${slot}`];
    if (!v) throw new Error(`no value linked for \`?${slot}\``);
    return `${v.type}::${cedarString(v.id)}`;
  });
}

function fillJsonSlots(json: PolicyJson, values: Record<string, { type: string; id: string }>): PolicyJson {
  const fill = (c: Record<string, unknown>): Record<string, unknown> => {
    if (typeof c.slot === "string") {
      const { slot, ...rest } = c;
      return { ...rest, entity: values[slot as string] };
    }
    return c;
  };
  return { ...json, principal: fill(json.principal as Record<string, unknown>), resource: fill(json.resource as Record<string, unknown>) } as PolicyJson;
}

/** A Cedar string literal: `\"` and `\\` escaped, control characters as `\u{...}`. */
function cedarString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (cp < 0x20 || cp === 0x7f) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}
